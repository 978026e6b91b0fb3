"""The engine-neutral watermark: canonical text per kind, refused when not canonical."""

from __future__ import annotations

import pytest

from datakit.watermark import Watermark


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("int", "-9223372036854775808"),
        ("int", "0"),
        ("decimal", "-12345678901234567890123456789012345678"),
        ("decimal", "1234567890123456789012345678.9012345678"),
        ("decimal", "0.000012345678901234567"),
        ("date", "2024-02-29"),
        ("date", "0000-01-01"),
        ("date", "-0043-03-15"),
        ("timestamp", "2024-01-05T10:00:00.123456"),
        ("timestamptz", "2024-01-05T10:00:00+05:30"),
        ("timestamptz", "1850-01-01T00:00:00+00:53:28"),
        ("timestamptz", "infinity"),
    ],
)
def test_canonical_texts_are_accepted(kind: str, text: str) -> None:
    mark = Watermark(kind, text)  # type: ignore[arg-type]
    assert str(mark) == text
    assert mark.is_time == (kind in {"date", "timestamp", "timestamptz"})


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("int", "1.5"),
        ("int", "007"),
        ("int", "infinity"),
        ("decimal", "1e+20"),
        ("date", "2024-01-05 BC"),
        ("timestamp", "2024-01-05 10:00:00"),
        ("timestamptz", "2024-01-05T10:00:00"),
        ("timestamptz", "2024-01-05T10:00:00+00"),
        ("text", "a"),
    ],
)
def test_dialect_texts_are_refused(kind: str, text: str) -> None:
    with pytest.raises(ValueError):
        Watermark(kind, text)  # type: ignore[arg-type]


def test_unbounded_values_are_flagged() -> None:
    assert Watermark("decimal", "NaN").is_unbounded
    assert Watermark("date", "-infinity").is_unbounded
    assert not Watermark("decimal", "-1").is_unbounded
