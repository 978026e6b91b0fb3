"""Postgres' watermark text <-> the canonical watermark, against a real server's casts."""

from __future__ import annotations

import pytest

from datakit.testing import pg
from datakit.warehouses.postgres.watermarks import (
    from_postgres_text,
    kind_of_postgres_type,
    to_postgres_text,
)
from datakit.watermark import Watermark

pytestmark = pytest.mark.integration

VALUES = [
    ("'-9223372036854775808'::bigint", "int", "-9223372036854775808"),
    ("'-42'::integer", "int", "-42"),
    (
        "'-12345678901234567890123456789012345678'::numeric(38,0)",
        "decimal",
        "-12345678901234567890123456789012345678",
    ),
    (
        "'1234567890123456789012345678.9012345678'::numeric(38,10)",
        "decimal",
        "1234567890123456789012345678.9012345678",
    ),
    ("'12.5000'::numeric(12,4)", "decimal", "12.5000"),
    ("'1e20'::double precision", "decimal", "100000000000000000000"),
    ("'-1.5e-7'::double precision", "decimal", "-0.00000015"),
    ("'2024-02-29'::date", "date", "2024-02-29"),
    ("'0001-01-01 BC'::date", "date", "0000-01-01"),
    ("'0044-03-15 BC'::date", "date", "-0043-03-15"),
    ("'2024-01-05 10:00:00.123456'::timestamp", "timestamp", "2024-01-05T10:00:00.123456"),
    ("'0044-03-15 12:00 BC'::timestamp", "timestamp", "-0043-03-15T12:00:00"),
    ("'2024-01-05 10:00:00+00'::timestamptz", "timestamptz", "2024-01-05T10:00:00+00:00"),
]


@pytest.mark.parametrize(("literal", "kind", "canonical"), VALUES)
def test_round_trip_through_postgres(
    pg_database: str, literal: str, kind: str, canonical: str
) -> None:
    """Postgres' text -> canonical -> Postgres' text is the same text, and casts to the value."""
    text, type_name = pg.fetch(
        pg_database, f"SELECT ({literal})::text, pg_typeof({literal})::text"
    )[0]
    mark = from_postgres_text(kind_of_postgres_type(type_name), text)
    assert mark == Watermark(kind, canonical)  # type: ignore[arg-type]
    back = to_postgres_text(mark)
    # Floats Postgres prints with an exponent are kept as their exact plain decimal.
    assert back == (canonical if "e" in text else text)
    assert pg.fetch(pg_database, f"SELECT %s::{type_name} = {literal}", (back,)) == [(True,)]


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "America/St_Johns", "Europe/Amsterdam"])
def test_timestamptz_keeps_the_instant_in_any_session_time_zone(
    pg_database: str, zone: str
) -> None:
    literal = "'1850-06-01 12:00:00.5+00'::timestamptz"
    text = pg.fetch(
        pg_database, f"SELECT set_config('TimeZone', %s, false), ({literal})::text", (zone,)
    )[0][1]
    mark = from_postgres_text("timestamptz", text)
    assert mark.text.startswith("1850-06-01T"), mark
    # The canonical text alone (no session setting) casts back to the same instant.
    assert pg.fetch(pg_database, f"SELECT %s::timestamptz = {literal}", (mark.text,)) == [(True,)]
    assert pg.fetch(
        pg_database, f"SELECT %s::timestamptz = {literal}", (to_postgres_text(mark),)
    ) == [(True,)]


def test_legacy_state_rows_are_read_by_their_source_type_name() -> None:
    """Rows saved before typed watermarks hold the source's type name in cursor_type."""
    assert from_postgres_text(
        kind_of_postgres_type("timestamp with time zone"), "2024-02-02 00:00:00+00"
    ) == Watermark("timestamptz", "2024-02-02T00:00:00+00:00")
    assert from_postgres_text(kind_of_postgres_type("numeric(12,2)"), "5.50") == Watermark(
        "decimal", "5.50"
    )
    # A domain's name says nothing: the text's shape does.
    assert from_postgres_text(kind_of_postgres_type("my_domain"), "1500000") == Watermark(
        "int", "1500000"
    )
    assert from_postgres_text(None, "2024-01-01 10:00:00") == Watermark(
        "timestamp", "2024-01-01T10:00:00"
    )
