"""The ``discover`` result: tables as JSON, with the bronze type and suggested cursors per table.

``discover`` is where a user picks cursors and keys, so it says there what would go wrong:
``cursor_notes`` flags cursor candidates (a nullable cursor, an insert-only key, a column named
like a cursor whose type cannot be one) and ``notes`` the table (no key to merge on).
"""

from __future__ import annotations

import re
from typing import Any

from datakit.contracts import Column, TableSchema
from datakit.dialect import NEUTRAL, Dialect, dialect_for
from datakit.errors import ContractError
from datakit.typemaps.base import TypeMapper

_CURSOR_NAME = re.compile(r"(updated|modified|changed|last_?update|_at$|_ts$|timestamp)", re.I)
# Type names as the sources' catalogs spell them: Postgres (timestamp..., date, integer) and
# SQL Server (datetime2(n), datetimeoffset(n), datetime, smalldatetime, date, int).
_TIME_TYPES = ("timestamp", "date", "smalldatetime")
_INTEGER_TYPES = ("smallint", "integer", "bigint", "int")


def suggest_cursors(table: TableSchema) -> list[str]:
    """Columns that look like change cursors, best first.

    An ``updated``/``modified`` timestamp catches updates; an integer key only catches inserts, so
    it comes after the timestamps.
    """
    timestamps = [
        c.name
        for c in table.columns
        if c.type.startswith(_TIME_TYPES) and _CURSOR_NAME.search(c.name) and c.type_kind == "base"
    ]
    timestamps.sort(key=lambda name: 0 if re.search(r"updated|modified|changed", name, re.I) else 1)
    keys = [
        name
        for name in table.primary_key
        if len(table.primary_key) == 1
        and (col := table.column(name))
        and col.type in _INTEGER_TYPES
    ]
    return timestamps + keys


def cursor_notes(
    table: TableSchema, mapper: TypeMapper, *, dialect: Dialect = NEUTRAL
) -> dict[str, list[str]]:
    """What would go wrong with each suggested cursor, and why a cursor-like column is not one."""
    notes: dict[str, list[str]] = {}
    suggested = suggest_cursors(table)
    for column in table.columns:
        found = []
        if column.name in suggested:
            if column.nullable:
                found.append(
                    "nullable: rows with a NULL cursor are never read by incremental runs "
                    "(only by a first run or a full refresh); the extract result counts them"
                )
            if column.name in table.primary_key:
                found.append("a key, not a change time: catches inserts, never updates")
            if (note := unindexed_cursor_note(table, column.name, dialect=dialect)) is not None:
                found.append(note)
        elif _CURSOR_NAME.search(column.name) and mapper.cursor_kind(column) is None:
            found.append(
                f"{column.type}: cannot be a cursor (it does not order rows by change, e.g. text "
                "compares as text: '10' < '9'); cast it to a timestamp in a view"
            )
        if found:
            notes[column.name] = found
    return notes


def unindexed_cursor_note(
    table: TableSchema, cursor: str, *, dialect: Dialect = NEUTRAL
) -> str | None:
    """Say so when no index leads with *cursor*: every incremental read then scans the whole
    source table, so an increment costs like a full read; name the index that would help, in
    the source engine's *dialect*."""
    if table.indexed_columns is None or cursor in table.indexed_columns:
        return None
    return (
        "not indexed: every incremental run scans the whole table to find the changed rows; "
        f"{dialect.create_index_hint(table.ref, cursor)} "
        "lets it read only those"
    )


def table_notes(table: TableSchema) -> list[str]:
    """Table-level notes: incremental loads need a merge key."""
    if table.primary_key:
        return []
    return [
        "no primary key: --mode incremental needs --primary-key COL[,COL...] (a unique, "
        "non-null key; it is verified on each load), or use append or full_refresh"
    ]


def bronze_type(column: Column, mapper: TypeMapper) -> str | None:
    """The bronze type of *column*, ``None`` when the type map refuses it (a load would fail)."""
    try:
        return mapper.map_column(column).warehouse_type
    except ContractError:
        return None


def refused_notes(table: TableSchema, mapper: TypeMapper) -> list[str]:
    """One note per column the type map refuses: ``discover`` shows it, a load of it fails."""
    notes = []
    for column in table.columns:
        try:
            mapper.map_column(column)
        except ContractError as exc:
            notes.append(exc.message.removeprefix("contract violation: "))
    return notes


def describe_tables(
    tables: list[TableSchema], *, source_type: str, warehouse_engine: str
) -> list[dict[str, Any]]:
    """The ``discover`` JSON of *tables*; ``bronze_type`` and the refusals come from the type map
    of the pair *source_type* -> *warehouse_engine* (the ``datakit.typemaps`` plug-in), so each
    column shows the type a load into that warehouse creates."""
    from datakit.typemaps import mapper_for

    mapper = mapper_for(source_type, warehouse_engine)
    dialect = dialect_for(source_type)
    out = []
    for table in tables:
        out.append(
            {
                "schema": table.ref.schema,
                "name": table.ref.name,
                "kind": table.kind,
                "row_estimate": table.row_estimate,
                "primary_key": list(table.primary_key),
                "suggested_cursors": suggest_cursors(table),
                "cursor_notes": cursor_notes(table, mapper, dialect=dialect),
                "notes": table_notes(table) + refused_notes(table, mapper),
                "columns": [
                    {
                        "name": c.name,
                        "type": c.type,
                        "nullable": c.nullable,
                        "generated": c.generated,
                        "bronze_type": bronze_type(c, mapper),
                    }
                    for c in table.columns
                ],
            }
        )
    return out


__all__ = [
    "bronze_type",
    "cursor_notes",
    "describe_tables",
    "refused_notes",
    "suggest_cursors",
    "table_notes",
    "unindexed_cursor_note",
]
