"""Postgres as a source: describe tables from the catalog and read them through one snapshot.

Reads run in one ``REPEATABLE READ READ ONLY`` transaction, so a load sees one consistent
snapshot of the table. This base reads bounded row batches through a server-side cursor; runners
subclass it for their fast paths.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg import sql

from datakit import cancel
from datakit.contracts import (
    Batch,
    BatchFormat,
    Column,
    CursorProfile,
    ReadRequest,
    Source,
    TableRef,
    TableSchema,
)
from datakit.engines.postgres.dialect import DIALECT
from datakit.errors import ConfigError, UsageError
from datakit.settings import DatabaseUrl
from datakit.sources.missing_table import missing_table_error
from datakit.sources.postgres.catalog import (
    all_table_names,
    list_tables,
    unpopulated_materialized_view,
)
from datakit.warehouses.postgres import connect, translate_errors
from datakit.warehouses.postgres.watermarks import to_postgres_text


class PostgresCatalogSource(Source):
    """A Postgres database read through one ``REPEATABLE READ READ ONLY`` snapshot.

    Describes tables from the catalog, checks cursors and lookbacks in Postgres' dialect, builds
    the ``SELECT`` a read runs (:meth:`select_query`) and reads it in row batches. Runners add
    faster readers on top (runner-postgres: binary COPY; runner-spark: Spark JDBC partitions).
    """

    name = "postgres"
    batch_formats: tuple[BatchFormat, ...] = ("rows",)

    def __init__(self, url: DatabaseUrl) -> None:
        self.url = url
        self.where = f"source {url.masked}"
        self._conn: psycopg.Connection[Any] | None = None

    @property
    def conn(self) -> psycopg.Connection[Any]:
        if self._conn is None:
            self._conn = connect(self.url, role="source")
            with translate_errors(self.where):
                self._conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def database_name(self) -> str:
        with translate_errors(self.where):
            row = self.conn.execute("SELECT current_database()").fetchone()
        return str(row[0]) if row else "source"

    def check(self) -> dict[str, Any]:
        with translate_errors(self.where):
            row = self.conn.execute(
                "SELECT current_user, current_database(), current_setting('server_version')"
            ).fetchone()
            readable = len(all_table_names(self.conn))
        assert row is not None
        if readable == 0:
            raise ConfigError(
                f"config error: source user {row[0]!r} can read no table in database {row[1]!r} "
                "(grant SELECT on the tables to extract)"
            )
        return {
            "user": row[0],
            "database": row[1],
            "server_version": row[2],
            "readable_tables": readable,
        }

    def discover(self, schema: str | None = None) -> list[TableSchema]:
        with translate_errors(self.where):
            return list_tables(self.conn, schema=schema)

    def describe(self, table: TableRef) -> TableSchema:
        with translate_errors(self.where):
            found = list_tables(self.conn, schema=table.schema, table=table.name)
            if found and unpopulated_materialized_view(self.conn, table):
                shown = DIALECT.display(table)
                raise ConfigError(
                    f"config error: source materialized view {shown} has not been populated "
                    f"(run REFRESH MATERIALIZED VIEW {shown} in the source first)"
                )
            if found:
                return found[0]
            names = all_table_names(self.conn)
        raise missing_table_error(table, names, where=self.url.masked, dialect=DIALECT)

    def profile_cursor(
        self, table: TableSchema, column: Column, kind: str, lookback: str | None
    ) -> CursorProfile:
        """Check the lookback against the cursor's type here; count rows with a NULL cursor.

        The lookback is checked as ``NULL::<cursor type> - <lookback>::<interval|numeric>``:
        the literal is parsed and the operator resolved without needing a watermark, so the first
        run refuses what every later run would. The NULL count runs in the load's snapshot (an
        index on the cursor answers it; without one it costs a scan like the read itself).
        """
        if lookback is not None:
            self._check_lookback(column.name, column.type, kind, lookback)
        indexed = None if table.indexed_columns is None else column.name in table.indexed_columns
        if not column.nullable:
            return CursorProfile(null_rows=0, indexed=indexed)
        with translate_errors(self.where):
            row = self.conn.execute(
                sql.SQL("SELECT count(*) FROM {} WHERE {} IS NULL").format(
                    sql.Identifier(table.ref.schema, table.ref.name), sql.Identifier(column.name)
                )
            ).fetchone()
        return CursorProfile(null_rows=int(row[0]) if row else None, indexed=indexed)

    def _check_lookback(self, column: str, type_: str, kind: str, lookback: str) -> None:
        unit = sql.SQL("interval" if kind == "time" else "numeric")
        value = sql.SQL("{}::{}").format(sql.Literal(lookback), unit)
        query = sql.SQL("SELECT NULL::{} - {}, {} < {}").format(
            sql.SQL(type_), value, value, sql.SQL("'0'::{}").format(unit)
        )
        problem = None
        with translate_errors(self.where):
            try:
                with self.conn.transaction():
                    row = self.conn.execute(query).fetchone()
                if row and row[1]:
                    problem = "it is negative, so rows after the watermark would be skipped"
            except (psycopg.DataError, psycopg.errors.UndefinedFunction) as exc:
                problem = " ".join(str(exc).split())
        if problem:
            raise UsageError(
                f"usage error: --lookback {lookback!r} does not apply to cursor {column!r} of "
                f"type {type_} (use an interval like '2 hours' for time cursors, a non-negative "
                f"number otherwise): {problem}"
            )

    def read_batches(self, request: ReadRequest) -> Iterator[Batch]:
        yield from self._rows(self.select_query(request), request.batch_rows)

    def select_query(self, request: ReadRequest) -> sql.Composed:
        """The ``SELECT`` of *request*: its columns (cast where the type map says) and the
        cursor window ``cursor >= watermark - lookback`` in Postgres' dialect."""
        return self._select(request)

    def _select(self, request: ReadRequest) -> sql.Composed:
        items = []
        for column in request.columns:
            ident = sql.Identifier(column.name)
            if column.cast_to:
                # Type names come from the catalog's format_type() or the SDK's type map.
                items.append(sql.SQL("{}::{}").format(ident, sql.SQL(column.cast_to)))
            else:
                items.append(ident)
        query = sql.SQL("SELECT {} FROM {}").format(
            sql.SQL(", ").join(items),
            sql.Identifier(request.table.ref.schema, request.table.ref.name),
        )
        if request.cursor is not None:
            query += sql.SQL(" WHERE {} >= {}").format(
                sql.Identifier(request.cursor.column), self._lower_bound(request)
            )
        return query

    def _lower_bound(self, request: ReadRequest) -> sql.Composable:
        """``watermark::type - lookback`` as a literal expression, validated before the COPY."""
        cursor = request.cursor
        assert cursor is not None
        column = request.table.column(cursor.column)
        assert column is not None
        # The engine-neutral watermark, in Postgres' text, cast to this column's own type (a
        # catalog name), so the comparison uses the column's index.
        own_type = column.type
        bound = sql.SQL("{}::{}").format(
            sql.Literal(to_postgres_text(cursor.watermark)), sql.SQL(own_type)
        )
        if cursor.lookback:
            kind = cursor.kind or ("time" if cursor.watermark.is_time else "number")
            unit = "interval" if kind == "time" else "numeric"
            bound = sql.SQL("({} - {}::{})").format(
                bound, sql.Literal(cursor.lookback), sql.SQL(unit)
            )
        # This runs inside the warehouse's COPY (it pulls the batches): errors must name the
        # source, not the warehouse.
        problem = None
        with translate_errors(self.where):
            try:
                with self.conn.transaction():
                    self.conn.execute(sql.SQL("SELECT {}").format(bound))
            except (psycopg.DataError, psycopg.errors.UndefinedFunction) as exc:
                problem = " ".join(str(exc).split())
        if problem:
            raise UsageError(
                f"usage error: --lookback {cursor.lookback!r} does not apply to cursor "
                f"{cursor.column!r} of type {own_type} in the source "
                f"(use an interval like '2 hours' for time cursors, a number otherwise): {problem}"
            )
        return bound

    def cancel(self) -> None:
        """Stop the running query; bounded, for a source that hangs."""
        if self._conn is not None:
            self._conn.cancel_safe(timeout=cancel.CANCEL_WAIT_SECONDS)

    def _rows(self, query: sql.Composed, batch_rows: int) -> Iterator[Batch]:
        conn = self.conn
        with (
            cancel.on_cancel(conn.cancel_safe),
            translate_errors(self.where),
            conn.cursor(name="datakit_read") as cur,
        ):
            cur.itersize = batch_rows
            cur.execute(query)
            while rows := cur.fetchmany(batch_rows):
                yield Batch(format="rows", rows=rows, row_count=len(rows))


__all__ = ["PostgresCatalogSource"]
