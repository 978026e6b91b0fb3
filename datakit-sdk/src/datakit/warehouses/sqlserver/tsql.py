"""The T-SQL the SQL Server warehouse sends, built apart from sending it.

Every function returns a :class:`Statement` (text with ``?`` markers and its parameters) and
touches no connection, so the exact statements of every mode are pinned offline by snapshot
tests (``tests/snapshots/sqlserver/``) and the warehouse only executes them. Identifiers are
quoted ``[...]`` by :mod:`datakit.engines.sqlserver.identifiers`; values always travel as
parameters, except the few places T-SQL takes no parameter (``SET LOCK_TIMEOUT``, ``CREATE
SCHEMA`` inside ``EXEC``), which get integers or bracket-quoted names only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from datakit.contracts import LOADED_AT_COLUMN, LOADS_TABLE, RUN_ID_COLUMN, STATE_TABLE, TableRef
from datakit.engines.sqlserver.identifiers import quote_ident, quote_qualified, quote_string
from datakit.naming import REGISTRY_TABLE

#: The session's private stage: a local temporary table, gone when the connection closes.
STAGE = "#_datakit_stage"
#: sp_getapplock resources are nvarchar(255); longer names are hashed.
_MAX_RESOURCE = 255
#: Bronze's metadata columns, as the SQL Server warehouse declares them.
LOADED_AT_TYPE = "datetimeoffset(6)"
RUN_ID_TYPE = "nvarchar(200)"


@dataclass(frozen=True)
class Statement:
    """One batch of T-SQL and the values for its ``?`` markers, in order."""

    text: str
    params: tuple[Any, ...] = ()

    def render(self) -> str:
        """Text plus parameters, as pinned in snapshot files."""
        if not self.params:
            return self.text
        return self.text + "\n-- params: " + ", ".join(repr(p) for p in self.params)


def table(ref: TableRef) -> str:
    return quote_qualified(ref.schema, ref.name)


def columns(names: Sequence[str]) -> str:
    return ", ".join(quote_ident(name) for name in names)


def lock_resource(kind: str, name: str) -> str:
    """The ``sp_getapplock`` resource of a table or schema (hashed when over 255 characters)."""
    resource = f"datakit:{kind}:{name}"
    if len(resource) <= _MAX_RESOURCE:
        return resource
    return f"datakit:{kind}:sha256:{hashlib.sha256(name.encode()).hexdigest()}"


# -- session ---------------------------------------------------------------------------------


def session_setup() -> Statement:
    """Every error aborts the whole transaction (XACT_ABORT), and the table lock waits unbounded."""
    return Statement(
        "SET XACT_ABORT ON; SET NOCOUNT ON; SET TRANSACTION ISOLATION LEVEL READ COMMITTED; "
        "SET LOCK_TIMEOUT -1"
    )


def applock(resource: str) -> Statement:
    """Take the exclusive application lock *resource* until the connection closes.

    Owned by the session, not the transaction: in ODBC's manual-commit mode no transaction is
    open yet when the lock is taken (an EXEC does not start an implicit one), and the warehouse
    closes the connection right after COMMIT or rollback, which releases it; a crash drops the
    connection and so the lock. Returns one row: sp_getapplock's code (0 granted, 1 granted
    after waiting, < 0 refused).
    """
    return Statement(
        "DECLARE @rc int; EXEC @rc = sp_getapplock @Resource = ?, @LockMode = 'Exclusive', "
        "@LockOwner = 'Session', @LockTimeout = -1; SELECT @rc",
        (resource,),
    )


def lock_timeout(milliseconds: int) -> Statement:
    """Bound every other lock wait of the load (SET takes no parameter: an integer only)."""
    return Statement(f"SET LOCK_TIMEOUT {int(milliseconds)}")


def server_time() -> Statement:
    """The load's ``_datakit_loaded_at``: the server's time once, as ISO-8601 text with offset."""
    return Statement("SELECT CONVERT(nvarchar(40), SYSDATETIMEOFFSET(), 126)")


# -- schema and Datakit's tables ---------------------------------------------------------------


def tables_present(schema: str) -> Statement:
    return Statement(
        "SELECT COUNT(*) FROM sys.tables t JOIN sys.schemas s ON s.schema_id = t.schema_id "
        "WHERE s.name = ? AND t.name IN (?, ?, ?)",
        (schema, STATE_TABLE, LOADS_TABLE, REGISTRY_TABLE),
    )


def create_schema(schema: str) -> Statement:
    """CREATE SCHEMA must be alone in its batch, hence EXEC of a bracket-quoted name."""
    inner = quote_string("CREATE SCHEMA " + quote_ident(schema))
    return Statement(f"IF SCHEMA_ID(?) IS NULL EXEC({inner})", (schema,))


def _if_missing(ref: TableRef, create: str) -> Statement:
    return Statement(f"IF OBJECT_ID(?, N'U') IS NULL {create}", (table(ref),))


def create_state_table(schema: str) -> Statement:
    ref = TableRef(schema, STATE_TABLE)
    return _if_missing(
        ref,
        f"CREATE TABLE {table(ref)} ("
        "[table_name] nvarchar(128) NOT NULL PRIMARY KEY,"
        " [cursor_column] nvarchar(128) NOT NULL,"
        " [cursor_type] nvarchar(32) NOT NULL,"
        " [watermark] nvarchar(max) NOT NULL,"
        " [run_id] nvarchar(200) NOT NULL,"
        " [updated_at] datetimeoffset(6) NOT NULL DEFAULT SYSDATETIMEOFFSET())",
    )


def create_loads_table(schema: str) -> Statement:
    ref = TableRef(schema, LOADS_TABLE)
    return _if_missing(
        ref,
        f"CREATE TABLE {table(ref)} ("
        "[load_id] bigint IDENTITY(1,1) NOT NULL PRIMARY KEY,"
        " [run_id] nvarchar(200) NOT NULL,"
        " [table_name] nvarchar(128) NOT NULL,"
        " [source_table] nvarchar(300) NULL,"
        " [mode] nvarchar(20) NOT NULL,"
        " [status] nvarchar(20) NOT NULL,"
        " [rows] bigint NULL,"
        " [watermark] nvarchar(max) NULL,"
        " [started_at] datetimeoffset(6) NOT NULL,"
        " [finished_at] datetimeoffset(6) NOT NULL DEFAULT SYSDATETIMEOFFSET(),"
        " [error] nvarchar(2000) NULL)",
    )


def create_registry_table(schema: str) -> Statement:
    ref = TableRef(schema, REGISTRY_TABLE)
    return _if_missing(
        ref,
        f"CREATE TABLE {table(ref)} ("
        "[table_name] nvarchar(128) NOT NULL PRIMARY KEY,"
        " [source_name] nvarchar(128) NOT NULL,"
        " [source_schema] nvarchar(128) NOT NULL,"
        " [source_table] nvarchar(128) NOT NULL,"
        " [run_id] nvarchar(200) NOT NULL,"
        " [registered_at] datetimeoffset(6) NOT NULL DEFAULT SYSDATETIMEOFFSET())",
    )


# -- bronze table DDL --------------------------------------------------------------------------


def existing_columns(ref: TableRef) -> Statement:
    """A table's columns with what :func:`~datakit.warehouses.sqlserver.types.spell_type` needs."""
    return Statement(
        "SELECT c.COLUMN_NAME, c.DATA_TYPE, c.CHARACTER_MAXIMUM_LENGTH, c.NUMERIC_PRECISION,"
        " c.NUMERIC_SCALE, c.DATETIME_PRECISION FROM INFORMATION_SCHEMA.COLUMNS c"
        " WHERE c.TABLE_SCHEMA = ? AND c.TABLE_NAME = ? ORDER BY c.ORDINAL_POSITION",
        (ref.schema, ref.name),
    )


def create_table(ref: TableRef, cols: Sequence[tuple[str, str]]) -> Statement:
    """Every bronze column is declared ``NULL`` explicitly: SQL Server's default nullability
    depends on session settings (ANSI_NULL_DFLT_*), and bronze must take what the source has."""
    defs = [f"{quote_ident(name)} {type_} NULL" for name, type_ in cols]
    defs.append(f"{quote_ident(LOADED_AT_COLUMN)} {LOADED_AT_TYPE} NOT NULL")
    defs.append(f"{quote_ident(RUN_ID_COLUMN)} {RUN_ID_TYPE} NOT NULL")
    return Statement(f"CREATE TABLE {table(ref)} ({', '.join(defs)})")


def add_column(ref: TableRef, name: str, type_: str) -> Statement:
    return Statement(f"ALTER TABLE {table(ref)} ADD {quote_ident(name)} {type_} NULL")


def widen_column(ref: TableRef, name: str, type_: str) -> Statement:
    return Statement(f"ALTER TABLE {table(ref)} ALTER COLUMN {quote_ident(name)} {type_} NULL")


# -- data ----------------------------------------------------------------------------------------


def indexed_views_on(ref: TableRef) -> Statement:
    """How many indexed views reference the table (they forbid TRUNCATE)."""
    return Statement(
        "SELECT COUNT(*) FROM sys.sql_expression_dependencies d"
        " JOIN sys.views v ON v.object_id = d.referencing_id"
        " JOIN sys.indexes i ON i.object_id = v.object_id"
        " WHERE d.referenced_id = OBJECT_ID(?)",
        (table(ref),),
    )


def truncate(ref: TableRef) -> Statement:
    return Statement(f"TRUNCATE TABLE {table(ref)}")


def delete_all(ref: TableRef) -> Statement:
    return Statement(f"DELETE FROM {table(ref)} WITH (TABLOCKX)")


def delete_run(ref: TableRef, run_id: str) -> Statement:
    """Delete an earlier attempt's rows and say how many (NOCOUNT hides the driver's count)."""
    return Statement(
        f"DELETE FROM {table(ref)} WHERE {quote_ident(RUN_ID_COLUMN)} = ?; SELECT @@ROWCOUNT",
        (run_id,),
    )


def create_stage(ref: TableRef) -> Statement:
    """A stage with bronze's exact columns and collations (SELECT INTO copies both)."""
    return Statement(f"SELECT TOP (0) * INTO {quote_ident(STAGE)} FROM {table(ref)}")


def insert_rows(into: str, names: Sequence[str]) -> Statement:
    """The parameterised insert ``fast_executemany`` sends as one array per batch.

    *names* already include the metadata columns. TABLOCK takes one table lock instead of
    escalating from row locks (the load holds the table alone anyway, by its application lock).
    """
    markers = ", ".join("?" for _ in names)
    return Statement(f"INSERT INTO {into} WITH (TABLOCK) ({columns(names)}) VALUES ({markers})")


def stage_count() -> Statement:
    return Statement(f"SELECT COUNT_BIG(*) FROM {quote_ident(STAGE)}")


def _any_null(primary_key: Sequence[str]) -> str:
    return " OR ".join(f"{quote_ident(key)} IS NULL" for key in primary_key)


def null_key_rows(primary_key: Sequence[str]) -> Statement:
    return Statement(
        f"SELECT COUNT_BIG(*) FROM {quote_ident(STAGE)} WHERE {_any_null(primary_key)}"
    )


def duplicate_keys(primary_key: Sequence[str]) -> Statement:
    """(key values staged more than once, rows holding them); T-SQL has no COUNT(DISTINCT a, b)."""
    return Statement(
        "SELECT COUNT_BIG(*), COALESCE(SUM(d.n), 0) FROM (SELECT COUNT_BIG(*) AS n"
        f" FROM {quote_ident(STAGE)} WHERE NOT ({_any_null(primary_key)})"
        f" GROUP BY {columns(primary_key)} HAVING COUNT_BIG(*) > 1) d"
    )


def max_value(
    column: str, style: int, *, in_stage: bool, ref: TableRef, in_utc: bool = False
) -> Statement:
    """The greatest value as text in CONVERT *style* (126: ISO-8601; 3: 17 float digits; 2: money
    with its 4 decimals; 0: integers and decimals, all digits).

    *in_utc* (datetimeoffset): the maximum instant is shifted to UTC and printed as a datetime2,
    whose ISO-8601 form has no offset to depend on; the watermark then carries ``+00:00``.
    """
    source = quote_ident(STAGE) if in_stage else table(ref)
    value = f"MAX({quote_ident(column)})"
    if in_utc:
        value = f"CAST(SWITCHOFFSET({value}, '+00:00') AS datetime2(7))"
    return Statement(f"SELECT CONVERT(nvarchar(400), {value}, {style}) FROM {source}")


def key_index_exists(ref: TableRef, name: str) -> Statement:
    return Statement(
        "SELECT COUNT(*) FROM sys.indexes WHERE object_id = OBJECT_ID(?) AND name = ?",
        (table(ref), name),
    )


def create_key_index(ref: TableRef, name: str, primary_key: Sequence[str]) -> Statement:
    return Statement(f"CREATE INDEX {quote_ident(name)} ON {table(ref)} ({columns(primary_key)})")


def drop_key_index(ref: TableRef, name: str) -> Statement:
    return Statement(
        "IF EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(?) AND name = ?)"
        f" DROP INDEX {quote_ident(name)} ON {table(ref)}",
        (table(ref), name),
    )


def _match(primary_key: Sequence[str]) -> str:
    return " AND ".join(f"t.{quote_ident(k)} = s.{quote_ident(k)}" for k in primary_key)


def merge_delete(ref: TableRef, primary_key: Sequence[str]) -> Statement:
    """Delete bronze rows whose key is staged (a plain join: none of MERGE's known defects)."""
    return Statement(
        f"DELETE t FROM {table(ref)} AS t WHERE EXISTS (SELECT 1 FROM {quote_ident(STAGE)} AS s"
        f" WHERE {_match(primary_key)})"
    )


def append_stage(ref: TableRef, names: Sequence[str]) -> Statement:
    """Insert the whole stage; *names* without the metadata columns, which are added here."""
    cols = columns([*names, LOADED_AT_COLUMN, RUN_ID_COLUMN])
    return Statement(
        f"INSERT INTO {table(ref)} WITH (TABLOCK) ({cols}) SELECT {cols} FROM {quote_ident(STAGE)}"
    )


# -- state ----------------------------------------------------------------------------------------


def read_watermark(ref: TableRef) -> Statement:
    return Statement(
        "SELECT [cursor_column], [cursor_type], [watermark] FROM"
        f" {table(TableRef(ref.schema, STATE_TABLE))} WHERE [table_name] = ?",
        (ref.name,),
    )


def save_watermark(
    ref: TableRef, *, cursor_column: str, kind: str, text: str, run_id: str
) -> Statement:
    """Update, else insert: the load holds the table's application lock, so no race between."""
    state = table(TableRef(ref.schema, STATE_TABLE))
    return Statement(
        f"UPDATE {state} SET [cursor_column] = ?, [cursor_type] = ?, [watermark] = ?,"
        " [run_id] = ?, [updated_at] = SYSDATETIMEOFFSET() WHERE [table_name] = ?;"
        f" IF @@ROWCOUNT = 0 INSERT INTO {state}"
        " ([table_name], [cursor_column], [cursor_type], [watermark], [run_id])"
        " VALUES (?, ?, ?, ?, ?)",
        (cursor_column, kind, text, run_id, ref.name, ref.name, cursor_column, kind, text, run_id),
    )


def delete_watermark(ref: TableRef) -> Statement:
    return Statement(
        f"DELETE FROM {table(TableRef(ref.schema, STATE_TABLE))} WHERE [table_name] = ?",
        (ref.name,),
    )


def log_load(
    ref: TableRef,
    *,
    run_id: str,
    source_table: str,
    mode: str,
    status: str,
    rows: int | None,
    watermark: str | None,
    started_at: str,
    error: str | None = None,
) -> Statement:
    """One load-log row; *started_at* is ISO-8601 text with offset (datetimeoffset accepts it)."""
    return Statement(
        f"INSERT INTO {table(TableRef(ref.schema, LOADS_TABLE))}"
        " ([run_id], [table_name], [source_table], [mode], [status], [rows], [watermark],"
        " [started_at], [error]) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (run_id, ref.name, source_table, mode, status, rows, watermark, started_at, error),
    )


# -- identity (the table registry) ----------------------------------------------------------------


def table_exists(ref: TableRef) -> Statement:
    return Statement(
        "SELECT COUNT(*) FROM sys.objects WHERE object_id = OBJECT_ID(?)", (table(ref),)
    )


def registered_source(ref: TableRef) -> Statement:
    return Statement(
        "SELECT [source_name], [source_schema], [source_table] FROM"
        f" {table(TableRef(ref.schema, REGISTRY_TABLE))} WHERE [table_name] = ?",
        (ref.name,),
    )


def logged_sources(ref: TableRef) -> Statement:
    return Statement(
        f"SELECT DISTINCT [source_table] FROM {table(TableRef(ref.schema, LOADS_TABLE))}"
        " WHERE [table_name] = ? AND [status] = 'succeeded' AND [source_table] IS NOT NULL"
        " ORDER BY [source_table]",
        (ref.name,),
    )


def register(
    ref: TableRef, *, source_name: str, source_schema: str, source_table: str, run_id: str
) -> Statement:
    """Record (or replace: the name of a dropped table is free again) the table's source."""
    registry = table(TableRef(ref.schema, REGISTRY_TABLE))
    return Statement(
        f"DELETE FROM {registry} WHERE [table_name] = ?;"
        f" INSERT INTO {registry} ([table_name], [source_name], [source_schema], [source_table],"
        " [run_id]) VALUES (?, ?, ?, ?, ?)",
        (ref.name, ref.name, source_name, source_schema, source_table, run_id),
    )


# -- check ------------------------------------------------------------------------------------------


def whoami() -> Statement:
    return Statement(
        "SELECT SUSER_SNAME(), DB_NAME(), HAS_PERMS_BY_NAME(DB_NAME(), 'DATABASE', 'CREATE SCHEMA'),"
        " CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128))"
    )


def can_write_schema(schema: str) -> Statement:
    """CREATE TABLE in the database, plus ALTER on the schema (or CREATE SCHEMA when missing)."""
    return Statement(
        "SELECT CASE WHEN HAS_PERMS_BY_NAME(DB_NAME(), 'DATABASE', 'CREATE TABLE') = 1 AND"
        " (CASE WHEN SCHEMA_ID(?) IS NULL"
        " THEN HAS_PERMS_BY_NAME(DB_NAME(), 'DATABASE', 'CREATE SCHEMA')"
        " ELSE HAS_PERMS_BY_NAME(QUOTENAME(?), 'SCHEMA', 'ALTER') END) = 1 THEN 1 ELSE 0 END",
        (schema, schema),
    )


__all__ = ["STAGE", "Statement"]
