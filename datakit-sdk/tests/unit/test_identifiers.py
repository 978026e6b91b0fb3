from __future__ import annotations

import pytest

from datakit.contracts import TableRef
from datakit.dialect import NEUTRAL
from datakit.engines.postgres.dialect import DIALECT as POSTGRES
from datakit.engines.sqlserver.dialect import DIALECT as SQLSERVER
from datakit.errors import UsageError
from datakit.identifiers import fit_identifier, parse_table


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
def test_parse_table_the_postgres_way(text: str, expected: TableRef) -> None:
    assert parse_table(text, POSTGRES) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sales.Orders", TableRef("Sales", "Orders")),
        ("Orders", TableRef("dbo", "Orders")),
        ('sales."Order Lines"', TableRef("sales", "Order Lines")),
    ],
)
def test_parse_table_the_sqlserver_way_keeps_spelling_and_reads_dbo(
    text: str, expected: TableRef
) -> None:
    """SQL Server does not fold unquoted names: lower-casing would miss a table under a
    case-sensitive collation."""
    assert parse_table(text, SQLSERVER) == expected


def test_an_engine_without_a_default_schema_needs_schema_dot_table() -> None:
    assert parse_table("Raw.Events", NEUTRAL) == TableRef("Raw", "Events")
    with pytest.raises(UsageError, match=r"--table 'events' needs a schema"):
        parse_table("events", NEUTRAL)


@pytest.mark.parametrize("text", ['"unterminated', "a.b.c", "a..b", '""', "a b"])
def test_parse_table_rejects_with_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match="--table"):
        parse_table(text, POSTGRES)


@pytest.mark.parametrize(
    "ref", [TableRef("Sales Dept", 'Order "Lines"'), TableRef("shop", "orders")]
)
def test_postgres_display_round_trips_through_parse(ref: TableRef) -> None:
    assert parse_table(POSTGRES.display(ref), POSTGRES) == ref


@pytest.mark.parametrize(
    ("ref", "postgres", "sqlserver", "neutral"),
    [
        (TableRef("shop", "orders"), "shop.orders", "shop.orders", "shop.orders"),
        (TableRef("dbo", "Ordrs"), 'dbo."Ordrs"', "dbo.Ordrs", "dbo.Ordrs"),
        (
            TableRef("dbo", "Order Lines"),
            'dbo."Order Lines"',
            "dbo.[Order Lines]",
            'dbo."Order Lines"',
        ),
        (TableRef("s", "a]b"), 's."a]b"', "s.[a]]b]", 's."a]b"'),
    ],
)
def test_each_engine_shows_names_in_its_own_quoting(
    ref: TableRef, postgres: str, sqlserver: str, neutral: str
) -> None:
    assert POSTGRES.display(ref) == postgres
    assert SQLSERVER.display(ref) == sqlserver
    assert NEUTRAL.display(ref) == neutral


def test_fit_identifier_is_unique_and_bounded() -> None:
    long_a = "x" * 70 + "a"
    long_b = "x" * 70 + "b"
    assert fit_identifier("short", 63) == "short"
    fitted = {fit_identifier(long_a, 63), fit_identifier(long_b, 63)}
    assert len(fitted) == 2
    assert all(len(name.encode()) <= 63 for name in fitted)
    assert len(fit_identifier("ü" * 40, 63).encode()) <= 63
