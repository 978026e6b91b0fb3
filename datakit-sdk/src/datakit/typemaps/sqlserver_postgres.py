"""SQL Server source -> Postgres bronze: the documented type list, value by value.

Column types arrive as the SQL Server catalog spells them (``decimal(12,2)``, ``datetime2(7)``,
``nvarchar(max)``; see runner-sqlserver's catalog). ``source_cast`` values of this map are T-SQL
templates prefixed ``tsql:``, with ``{}`` standing for the quoted column; the SQL Server source
applies them in its SELECT. (A cast without the prefix is a bronze type sent back by schema drift,
which the source does not need: Postgres converts on load.)

==========================================  ======================  ===============================
SQL Server                                  Postgres bronze         how / note
==========================================  ======================  ===============================
bit                                         boolean
tinyint                                     smallint                0..255 needs more than a byte
smallint, int, bigint                       smallint, integer, bigint
decimal(p,s), numeric(p,s)                  numeric(p,s)            exact
money, smallmoney                           numeric(19,4), numeric(10,4)  exact
real, float(1..24)                          real
float, float(25..53)                        double precision
date                                        date
time(n)                                     time(min(n,6))          n=7: 100 ns digit truncated
datetime                                    timestamp(3)            the driver's 1/300 s, as .mmm
smalldatetime                               timestamp(0)
datetime2(n)                                timestamp(min(n,6))     n=7: 100 ns digit truncated
datetimeoffset(n)                           timestamptz(min(n,6))   the instant (read as ISO text
                                                                    with its offset); offset not
                                                                    kept
char, varchar, nchar, nvarchar (any, max),  text                    lengths are source constraints
text, ntext, sysname
binary, varbinary (any, max), image         bytea
uniqueidentifier                            uuid
xml                                         xml                     read as nvarchar(max)
hierarchyid                                 text                    ``CAST(x AS nvarchar(4000))``
                                                                    = ``x.ToString()``: ``/1/3/``
geography, geometry                         text                    EWKT: ``SRID=4326;POINT (..)``
                                                                    from ``STSrid`` + ``ToString()``
                                                                    (Z and M kept; PostGIS reads it)
rowversion, timestamp                       bigint                  ``CAST(x AS bigint)``: a
                                                                    natural incremental cursor
sql_variant                                 text                    the value's exact text (dates
                                                                    ISO 8601, floats 17 digits,
                                                                    binary 0x hex); the base type
                                                                    is not kept (warning)
alias types (``CREATE TYPE .. FROM``)       as their base type
json (SQL Server 2025)                      jsonb                   read as nvarchar(max)
==========================================  ======================  ===============================

Refused by name (a contract error before anything is written): user-defined CLR types, ``vector``
and any type not in the list. Truncated precisions (time/datetime2/datetimeoffset with 7 digits)
are mapped with ``faithful=False``, so every load warns that the 100 ns digit does not reach
bronze (Postgres keeps microseconds; the driver truncates, so a truncated cursor value re-reads
its row rather than skipping it).
"""

from __future__ import annotations

import re

from datakit.contracts import Column
from datakit.errors import ContractError
from datakit.typemaps.base import CursorKind, TypeMapping
from datakit.typemaps.postgres_postgres import MAPPER as POSTGRES

_TYPE = re.compile(r"^(?P<name>[a-z][a-z0-9_ ]*?)\s*(?:\((?P<args>[0-9a-z, ]+)\))?$")
_SAME = {
    "bit": "boolean",
    "tinyint": "smallint",
    "smallint": "smallint",
    "int": "integer",
    "bigint": "bigint",
    "money": "numeric(19,4)",
    "smallmoney": "numeric(10,4)",
    "real": "real",
    "date": "date",
    "datetime": "timestamp(3)",
    "smalldatetime": "timestamp(0)",
    "uniqueidentifier": "uuid",
}
_TEXT = {"char", "varchar", "nchar", "nvarchar", "text", "ntext", "sysname"}
_BINARY = {"binary", "varbinary", "image"}
_FRACTIONAL = {"time": "time", "datetime2": "timestamp", "datetimeoffset": "timestamptz"}
_CASTS = {
    "xml": ("xml", "tsql:CAST({} AS nvarchar(max))"),
    "json": ("jsonb", "tsql:CAST({} AS nvarchar(max))"),
    "hierarchyid": ("text", "tsql:CAST({} AS nvarchar(4000))"),
    "geography": (
        "text",
        "tsql:CASE WHEN {} IS NULL THEN NULL ELSE CONCAT(N'SRID=', {}.STSrid, N';', {}.ToString()) END",
    ),
    "geometry": (
        "text",
        "tsql:CASE WHEN {} IS NULL THEN NULL ELSE CONCAT(N'SRID=', {}.STSrid, N';', {}.ToString()) END",
    ),
    "rowversion": ("bigint", "tsql:CAST({} AS bigint)"),
    "timestamp": ("bigint", "tsql:CAST({} AS bigint)"),
}
#: datetimeoffset as ISO 8601 text with its offset, truncated to microseconds in T-SQL: the ODBC
#: drivers hand the type over differently (pyodbc has no converter of its own), text is the same
#: through Microsoft's driver and FreeTDS, and truncation (never rounding up) keeps a cursor's
#: watermark at or below the source's value, as for datetime2.
DATETIMEOFFSET_CAST = (
    "tsql:CONVERT(nvarchar(27), CAST(DATEADD(nanosecond, -(DATEPART(nanosecond, {}) % 1000), {}) "
    "AS datetime2(7)), 126) + DATENAME(tzoffset, {})"
)
#: sql_variant: each base type as exact text: dates and times ISO 8601, floats with 17 digits
#: (style 3), money with 4 decimals (style 2), binary as 0x hex (style 1), the rest as CONVERT gives.
SQL_VARIANT_CAST = (
    "tsql:CASE CAST(SQL_VARIANT_PROPERTY({}, 'BaseType') AS sysname) "
    "WHEN 'date' THEN CONVERT(nvarchar(4000), CAST({} AS date), 23) "
    "WHEN 'time' THEN CONVERT(nvarchar(4000), CAST({} AS time(7))) "
    "WHEN 'datetime' THEN CONVERT(nvarchar(4000), CAST({} AS datetime2(7)), 126) "
    "WHEN 'smalldatetime' THEN CONVERT(nvarchar(4000), CAST({} AS datetime2(7)), 126) "
    "WHEN 'datetime2' THEN CONVERT(nvarchar(4000), CAST({} AS datetime2(7)), 126) "
    "WHEN 'datetimeoffset' THEN CONVERT(nvarchar(4000), CAST({} AS datetimeoffset(7)), 126) "
    "WHEN 'float' THEN CONVERT(nvarchar(4000), CAST({} AS float), 3) "
    "WHEN 'real' THEN CONVERT(nvarchar(4000), CAST({} AS float), 3) "
    "WHEN 'money' THEN CONVERT(nvarchar(4000), CAST({} AS money), 2) "
    "WHEN 'smallmoney' THEN CONVERT(nvarchar(4000), CAST({} AS money), 2) "
    "WHEN 'binary' THEN CONVERT(nvarchar(4000), CAST({} AS varbinary(8000)), 1) "
    "WHEN 'varbinary' THEN CONVERT(nvarchar(4000), CAST({} AS varbinary(8000)), 1) "
    "ELSE CONVERT(nvarchar(4000), {}) END"
)
_CURSOR_KINDS: dict[str, CursorKind] = {
    "tinyint": "number",
    "smallint": "number",
    "int": "number",
    "bigint": "number",
    "decimal": "number",
    "numeric": "number",
    "money": "number",
    "smallmoney": "number",
    "rowversion": "number",
    "timestamp": "number",
    "date": "time",
    "datetime": "time",
    "smalldatetime": "time",
    "datetime2": "time",
    "datetimeoffset": "time",
}


def parse_sqlserver_type(spelled: str) -> tuple[str, tuple[str, ...]]:
    """``decimal(12, 2)`` -> ``("decimal", ("12", "2"))``; ``nvarchar(max)`` keeps ``max``."""
    text = spelled.strip().lower()
    match = _TYPE.match(text)
    if match is None:
        return text, ()
    args = tuple(a.strip() for a in match["args"].split(",")) if match["args"] else ()
    return match["name"].strip(), args


class SqlServerToPostgres:
    """The mapping table for the SQL Server -> Postgres pair (see the module docstring)."""

    #: SQL Server does not know Postgres type names: schema drift never sends one as a cast.
    source_casts_to_warehouse_types = False

    def _spelled(self, column: Column) -> str:
        if column.type_kind == "alias" and column.base_type:
            return column.base_type
        if column.type_kind not in ("base", "alias"):
            raise ContractError(
                f"contract violation: column {column.name!r} has SQL Server type {column.type} "
                f"({column.type_kind}), which Datakit does not load (cast it in a view)"
            )
        return column.type

    def map_column(self, column: Column) -> TypeMapping:
        name, args = parse_sqlserver_type(self._spelled(column))
        if name in _SAME:
            return TypeMapping(_SAME[name])
        if name in ("decimal", "numeric"):
            precision = args[0] if args else "18"
            scale = args[1] if len(args) > 1 else "0"
            return TypeMapping(f"numeric({precision},{scale})")
        if name == "float":
            bits = int(args[0]) if args and args[0].isdigit() else 53
            return TypeMapping("real" if bits <= 24 else "double precision")
        if name in _FRACTIONAL:
            digits = int(args[0]) if args and args[0].isdigit() else 7
            target = f"{_FRACTIONAL[name]}({min(digits, 6)})"
            cast = DATETIMEOFFSET_CAST if name == "datetimeoffset" else None
            if digits > 6:
                return TypeMapping(
                    target,
                    source_cast=cast,
                    faithful=False,
                    note=f"{column.type} kept as {target}: the 100 ns digit is truncated",
                )
            return TypeMapping(target, source_cast=cast)
        if name in _TEXT:
            return TypeMapping("text")
        if name in _BINARY:
            return TypeMapping("bytea")
        if name in _CASTS:
            target, cast = _CASTS[name]
            return TypeMapping(target, source_cast=cast)
        if name == "sql_variant":
            return TypeMapping(
                "text",
                source_cast=SQL_VARIANT_CAST,
                faithful=False,
                note="sql_variant kept as its value's text (the base type is not kept)",
            )
        raise ContractError(
            f"contract violation: column {column.name!r} has SQL Server type {column.type}, "
            "which Datakit does not load (cast it in a view)"
        )

    def cursor_kind(self, column: Column) -> CursorKind | None:
        """Integers, exact numerics, rowversion, dates and date-times order rows by change.

        Floats are refused (a watermark through text need not round-trip), ``time`` wraps at
        midnight, strings and uniqueidentifier do not order by change.
        """
        try:
            name, _args = parse_sqlserver_type(self._spelled(column))
        except ContractError:
            return None
        return _CURSOR_KINDS.get(name)

    def is_safe_widening(self, old_type: str, new_type: str) -> bool:
        """On bronze's (Postgres) types, exactly as the Postgres map decides."""
        return POSTGRES.is_safe_widening(old_type, new_type)


MAPPER = SqlServerToPostgres()

__all__ = [
    "DATETIMEOFFSET_CAST",
    "MAPPER",
    "SQL_VARIANT_CAST",
    "SqlServerToPostgres",
    "parse_sqlserver_type",
]
