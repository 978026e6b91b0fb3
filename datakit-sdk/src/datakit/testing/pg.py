"""Small helpers the acceptance suite uses to look into Postgres databases."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql


def execute(url: str, statement: str | sql.Composable, params: Sequence[Any] | None = None) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        # Without parameters psycopg sends the text as it is: scripts with several statements work.
        conn.execute(statement, params)  # type: ignore[arg-type]


def fetch(
    url: str, statement: str | sql.Composable, params: Sequence[Any] | None = None
) -> list[tuple[Any, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(statement, params).fetchall()  # type: ignore[arg-type]


def scalar(url: str, statement: str | sql.Composable, params: Sequence[Any] | None = None) -> Any:
    rows = fetch(url, statement, params)
    return rows[0][0] if rows else None


def column_names(url: str, schema: str, table: str) -> list[str]:
    rows = fetch(
        url,
        "SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s "
        "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        (schema, table),
    )
    return [row[0] for row in rows]


def column_types(url: str, schema: str, table: str) -> dict[str, str]:
    rows = fetch(
        url,
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
        "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped",
        (schema, table),
    )
    return dict(rows)  # type: ignore[arg-type]


def text_rows(
    url: str, schema: str, table: str, columns: Sequence[str]
) -> list[tuple[str | None, ...]]:
    """Every row as the text form of *columns*, sorted: equal lists mean equal tables."""
    query = sql.SQL("SELECT {} FROM {}").format(
        sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(c)) for c in columns),
        sql.Identifier(schema, table),
    )
    rows = fetch(url, query)
    return sorted(rows, key=lambda row: tuple((v is None, v or "") for v in row))


def count(url: str, schema: str, table: str) -> int:
    return int(
        scalar(url, sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table)))
    )


def table_exists(url: str, schema: str, table: str) -> bool:
    return bool(
        scalar(
            url,
            "SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relname = %s)",
            (schema, table),
        )
    )


__all__ = [
    "column_names",
    "column_types",
    "count",
    "execute",
    "fetch",
    "scalar",
    "table_exists",
    "text_rows",
]
