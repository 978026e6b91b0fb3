"""The audit columns of ``_datakit_loads`` in Postgres, and their compatible migration.

Every load row records who ran it (``run_by``: the database role, ``current_user``, taken by
the server, not claimed by the client), which runner and version, which image and which
arguments (:mod:`datakit.audit`). Tables created before these columns existed get them on the
first load that finds them missing (``ADD COLUMN IF NOT EXISTS``, nullable, no default: old
rows keep ``NULL``, "not recorded", rather than a guess). The catalogue is read first, so the
``ALTER TABLE`` and its short exclusive lock happen once per table, never on every load.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from datakit import audit
from datakit.contracts import LOADS_TABLE

#: Column name -> type, in the order they are added.
AUDIT_COLUMNS = {"run_by": "text", "runner": "text", "image": "text", "arguments": "jsonb"}


def audit_columns_sql() -> sql.Composable:
    """The column definitions for a new ``_datakit_loads`` (``, run_by text, ...``)."""
    return sql.SQL("").join(
        sql.SQL(", {} {}").format(sql.Identifier(name), sql.SQL(kind))
        for name, kind in AUDIT_COLUMNS.items()
    )


def missing_audit_columns(conn: psycopg.Connection[Any], schema: str) -> list[str]:
    """The audit columns *schema*'s ``_datakit_loads`` lacks (all of them when it is absent)."""
    rows = conn.execute(
        "SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped",
        (schema, LOADS_TABLE),
    ).fetchall()
    present = {row[0] for row in rows}
    return [name for name in AUDIT_COLUMNS if name not in present]


def add_audit_columns(conn: psycopg.Connection[Any], schema: str) -> None:
    """Add the missing audit columns to an existing ``_datakit_loads`` (in the caller's
    transaction: it commits with the rest of the schema's preparation)."""
    missing = missing_audit_columns(conn, schema)
    if not missing:
        return
    conn.execute(
        sql.SQL("ALTER TABLE {} ").format(sql.Identifier(schema, LOADS_TABLE))
        + sql.SQL(", ").join(
            sql.SQL("ADD COLUMN IF NOT EXISTS {} {}").format(
                sql.Identifier(name), sql.SQL(AUDIT_COLUMNS[name])
            )
            for name in missing
        )
    )


def audit_insert() -> tuple[sql.Composable, sql.Composable, tuple[Any, ...]]:
    """(column list, value placeholders, values) to append to a ``_datakit_loads`` INSERT."""
    facts = audit.current()
    columns = sql.SQL(", ").join(sql.Identifier(name) for name in AUDIT_COLUMNS)
    values = sql.SQL("current_user, %s, %s, %s::jsonb")
    return columns, values, (facts.runner, facts.image, facts.arguments_json())


__all__ = [
    "AUDIT_COLUMNS",
    "add_audit_columns",
    "audit_columns_sql",
    "audit_insert",
    "missing_audit_columns",
]
