"""Postgres as either side of the neutral acceptance suite (psycopg; tables in ``public``).

:class:`PostgresSource` creates and changes source tables from neutral specs (bulk rows go by
``COPY``); :class:`PostgresBronze` reads bronze tables and Datakit's bookkeeping back as Python
values. See :mod:`datakit.testing.acceptance.fixtures` for the protocols.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from datakit.testing import pg
from datakit.testing.acceptance.fixtures import BRONZE, META, Col

SCHEMA = "public"
_SIMPLE = re.compile(r"[a-z_][a-z0-9_]*")
_TYPES = {
    "smallint": "smallint",
    "int": "integer",
    "bigint": "bigint",
    "double": "double precision",
    "bool": "boolean",
    "text": "text",
    "date": "date",
    "timestamp": "timestamp without time zone",
    "timestamptz": "timestamp with time zone",
    "bytes": "bytea",
    "json": "jsonb",
}
_DECIMAL = re.compile(r"decimal\((\d+),\s*(\d+)\)")


def postgres_type(neutral: str) -> str:
    """The Postgres type of a neutral type (``decimal(p,s)`` -> ``numeric(p,s)``), spelled as
    ``format_type`` spells it, which is how the runner reports types."""
    match = _DECIMAL.fullmatch(neutral)
    if match:
        return f"numeric({match[1]},{match[2]})"
    return _TYPES[neutral]


class PostgresSource:
    """The suite's source tables in a Postgres database's ``public`` schema."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._types: dict[str, dict[str, str]] = {}

    def ref(self, table: str) -> str:
        return f"{SCHEMA}.{table}" if _SIMPLE.fullmatch(table) else f'{SCHEMA}."{table}"'

    def type_name(self, neutral: str) -> str:
        return postgres_type(neutral)

    def _table(self, table: str) -> sql.Identifier:
        return sql.Identifier(SCHEMA, table)

    def create_table(self, table: str, columns: Sequence[Col]) -> None:
        defs = [
            sql.SQL("{} {}{}").format(
                sql.Identifier(c.name),
                sql.SQL(postgres_type(c.type)),
                sql.SQL("" if c.nullable or c.key else " NOT NULL"),
            )
            for c in columns
        ]
        keys = [sql.Identifier(c.name) for c in columns if c.key]
        if keys:
            defs.append(sql.SQL("PRIMARY KEY ({})").format(sql.SQL(", ").join(keys)))
        pg.execute(
            self.url,
            sql.SQL("CREATE TABLE {} ({})").format(self._table(table), sql.SQL(", ").join(defs)),
        )
        self._types[table] = {c.name: c.type for c in columns}

    def _adapt(self, table: str, row: Sequence[Any]) -> list[Any]:
        types = list(self._types[table].values())
        return [
            Jsonb(v) if v is not None and t == "json" else v
            for v, t in zip(row, types, strict=True)
        ]

    def insert(self, table: str, rows: Iterable[Sequence[Any]]) -> None:
        import psycopg

        names = sql.SQL(", ").join(sql.Identifier(n) for n in self._types[table])
        copy = sql.SQL("COPY {} ({}) FROM STDIN").format(self._table(table), names)
        with (
            psycopg.connect(self.url, autocommit=True) as conn,
            conn.cursor() as cur,
            cur.copy(copy) as writer,
        ):
            for row in rows:
                writer.write_row(self._adapt(table, row))

    def update(
        self, table: str, values: Mapping[str, Any], *, where: str, in_: Sequence[Any]
    ) -> None:
        types = self._types[table]
        sets = sql.SQL(", ").join(
            sql.SQL("{} = %s").format(sql.Identifier(name)) for name in values
        )
        params = [
            Jsonb(v) if v is not None and types.get(k) == "json" else v for k, v in values.items()
        ]
        pg.execute(
            self.url,
            sql.SQL("UPDATE {} SET {} WHERE {} = ANY(%s)").format(
                self._table(table), sets, sql.Identifier(where)
            ),
            [*params, list(in_)],
        )

    def delete(self, table: str, *, where: str, in_: Sequence[Any] | None = None) -> None:
        if in_ is None:
            pg.execute(self.url, sql.SQL("DELETE FROM {}").format(self._table(table)))
            return
        pg.execute(
            self.url,
            sql.SQL("DELETE FROM {} WHERE {} = ANY(%s)").format(
                self._table(table), sql.Identifier(where)
            ),
            [list(in_)],
        )

    def add_column(self, table: str, column: Col) -> None:
        pg.execute(
            self.url,
            sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(
                self._table(table), sql.Identifier(column.name), sql.SQL(postgres_type(column.type))
            ),
        )
        self._types[table][column.name] = column.type

    def drop_column(self, table: str, name: str) -> None:
        pg.execute(
            self.url,
            sql.SQL("ALTER TABLE {} DROP COLUMN {}").format(
                self._table(table), sql.Identifier(name)
            ),
        )
        del self._types[table][name]

    def change_type(self, table: str, name: str, neutral: str) -> None:
        type_ = sql.SQL(postgres_type(neutral))
        pg.execute(
            self.url,
            sql.SQL("ALTER TABLE {} ALTER COLUMN {} TYPE {} USING {}::{}").format(
                self._table(table), sql.Identifier(name), type_, sql.Identifier(name), type_
            ),
        )
        self._types[table][name] = neutral

    def rows(self, table: str, columns: Sequence[str] | None = None) -> list[tuple[Any, ...]]:
        names = list(columns or self._types[table])
        query = sql.SQL("SELECT {} FROM {}").format(
            sql.SQL(", ").join(sql.Identifier(n) for n in names), self._table(table)
        )
        return pg.fetch(self.url, query)


class PostgresBronze:
    """Bronze tables and Datakit's bookkeeping in a Postgres warehouse, read back as values."""

    def __init__(self, url: str) -> None:
        self.url = url

    def type_name(self, neutral: str) -> str:
        return postgres_type(neutral)

    def rows(
        self, table: str, columns: Sequence[str] | None = None, *, schema: str = BRONZE
    ) -> list[tuple[Any, ...]]:
        names = list(columns or [c for c in self.columns(table, schema=schema) if c not in META])
        query = sql.SQL("SELECT {} FROM {}").format(
            sql.SQL(", ").join(sql.Identifier(n) for n in names), sql.Identifier(schema, table)
        )
        return pg.fetch(self.url, query)

    def count(self, table: str, *, schema: str = BRONZE) -> int:
        return pg.count(self.url, schema, table)

    def columns(self, table: str, *, schema: str = BRONZE) -> dict[str, str]:
        types = pg.column_types(self.url, schema, table)
        return {name: types[name] for name in pg.column_names(self.url, schema, table)}

    def tables(self, *, schema: str = BRONZE) -> list[str]:
        rows = pg.fetch(
            self.url,
            "SELECT tablename FROM pg_tables WHERE schemaname = %s "
            "AND tablename NOT LIKE '\\_datakit\\_%%' ORDER BY 1",
            (schema,),
        )
        return [row[0] for row in rows]

    def loads(self, table: str, *, schema: str = BRONZE) -> list[tuple[str, str, int | None]]:
        query = sql.SQL(
            "SELECT mode, status, rows FROM {} WHERE table_name = %s ORDER BY load_id"
        ).format(sql.Identifier(schema, "_datakit_loads"))
        return [tuple(row) for row in pg.fetch(self.url, query, (table,))]  # type: ignore[misc]

    def watermark(self, table: str, *, schema: str = BRONZE) -> str | None:
        if not pg.table_exists(self.url, schema, "_datakit_state"):
            return None
        query = sql.SQL("SELECT watermark FROM {} WHERE table_name = %s").format(
            sql.Identifier(schema, "_datakit_state")
        )
        value = pg.scalar(self.url, query, (table,))
        return None if value is None else str(value)


__all__ = ["PostgresBronze", "PostgresSource", "postgres_type"]
