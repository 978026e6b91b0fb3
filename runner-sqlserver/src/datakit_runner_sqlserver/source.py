"""SQL Server as a source: describe tables from ``sys.*``, read each in one snapshot, in batches.

Consistency, decided per database when the first table is read (``sys.databases``):

- ``ALLOW_SNAPSHOT_ISOLATION ON``: each table is read in its own ``SNAPSHOT`` transaction, so
  the cursor's NULL count and the rows come from one point in time, and nothing is locked.
- otherwise ``READ COMMITTED``: every table is read by one SELECT. With
  ``READ_COMMITTED_SNAPSHOT ON`` that statement reads one statement-level snapshot (consistent);
  without it (locking READ COMMITTED) a row that a concurrent update moves can be read twice or
  missed, and the read takes short shared locks. The source logs ``source_isolation`` with the
  level it got, and ``check`` reports it.

Rows are fetched with pyodbc ``fetchmany`` in batches of ``--batch-rows`` (``arraysize`` set to
match), so memory stays flat whatever the table's size; see the README for why this and not
arrow-odbc is the default.
"""

from __future__ import annotations

import contextlib
import struct
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

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
from datakit.engines.sqlserver.connection import connect, import_pyodbc
from datakit.engines.sqlserver.dialect import DIALECT
from datakit.engines.sqlserver.errors import translate_errors
from datakit.engines.sqlserver.watermarks import check_lookback
from datakit.errors import ConfigError
from datakit.logging import get_logger
from datakit.settings import DatabaseUrl
from datakit.sources.missing_table import missing_table_error
from datakit_runner_sqlserver import tsql
from datakit_runner_sqlserver.catalog import all_table_names, list_tables

#: ODBC type of ``datetimeoffset`` (``SQL_SS_TIMESTAMPOFFSET``), which pyodbc leaves to the caller.
SQL_SS_TIMESTAMPOFFSET = -155
_SNAPSHOT_ON = 1


def datetimeoffset_value(raw: bytes | None) -> datetime | None:
    """``SQL_SS_TIMESTAMPOFFSET_STRUCT`` -> an aware datetime (nanoseconds to microseconds, truncated)."""
    if raw is None:
        return None
    year, month, day, hour, minute, second, nanos, tz_hour, tz_minute = struct.unpack("<6hI2h", raw)
    offset = timezone(timedelta(hours=tz_hour, minutes=tz_minute))
    return datetime(year, month, day, hour, minute, second, nanos // 1000, tzinfo=offset)


class SqlServerSource(Source):
    """A SQL Server database read over pyodbc, one snapshot per table where the database allows."""

    name = "sqlserver"
    batch_formats: tuple[BatchFormat, ...] = ("rows",)

    def __init__(self, url: DatabaseUrl) -> None:
        self.url = url
        self.where = f"source {url.masked}"
        self._conn: Any = None
        self._cursor: Any = None
        self._isolation: str | None = None
        self._open = False
        self.log = get_logger(role="source")

    @property
    def conn(self) -> Any:
        if self._conn is None:
            conn = connect(self.url, role="source", autocommit=False)
            # uniqueidentifier as uuid.UUID (bronze uuid), not pyodbc's upper-case string.
            import_pyodbc().native_uuid = True
            conn.add_output_converter(SQL_SS_TIMESTAMPOFFSET, datetimeoffset_value)
            self._conn = conn
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.rollback()
                self._conn.close()
            except Exception:
                pass
            self._conn = None

    def _execute(self, query: str, params: tuple[Any, ...] = ()) -> Any:
        cur = self.conn.cursor()
        return cur.execute(query, params) if params else cur.execute(query)

    def isolation(self) -> str:
        """``snapshot``, ``read committed snapshot`` or ``read committed`` (see the module)."""
        if self._isolation is None:
            with translate_errors(self.where):
                row = self._execute(tsql.ISOLATION_QUERY).fetchone()
            snapshot, rcsi = (row[0], row[1]) if row else (0, 0)
            if snapshot == _SNAPSHOT_ON:
                self._isolation = "snapshot"
            else:
                self._isolation = "read committed snapshot" if rcsi else "read committed"
            self.log.info("source_isolation", isolation=self._isolation)
        return self._isolation

    def _begin(self) -> None:
        """Start the table's transaction at the isolation the database allows."""
        level = self.isolation()
        with translate_errors(self.where):
            self.conn.rollback()
            self._execute(tsql.SNAPSHOT_ISOLATION if level == "snapshot" else tsql.READ_COMMITTED)
        self._open = True

    def database_name(self) -> str:
        with translate_errors(self.where):
            row = self._execute(tsql.DATABASE_QUERY).fetchone()
        return str(row[0]) if row else "source"

    def check(self) -> dict[str, Any]:
        with translate_errors(self.where):
            row = self._execute(tsql.CHECK_QUERY).fetchone()
            counted = self._execute(
                tsql.readable_count_query(), (None, None, None, None)
            ).fetchone()
        assert row is not None
        readable = int(counted[0]) if counted else 0
        if readable == 0:
            raise ConfigError(
                f"config error: source login {row[0]!r} can read no table in database {row[1]!r} "
                "(GRANT SELECT on the tables or schemas to extract)"
            )
        return {
            "user": row[0],
            "database": row[1],
            "server_version": row[2],
            "readable_tables": readable,
            "isolation": self.isolation(),
        }

    def discover(self, schema: str | None = None) -> list[TableSchema]:
        with translate_errors(self.where):
            return list_tables(self.conn, schema=schema)

    def describe(self, table: TableRef) -> TableSchema:
        with translate_errors(self.where):
            found = list_tables(self.conn, schema=table.schema, table=table.name)
            if found:
                return found[0]
            names = all_table_names(self.conn)
        raise missing_table_error(table, names, where=self.url.masked, dialect=DIALECT)

    def profile_cursor(
        self, table: TableSchema, column: Column, kind: str, lookback: str | None
    ) -> CursorProfile:
        """Check the lookback's form here (T-SQL has no interval type); count NULL cursors.

        The count runs in the table's transaction, so under SNAPSHOT it sees what the read sees.
        """
        if lookback is not None:
            own = (
                column.base_type
                if column.type_kind == "alias" and column.base_type
                else column.type
            )
            check_lookback(column.name, own, kind, lookback)
        if not column.nullable:
            return CursorProfile(null_rows=0)
        self._begin()
        with translate_errors(self.where):
            row = self._execute(tsql.null_count_query(table.ref, column.name)).fetchone()
        return CursorProfile(null_rows=int(row[0]) if row else None)

    def read_batches(self, request: ReadRequest) -> Iterator[Batch]:
        query = tsql.select_query(request)
        if not self._open:
            self._begin()
        conn = self.conn
        with translate_errors(self.where):
            cur = conn.cursor()
        self._cursor = cur
        try:
            with cancel.on_cancel(cur.cancel), translate_errors(self.where):
                cur.arraysize = request.batch_rows
                cur.execute(query)
                while rows := cur.fetchmany(request.batch_rows):
                    yield Batch(format="rows", rows=[tuple(r) for r in rows], row_count=len(rows))
                conn.commit()
        finally:
            self._cursor = None
            self._open = False

    def cancel(self) -> None:
        """Cancel the running statement (SQLCancel; thread-safe in the ODBC drivers)."""
        cur = self._cursor
        if cur is not None:
            # Best effort from another thread: the statement may have ended meanwhile.
            with contextlib.suppress(Exception):
                cur.cancel()


__all__ = ["SqlServerSource", "datetimeoffset_value"]
