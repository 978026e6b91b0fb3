"""Postgres source -> SQL Server bronze: every type lands exactly, or is refused by name.

=================================  ===========================  =====================================
Postgres                           SQL Server                   how
=================================  ===========================  =====================================
smallint, integer, bigint          smallint, int, bigint
numeric(p,s), p <= 38              decimal(p,s)
numeric(p,s), p > 38               refused                      no SQL Server decimal holds it
numeric (no precision)             nvarchar(max)                exact digits as text (warning)
real, double precision             real, float
money                              decimal(23,4)                sent as numeric (locale-free)
boolean                            bit
text, varchar (no length)          nvarchar(max)
varchar(n), char(n)                nvarchar(n), nchar(n)        n > 4000: nvarchar(max)
bytea                              varbinary(max)
uuid                               uniqueidentifier
json, jsonb                        nvarchar(max)                the JSON text (jsonb: normalised)
xml                                nvarchar(max)                the text as written (SQL Server's xml
                                                                type would normalise it)
date                               date                         years 1-9999 (SQL Server's range)
timestamp[(p)]                     datetime2(6)
timestamptz[(p)]                   datetimeoffset(6)            the offset the source session used
time[(p)]                          time(6)
arrays (any element type)          nvarchar(max)                a JSON array, nested arrays nested,
                                                                exact numbers as JSON numbers, others
                                                                as JSON strings
enums                              nvarchar(63)                 the label (at most 63 bytes)
domains                            their base type's mapping
interval, time with time zone      refused                      SQL Server has no such type
ranges, multiranges                refused
network, bit strings, geometric,   nvarchar(max)                their text form (warning)
text search, composites, others
=================================  ===========================  =====================================

A refused column is a data-contract error (exit 5) naming the column and its type, raised before
anything is read or written.
"""

from __future__ import annotations

from dataclasses import dataclass

from datakit.contracts import Column
from datakit.errors import ContractError
from datakit.typemaps.base import CursorKind, TypeMapping
from datakit.typemaps.postgres_postgres import parse_type

MAX_DECIMAL_PRECISION = 38
MAX_NVARCHAR_LENGTH = 4000

_SAME: dict[str, str] = {
    "smallint": "smallint",
    "integer": "int",
    "bigint": "bigint",
    "real": "real",
    "double precision": "float",
    "boolean": "bit",
    "text": "nvarchar(max)",
    "bytea": "varbinary(max)",
    "uuid": "uniqueidentifier",
    "date": "date",
    "timestamp": "datetime2(6)",
    "timestamp without time zone": "datetime2(6)",
    "timestamp with time zone": "datetimeoffset(6)",
    "time": "time(6)",
    "time without time zone": "time(6)",
}
# Sent by the source as text: its text form is the exact value.
_AS_TEXT: dict[str, str] = {
    "json": "nvarchar(max)",
    "jsonb": "nvarchar(max)",
    "xml": "nvarchar(max)",
}
_REFUSED: dict[str, str] = {
    "interval": "SQL Server has no interval type",
    "time with time zone": "SQL Server has no time type with an offset",
}

_INTEGER_RANK = {"tinyint": 0, "smallint": 1, "int": 2, "bigint": 3}
_INTEGER_DIGITS = {"tinyint": 3, "smallint": 5, "int": 10, "bigint": 19}
_LENGTHED = {"nvarchar", "varchar", "varbinary"}
_FRACTIONED = {"datetime2", "datetimeoffset", "time"}

_CURSOR_KINDS: dict[str, CursorKind] = {
    "smallint": "number",
    "integer": "number",
    "bigint": "number",
    "real": "number",
    "double precision": "number",
    "date": "time",
    "timestamp": "time",
    "timestamp without time zone": "time",
    "timestamp with time zone": "time",
}


@dataclass(frozen=True)
class _SqlType:
    name: str
    args: tuple[str, ...]


def _sql_type(spelled: str) -> _SqlType:
    text = spelled.strip().lower()
    if "(" not in text:
        return _SqlType(text, ())
    name, rest = text.split("(", 1)
    return _SqlType(name.strip(), tuple(a.strip() for a in rest.rstrip(")").split(",")))


def _refuse(column: Column, why: str) -> ContractError:
    return ContractError(
        f"data contract error: column {column.name!r} has type {column.type}, which cannot land "
        f"exactly in SQL Server ({why}); leave the column out of the load or change its type"
    )


def _text_length(name: str, length: int | None) -> str:
    if length is None or length > MAX_NVARCHAR_LENGTH:
        return "nvarchar(max)"
    return f"{name}({length})"


class PostgresToSqlServer:
    """The mapping table for the Postgres -> SQL Server pair (see the module docstring)."""

    #: A SQL Server type is no cast Postgres understands: a source column narrower than bronze
    #: is read as mapped (``load.schema_drift``), not cast to bronze's type.
    source_casts_to_warehouse_types = False

    def map_column(self, column: Column) -> TypeMapping:
        kind = column.type_kind
        if kind in ("range", "multirange"):
            raise _refuse(column, "no range type")
        if kind == "enum":
            return TypeMapping("nvarchar(63)", source_cast="text", note=f"enum {column.type}")
        if kind == "domain" and column.base_type:
            return self._base(column, column.base_type)
        if kind == "array":
            # The warehouse writes the list as JSON; casting to the element's mapped array type
            # lets the source's driver build a list (an unknown element type would arrive as text).
            return TypeMapping("nvarchar(max)", source_cast=column.base_type or None)
        if kind == "base":
            return self._base(column, column.type)
        return self._as_text(column, f"{kind} type {column.type} kept as its text")

    def _base(self, column: Column, spelled: str) -> TypeMapping:
        parsed = parse_type(spelled)
        name = parsed.name
        if parsed.array_dims:
            return TypeMapping("nvarchar(max)", source_cast=spelled)
        if name in _REFUSED:
            raise _refuse(column, _REFUSED[name])
        if name.startswith(("numeric(", "decimal(")):
            # parse_type takes no negative scale (Postgres 15+ allows one).
            raise _refuse(column, f"scale {name.split(',')[-1].rstrip(')')} outside 0..38")
        if name in ("numeric", "decimal"):
            if not parsed.args:
                return self._as_text(column, f"{spelled} without precision kept as exact text")
            precision = parsed.args[0]
            scale = parsed.args[1] if len(parsed.args) > 1 else 0
            if precision > MAX_DECIMAL_PRECISION:
                raise _refuse(column, f"precision {precision} > {MAX_DECIMAL_PRECISION}")
            if scale < 0 or scale > precision:
                raise _refuse(column, f"scale {scale} outside 0..{precision}")
            return TypeMapping(
                f"decimal({precision},{scale})", source_cast=self._cast(column, spelled)
            )
        if name == "money":
            return TypeMapping("decimal(23,4)", source_cast="numeric")
        if name == "character varying":
            length = parsed.args[0] if parsed.args else None
            return TypeMapping(
                _text_length("nvarchar", length), source_cast=self._cast(column, spelled)
            )
        if name in ("character", "bpchar"):
            length = parsed.args[0] if parsed.args else 1
            return TypeMapping(
                _text_length("nchar", length), source_cast=self._cast(column, spelled)
            )
        if name in _AS_TEXT:
            return TypeMapping(_AS_TEXT[name], source_cast="text")
        if name in _SAME:
            return TypeMapping(_SAME[name], source_cast=self._cast(column, spelled))
        return self._as_text(column, f"{spelled} kept as its text")

    @staticmethod
    def _cast(column: Column, spelled: str) -> str | None:
        # A domain is read as its base type (the source's cast); a base type travels as it is.
        return spelled if column.type_kind == "domain" else None

    @staticmethod
    def _as_text(column: Column, note: str) -> TypeMapping:
        return TypeMapping("nvarchar(max)", source_cast="text", faithful=False, note=note)

    def cursor_kind(self, column: Column) -> CursorKind | None:
        """Integers, numerics with a precision up to 38, floats, dates and timestamps."""
        if column.type_kind == "base":
            spelled = column.type
        elif column.type_kind == "domain" and column.base_type:
            spelled = column.base_type
        else:
            return None
        parsed = parse_type(spelled)
        if parsed.array_dims:
            return None
        if parsed.name in ("numeric", "decimal"):
            fits = bool(parsed.args) and parsed.args[0] <= MAX_DECIMAL_PRECISION
            return "number" if fits else None
        return _CURSOR_KINDS.get(parsed.name)

    def is_safe_widening(self, old_type: str, new_type: str) -> bool:
        """True when every value of SQL Server *old_type* is kept exactly by *new_type*."""
        old, new = _sql_type(old_type), _sql_type(new_type)
        if old == new:
            return True
        if old.name in _INTEGER_RANK and new.name in _INTEGER_RANK:
            return _INTEGER_RANK[new.name] >= _INTEGER_RANK[old.name]
        if old.name in _INTEGER_RANK and new.name == "decimal":
            precision, scale = (int(a) for a in new.args)
            return precision - scale >= _INTEGER_DIGITS[old.name]
        if old.name == "decimal" and new.name == "decimal":
            (op, os_), (np_, ns) = ((int(a) for a in t.args) for t in (old, new))
            return ns >= os_ and np_ - ns >= op - os_
        if old.name == "real" and new.name == "float":
            return True
        if old.name in _LENGTHED and new.name == old.name:
            if new.args == ("max",):
                return True
            return old.args != ("max",) and int(new.args[0]) >= int(old.args[0])
        if old.name in _FRACTIONED and new.name == old.name:
            return int(new.args[0]) >= int(old.args[0])
        return False


MAPPER = PostgresToSqlServer()

__all__ = ["MAPPER", "MAX_DECIMAL_PRECISION", "PostgresToSqlServer"]
