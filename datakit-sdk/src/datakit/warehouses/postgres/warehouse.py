"""Postgres as the bronze warehouse.

A load is one transaction: DDL (Postgres' DDL is transactional), data and state commit together or
not at all, so a crash or SIGTERM at any point leaves the warehouse as it was. Data arrives either
as rows or, from a Postgres source, as raw binary COPY data that never becomes Python objects.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql

from datakit import cancel
from datakit.contracts import (
    LOADED_AT_COLUMN,
    LOADS_TABLE,
    RUN_ID_COLUMN,
    STATE_TABLE,
    Batch,
    TableRef,
    WarehouseCapabilities,
)
from datakit.engines.postgres.dialect import MAX_IDENTIFIER_LENGTH
from datakit.errors import DatakitError
from datakit.load.guards import KeyViolations
from datakit.logging import get_logger
from datakit.naming import (
    REGISTRY_TABLE,
    SourceIdentity,
    key_index_name,
    legacy_key_index_name,
    load_time_index_name,
)
from datakit.settings import DatabaseUrl
from datakit.timeouts import Timeouts
from datakit.warehouses.failure_record import RECORD_TIMEOUT_SECONDS, record_in_background
from datakit.warehouses.postgres.audit import (
    add_audit_columns,
    audit_columns_sql,
    audit_insert,
    missing_audit_columns,
)
from datakit.warehouses.postgres.bulk import fresh_table_copy
from datakit.warehouses.postgres.connection import connect, translate_errors
from datakit.warehouses.postgres.identity import create_registry, verify_target
from datakit.warehouses.postgres.watermarks import (
    from_postgres_text,
    kind_of_postgres_type,
    to_postgres_text,
)
from datakit.watermark import Watermark

_RUN_ID_SETTING = "datakit.run_id"
# Connect and statement timeout for the failure row written after a load failed.
_log = get_logger()
_STAGE = "_datakit_stage"
# Up to this many staged rows, merging by index lookups beats scanning bronze.
_INDEX_MERGE_MAX_ROWS = 200_000
# MERGE arrived in Postgres 15; older servers merge by DELETE ... USING + INSERT ... SELECT.
_MERGE_MIN_SERVER_VERSION = 150_000
# Below this many changed rows statistics are left to autovacuum.
_ANALYZE_MIN_ROWS = 1_000


def _table(ref: TableRef) -> sql.Composed:
    return sql.Identifier(ref.schema, ref.name)


def _type(spelled: str) -> sql.SQL:
    # Type names come from the source catalog's format_type() or the SDK's type map, never argv.
    return sql.SQL(spelled)


def _columns(names: Sequence[str]) -> sql.Composed:
    return sql.SQL(", ").join(sql.Identifier(name) for name in names)


class PostgresWarehouse:
    """Writes bronze tables, their watermarks and the load log into one Postgres database."""

    engine = "postgres"
    capabilities = WarehouseCapabilities(
        supports_transactional_ddl=True,
        supports_merge=True,
        max_identifier_length=MAX_IDENTIFIER_LENGTH,
        batch_formats=("pg_copy_binary", "rows"),
    )

    @staticmethod
    def provision_tenant(url: DatabaseUrl, *, tenant: str, password: str) -> Any:
        """The engine's ``provision`` hook: one role and three layer schemas per tenant."""
        from datakit.warehouses.postgres.provision import provision_tenant

        return provision_tenant(url, tenant=tenant, password=password)

    @staticmethod
    def history_reader(url: DatabaseUrl) -> Any:
        """The engine's ``datakit status`` hook: reads ``_datakit_loads`` and builds."""
        from datakit.warehouses.postgres.history import PostgresHistory

        return PostgresHistory(url)

    def __init__(self, url: DatabaseUrl, *, lock_timeout_seconds: float | None = None) -> None:
        self.url = url
        self.lock_timeout_seconds = lock_timeout_seconds
        self._where = f"warehouse {url.masked}"
        self._spare: psycopg.Connection[Any] | None = None

    def _connect(self, *, autocommit: bool = False, **kwargs: Any) -> psycopg.Connection[Any]:
        return connect(self.url, role="warehouse", autocommit=autocommit, **kwargs)

    def _spare_connection(self) -> psycopg.Connection[Any]:
        """A connection kept from preparing the schema for the load that follows (one connect)."""
        if self._spare is None or self._spare.closed:
            self._spare = self._connect()
        return self._spare

    def check(self) -> dict[str, Any]:
        """Connect and report whether bronze schemas can be created here."""
        with self._connect(autocommit=True) as conn, translate_errors(self._where):
            row = conn.execute(
                "SELECT current_user, current_database(), "
                "has_database_privilege(current_database(), 'CREATE'), "
                "current_setting('server_version')"
            ).fetchone()
        assert row is not None
        return {
            "user": row[0],
            "database": row[1],
            "can_create_schema": bool(row[2]),
            "server_version": row[3],
        }

    def can_write_schema(self, schema: str) -> bool:
        with self._connect(autocommit=True) as conn, translate_errors(self._where):
            row = conn.execute(
                "SELECT CASE WHEN n.oid IS NULL "
                "THEN has_database_privilege(current_database(), 'CREATE') "
                "ELSE has_schema_privilege(n.oid, 'CREATE') END "
                "FROM (SELECT 1) one LEFT JOIN pg_namespace n ON n.nspname = %s",
                (schema,),
            ).fetchone()
        return bool(row and row[0])

    def prepare_schema(self, schema: str) -> None:
        """Create the bronze schema and its state and load-log tables if missing (idempotent)."""
        conn = self._spare_connection()
        try:
            with translate_errors(self._where):
                self._create_schema(conn, schema)
        except BaseException:
            conn.close()
            self._spare = None
            raise

    @staticmethod
    def _create_schema(conn: psycopg.Connection[Any], schema: str) -> None:
        # Look first: CREATE ... IF NOT EXISTS needs privileges a tenant's loader may not have on
        # the database, and takes locks; an existing layout needs neither.
        present = conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relname IN (%s, %s, %s)",
            (schema, STATE_TABLE, LOADS_TABLE, REGISTRY_TABLE),
        ).fetchone()
        if present and present[0] == 3 and not missing_audit_columns(conn, schema):
            conn.rollback()
            return
        # Parallel loads of one job prepare the same schema; serialise them.
        conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            (f"datakit:schema:{schema}",),
        )
        if not conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone():
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        conn.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} ("
                " table_name text PRIMARY KEY,"
                " cursor_column text NOT NULL,"
                " cursor_type text NOT NULL,"
                " watermark text NOT NULL,"
                " run_id text NOT NULL,"
                " updated_at timestamptz NOT NULL DEFAULT now())"
            ).format(sql.Identifier(schema, STATE_TABLE))
        )
        conn.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} ("
                " load_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                " run_id text NOT NULL,"
                " table_name text NOT NULL,"
                " source_table text,"
                " mode text NOT NULL,"
                " status text NOT NULL,"
                " rows bigint,"
                " watermark text,"
                " started_at timestamptz NOT NULL,"
                " finished_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
                " error text{})"
            ).format(sql.Identifier(schema, LOADS_TABLE), audit_columns_sql())
        )
        # A table from before the audit columns gets them now (old rows keep NULL).
        add_audit_columns(conn, schema)
        create_registry(conn, schema)
        conn.commit()

    def verify_target(self, target: TableRef, source: SourceIdentity) -> None:
        """Refuse, before anything is written, a target that is foreign or holds another table.

        The load transaction checks again under the table's lock (:meth:`PostgresLoadSession.claim`);
        this early look keeps a refused load from creating even Datakit's own tables.
        """
        conn = self._spare_connection()
        try:
            with translate_errors(self._where):
                verify_target(conn, target, source)
                conn.rollback()
        except BaseException:
            conn.close()
            self._spare = None
            raise

    @contextmanager
    def begin(self, target: TableRef, *, run_id: str) -> Iterator[PostgresLoadSession]:
        """One load transaction on *target*, holding the table's advisory lock until it ends."""
        conn, self._spare = self._spare or self._connect(), None
        session = PostgresLoadSession(
            conn, target, where=f"{self._where} table {target}", side_connect=self._connect
        )
        try:
            with cancel.on_cancel(conn.cancel_safe), translate_errors(session.where):
                # Loads of one table queue here without a limit (SIGTERM still ends the wait);
                # every other lock of the load is bounded by the lock timeout.
                conn.execute("SELECT set_config('lock_timeout', '0', true)")
                conn.execute(
                    "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                    (f"datakit:table:{target}",),
                )
                conn.execute("SELECT set_config(%s, %s, true)", (_RUN_ID_SETTING, run_id))
                lock_seconds = (
                    self.lock_timeout_seconds
                    if self.lock_timeout_seconds is not None
                    else Timeouts.from_env().lock_seconds
                )
                conn.execute(
                    "SELECT set_config('lock_timeout', %s, true)",
                    (f"{int(lock_seconds * 1000)}ms",),
                )
                yield session
        finally:
            # Closing without COMMIT makes the server roll back whatever the session did.
            conn.close()
            session.close_side_connection()

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
        """Log a failed load in its own transaction (best effort: the load itself rolled back),
        bounded in time by :func:`~datakit.warehouses.failure_record.record_in_background`."""

        def write() -> None:
            with self._connect(connect_timeout=RECORD_TIMEOUT_SECONDS, when_stopping=True) as conn:
                conn.execute(
                    "SELECT set_config('statement_timeout', %s, true)",
                    (f"{RECORD_TIMEOUT_SECONDS * 1000}ms",),
                )
                # A load that failed before preparing the schema may meet an old table.
                audited = not missing_audit_columns(conn, target.schema)
                columns, values, facts = audit_insert()
                conn.execute(
                    sql.SQL(
                        "INSERT INTO {} (run_id, table_name, source_table, mode, status,"
                        " started_at, error{}) VALUES (%s, %s, %s, %s, 'failed', %s, %s{})"
                    ).format(
                        sql.Identifier(target.schema, LOADS_TABLE),
                        sql.SQL(", ") + columns if audited else sql.SQL(""),
                        sql.SQL(", ") + values if audited else sql.SQL(""),
                    ),
                    (run_id, target.name, source_table, mode, started_at, error[:2000])
                    + (facts if audited else ()),
                )
                conn.commit()

        record_in_background(write, target=target, expected=(psycopg.Error, DatakitError))


class PostgresLoadSession:
    """The hooks of one load transaction; the SDK's protocol decides the order they run in."""

    def __init__(
        self,
        conn: psycopg.Connection[Any],
        target: TableRef,
        *,
        where: str,
        side_connect: Callable[..., psycopg.Connection[Any]] | None = None,
    ) -> None:
        self.conn = conn
        self.target = target
        self.where = where
        self._backend_pid = conn.info.backend_pid
        self._side_connect = side_connect
        self._side: psycopg.Connection[Any] | None = None
        # The target was truncated in this transaction (a full refresh): its COPY may FREEZE.
        self._emptied = False

    def copied_rows(self) -> int | None:
        """Rows the running COPY has taken so far (``pg_stat_progress_copy``; another thread).

        Called by the progress ticker only, on its own lazily opened connection: loads shorter
        than one progress interval never open it.
        """
        if self._side_connect is None:
            return None
        if self._side is None:
            self._side = self._side_connect(autocommit=True)
        row = self._side.execute(
            "SELECT tuples_processed FROM pg_stat_progress_copy WHERE pid = %s",
            (self._backend_pid,),
        ).fetchone()
        return int(row[0]) if row else None

    def close_side_connection(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None

    def _exec(
        self, query: str | sql.Composable, params: Sequence[Any] | None = None
    ) -> psycopg.Cursor[Any]:
        t0 = time.perf_counter()
        with translate_errors(self.where):
            cursor = self.conn.execute(query, params)
        _log.debug(
            "sql_executed",
            statement=(query if isinstance(query, str) else query.as_string(self.conn))[:120],
            seconds=round(time.perf_counter() - t0, 4),
        )
        return cursor

    def claim(self, source: SourceIdentity, *, run_id: str) -> None:
        """Refuse a target holding another source table or not Datakit's; else record *source*."""
        with translate_errors(self.where):
            verify_target(self.conn, self.target, source, run_id=run_id)

    def existing_columns(self) -> dict[str, str] | None:
        """Bronze columns (name -> type, metadata included) or ``None`` when the table is missing."""
        rows = self._exec(
            sql.SQL(
                "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped "
                "ORDER BY a.attnum"
            ),
            (self.target.schema, self.target.name),
        ).fetchall()
        return {name: type_ for name, type_ in rows} if rows else None

    def create_table(self, columns: Sequence[tuple[str, str]]) -> None:
        defs = [
            sql.SQL("{} {}").format(sql.Identifier(name), _type(type_)) for name, type_ in columns
        ]
        defs.append(
            sql.SQL("{} timestamptz NOT NULL DEFAULT now()").format(
                sql.Identifier(LOADED_AT_COLUMN)
            )
        )
        defs.append(
            sql.SQL("{} text NOT NULL DEFAULT current_setting({})").format(
                sql.Identifier(RUN_ID_COLUMN), sql.Literal(_RUN_ID_SETTING)
            )
        )
        self._exec(
            sql.SQL("CREATE TABLE {} ({})").format(_table(self.target), sql.SQL(", ").join(defs))
        )

    def add_column(self, name: str, type_: str) -> None:
        self._exec(
            sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(
                _table(self.target), sql.Identifier(name), _type(type_)
            )
        )

    def widen_column(self, name: str, type_: str) -> None:
        self._exec(
            sql.SQL("ALTER TABLE {} ALTER COLUMN {} TYPE {}").format(
                _table(self.target), sql.Identifier(name), _type(type_)
            )
        )

    def replace_all(self) -> None:
        """Empty the table inside the load transaction; readers wait and then see the new rows.

        The COPY that follows writes frozen rows with constant metadata defaults (``bulk``).
        """
        self._exec(sql.SQL("TRUNCATE {}").format(_table(self.target)))
        self._emptied = True

    def delete_run(self, run_id: str) -> int:
        cur = self._exec(
            sql.SQL("DELETE FROM {} WHERE {} = %s").format(
                _table(self.target), sql.Identifier(RUN_ID_COLUMN)
            ),
            (run_id,),
        )
        return cur.rowcount

    def create_stage(self) -> None:
        self._exec(
            sql.SQL("CREATE TEMP TABLE {} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP").format(
                sql.Identifier(_STAGE), _table(self.target)
            )
        )

    def write(
        self, columns: Sequence[str], batches: Iterable[Batch], *, to_stage: bool = False
    ) -> int:
        """Stream *batches* into the target (or the stage) with COPY; returns the rows written."""
        into = sql.Identifier(_STAGE) if to_stage else _table(self.target)
        batches = iter(batches)
        first = next(batches, None)
        fmt = first.format if first is not None else "rows"
        with translate_errors(self.where), ExitStack() as stack:
            extra = sql.SQL("")
            if self._emptied and not to_stage:
                extra = stack.enter_context(fresh_table_copy(self.conn, self.target))
            fmt_option = (
                sql.SQL("FORMAT binary") if fmt == "pg_copy_binary" else sql.SQL("FORMAT text")
            )
            query = sql.SQL("COPY {} ({}) FROM STDIN ({}{})").format(
                into, _columns(columns), fmt_option, extra
            )
            cur = self.conn.cursor()
            with cur.copy(query) as copy:
                for batch in _chain(first, batches):
                    if batch.format == "pg_copy_binary":
                        copy.write(batch.data)
                    else:
                        for row in batch.rows:
                            copy.write_row(row)
            return max(cur.rowcount, 0)

    def max_value(self, column: str, *, in_stage: bool = True) -> Watermark | None:
        """The greatest *column* value, typed by bronze's column type (``pg_typeof``)."""
        table = sql.Identifier(_STAGE) if in_stage else _table(self.target)
        row = self._exec(
            sql.SQL("SELECT max({0})::text, pg_typeof(max({0}))::text FROM {1}").format(
                sql.Identifier(column), table
            )
        ).fetchone()
        if not row or row[0] is None:
            return None
        return from_postgres_text(kind_of_postgres_type(row[1]), row[0])

    def watermark_text(self, watermark: Watermark) -> str:
        """Postgres' own text, as ``max(col)::text`` prints it (floats without exponent)."""
        return to_postgres_text(watermark)

    def ensure_key_index(self, primary_key: Sequence[str]) -> None:
        """Index bronze on the merge key, so a small increment merges without scanning the table.

        The index is named in Datakit's reserved namespace (``_datakit_key_<table>``), which no
        bronze table may use; an index named the old way (``<table>__datakit_key``, a name a
        bronze table could need) is renamed on the way.
        """
        name = key_index_name(self.target.name, MAX_IDENTIFIER_LENGTH)
        legacy = legacy_key_index_name(self.target.name, MAX_IDENTIFIER_LENGTH)
        found = self._indexes_named(name, legacy)
        if name in found:
            return
        if legacy in found:
            self._exec(
                sql.SQL("ALTER INDEX {} RENAME TO {}").format(
                    sql.Identifier(self.target.schema, legacy), sql.Identifier(name)
                )
            )
            return
        self._create_index(name, primary_key)

    def ensure_load_time_index(self) -> None:
        """Index ``_datakit_loaded_at`` (``_datakit_loaded_<table>``) of an append or merge table.

        Downstream reads "the rows loaded since the last build" (runner-dbt's incremental facts,
        the tests scoped to new rows, the freshness of each source): without the index each is a
        scan of the whole table, however few rows the last loads brought. A full refresh's table
        has none to maintain: its rows all carry one load time.
        """
        name = load_time_index_name(self.target.name, MAX_IDENTIFIER_LENGTH)
        if not self._indexes_named(name):
            self._create_index(name, [LOADED_AT_COLUMN])

    def _indexes_named(self, *names: str) -> set[str]:
        """Which of *names* are indexes of the target table."""
        # Look before creating: CREATE INDEX IF NOT EXISTS still takes a share lock, which waits
        # for a running autovacuum of the table to be cancelled (deadlock_timeout, 1 s).
        rows = self._exec(
            "SELECT i.relname FROM pg_class i JOIN pg_index x ON x.indexrelid = i.oid "
            "WHERE x.indrelid = %s::regclass AND i.relname = ANY(%s)",
            (_table(self.target).as_string(self.conn), list(names)),
        ).fetchall()
        return {str(row[0]) for row in rows}

    def _create_index(self, name: str, columns: Sequence[str]) -> None:
        self._exec(
            sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} ({})").format(
                sql.Identifier(name), _table(self.target), _columns(columns)
            )
        )

    def key_violations(self, primary_key: Sequence[str]) -> KeyViolations:
        """Count staged rows with a NULL key part, and key values staged more than once.

        The check every load pays is one scan of the (temporary) stage with ``count(DISTINCT)``,
        which sorts: measured at 1M staged rows it costs ~5% of the merge it guards, where a
        ``GROUP BY`` hash aggregate spilled and cost ~30%. Only a failing key is grouped, to name
        how many key values repeat.
        """
        stage = sql.Identifier(_STAGE)
        keys = _columns(primary_key)
        any_null = sql.SQL(" OR ").join(
            sql.SQL("{} IS NULL").format(sql.Identifier(key)) for key in primary_key
        )
        row = self._exec(
            sql.SQL(
                "SELECT count(*) FILTER (WHERE {any_null}), count(*) FILTER (WHERE NOT ({any_null}))"
                " - count(DISTINCT ({keys})) FILTER (WHERE NOT ({any_null})) FROM {stage}"
            ).format(stage=stage, any_null=any_null, keys=keys)
        ).fetchone()
        assert row is not None
        null_rows, surplus = int(row[0]), int(row[1])
        if surplus == 0:
            return KeyViolations(null_rows=null_rows)
        groups = self._exec(
            sql.SQL(
                "SELECT count(*), coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM {stage} "
                "WHERE NOT ({any_null}) GROUP BY {keys} HAVING count(*) > 1) d"
            ).format(stage=stage, any_null=any_null, keys=keys)
        ).fetchone()
        assert groups is not None
        return KeyViolations(
            null_rows=null_rows, duplicate_keys=int(groups[0]), duplicate_rows=int(groups[1])
        )

    def merge_stage(self, columns: Sequence[str], primary_key: Sequence[str]) -> None:
        """Replace target rows whose key is in the stage, then insert the stage."""
        self.ensure_key_index(primary_key)
        staged = self._exec(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(_STAGE))
        ).fetchone()
        if staged and staged[0] <= _INDEX_MERGE_MAX_ROWS:
            # Bronze often has no statistics yet (autovacuum has not analysed it), and the planner
            # then hash-joins the whole table; a small increment is cheaper through the key index.
            self._exec(sql.SQL("SET LOCAL enable_hashjoin = off"))
            self._exec(sql.SQL("SET LOCAL enable_mergejoin = off"))
        match = sql.SQL(" AND ").join(
            sql.SQL("t.{0} = s.{0}").format(sql.Identifier(key)) for key in primary_key
        )
        if self.conn.info.server_version >= _MERGE_MIN_SERVER_VERSION:
            self._merge(columns, match)
            return
        self._exec(
            sql.SQL("DELETE FROM {} t USING {} s WHERE {}").format(
                _table(self.target), sql.Identifier(_STAGE), match
            )
        )
        self.append_stage(columns)

    def _merge(self, columns: Sequence[str], match: sql.Composable) -> None:
        """One ``MERGE``: a staged row replaces the row of its key, or is inserted.

        What ``DELETE ... USING`` + ``INSERT ... SELECT`` did in two passes over the stage and two
        probes of the key index a row: 125-140 ms against 103-125 ms for the same 10,000 staged
        rows of 1M (server time, 5 alternating runs; runner-postgres README). A replaced row is
        the staged row, whole: bronze columns the source no longer has are set to NULL, as the
        insert of a new row leaves them.
        """
        staged = [*columns, LOADED_AT_COLUMN, RUN_ID_COLUMN]
        gone = [name for name in self.existing_columns() or {} if name not in staged]
        assignments = [sql.SQL("{0} = s.{0}").format(sql.Identifier(name)) for name in staged] + [
            sql.SQL("{} = NULL").format(sql.Identifier(name)) for name in gone
        ]
        self._exec(
            sql.SQL(
                "MERGE INTO {target} t USING {stage} s ON {match} "
                "WHEN MATCHED THEN UPDATE SET {assignments} "
                "WHEN NOT MATCHED THEN INSERT ({cols}) VALUES ({values})"
            ).format(
                target=_table(self.target),
                stage=sql.Identifier(_STAGE),
                match=match,
                assignments=sql.SQL(", ").join(assignments),
                cols=_columns(staged),
                values=sql.SQL(", ").join(
                    sql.SQL("s.{}").format(sql.Identifier(name)) for name in staged
                ),
            )
        )

    def append_stage(self, columns: Sequence[str]) -> None:
        cols = _columns([*columns, LOADED_AT_COLUMN, RUN_ID_COLUMN])
        self._exec(
            sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {}").format(
                _table(self.target), cols, cols, sql.Identifier(_STAGE)
            )
        )

    def read_watermark(self) -> tuple[str, Watermark] | None:
        """(cursor column, watermark) of the last committed incremental load.

        ``cursor_type`` holds the watermark's kind; rows saved before it held the source's type
        name (``timestamp with time zone``, a domain's name), which is read as a kind here.
        """
        row = self._exec(
            sql.SQL(
                "SELECT cursor_column, cursor_type, watermark FROM {} WHERE table_name = %s"
            ).format(sql.Identifier(self.target.schema, STATE_TABLE)),
            (self.target.name,),
        ).fetchone()
        if not row:
            return None
        return row[0], from_postgres_text(kind_of_postgres_type(row[1]), row[2])

    def save_watermark(self, *, cursor_column: str, watermark: Watermark, run_id: str) -> None:
        """Store the kind in ``cursor_type`` and Postgres' text of the value."""
        cursor_type, text = watermark.kind, to_postgres_text(watermark)
        self._exec(
            sql.SQL(
                "INSERT INTO {} (table_name, cursor_column, cursor_type, watermark, run_id, updated_at)"
                " VALUES (%s, %s, %s, %s, %s, now())"
                " ON CONFLICT (table_name) DO UPDATE SET cursor_column = EXCLUDED.cursor_column,"
                " cursor_type = EXCLUDED.cursor_type, watermark = EXCLUDED.watermark,"
                " run_id = EXCLUDED.run_id, updated_at = EXCLUDED.updated_at"
            ).format(sql.Identifier(self.target.schema, STATE_TABLE)),
            (self.target.name, cursor_column, cursor_type, text, run_id),
        )

    def post_load_maintenance(self, *, changed_rows: int | None) -> None:
        """Refresh bronze's planner statistics when the load changed enough of the table.

        Runs inside the load transaction, so fresh statistics commit with the rows and downstream
        (dbt) joins are planned on what bronze holds now; small increments leave it to autovacuum.

        ``None`` means the whole table is new. Otherwise the rule is autovacuum's own: analyse
        once the changed rows reach 10% of the table (or the table was never analysed).
        """
        if changed_rows is not None:
            row = self._exec(
                "SELECT c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relname = %s",
                (self.target.schema, self.target.name),
            ).fetchone()
            estimate = float(row[0]) if row else -1.0
            if estimate >= 0 and changed_rows < max(_ANALYZE_MIN_ROWS, 0.1 * estimate):
                return
        self._exec(sql.SQL("ANALYZE {}").format(_table(self.target)))

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
        columns, values, facts = audit_insert()
        self._exec(
            sql.SQL(
                "INSERT INTO {} (run_id, table_name, source_table, mode, status, rows, watermark,"
                " started_at, {}) VALUES (%s, %s, %s, %s, 'succeeded', %s, %s, %s, {})"
            ).format(sql.Identifier(self.target.schema, LOADS_TABLE), columns, values),
            (run_id, self.target.name, source_table, mode, rows, watermark, started_at, *facts),
        )

    def commit(self) -> None:
        with translate_errors(self.where):
            self.conn.commit()


def _chain(first: Batch | None, rest: Iterator[Batch]) -> Iterator[Batch]:
    if first is not None:
        yield first
    yield from rest


__all__ = ["PostgresLoadSession", "PostgresWarehouse"]
