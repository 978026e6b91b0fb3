"""Reading the Postgres catalog: tables, columns, keys, and how each type maps to bronze."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import psycopg

from datakit.contracts import Column, TableRef, TableSchema
from datakit.engines.postgres.dialect import DIALECT

# Schemas that hold no user data.
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")

_TABLES_SQL = """
SELECT c.oid, n.nspname, c.relname, c.relkind, greatest(c.reltuples, -1)::bigint
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND NOT c.relispartition
  AND n.nspname <> ALL (%(system)s) AND n.nspname NOT LIKE 'pg\\_temp\\_%%'
  AND n.nspname NOT LIKE 'pg\\_toast%%'
  AND (%(schema)s::text IS NULL OR n.nspname = %(schema)s)
  AND (%(table)s::text IS NULL OR c.relname = %(table)s)
  AND has_table_privilege(c.oid, 'SELECT')
ORDER BY n.nspname, c.relname
"""

_COLUMNS_SQL = """
SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
       a.attgenerated <> '', a.atttypid, a.atttypmod
FROM pg_attribute a
WHERE a.attrelid = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
"""

_KEYS_SQL = """
SELECT i.indrelid, a.attname
FROM pg_index i
CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indisprimary AND i.indrelid = ANY(%s)
ORDER BY i.indrelid, k.position
"""

# Columns that lead a valid index: what a ``cursor >= watermark`` read can use.
_INDEXED_SQL = """
SELECT i.indrelid, a.attname
FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
WHERE i.indisvalid AND i.indpred IS NULL AND i.indrelid = ANY(%s)
"""

_TYPE_SQL = """
SELECT t.typtype, t.typcategory, n.nspname, t.typelem, t.typbasetype, t.typtypmod,
       format_type(t.typbasetype, t.typtypmod)
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = %s
"""

_KINDS = {
    "r": "table",
    "p": "partitioned table",
    "v": "view",
    "m": "materialized view",
    "f": "foreign table",
}


class TypeResolver:
    """Classifies column types (built-in, enum, domain, array, other) with one lookup per type."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self._cache: dict[int, tuple[str, str | None]] = {}

    def resolve(self, type_oid: int, spelled: str) -> tuple[str, str | None]:
        """(kind, bronze spelling or None) for a type; see :class:`datakit.contracts.Column`."""
        if type_oid not in self._cache:
            self._cache[type_oid] = self._resolve(type_oid, spelled)
        return self._cache[type_oid]

    def _resolve(self, type_oid: int, spelled: str) -> tuple[str, str | None]:
        row = self.conn.execute(_TYPE_SQL, (type_oid,)).fetchone()
        if row is None:
            return ("other", None)
        typtype, category, namespace, elem, base, _typmod, base_spelled = row
        if typtype == "d":
            kind, resolved = self._base_of_domain(base, base_spelled)
            return ("domain", resolved) if kind == "base" else (kind, resolved)
        if category == "A" and elem:
            elem_row = self.conn.execute("SELECT format_type(%s, NULL)", (elem,)).fetchone()
            elem_kind, elem_resolved = self.resolve(elem, elem_row[0] if elem_row else "")
            if elem_kind == "base" and namespace == "pg_catalog":
                return ("base", None)
            if elem_kind in ("base", "enum", "domain") and elem_resolved:
                return ("array", elem_resolved + "[]")
            if elem_kind == "base" and elem_row:
                return ("array", elem_row[0] + "[]")
            return ("other", None)
        if typtype == "e":
            return ("enum", "text")
        if namespace == "pg_catalog":
            return ("base", None)
        if typtype == "c":
            return ("composite", None)
        if typtype == "r":
            return ("range", None)
        return ("other", None)

    def _base_of_domain(self, base: int, base_spelled: str) -> tuple[str, str | None]:
        kind, resolved = self.resolve(base, base_spelled)
        if kind == "base":
            return ("base", base_spelled)
        if kind in ("domain", "enum", "array"):
            return ("base", resolved)
        return (kind, None)


def list_tables(
    conn: psycopg.Connection[Any], *, schema: str | None = None, table: str | None = None
) -> list[TableSchema]:
    """Every readable table (views included) with columns and primary keys, in few queries."""
    rows = conn.execute(
        _TABLES_SQL, {"system": list(SYSTEM_SCHEMAS), "schema": schema, "table": table}
    ).fetchall()
    if not rows:
        return []
    oids = [row[0] for row in rows]
    resolver = TypeResolver(conn)
    columns: dict[int, list[Column]] = defaultdict(list)
    for relid, name, spelled, nullable, generated, type_oid, _typmod in conn.execute(
        _COLUMNS_SQL, (oids,)
    ).fetchall():
        kind, base = resolver.resolve(type_oid, spelled)
        columns[relid].append(
            Column(
                name=name,
                type=spelled,
                nullable=nullable,
                type_kind=kind,
                base_type=base,
                generated=generated,
            )
        )
    keys: dict[int, list[str]] = defaultdict(list)
    for relid, name in conn.execute(_KEYS_SQL, (oids,)).fetchall():
        keys[relid].append(name)
    indexed: dict[int, set[str]] = defaultdict(set)
    for relid, name in conn.execute(_INDEXED_SQL, (oids,)).fetchall():
        indexed[relid].add(name)
    return [
        TableSchema(
            ref=TableRef(nsp, rel),
            columns=tuple(columns[oid]),
            primary_key=tuple(keys[oid]),
            row_estimate=estimate if estimate >= 0 else None,
            kind=_KINDS.get(relkind, relkind),
            # A view's or foreign table's indexes live elsewhere: not known here.
            indexed_columns=frozenset(indexed[oid]) if relkind in ("r", "p", "m") else None,
        )
        for oid, nsp, rel, relkind, estimate in rows
    ]


def unpopulated_materialized_view(conn: psycopg.Connection[Any], ref: TableRef) -> bool:
    """Whether *ref* is a materialized view created ``WITH NO DATA`` and never refreshed.

    Reading one fails on every attempt (SQLSTATE 55000) until someone refreshes it, so the runner
    refuses it as a configuration problem instead of reporting a transient error.
    """
    row = conn.execute(
        "SELECT c.relkind = 'm' AND NOT c.relispopulated FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s",
        (ref.schema, ref.name),
    ).fetchone()
    return bool(row and row[0])


def all_table_names(conn: psycopg.Connection[Any]) -> list[str]:
    """``schema.table`` of every readable table, for "did you mean" suggestions."""
    rows = conn.execute(
        _TABLES_SQL, {"system": list(SYSTEM_SCHEMAS), "schema": None, "table": None}
    ).fetchall()
    return [DIALECT.display(TableRef(nsp, rel)) for _oid, nsp, rel, _kind, _est in rows]


__all__ = ["TypeResolver", "all_table_names", "list_tables", "unpopulated_materialized_view"]
