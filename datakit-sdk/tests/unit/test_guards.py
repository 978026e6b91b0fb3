"""Pure rules about which rows land: reserved names, key violations, cursor values and types."""

from __future__ import annotations

import pytest

from datakit.contracts import Column, TableRef, TableSchema
from datakit.discovery import cursor_notes, table_notes
from datakit.errors import ConfigError, ContractError
from datakit.load import guards
from datakit.typemaps import mapper_for

MAPPER = mapper_for("postgres", "postgres")


def test_reserved_columns_are_found_in_any_case() -> None:
    names = ["id", "_datakit_run_id", "_DATAKIT_note", "datakit_x", "x_datakit_"]
    assert guards.reserved_columns(names) == ["_datakit_run_id", "_DATAKIT_note"]


def test_refusing_reserved_columns_names_them_and_the_table() -> None:
    with pytest.raises(ConfigError) as raised:
        guards.refuse_reserved_columns("shop.t", ["id", "_datakit_loaded_at"])
    assert raised.value.exit_code == 3
    assert "shop.t" in raised.value.message and "'_datakit_loaded_at'" in raised.value.message
    guards.refuse_reserved_columns("shop.t", ["id", "datakit"])


def test_incremental_without_key_tells_what_to_do() -> None:
    with pytest.raises(ConfigError) as raised:
        guards.refuse_incremental_without_key("shop.log")
    message = raised.value.message
    assert "shop.log" in message and "--primary-key" in message
    assert "--mode append" in message and "--mode full_refresh" in message


def test_key_violations_are_false_when_clean() -> None:
    assert not guards.KeyViolations()
    assert guards.KeyViolations(null_rows=1)
    assert guards.KeyViolations(duplicate_keys=1, duplicate_rows=2)


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        (guards.KeyViolations(0, 1, 2), "1 key value appears more than once (2 rows)"),
        (guards.KeyViolations(0, 3, 7), "3 key values appear more than once (7 rows)"),
        (guards.KeyViolations(1, 0, 0), "1 row has a NULL in the key"),
        (guards.KeyViolations(4, 0, 0), "4 rows have a NULL in the key"),
    ],
)
def test_key_contract_error_counts(found: guards.KeyViolations, expected: str) -> None:
    error = guards.key_contract_error("shop.t", ("a", "b"), found)
    assert isinstance(error, ContractError) and error.exit_code == 5
    assert "--primary-key (a, b)" in error.message and "shop.t" in error.message
    assert expected in error.message and "nothing was written" in error.message


@pytest.mark.parametrize(
    ("value", "unbounded"),
    [
        ("infinity", True),
        ("Infinity", True),
        ("+infinity", True),
        ("NaN", True),
        ("-infinity", False),
        ("2024-01-01 00:00:00+00", False),
        ("12", False),
    ],
)
def test_unbounded_values(value: str, unbounded: bool) -> None:
    assert guards.is_unbounded(value) is unbounded


def test_unbounded_and_unorderable_cursor_errors() -> None:
    error = guards.unbounded_cursor_error("shop.t", "ts", "infinity")
    assert error.exit_code == 5 and "'ts'" in error.message and "'infinity'" in error.message
    error2 = guards.unorderable_cursor_error("shop.t", "code", "text")
    assert error2.exit_code == 3 and "'code'" in error2.message and "is text" in error2.message


def test_null_cursor_warning_counts() -> None:
    assert guards.null_cursor_warning("ts", 1).startswith("1 row has a NULL ts")
    assert guards.null_cursor_warning("ts", 12).startswith("12 rows have a NULL ts")


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        (Column("c", "timestamp with time zone"), "time"),
        (Column("c", "timestamp(3) without time zone"), "time"),
        (Column("c", "date"), "time"),
        (Column("c", "bigint"), "number"),
        (Column("c", "numeric(12,2)"), "number"),
        (Column("c", "double precision"), "number"),
        (Column("c", "public.ts_domain", type_kind="domain", base_type="timestamp"), "time"),
        (Column("c", "text"), None),
        (Column("c", "character varying(20)"), None),
        (Column("c", "uuid"), None),
        (Column("c", "time without time zone"), None),
        (Column("c", "integer[]"), None),
        (Column("c", "mood", type_kind="enum", base_type="text"), None),
    ],
)
def test_cursor_kinds(column: Column, kind: str | None) -> None:
    assert MAPPER.cursor_kind(column) == kind


def test_discover_notes_flag_cursor_and_key_problems() -> None:
    table = TableSchema(
        ref=TableRef("s", "t"),
        columns=(
            Column("id", "integer", nullable=False),
            Column("updated_at", "timestamp with time zone"),
            Column("created_at", "timestamp with time zone", nullable=False),
            Column("modified_at", "text"),
        ),
        primary_key=("id",),
    )
    notes = cursor_notes(table, MAPPER)
    assert set(notes) == {"id", "updated_at", "modified_at"}
    assert "NULL" in notes["updated_at"][0]
    assert "inserts" in notes["id"][0]
    assert "text" in notes["modified_at"][0]
    assert table_notes(table) == []
    keyless = TableSchema(ref=TableRef("s", "v"), columns=table.columns)
    assert "--primary-key" in table_notes(keyless)[0]
