"""SQL Server as the bronze warehouse.

A load is one transaction, as on Postgres: SQL Server's DDL is transactional, so CREATE/ALTER
TABLE, TRUNCATE, the rows, the watermark and the load-log row commit together or not at all
(``SET XACT_ABORT ON``: any error dooms the whole transaction, and closing the connection without
COMMIT rolls it back). Loads of one table are serialised by ``sp_getapplock`` on the table's
name, owned by the session and held until the connection closes right after COMMIT or rollback
(a crash drops the connection, and so the lock). The statements are built in :mod:`.tsql` and only run here.

Choices (the SDK README explains them at length):

- **Full refresh** is ``TRUNCATE TABLE`` + bulk insert inside the transaction. The table is never
  dropped or renamed, so every view on it, schema-bound ones included, keeps working, and so do
  grants and indexes. TRUNCATE holds a schema-modification lock until commit: readers wait and
  then see the new rows, under READ COMMITTED and under RCSI alike (row versions do not help
  across a Sch-M lock); a SNAPSHOT-isolation transaction that began earlier gets error 3961 and is
  retried by its owner. A table referenced by an indexed view cannot be truncated; it is emptied
  by ``DELETE`` (fully logged, readers under RCSI then see the old rows until commit).
- **Merge** is ``DELETE`` of staged keys + ``INSERT`` of the stage, not ``MERGE``: the same
  semantics as the Postgres warehouse (a changed row is replaced whole, metadata included), and
  plain statements that none of MERGE's documented defects (filtered indexes, indexed views,
  concurrency without HOLDLOCK) can reach.
- **Bulk writes** are pyodbc ``executemany`` with ``fast_executemany`` (one parameter array per
  round trip) in slices of at most :data:`WRITE_BATCH_ROWS` rows, so memory stays flat whatever
  the table's size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from typing import Any

from datakit import cancel
from datakit.contracts import (
    LOADED_AT_COLUMN,
    RUN_ID_COLUMN,
    Batch,
    TableRef,
    WarehouseCapabilities,
)
from datakit.engines.sqlserver.connection import connect
from datakit.engines.sqlserver.errors import translate_errors
from datakit.errors import ConfigError, ContractError, DatakitError, TransientError
from datakit.load.guards import KeyViolations
from datakit.logging import get_logger
from datakit.naming import SourceIdentity, key_index_name
from datakit.settings import DatabaseUrl
from datakit.timeouts import Timeouts
from datakit.warehouses.failure_record import RECORD_TIMEOUT_SECONDS, record_in_background
from datakit.warehouses.sqlserver import tsql
from datakit.warehouses.sqlserver.identity import verify_target
from datakit.warehouses.sqlserver.tsql import LOADED_AT_TYPE, RUN_ID_TYPE
from datakit.warehouses.sqlserver.types import (
    convert_style,
    index_key_fits,
    input_size,
    spell_type,
    value_adapter,
    watermark_from_text,
    watermark_kind,
)
from datakit.watermark import Watermark

_log = get_logger()
#: Rows per ``executemany`` round trip: bounded, so a wide batch never holds more in memory.
WRITE_BATCH_ROWS = 10_000
#: SQL Server's identifier limit (sysname).
MAX_IDENTIFIER_LENGTH = 128


class SqlServerWarehouse:
    """Writes bronze tables, their watermarks and the load log into one SQL Server database."""

    engine = "sqlserver"
    capabilities = WarehouseCapabilities(
        supports_transactional_ddl=True,
        # MERGE exists, but the warehouse merges by DELETE + INSERT (see the module docstring).
        supports_merge=False,
        max_identifier_length=MAX_IDENTIFIER_LENGTH,
        batch_formats=("rows",),
    )

    @staticmethod
    def provision_tenant(url: DatabaseUrl, *, tenant: str, password: str) -> Any:
        """The engine's ``provision`` hook: one login + user and three layer schemas per tenant."""
        from datakit.warehouses.sqlserver.provision import provision_tenant

        return provision_tenant(url, tenant=tenant, password=password)

    @staticmethod
    def history_reader(url: DatabaseUrl) -> Any:
        """The engine's ``datakit status`` hook: reads ``_datakit_loads`` in T-SQL."""
        from datakit.warehouses.sqlserver.history import SqlServerHistory

        return SqlServerHistory(url)

    def __init__(self, url: DatabaseUrl, *, lock_timeout_seconds: float | None = None) -> None:
        self.url = url
        self.lock_timeout_seconds = lock_timeout_seconds
        self._where = f"warehouse {url.masked}"

    def _connect(self, *, autocommit: bool, timeout_seconds: int | None = None) -> Any:
        conn = connect(self.url, role="warehouse", autocommit=autocommit)
        if timeout_seconds:
            conn.timeout = timeout_seconds
        return conn

    def _query(self, statement: tsql.Statement, *, autocommit: bool = True) -> list[Any]:
        with translate_errors(self._where):
            conn = self._connect(autocommit=autocommit)
            try:
                return execute(conn, statement)
            finally:
                conn.close()

    def check(self) -> dict[str, Any]:
        """Connect and report whether bronze schemas can be created here (no writes)."""
        row = self._query(tsql.whoami())[0]
        return {
            "user": row[0],
            "database": row[1],
            "can_create_schema": bool(row[2]),
            "server_version": row[3],
        }

    def can_write_schema(self, schema: str) -> bool:
        rows = self._query(tsql.can_write_schema(schema))
        return bool(rows and rows[0][0])

    def prepare_schema(self, schema: str) -> None:
        """Create the bronze schema and Datakit's tables if missing (idempotent, serialised)."""
        with translate_errors(self._where):
            conn = self._connect(autocommit=False)
            try:
                present = execute(conn, tsql.tables_present(schema))
                if present and present[0][0] == 3:
                    return
                execute(conn, tsql.session_setup())
                get_applock(lambda st: execute(conn, st), tsql.lock_resource("schema", schema))
                for statement in prepare_schema_statements(schema):
                    execute(conn, statement)
                conn.commit()
            finally:
                conn.close()

    def verify_target(self, target: TableRef, source: SourceIdentity) -> None:
        """Refuse, before anything is written, a target that is foreign or holds another table."""
        with translate_errors(self._where):
            conn = self._connect(autocommit=True)
            try:
                verify_target(lambda st: execute(conn, st), target, source)
            finally:
                conn.close()

    @contextmanager
    def begin(self, target: TableRef, *, run_id: str) -> Iterator[SqlServerLoadSession]:
        """One load transaction on *target*, holding the table's application lock until it ends."""
        with translate_errors(self._where):
            conn = self._connect(autocommit=False)
        session = SqlServerLoadSession(
            conn, target, run_id=run_id, where=f"{self._where} table {target}"
        )
        try:
            with cancel.on_cancel(session.cancel), translate_errors(session.where):
                execute(conn, tsql.session_setup())
                # Loads of one table queue here without a limit (SIGTERM still ends the wait);
                # every other lock of the load is bounded by the lock timeout.
                get_applock(session._q, tsql.lock_resource("table", str(target)))
                seconds = (
                    self.lock_timeout_seconds
                    if self.lock_timeout_seconds is not None
                    else Timeouts.from_env().lock_seconds
                )
                execute(conn, tsql.lock_timeout(int(seconds * 1000) if seconds > 0 else -1))
                session.loaded_at = str(execute(conn, tsql.server_time())[0][0])
                yield session
        finally:
            # Closing without COMMIT rolls back whatever the session did (and drops the stage).
            conn.close()

    def record_failure(
        self,
        *,
        target: TableRef,
        source_table: str,
        run_id: str,
        mode: str,
        started_at: datetime,
        error: str,
    ) -> None:
        """Log a failed load in its own transaction: bounded in time, best effort, never raises
        (:func:`~datakit.warehouses.failure_record.record_in_background`)."""
        statement = tsql.log_load(
            target,
            run_id=run_id,
            source_table=source_table,
            mode=mode,
            status="failed",
            rows=None,
            watermark=None,
            started_at=started_at.isoformat(),
            error=error[:2000],
        )

        def write() -> None:
            with translate_errors(self._where, when_stopping=True):
                conn = self._connect(autocommit=True, timeout_seconds=RECORD_TIMEOUT_SECONDS)
                try:
                    execute(conn, statement)
                finally:
                    conn.close()

        record_in_background(write, target=target, expected=(DatakitError,))


def prepare_schema_statements(schema: str) -> list[tsql.Statement]:
    """The schema and Datakit's three tables, each created only when missing."""
    return [
        tsql.create_schema(schema),
        tsql.create_state_table(schema),
        tsql.create_loads_table(schema),
        tsql.create_registry_table(schema),
    ]


def execute(
    conn: Any, statement: tsql.Statement, *, on_cursor: Callable[[Any], None] | None = None
) -> list[Any]:
    """Send one statement on *conn* (pyodbc); the rows of its first result set (``[]`` when it has none)."""
    cursor = conn.cursor()
    if on_cursor is not None:
        on_cursor(cursor)
    try:
        cursor.execute(statement.text, *statement.params)
        while cursor.description is None:
            if not cursor.nextset():
                return []
        return list(cursor.fetchall())
    finally:
        cursor.close()


def get_applock(query: Callable[[tsql.Statement], list[Any]], resource: str) -> None:
    """Wait for the exclusive application lock *resource* (session-owned); exit 4 if refused."""
    rows = query(tsql.applock(resource))
    code = int(rows[0][0]) if rows else -999
    if code < 0:
        # -1 timeout, -2 cancelled, -3 deadlock victim: all worth a retry.
        raise TransientError(f"transient error: load lock {resource!r} not granted (code {code})")


class SqlServerLoadSession:
    """The hooks of one load transaction; the SDK's protocol decides the order they run in."""

    def __init__(self, conn: Any, target: TableRef, *, run_id: str, where: str) -> None:
        self.conn = conn
        self.target = target
        self.run_id = run_id
        self.where = where
        self.loaded_at = ""
        self._types: dict[str, str] = {}
        self._cursor: Any = None

    def cancel(self) -> None:
        """Cancel the running statement (SIGTERM); the transaction then rolls back on close."""
        cursor = self._cursor
        if cursor is not None:
            cursor.cancel()

    def _q(self, statement: tsql.Statement) -> list[Any]:
        with translate_errors(self.where):
            try:
                return execute(self.conn, statement, on_cursor=self._running)
            finally:
                self._cursor = None

    def _running(self, cursor: Any) -> None:
        self._cursor = cursor

    def claim(self, source: SourceIdentity, *, run_id: str) -> None:
        verify_target(self._q, self.target, source, run_id=run_id)

    def existing_columns(self) -> dict[str, str] | None:
        rows = self._q(tsql.existing_columns(self.target))
        self._types = {str(r[0]): spell_type(r[1], r[2], r[3], r[4], r[5]) for r in rows}
        return dict(self._types) if rows else None

    def create_table(self, columns: Sequence[tuple[str, str]]) -> None:
        self._q(tsql.create_table(self.target, columns))
        self._types.update(dict(columns))

    def add_column(self, name: str, type_: str) -> None:
        self._q(tsql.add_column(self.target, name, type_))
        self._types[name] = type_

    def widen_column(self, name: str, type_: str) -> None:
        """ALTER COLUMN, after dropping Datakit's key index (SQL Server refuses to alter a
        column an index uses; the next merge creates the index again)."""
        name_of_index = key_index_name(self.target.name, MAX_IDENTIFIER_LENGTH)
        self._q(tsql.drop_key_index(self.target, name_of_index))
        self._q(tsql.widen_column(self.target, name, type_))
        self._types[name] = type_

    def replace_all(self) -> None:
        """TRUNCATE (DELETE when an indexed view forbids it) inside the load transaction."""
        indexed_views = self._q(tsql.indexed_views_on(self.target))
        if indexed_views and indexed_views[0][0]:
            self._q(tsql.delete_all(self.target))
        else:
            self._q(tsql.truncate(self.target))

    def delete_run(self, run_id: str) -> int:
        rows = self._q(tsql.delete_run(self.target, run_id))
        return int(rows[0][0]) if rows else 0

    def create_stage(self) -> None:
        self._q(tsql.create_stage(self.target))

    def write(
        self, columns: Sequence[str], batches: Iterable[Batch], *, to_stage: bool = False
    ) -> int:
        """Insert *batches* with ``fast_executemany`` in bounded slices; returns the rows written."""
        names = [*columns, LOADED_AT_COLUMN, RUN_ID_COLUMN]
        into = tsql.quote_ident(tsql.STAGE) if to_stage else tsql.table(self.target)
        statement = tsql.insert_rows(into, names)
        types = [self._types.get(name, "nvarchar(max)") for name in columns]
        adapt = row_adapter(types, columns)
        metadata = (self.loaded_at, self.run_id)
        sizes = [input_size(t) for t in [*types, LOADED_AT_TYPE, RUN_ID_TYPE]]
        written = 0
        with translate_errors(self.where):
            cursor = self.conn.cursor()
            cursor.fast_executemany = True
            cursor.setinputsizes(sizes)
            self._cursor = cursor
            try:
                for batch in batches:
                    if batch.format != "rows":
                        raise ConfigError(
                            f"config error: the SQL Server warehouse takes rows, not {batch.format}"
                        )
                    rows = iter(batch.rows)
                    while chunk := list(islice(rows, WRITE_BATCH_ROWS)):
                        cursor.executemany(statement.text, [adapt(row) + metadata for row in chunk])
                        written += len(chunk)
                        cancel.check_cancelled()
            finally:
                self._cursor = None
                cursor.close()
        return written

    def key_violations(self, primary_key: Sequence[str]) -> KeyViolations:
        null_rows = int(self._q(tsql.null_key_rows(primary_key))[0][0])
        groups = self._q(tsql.duplicate_keys(primary_key))[0]
        if not groups[0]:
            return KeyViolations(null_rows=null_rows)
        return KeyViolations(
            null_rows=null_rows, duplicate_keys=int(groups[0]), duplicate_rows=int(groups[1])
        )

    def max_value(self, column: str, *, in_stage: bool = True) -> Watermark | None:
        """The greatest *column* value, printed exactly by CONVERT and typed by bronze's type."""
        type_ = self._types.get(column) or (self.existing_columns() or {}).get(column, "")
        kind = watermark_kind(type_)
        if kind is None:
            raise ConfigError(
                f"config error: bronze column {column!r} of {self.target} has type {type_!r}, "
                "which cannot hold a watermark"
            )
        rows = self._q(
            tsql.max_value(
                column,
                convert_style(type_),
                in_stage=in_stage,
                ref=self.target,
                in_utc=kind == "timestamptz",
            )
        )
        if not rows or rows[0][0] is None:
            return None
        return watermark_from_text(kind, str(rows[0][0]))

    def watermark_text(self, watermark: Watermark) -> str:
        """The canonical text (ISO-8601 for times): the form stored in ``_datakit_state``."""
        return watermark.text

    def ensure_key_index(self, primary_key: Sequence[str]) -> None:
        """Index bronze on the merge key so an increment merges by seeks, not by scans.

        Only when SQL Server can: a key with a ``(max)`` column, or wider than an index key's
        1,700 bytes, merges without the index (by scans) rather than failing the load.
        """
        if not index_key_fits([self._types.get(key, "") for key in primary_key]):
            return
        name = key_index_name(self.target.name, MAX_IDENTIFIER_LENGTH)
        found = self._q(tsql.key_index_exists(self.target, name))
        if not (found and found[0][0]):
            self._q(tsql.create_key_index(self.target, name, primary_key))

    def merge_stage(self, columns: Sequence[str], primary_key: Sequence[str]) -> None:
        """Replace bronze rows whose key is staged, then insert the stage (no MERGE: see above)."""
        self.ensure_key_index(primary_key)
        self._q(tsql.merge_delete(self.target, primary_key))
        self._q(tsql.append_stage(self.target, columns))

    def read_watermark(self) -> tuple[str, Watermark] | None:
        rows = self._q(tsql.read_watermark(self.target))
        if not rows:
            return None
        column, kind, text = rows[0]
        return str(column), Watermark(kind, str(text))

    def save_watermark(self, *, cursor_column: str, watermark: Watermark, run_id: str) -> None:
        self._q(
            tsql.save_watermark(
                self.target,
                cursor_column=cursor_column,
                kind=watermark.kind,
                text=watermark.text,
                run_id=run_id,
            )
        )

    def log_load(
        self,
        *,
        run_id: str,
        source_table: str,
        mode: str,
        rows: int,
        watermark: str | None,
        started_at: datetime,
    ) -> None:
        self._q(
            tsql.log_load(
                self.target,
                run_id=run_id,
                source_table=source_table,
                mode=mode,
                status="succeeded",
                rows=rows,
                watermark=watermark,
                started_at=started_at.isoformat(),
            )
        )

    def commit(self) -> None:
        with translate_errors(self.where):
            self.conn.commit()


def row_adapter(
    types: Sequence[str], names: Sequence[str] | None = None
) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """Per-column value adapters for bronze *types*, applied to one row at a time.

    A value SQL Server cannot store (a float NaN or infinity) is a data-contract error naming
    the column (exit 5); the load's transaction then rolls back, so nothing is written.
    """
    adapters = [value_adapter(type_) for type_ in types]
    shown = list(names) if names is not None else [f"#{i + 1}" for i in range(len(types))]

    def adapt_row(row: Sequence[Any]) -> tuple[Any, ...]:
        try:
            return tuple(adapt(value) for adapt, value in zip(adapters, row, strict=True))
        except ValueError as exc:
            column = next(
                (n for n, a, v in zip(shown, adapters, row, strict=True) if _fails(a, v)), "?"
            )
            raise ContractError(f"data contract error: column {column!r}: {exc}") from None

    return adapt_row


def _fails(adapt: Callable[[Any], Any], value: Any) -> bool:
    try:
        adapt(value)
    except ValueError:
        return True
    return False


__all__ = [
    "WRITE_BATCH_ROWS",
    "SqlServerLoadSession",
    "SqlServerWarehouse",
    "execute",
    "get_applock",
    "row_adapter",
]
