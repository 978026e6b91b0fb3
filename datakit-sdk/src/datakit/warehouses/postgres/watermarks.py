"""Watermarks in Postgres' own text: read from ``max(col)::text``, stored in ``_datakit_state``.

Postgres prints dates and timestamps as ``YYYY-MM-DD HH:MM:SS[.f][+HH[:MM[:SS]]][ BC]`` (ISO
DateStyle) and floats with exponents; :func:`from_postgres_text` turns that into the canonical
:class:`~datakit.watermark.Watermark`, :func:`to_postgres_text` back into text that Postgres
accepts as input and that equals what it printed, so ``_datakit_state``, the load log and the
result line read as before. Rows saved before watermarks were typed (``cursor_type`` holding the
source's type name) are read through :func:`kind_of_postgres_type`: a migration on read.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from datakit.watermark import WATERMARK_KINDS, Watermark, WatermarkKind

_PG_TIME = re.compile(
    r"(?P<year>\d{4,})-(?P<md>\d{2}-\d{2})"
    r"(?: (?P<time>\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?))?"
    r"(?P<offset>[+-]\d{2}(?::\d{2}){0,2})?"
    r"(?P<bc> BC)?"
)
_CANONICAL_TIME = re.compile(
    r"(?P<year>-?\d{4,})-(?P<md>\d{2}-\d{2})"
    r"(?:T(?P<time>\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?))?"
    r"(?P<offset>[+-]\d{2}:\d{2}(?::\d{2})?)?"
)
_UNBOUNDED = {"infinity", "-infinity", "nan"}
_KINDS: dict[str, WatermarkKind] = {
    "smallint": "int",
    "integer": "int",
    "bigint": "int",
    "int2": "int",
    "int4": "int",
    "int8": "int",
    "numeric": "decimal",
    "decimal": "decimal",
    "real": "decimal",
    "double precision": "decimal",
    "float4": "decimal",
    "float8": "decimal",
    "date": "date",
    "timestamp": "timestamp",
    "timestamp without time zone": "timestamp",
    "timestamptz": "timestamptz",
    "timestamp with time zone": "timestamptz",
}


def kind_of_postgres_type(type_name: str) -> WatermarkKind | None:
    """The watermark kind of a Postgres type name (typmods ignored), ``None`` if not a cursor."""
    if type_name in WATERMARK_KINDS:
        return type_name  # type: ignore[return-value]
    return _KINDS.get(re.sub(r"\(\d+(?:,\s*\d+)?\)", "", type_name.strip().lower()))


def _kind_of_text(text: str) -> WatermarkKind:
    """A legacy row's kind from its text alone (its type name was a domain or unknown)."""
    if re.fullmatch(r"-?\d+", text):
        return "int"
    match = _PG_TIME.fullmatch(text)
    if match is None:
        return "decimal"
    if match["offset"]:
        return "timestamptz"
    return "timestamp" if match["time"] else "date"


def from_postgres_text(kind: WatermarkKind | None, text: str) -> Watermark:
    """The canonical watermark for Postgres' text of a value (``kind`` ``None``: by shape)."""
    text = text.strip()
    kind = kind or _kind_of_text(text)
    if text.lower() in _UNBOUNDED or kind == "int":
        return Watermark(kind, text)
    if kind == "decimal":
        try:
            return Watermark(kind, format(Decimal(text), "f"))
        except InvalidOperation:
            raise ValueError(f"{text!r} is not a Postgres number") from None
    match = _PG_TIME.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not a Postgres {kind} in ISO DateStyle")
    year = int(match["year"])
    if match["bc"]:
        year = 1 - year
    out = (f"{year:04d}" if year >= 0 else f"-{-year:04d}") + "-" + match["md"]
    if kind != "date":
        out += "T" + (match["time"] or "00:00:00")
    if kind == "timestamptz":
        offset = match["offset"] or "+00"
        out += offset if len(offset) > 3 else offset + ":00"
    return Watermark(kind, out)


def to_postgres_text(watermark: Watermark) -> str:
    """Postgres' own text for *watermark*: valid input for a cast, equal to what it prints."""
    if watermark.is_unbounded or not watermark.is_time:
        return watermark.text
    match = _CANONICAL_TIME.fullmatch(watermark.text)
    assert match is not None  # Watermark validated its text
    year = int(match["year"])
    bc = year <= 0
    out = f"{1 - year if bc else year:04d}-{match['md']}"
    if match["time"]:
        out += " " + match["time"]
    if offset := match["offset"]:
        out += offset[:3] if offset.endswith(":00") and len(offset) == 6 else offset
    return out + (" BC" if bc else "")


__all__ = ["from_postgres_text", "kind_of_postgres_type", "to_postgres_text"]
