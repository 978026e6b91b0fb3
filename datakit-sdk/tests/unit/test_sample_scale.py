"""``--scale`` parsing and the row counts a scale gives, without a database."""

from __future__ import annotations

import pytest

from datakit.errors import EXIT_USAGE, UsageError
from datakit.sample import parse_scale, sample_size


@pytest.mark.parametrize(
    ("text", "scale"),
    [
        ("tiny", 0.01),
        ("small", 1.0),
        ("medium", 10.0),
        ("large", 100.0),
        (" Large ", 100.0),
        ("1", 1.0),
        ("0.25", 0.25),
        ("350", 350.0),
        ("1e2", 100.0),
    ],
)
def test_parse_scale_accepts_numbers_and_names(text: str, scale: float) -> None:
    assert parse_scale(text) == scale


@pytest.mark.parametrize("text", ["", "abc", "0", "-1", "nan", "inf", "-inf", "1e9", "huge"])
def test_parse_scale_rejects_with_a_usage_error_naming_the_option(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_scale(text)
    assert caught.value.exit_code == EXIT_USAGE
    assert "--scale" in caught.value.message
    assert "\n" not in caught.value.message


def test_unknown_name_lists_the_known_names() -> None:
    with pytest.raises(UsageError, match=r"tiny \(0\.01\).*large \(100\)"):
        parse_scale("huge")


@pytest.mark.parametrize(
    ("scale", "customers", "products", "orders"),
    [
        (0.01, 10, 20, 100),
        (0.1, 100, 20, 1_000),
        (1, 1_000, 100, 10_000),
        (10, 10_000, 1_000, 100_000),
        (350, 350_000, 35_000, 3_500_000),
        (0.00001, 1, 20, 1),
    ],
)
def test_sample_size_follows_the_scale(
    scale: float, customers: int, products: int, orders: int
) -> None:
    size = sample_size(scale)
    assert (size.customers, size.products, size.orders) == (customers, products, orders)
    assert size.order_lines == 3 * orders


def test_scale_350_is_over_ten_million_order_lines() -> None:
    assert sample_size(parse_scale("350")).order_lines >= 10_000_000
