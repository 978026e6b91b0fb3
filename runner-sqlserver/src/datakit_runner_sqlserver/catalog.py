"""Reading SQL Server's catalog (``sys.*``): tables, views, columns with precise types, keys.

Three queries per discover/describe (tables, columns, primary keys), each over the same filtered
object set (:mod:`datakit_runner_sqlserver.tsql`). What the catalog says about special columns:

- computed columns are read as their value and marked ``generated``;
- sparse columns are ordinary columns; a sparse table's ``column_set`` (an xml view of the same
  values) is left out, so no value lands twice;
- temporal tables: the current rows are read (plain SELECT, no ``FOR SYSTEM_TIME``); the period
  columns (``GENERATED ALWAYS AS ROW START/END``, hidden or not) are read and marked
  ``generated``; the history table is a table of its own (kind ``temporal history table``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from datakit.contracts import Column, TableRef, TableSchema
from datakit_runner_sqlserver import tsql

_KINDS = {"U": "table", "V": "view"}
_TEMPORAL = {1: "temporal history table", 2: "temporal table"}
_WITH_LENGTH = {"char", "varchar", "binary", "varbinary"}
_WITH_CHARS = {"nchar", "nvarchar"}
_WITH_SCALE = {"datetime2", "datetimeoffset", "time"}


def spell_type(name: str, max_length: int, precision: int, scale: int) -> str:
    """A system type as T-SQL spells it in DDL: ``decimal(12,2)``, ``nvarchar(max)``, ..."""
    name = name.lower()
    if name in ("decimal", "numeric"):
        return f"{name}({precision},{scale})"
    if name in _WITH_SCALE:
        return f"{name}({scale})"
    if name in _WITH_LENGTH:
        return f"{name}({'max' if max_length == -1 else max_length})"
    if name in _WITH_CHARS:
        return f"{name}({'max' if max_length == -1 else max_length // 2})"
    if name == "timestamp":
        return "rowversion"
    return name


def column_from_row(row: Any) -> Column | None:
    """A :class:`Column` from one :data:`tsql.COLUMNS_QUERY` row (``None``: a column set)."""
    (
        _object_id,
        name,
        type_name,
        type_schema,
        is_user_defined,
        is_assembly_type,
        base_type_name,
        max_length,
        precision,
        scale,
        is_nullable,
        is_computed,
        _is_sparse,
        is_column_set,
        generated_always_type,
    ) = row
    if is_column_set:
        return None
    generated = bool(is_computed) or bool(generated_always_type)
    if is_user_defined and is_assembly_type:
        return Column(
            name=name,
            type=f"{type_schema}.{type_name}",
            nullable=bool(is_nullable),
            type_kind="clr",
            generated=generated,
        )
    if is_user_defined and base_type_name:
        return Column(
            name=name,
            type=f"{type_schema}.{type_name}",
            nullable=bool(is_nullable),
            type_kind="alias",
            base_type=spell_type(base_type_name, max_length, precision, scale),
            generated=generated,
        )
    return Column(
        name=name,
        type=spell_type(type_name, max_length, precision, scale),
        nullable=bool(is_nullable),
        generated=generated,
    )


def list_tables(
    conn: Any, *, schema: str | None = None, table: str | None = None
) -> list[TableSchema]:
    """Every readable table and view (of *schema*, named *table*) with columns and keys."""
    params = (schema, schema, table, table)
    cur = conn.cursor()
    tables = cur.execute(tsql.TABLES_QUERY, params).fetchall()
    if not tables:
        return []
    columns: dict[int, list[Column]] = defaultdict(list)
    for row in cur.execute(tsql.COLUMNS_QUERY, params).fetchall():
        column = column_from_row(tuple(row))
        if column is not None:
            columns[row[0]].append(column)
    keys: dict[int, list[str]] = defaultdict(list)
    for object_id, name in cur.execute(tsql.KEYS_QUERY, params).fetchall():
        keys[object_id].append(name)
    return [
        TableSchema(
            ref=TableRef(schema_name, table_name),
            columns=tuple(columns[object_id]),
            primary_key=tuple(keys[object_id]),
            row_estimate=int(estimate) if estimate is not None else None,
            kind=_TEMPORAL.get(temporal, _KINDS.get(kind.strip(), kind)),
        )
        for object_id, schema_name, table_name, kind, temporal, estimate in tables
    ]


def all_table_names(conn: Any) -> list[str]:
    """``schema.table`` of every readable table, for "did you mean" suggestions."""
    rows = conn.cursor().execute(tsql.TABLES_QUERY, (None, None, None, None)).fetchall()
    return [f"{row[1]}.{row[2]}" for row in rows]


__all__ = ["all_table_names", "column_from_row", "list_tables", "spell_type"]
