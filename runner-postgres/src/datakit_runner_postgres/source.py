"""Postgres as a source: the SDK's catalog source, streamed out with binary COPY.

Reads run in one ``REPEATABLE READ READ ONLY`` transaction, so a load sees one consistent
snapshot of the table. Toward a Postgres warehouse the data stays in binary COPY format end to end
(never decoded into Python objects); toward other warehouses it is read in bounded row batches
through a server-side cursor. Describing tables, cursors and the read's ``SELECT`` come from
:class:`datakit.sources.postgres.PostgresCatalogSource`.
"""

from __future__ import annotations

import json
import os
import select
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg import pq, sql

from datakit import cancel
from datakit.contracts import Batch, BatchFormat, ReadRequest
from datakit.settings import DatabaseUrl
from datakit.sources.postgres import PostgresCatalogSource
from datakit.warehouses.postgres import translate_errors
from datakit.warehouses.postgres.connection import conninfo
from datakit_runner_postgres.psql_reader import (
    READER_VARIABLE,
    PsqlCopyReader,
    psql_env,
    psql_path,
)

COPY_CHUNK_BYTES = 1 << 20
# Up to this many rows (the planner's estimate) an increment is read in-process: starting a psql
# child (fork, exec, its own connection and authentication) took 0.09 s on the benchmark machine,
# what relaying ~100,000 rows through Python costs (0.9 us a row), and an increment's whole run
# is often shorter than that start. Whole tables and large increments still go through psql.
PSQL_MIN_ROWS = 50_000
_WAIT_SECONDS = 0.5


class PostgresSource(PostgresCatalogSource):
    """A Postgres database read through one snapshot, with binary COPY toward Postgres."""

    name = "postgres"
    batch_formats: tuple[BatchFormat, ...] = ("pg_copy_binary", "rows")

    def __init__(self, url: DatabaseUrl) -> None:
        super().__init__(url)
        self._psql_reader: PsqlCopyReader | None = None

    def read_batches(self, request: ReadRequest) -> Iterator[Batch]:
        query = self._select(request)
        if request.batch_format == "pg_copy_binary":
            if request.cursor is not None and self._small_read(query):
                yield from self._copy_binary(query)
            else:
                yield from self._copy_binary_fast(query)
        else:
            yield from self._rows(query, request.batch_rows)

    def _small_read(self, query: sql.Composed) -> bool:
        """Whether the planner expects at most :data:`PSQL_MIN_ROWS` rows (``auto`` reader only).

        One ``EXPLAIN`` in the read's own snapshot; it does not run the query.
        """
        if os.environ.get(READER_VARIABLE, "auto") != "auto":
            return False
        with translate_errors(self.where):
            row = self.conn.execute(sql.SQL("EXPLAIN (FORMAT JSON) {}").format(query)).fetchone()
        assert row is not None
        plan = row[0] if isinstance(row[0], list) else json.loads(row[0])
        return float(plan[0]["Plan"]["Plan Rows"]) <= PSQL_MIN_ROWS

    def _copy_binary_fast(self, query: sql.Composed) -> Iterator[Batch]:
        """Binary COPY through a psql child when one is available, else through libpq here."""
        psql = psql_path()
        info = conninfo(self.url)
        env = psql_env(info) if psql else None
        if psql is None or env is None:
            yield from self._copy_binary(query)
            return
        conn = self.conn
        with translate_errors(self.where):
            row = conn.execute("SELECT pg_export_snapshot()").fetchone()
            copy_sql = sql.SQL("COPY ({}) TO STDOUT (FORMAT binary)").format(query).as_string(conn)
        assert row is not None
        reader = PsqlCopyReader(
            psql=psql, env=env, conninfo=info, snapshot=row[0], copy_sql=copy_sql
        )
        self._psql_reader = reader
        try:
            with cancel.on_cancel(reader.cancel), translate_errors(self.where):
                yield from reader.batches()
        finally:
            self._psql_reader = None

    def _copy_binary(self, query: sql.Composed) -> Iterator[Batch]:
        """Stream ``COPY (query) TO STDOUT (FORMAT binary)`` as ~1 MiB batches of raw bytes.

        This talks to libpq directly: psycopg's ``Copy`` iterator costs about a microsecond of
        Python per row, which halves throughput on narrow tables. Waits use ``select`` with a
        timeout, so SIGTERM is handled even while the server is still planning the query.
        """
        conn = self.conn
        copy_sql = sql.SQL("COPY ({}) TO STDOUT (FORMAT binary)").format(query).as_bytes(conn)
        pgconn = conn.pgconn
        with cancel.on_cancel(conn.cancel_safe), translate_errors(self.where):
            pgconn.send_query(copy_sql)
            result = self._next_result(pgconn)
            if result is None or result.status != pq.ExecStatus.COPY_OUT:
                self._raise_result(result)
            buffer = bytearray()
            rows = 0
            while True:
                size, data = pgconn.get_copy_data(1)
                if size > 0:
                    buffer += data
                    rows += 1
                    if len(buffer) >= COPY_CHUNK_BYTES:
                        yield Batch(format="pg_copy_binary", data=bytes(buffer), row_count=rows)
                        buffer.clear()
                        rows = 0
                elif size == 0:
                    self._wait_readable(pgconn)
                else:
                    break
            final = self._next_result(pgconn)
            if final is None or final.status != pq.ExecStatus.COMMAND_OK:
                self._raise_result(final)
            while self._next_result(pgconn) is not None:
                pass
            # The header arrives as its own message and was counted as a row above.
            yield Batch(format="pg_copy_binary", data=bytes(buffer), row_count=max(rows - 1, 0))

    @staticmethod
    def _wait_readable(pgconn: Any) -> None:
        select.select([pgconn.socket], [], [], _WAIT_SECONDS)
        pgconn.consume_input()

    def _next_result(self, pgconn: Any) -> Any:
        while True:
            pgconn.consume_input()
            if not pgconn.is_busy():
                return pgconn.get_result()
            select.select([pgconn.socket], [], [], _WAIT_SECONDS)

    def _raise_result(self, result: Any) -> None:
        if result is None:
            raise psycopg.OperationalError("the source connection returned no result for COPY")
        raise psycopg.errors.error_from_result(result, encoding=self.conn.info.encoding)

    def cancel(self) -> None:
        """Stop the running read (psql child and own query); bounded, for a source that hangs."""
        reader = self._psql_reader
        if reader is not None:
            reader.cancel()
        super().cancel()


__all__ = ["PostgresSource"]
