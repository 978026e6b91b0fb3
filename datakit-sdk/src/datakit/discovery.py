"""The ``discover`` result: tables as JSON, with the bronze type and suggested cursors per table."""

from __future__ import annotations

import re
from typing import Any

from datakit.contracts import TableSchema

_CURSOR_NAME = re.compile(r"(updated|modified|changed|last_?update|_at$|_ts$|timestamp)", re.I)
_TIME_TYPES = ("timestamp", "date")
_INTEGER_TYPES = ("smallint", "integer", "bigint")


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


def describe_tables(tables: list[TableSchema], *, source_type: str) -> list[dict[str, Any]]:
    from datakit.typemaps import mapper_for

    mapper = mapper_for(source_type, "postgres")
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
                "columns": [
                    {
                        "name": c.name,
                        "type": c.type,
                        "nullable": c.nullable,
                        "generated": c.generated,
                        "bronze_type": mapper.map_column(c).warehouse_type,
                    }
                    for c in table.columns
                ],
            }
        )
    return out


__all__ = ["describe_tables", "suggest_cursors"]
