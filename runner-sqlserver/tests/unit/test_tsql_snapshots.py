"""Every T-SQL statement the SQL Server source generates, pinned as files in tests/snapshots/.

The files were reviewed once by a person (README, "Tests"); a change to the generated SQL fails
here until the snapshot is regenerated (``DATAKIT_UPDATE_SNAPSHOTS=1``) and the diff reviewed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from datakit.contracts import Column, CursorFilter, ReadRequest, SelectColumn, TableRef, TableSchema
from datakit.typemaps.sqlserver_postgres import MAPPER
from datakit.watermark import Watermark
from datakit_runner_sqlserver import tsql

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"

ORDERS = TableSchema(
    ref=TableRef("sales", "order items"),
    columns=(
        Column("id", "int", nullable=False),
        Column("select", "nvarchar(50)"),
        Column("odd]name", "varchar(max)"),
        Column("Überschrift", "nvarchar(max)"),
        Column("amount", "money"),
        Column("updated_at", "datetime2(7)"),
        Column("changed_on", "datetimeoffset(7)"),
        Column("legacy_time", "datetime"),
        Column("day", "date"),
        Column("rv", "rowversion", nullable=False),
        Column("node", "hierarchyid"),
        Column("place", "geography"),
        Column("shape", "geometry"),
        Column("doc", "xml"),
        Column("anything", "sql_variant"),
        Column("price", "dbo.Price", type_kind="alias", base_type="decimal(9,2)"),
        Column("total", "decimal(12,2)", generated=True),
    ),
    primary_key=("id",),
)


def request(cursor: CursorFilter | None = None, **casts: str) -> ReadRequest:
    columns = tuple(
        SelectColumn(c.name, casts.get(c.name, MAPPER.map_column(c).source_cast))
        for c in ORDERS.columns
    )
    return ReadRequest(table=ORDERS, columns=columns, cursor=cursor)


def incremental(column: str, kind: str, text: str, lookback: str | None, cursor_kind: str) -> str:
    return tsql.select_query(
        request(CursorFilter(column, Watermark(kind, text), lookback, cursor_kind))  # type: ignore[arg-type]
    )


CASES = {
    "full_refresh_select": lambda: tsql.select_query(request()),
    "drift_read_as_bronze_type": lambda: tsql.select_query(request(amount="numeric(19,4)")),
    "incremental_datetime2_lookback": lambda: incremental(
        "updated_at", "timestamp", "2026-11-30T23:59:59.123456", "2 hours", "time"
    ),
    "incremental_datetime2_no_lookback": lambda: incremental(
        "updated_at", "timestamp", "2026-11-30T23:59:59.123456", None, "time"
    ),
    "incremental_datetimeoffset_lookback": lambda: incremental(
        "changed_on", "timestamptz", "2026-11-30T23:59:59+01:00", "1 day 30 minutes", "time"
    ),
    "incremental_datetime_lookback": lambda: incremental(
        "legacy_time", "timestamp", "2026-11-30T23:59:59.997", "500 ms", "time"
    ),
    "incremental_date_lookback": lambda: incremental("day", "date", "2026-11-30", "1 week", "time"),
    "incremental_rowversion_lookback": lambda: incremental(
        "rv", "int", "123456789", "1000", "number"
    ),
    "incremental_integer_key": lambda: incremental("id", "int", "41", None, "number"),
    "incremental_alias_decimal_lookback": lambda: incremental(
        "price", "decimal", "19.99", "0.5", "number"
    ),
    "cursor_null_count": lambda: tsql.null_count_query(ORDERS.ref, "updated_at"),
    "discover_tables": lambda: tsql.TABLES_QUERY,
    "discover_columns": lambda: tsql.COLUMNS_QUERY,
    "discover_keys": lambda: tsql.KEYS_QUERY,
    "check": lambda: tsql.CHECK_QUERY + ";\n" + tsql.readable_count_query(),
    "isolation_probe": lambda: "\n".join(
        (tsql.ISOLATION_QUERY + ";", tsql.SNAPSHOT_ISOLATION + ";", tsql.READ_COMMITTED + ";")
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_generated_tsql_matches_the_reviewed_snapshot(name: str) -> None:
    generated = CASES[name]().rstrip() + "\n"
    path = SNAPSHOTS / f"{name}.sql"
    if os.environ.get("DATAKIT_UPDATE_SNAPSHOTS") == "1":
        path.write_text(generated, encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}: run with DATAKIT_UPDATE_SNAPSHOTS=1, review it"
    assert generated == path.read_text(encoding="utf-8")


def test_every_snapshot_file_has_a_case() -> None:
    assert sorted(p.stem for p in SNAPSHOTS.glob("*.sql")) == sorted(CASES)


def _balanced(text: str) -> bool:
    """Parentheses balance outside ``'...'`` literals and ``[...]`` identifiers."""
    depth, i = 0, 0
    while i < len(text):
        ch = text[i]
        if ch in "'[":
            close = "'" if ch == "'" else "]"
            i += 1
            while i < len(text):
                if text[i] == close and text[i + 1 : i + 2] == close:
                    i += 2
                    continue
                if text[i] == close:
                    break
                i += 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return False
        i += 1
    return depth == 0


@pytest.mark.parametrize("name", sorted(CASES))
def test_snapshots_parse_as_tsql(name: str) -> None:
    """Every statement parses with sqlglot's T-SQL dialect (``SET TRANSACTION``, which sqlglot
    does not know, excepted) and its parentheses balance: a syntax slip fails here, offline."""
    import sqlglot

    text = (SNAPSHOTS / f"{name}.sql").read_text(encoding="utf-8")
    assert _balanced(text), name
    for statement in text.split(";\n"):
        if statement.strip() and not statement.strip().startswith("SET TRANSACTION"):
            sqlglot.parse_one(statement, read="tsql", error_level=sqlglot.ErrorLevel.RAISE)


def test_the_syntax_checks_catch_slips() -> None:
    import sqlglot

    assert not _balanced("SELECT CAST(1 AS int FROM [t(]")
    assert _balanced("SELECT [a)b], 'x(' FROM [t]]]")
    with pytest.raises(sqlglot.errors.ParseError):
        sqlglot.parse_one("SELECT CASE WHEN a THEN 1 FROM x", read="tsql")
