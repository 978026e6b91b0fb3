from __future__ import annotations

import pytest

from datakit.contracts import TableRef
from datakit.errors import UsageError
from datakit.identifiers import fit_identifier, parse_table, quote_for_display


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("shop.customers", TableRef("shop", "customers")),
        ("Shop.Customers", TableRef("shop", "customers")),
        ("customers", TableRef("public", "customers")),
        ('sales."Order Lines"', TableRef("sales", "Order Lines")),
        ('"Sales Dept"."Order ""Lines"" Ünïcode"', TableRef("Sales Dept", 'Order "Lines" Ünïcode')),
        (' "a.b" . "c" ', TableRef("a.b", "c")),
        ('"select"', TableRef("public", "select")),
    ],
)
def test_parse_table(text: str, expected: TableRef) -> None:
    assert parse_table(text) == expected


@pytest.mark.parametrize("text", ['"unterminated', "a.b.c", "a..b", '""', "a b"])
def test_parse_table_rejects_with_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match="--table"):
        parse_table(text)


def test_display_round_trips_through_parse() -> None:
    ref = TableRef("Sales Dept", 'Order "Lines"')
    assert parse_table(quote_for_display(ref)) == ref
    assert quote_for_display(TableRef("shop", "orders")) == "shop.orders"


def test_fit_identifier_is_unique_and_bounded() -> None:
    long_a = "x" * 70 + "a"
    long_b = "x" * 70 + "b"
    assert fit_identifier("short", 63) == "short"
    fitted = {fit_identifier(long_a, 63), fit_identifier(long_b, 63)}
    assert len(fitted) == 2
    assert all(len(name.encode()) <= 63 for name in fitted)
    assert len(fit_identifier("ü" * 40, 63).encode()) <= 63
