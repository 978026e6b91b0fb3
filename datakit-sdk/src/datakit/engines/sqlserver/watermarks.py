"""The engine-neutral watermark rendered as a T-SQL lower bound, lookback included.

``render_lower_bound`` gives the expression for ``WHERE [cursor] >= <bound>``: the watermark's
canonical text cast to the cursor column's own type (so the comparison can seek its index), the
lookback subtracted in T-SQL. Values are literals built here from the validated canonical text,
never from user SQL.

Lookbacks for time cursors are parsed here (SQL Server has no interval type): one or more
``<number> <unit>`` pairs, units ``microsecond(s)``, ``millisecond(s)``, ``second(s)``,
``minute(s)``, ``hour(s)``, ``day(s)``, ``week(s)``, ``month(s)``, ``year(s)`` (``'2 hours'``,
``'1 day 30 minutes'``). Fixed units become whole seconds and microseconds (``DATEADD`` takes
integers); months and years stay calendar units.

Cursor types: integers (``tinyint`` .. ``bigint``), exact numerics, ``date``, ``datetime``,
``smalldatetime``, ``datetime2``, ``datetimeoffset``, and ``rowversion`` (travels as ``bigint``:
its bound is ``CAST(CAST(n AS bigint) AS binary(8))``, which orders as rowversion does for every
value a server can produce, below 2^63).
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from datakit.errors import ContractError, UsageError
from datakit.watermark import Watermark

_UNITS_SECONDS = {
    "microsecond": Decimal("0.000001"),
    "millisecond": Decimal("0.001"),
    "second": Decimal(1),
    "minute": Decimal(60),
    "hour": Decimal(3600),
    "day": Decimal(86400),
    "week": Decimal(604800),
}
_UNITS_MONTHS = {"month": 1, "year": 12}
_ALIASES = {
    "us": "microsecond",
    "ms": "millisecond",
    "s": "second",
    "sec": "second",
    "min": "minute",
    "h": "hour",
    "d": "day",
    "mon": "month",
    "y": "year",
}
_PAIR = re.compile(r"\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>[a-z]+)\s*(?=\d|$)", re.I)
INT_TYPES = ("tinyint", "smallint", "int", "bigint")
EXACT_TYPES = ("decimal", "numeric", "money", "smallmoney")
TIME_TYPES = ("date", "datetime", "smalldatetime", "datetime2", "datetimeoffset")
ROWVERSION_TYPES = ("rowversion", "timestamp")


def base_type(type_name: str) -> str:
    """``datetime2(3)`` -> ``datetime2``."""
    return re.sub(r"\(.*\)$", "", type_name.strip().lower()).strip()


def _unit(word: str) -> str:
    if word in _ALIASES:
        return _ALIASES[word]
    return (
        word[:-1] if word.endswith("s") and word[:-1] in (*_UNITS_SECONDS, *_UNITS_MONTHS) else word
    )


def parse_time_lookback(text: str) -> tuple[int, int, int]:
    """``(months, seconds, microseconds)`` of a time lookback; ValueError when not one."""
    rest = text.strip().lower()
    if not rest:
        raise ValueError("empty")
    months, seconds = 0, Decimal(0)
    pos = 0
    while pos < len(rest):
        match = _PAIR.match(rest, pos)
        if match is None or match.end() == pos:
            raise ValueError(f"cannot read {rest[pos:]!r}")
        unit = _unit(match["unit"])
        amount = Decimal(match["n"])
        if unit in _UNITS_SECONDS:
            seconds += amount * _UNITS_SECONDS[unit]
        elif unit in _UNITS_MONTHS:
            if amount != amount.to_integral_value():
                raise ValueError(f"{unit}s must be whole")
            months += int(amount) * _UNITS_MONTHS[unit]
        else:
            raise ValueError(f"unknown unit {match['unit']!r}")
        pos = match.end()
    whole = int(seconds)
    micros = int((seconds - whole) * 1_000_000)
    if Decimal(whole) + Decimal(micros) / 1_000_000 != seconds:
        raise ValueError("finer than a microsecond")
    if whole >= 2**31 or months >= 2**31:
        raise ValueError("too long")
    return months, whole, micros


def parse_number_lookback(text: str) -> Decimal:
    """A non-negative finite number; ValueError otherwise."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError("not a number") from None
    if not value.is_finite() or value < 0:
        raise ValueError("negative or not finite")
    return value


def check_lookback(column: str, type_name: str, kind: str, lookback: str) -> None:
    """A UsageError naming ``--lookback`` and the cursor when *lookback* does not apply."""
    try:
        if kind == "time":
            parse_time_lookback(lookback)
        else:
            parse_number_lookback(lookback)
    except ValueError as exc:
        hint = (
            "an interval like '2 hours' or '1 day 30 minutes'"
            if kind == "time"
            else "a non-negative number"
        )
        raise UsageError(
            f"usage error: --lookback {lookback!r} does not apply to cursor {column!r} of type "
            f"{type_name} (use {hint}): {exc}"
        ) from None


def _time_literal(watermark: Watermark, type_name: str) -> str:
    text = watermark.text
    if text.startswith("-") or text.startswith("0000"):
        raise ContractError(
            f"contract violation: watermark {text!r} is before year 1, outside SQL Server's "
            f"{type_name} range"
        )
    if watermark.kind == "timestamptz" and re.search(r"[+-]\d{2}:\d{2}:\d{2}$", text):
        # SQL Server offsets are whole minutes: the same instant in UTC.
        from datetime import UTC

        text = datetime.fromisoformat(text).astimezone(UTC).isoformat()
    return "'" + text + "'"


def render_lower_bound(
    watermark: Watermark, type_name: str, lookback: str | None = None, kind: str | None = None
) -> str:
    """The T-SQL expression ``watermark - lookback`` typed as cursor type *type_name*."""
    if watermark.is_unbounded:
        raise ContractError(
            f"contract violation: watermark {watermark.text!r} has no SQL Server value"
        )
    base = base_type(type_name)
    kind = kind or ("time" if watermark.is_time else "number")
    if base in ROWVERSION_TYPES:
        value = Decimal(watermark.text)
        if lookback:
            value -= parse_number_lookback(lookback)
        return f"CAST(CAST({int(value)} AS bigint) AS binary(8))"
    if base in INT_TYPES or base in EXACT_TYPES:
        bound = f"CAST({watermark.text} AS {type_name})"
        if lookback:
            bound = f"({bound} - {parse_number_lookback(lookback)})"
        return bound
    if base in TIME_TYPES:
        literal = _time_literal(watermark, type_name)
        if watermark.kind == "timestamptz" and base != "datetimeoffset":
            # An offset value into a column without one: the instant in UTC, offset dropped.
            literal = f"CAST(SWITCHOFFSET(CAST({literal} AS datetimeoffset(7)), '+00:00') AS datetime2(7))"
            bound = f"CAST({literal} AS {type_name})"
        elif base in ("datetime", "smalldatetime"):
            # datetime accepts at most 3 fractional digits from text; datetime2 reads any.
            bound = f"CAST(CAST({literal} AS datetime2(7)) AS {type_name})"
        else:
            bound = f"CAST({literal} AS {type_name})"
        if lookback:
            months, seconds, micros = parse_time_lookback(lookback)
            if base in ("date", "datetime", "smalldatetime"):
                # DATEADD refuses hours on a date and microseconds on datetime: subtract in
                # datetime2 (exact), and let the comparison widen the column to datetime2.
                bound = f"CAST({bound} AS datetime2(7))"
            if micros:
                bound = f"DATEADD(microsecond, -{micros}, {bound})"
            if seconds:
                bound = f"DATEADD(second, -{seconds}, {bound})"
            if months:
                bound = f"DATEADD(month, -{months}, {bound})"
        return bound
    raise UsageError(f"usage error: type {type_name} cannot be an incremental cursor in SQL Server")


__all__ = [
    "EXACT_TYPES",
    "INT_TYPES",
    "ROWVERSION_TYPES",
    "TIME_TYPES",
    "base_type",
    "check_lookback",
    "parse_number_lookback",
    "parse_time_lookback",
    "render_lower_bound",
]
