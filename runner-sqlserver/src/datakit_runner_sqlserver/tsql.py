"""Every T-SQL statement the SQL Server source sends, built here as text (snapshot-tested).

Identifiers are quoted with ``[...]`` (:mod:`datakit.engines.sqlserver.identifiers`); values are
``?`` parameters, except the incremental lower bound, a literal rendered from the validated
canonical watermark (:mod:`datakit.engines.sqlserver.watermarks`) so the plan can seek an index.
"""

from __future__ import annotations

from datakit.contracts import ReadRequest, SelectColumn, TableRef
from datakit.engines.sqlserver.identifiers import quote_ident, quote_qualified
from datakit.engines.sqlserver.watermarks import render_lower_bound

#: Prefix of the type map's T-SQL templates (``{}`` is the quoted column).
TEMPLATE_PREFIX = "tsql:"

# The objects a catalog query covers: user tables and views the login may SELECT, optionally of
# one schema / one name (parameters: schema, schema, table, table).
_OBJECTS = """WITH objects AS (
    SELECT o.object_id, s.name AS schema_name, o.name AS table_name, o.type
    FROM sys.objects AS o
    JOIN sys.schemas AS s ON s.schema_id = o.schema_id
    WHERE o.type IN ('U', 'V') AND o.is_ms_shipped = 0
      AND s.name NOT IN (N'sys', N'INFORMATION_SCHEMA')
      AND (? IS NULL OR s.name = ?)
      AND (? IS NULL OR o.name = ?)
      AND HAS_PERMS_BY_NAME(QUOTENAME(s.name) + N'.' + QUOTENAME(o.name), N'OBJECT', N'SELECT') = 1
)
"""

TABLES_QUERY = (
    _OBJECTS
    + """SELECT ob.object_id, ob.schema_name, ob.table_name, ob.type,
       COALESCE(t.temporal_type, 0) AS temporal_type,
       (SELECT SUM(p.rows) FROM sys.partitions AS p
        WHERE p.object_id = ob.object_id AND p.index_id IN (0, 1)) AS row_estimate
FROM objects AS ob
LEFT JOIN sys.tables AS t ON t.object_id = ob.object_id
ORDER BY ob.schema_name, ob.table_name"""
)

COLUMNS_QUERY = (
    _OBJECTS
    + """SELECT c.object_id, c.name, ty.name AS type_name, ts.name AS type_schema,
       ty.is_user_defined, ty.is_assembly_type, bt.name AS base_type_name,
       c.max_length, c.precision, c.scale, c.is_nullable, c.is_computed, c.is_sparse,
       c.is_column_set, c.generated_always_type
FROM objects AS ob
JOIN sys.columns AS c ON c.object_id = ob.object_id
JOIN sys.types AS ty ON ty.user_type_id = c.user_type_id
JOIN sys.schemas AS ts ON ts.schema_id = ty.schema_id
LEFT JOIN sys.types AS bt
  ON ty.is_user_defined = 1 AND ty.is_assembly_type = 0
 AND bt.user_type_id = ty.system_type_id
ORDER BY c.object_id, c.column_id"""
)

KEYS_QUERY = (
    _OBJECTS
    + """SELECT ic.object_id, c.name
FROM objects AS ob
JOIN sys.indexes AS i ON i.object_id = ob.object_id AND i.is_primary_key = 1
JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id
JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
ORDER BY ic.object_id, ic.key_ordinal"""
)

#: Whether the database allows SNAPSHOT isolation, and whether READ COMMITTED is versioned.
ISOLATION_QUERY = """SELECT snapshot_isolation_state, is_read_committed_snapshot_on
FROM sys.databases WHERE database_id = DB_ID()"""

CHECK_QUERY = (
    """SELECT SUSER_SNAME(), DB_NAME(), CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128))"""
)

DATABASE_QUERY = "SELECT DB_NAME()"

SNAPSHOT_ISOLATION = "SET TRANSACTION ISOLATION LEVEL SNAPSHOT"
READ_COMMITTED = "SET TRANSACTION ISOLATION LEVEL READ COMMITTED"


def select_item(column: SelectColumn) -> str:
    """One SELECT item: the quoted column, or the type map's template applied to it (aliased).

    A ``cast_to`` without the ``tsql:`` prefix is a bronze type that schema drift sends back
    (read the narrower source column as bronze's wider type): Postgres converts on load, so the
    column is read as it is.
    """
    quoted = quote_ident(column.name)
    if column.cast_to and column.cast_to.startswith(TEMPLATE_PREFIX):
        expression = column.cast_to[len(TEMPLATE_PREFIX) :].replace("{}", quoted)
        return f"{expression} AS {quoted}"
    return quoted


def select_query(request: ReadRequest) -> str:
    """The one SELECT that reads a table (with the incremental window when there is a cursor)."""
    items = ",\n       ".join(select_item(column) for column in request.columns)
    query = (
        f"SELECT {items}\nFROM {quote_qualified(request.table.ref.schema, request.table.ref.name)}"
    )
    cursor = request.cursor
    if cursor is not None:
        column = request.table.column(cursor.column)
        assert column is not None
        own_type = (
            column.base_type if column.type_kind == "alias" and column.base_type else column.type
        )
        bound = render_lower_bound(cursor.watermark, own_type, cursor.lookback, cursor.kind)
        query += f"\nWHERE {quote_ident(cursor.column)} >= {bound}"
    return query


def null_count_query(table: TableRef, column: str) -> str:
    """Rows whose cursor is NULL (which no incremental read returns)."""
    return (
        f"SELECT COUNT_BIG(*) FROM {quote_qualified(table.schema, table.name)} "
        f"WHERE {quote_ident(column)} IS NULL"
    )


def readable_count_query() -> str:
    """How many tables and views the login may read (``check``); parameters as the catalog's."""
    return _OBJECTS + "SELECT COUNT(*) FROM objects"


__all__ = [
    "CHECK_QUERY",
    "COLUMNS_QUERY",
    "DATABASE_QUERY",
    "ISOLATION_QUERY",
    "KEYS_QUERY",
    "READ_COMMITTED",
    "SNAPSHOT_ISOLATION",
    "TABLES_QUERY",
    "TEMPLATE_PREFIX",
    "null_count_query",
    "readable_count_query",
    "select_item",
    "select_query",
]
