"""Postgres source -> Spark bronze: the type map (entry point ``datakit.typemaps``
``postgres_to_spark``).

What Spark holds exactly lands typed: integers, ``real``/``double precision`` (NaN and
+-Infinity included), ``numeric(p,s)`` up to 38 digits as ``decimal(p,s)``, ``boolean``,
``date`` (before 1582 too: proleptic Gregorian end to end), ``timestamp`` as ``timestamp_ntz``
and ``timestamptz`` as ``timestamp`` (an instant; the session time zone is UTC), ``bytea`` as
``binary``, one-dimensional arrays of those as ``array<...>``, text-like types as ``string``.
``json``/``jsonb``, ``uuid``, ``xml``, network types, enums and ``time`` travel as text
(``string``): exact, but no longer typed. ``numeric`` without a precision lands as ``string``
(exact digits; Spark's decimal would round beyond 38 digits or 18 decimals).

Refused by name (exit 5, before anything is written): ``numeric`` with more than 38 digits,
ranges and ``interval`` (Spark has no type that holds them exactly).
"""

from __future__ import annotations

from datakit.contracts import Column
from datakit.errors import ContractError
from datakit.typemaps.base import CursorKind, TypeMapping
from datakit.typemaps.postgres_postgres import MAPPER as _POSTGRES
from datakit.typemaps.postgres_postgres import parse_type

MAX_DECIMAL_DIGITS = 38
_EXACT = {
    "smallint": "smallint",
    "integer": "int",
    "bigint": "bigint",
    "real": "float",
    "double precision": "double",
    "boolean": "boolean",
    "text": "string",
    "character varying": "string",
    "character": "string",
    "name": "string",
    "bytea": "binary",
    "date": "date",
    "timestamp without time zone": "timestamp_ntz",
    "timestamp": "timestamp_ntz",
    "timestamp with time zone": "timestamp",
}
_INTEGERS = ("smallint", "int", "bigint")
# Sent as text and cast by Spark: JDBC hands dates and naive timestamps over as java.sql
# values in the hybrid Julian calendar, which moves 1582-10-05..14 by ten days; Postgres' text
# is proleptic Gregorian like Spark, so every date lands as it is.
_VIA_TEXT = {"date", "timestamp without time zone", "timestamp"}
_REFUSED = {"interval": "Spark has no interval type that holds months, days and microseconds"}


def _refuse(column: Column, why: str) -> ContractError:
    return ContractError(
        f"data contract error: column {column.name!r} of type {column.type} cannot land in "
        f"Spark: {why} (leave the column out with a view in the source, or cast it there)"
    )


class PostgresToSpark:
    """The mapping table for the Postgres -> Spark pair."""

    def map_column(self, column: Column) -> TypeMapping:
        kind = column.type_kind
        spelled = column.type
        if kind == "range":
            raise _refuse(column, "ranges have no Spark type")
        if kind in ("enum", "domain", "array") and column.base_type:
            spelled = column.base_type
        elif kind != "base":
            return TypeMapping(
                "string",
                source_cast="text",
                faithful=False,
                note=f"{kind} type {column.type} kept as text",
            )
        parsed = parse_type(spelled)
        element = self._element(column, parsed.name, parsed.args)
        cast = spelled if spelled != column.type else None
        if parsed.array_dims == 0:
            if element is None:
                return TypeMapping("string", source_cast="text", note=f"{column.type} kept as text")
            spark_type, exact_cast = element
            return TypeMapping(spark_type, source_cast=exact_cast or cast)
        if parsed.array_dims == 1 and element is not None and element[1] is None:
            return TypeMapping(f"array<{element[0]}>", source_cast=cast)
        return TypeMapping(
            "string",
            source_cast="text",
            faithful=False,
            note=f"array {column.type} kept as text (Spark reads one-dimensional base arrays)",
        )

    @staticmethod
    def _element(column: Column, name: str, args: tuple[int, ...]) -> tuple[str, str | None] | None:
        """(Spark type, source cast or None) for a scalar type, None when it travels as text."""
        if name in _REFUSED:
            raise _refuse(column, _REFUSED[name])
        if name == "numeric":
            if not args:
                return ("string", "text")
            if args[0] > MAX_DECIMAL_DIGITS:
                raise _refuse(column, f"Spark decimals hold at most {MAX_DECIMAL_DIGITS} digits")
            return (f"decimal({args[0]},{args[1] if len(args) > 1 else 0})", None)
        if name in _EXACT:
            return (_EXACT[name], "text" if name in _VIA_TEXT else None)
        return None

    def cursor_kind(self, column: Column) -> CursorKind | None:
        """The source decides what orders by change, as for a Postgres warehouse."""
        return _POSTGRES.cursor_kind(column)

    def is_safe_widening(self, old_type: str, new_type: str) -> bool:
        """Whether every value of Spark type *old_type* is exact in *new_type*."""
        if old_type == new_type:
            return True
        if old_type in _INTEGERS and new_type in _INTEGERS:
            return _INTEGERS.index(new_type) >= _INTEGERS.index(old_type)
        return old_type == "float" and new_type == "double"


MAPPER = PostgresToSpark()

__all__ = ["MAPPER", "MAX_DECIMAL_DIGITS", "PostgresToSpark"]
