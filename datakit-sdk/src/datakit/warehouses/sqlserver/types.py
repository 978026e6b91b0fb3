"""SQL Server bronze types: their spelling, their watermark kind, and how values are bound.

- :func:`spell_type` rebuilds a column's type from ``INFORMATION_SCHEMA.COLUMNS`` exactly as the
  type maps spell it (``decimal(12,2)``, ``nvarchar(max)``, ``datetime2(6)``), so a reload of an
  unchanged table plans no schema change.
- :func:`watermark_from_text` reads ``CONVERT(nvarchar, MAX(col), style)`` into the engine-neutral
  :class:`~datakit.watermark.Watermark`; the warehouse stores that canonical text in its state
  table (SQL Server has no older format to stay compatible with).
- :func:`value_adapter` turns the Python values a source sends into what pyodbc binds exactly:
  pyodbc has no binding for an aware ``datetime`` (datetimeoffset) nor for lists, so those travel
  as ISO-8601 / JSON text that SQL Server converts on insert.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from datakit.watermark import Watermark, WatermarkKind

_LENGTHED = {"varchar", "nvarchar", "char", "nchar", "varbinary", "binary"}
_FRACTION = {"datetime2", "datetimeoffset", "time"}
_EXACT = {"decimal", "numeric"}

_KINDS: dict[str, WatermarkKind] = {
    "tinyint": "int",
    "smallint": "int",
    "int": "int",
    "bigint": "int",
    "decimal": "decimal",
    "numeric": "decimal",
    "money": "decimal",
    "smallmoney": "decimal",
    "float": "decimal",
    "real": "decimal",
    "date": "date",
    "datetime2": "timestamp",
    "datetime": "timestamp",
    "smalldatetime": "timestamp",
    "datetimeoffset": "timestamptz",
}
# CONVERT styles that print a value exactly: ISO-8601 for times, 17 significant digits for floats.
_STYLE_ISO = 126
_STYLE_FLOAT = 3
_STYLE_MONEY = 2
_STYLE_PLAIN = 0
_ISO = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<time>\d{2}:\d{2}:\d{2})(?:\.(?P<frac>\d{1,7}))?)?"
    r"\s*(?P<offset>Z|[+-]\d{2}:\d{2})?"
)


def base_name(type_: str) -> str:
    """``decimal(12,2)`` -> ``decimal``."""
    return type_.split("(", 1)[0].strip().lower()


def spell_type(
    data_type: str,
    char_length: int | None,
    precision: int | None,
    scale: int | None,
    datetime_precision: int | None,
) -> str:
    """The type's spelling from its INFORMATION_SCHEMA parts (``-1`` length is ``max``)."""
    name = data_type.lower()
    if name in _LENGTHED:
        if char_length is None:
            return name
        return f"{name}({'max' if char_length == -1 else char_length})"
    if name in _EXACT:
        return f"{name}({precision},{scale})"
    if name in _FRACTION:
        return f"{name}({datetime_precision})"
    if name == "float" and precision is not None and precision <= 24:
        return "real"
    return name


def watermark_kind(type_: str) -> WatermarkKind | None:
    """The watermark kind of a bronze column type, ``None`` when it cannot be a cursor."""
    return _KINDS.get(base_name(type_))


def convert_style(type_: str) -> int:
    """The CONVERT style that prints values of *type_* exactly (see :func:`watermark_from_text`)."""
    name = base_name(type_)
    if name in ("float", "real"):
        return _STYLE_FLOAT
    if name in ("money", "smallmoney"):
        return _STYLE_MONEY
    return _STYLE_ISO if _KINDS.get(name) in ("date", "timestamp", "timestamptz") else _STYLE_PLAIN


def watermark_from_text(kind: WatermarkKind, text: str) -> Watermark:
    """The canonical watermark of ``CONVERT(nvarchar, value, style)`` output.

    Fractions beyond microseconds (datetime2(7)) are cut, never rounded up: a watermark at or
    below the true maximum rereads at most the boundary rows, which the merge replaces.
    """
    text = text.strip()
    if kind == "int":
        return Watermark(kind, str(int(text)))
    if kind == "decimal":
        value = Decimal(text)
        if not value.is_finite():
            return Watermark(kind, str(value).lower().replace("inf", "infinity"))
        return Watermark(kind, format(value, "f"))
    match = _ISO.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not a SQL Server ISO-8601 {kind}")
    if kind == "date":
        return Watermark(kind, match["date"])
    out = match["date"] + "T" + (match["time"] or "00:00:00")
    fraction = (match["frac"] or "")[:6].rstrip("0")
    if fraction:
        out += "." + fraction
    if kind == "timestamptz":
        offset = match["offset"] or "+00:00"
        out += "+00:00" if offset == "Z" else offset
    return Watermark(kind, out)


def _json_value(value: Any) -> str:
    """JSON text of one (possibly nested) array element, exact numbers kept digit for digit."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else json.dumps(str(value))
    if isinstance(value, float):
        return (
            repr(value) if value == value and abs(value) != float("inf") else json.dumps(str(value))
        )
    if isinstance(value, list | tuple):
        return "[" + ",".join(_json_value(item) for item in value) + "]"
    if isinstance(value, datetime | date | time):
        return json.dumps(value.isoformat())
    if isinstance(value, bytes | bytearray | memoryview):
        return json.dumps("\\x" + bytes(value).hex())
    return json.dumps(str(value), ensure_ascii=False)


def to_json_array(value: list[Any] | tuple[Any, ...]) -> str:
    """A Postgres array as a JSON array (nested arrays nest), the documented nvarchar(max) form."""
    return _json_value(value)


def _aware_text(value: Any) -> Any:
    """ISO-8601 with ``T`` and ``+hh:mm``, the datetimeoffset text SQL Server documents.

    An offset with seconds (historic local mean times) has no datetimeoffset form: the same
    instant is written in UTC instead.
    """
    if isinstance(value, datetime) and value.tzinfo is not None:
        offset = value.utcoffset()
        if offset is not None and offset.total_seconds() % 60:
            value = value.astimezone(UTC)
        return value.isoformat()
    return value


def _generic(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return to_json_array(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, memoryview | bytearray):
        return bytes(value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return _aware_text(value)


def _iso(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return _aware_text(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _finite(value: Any) -> Any:
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        raise ValueError(f"{value} is not a finite number, which SQL Server's float cannot store")
    return value


def value_adapter(type_: str) -> Callable[[Any], Any]:
    """How a value for a bronze column of *type_* is bound (identity where pyodbc binds it).

    Dates and times travel as ISO-8601 text, which SQL Server converts exactly whatever the
    session's language and DATEFORMAT: pyodbc binds ``time`` without its fraction and has no
    binding for an aware ``datetime``.
    """
    name = base_name(type_)
    if name in _TEMPORAL:
        return _iso
    if name in ("float", "real"):
        return _finite
    if name in ("nvarchar", "varchar", "nchar", "char", "uniqueidentifier", "varbinary"):
        return _generic
    return _identity


#: Bytes a value of a fixed-size type takes in an index key.
_KEY_BYTES = {
    "bit": 1,
    "tinyint": 1,
    "smallint": 2,
    "int": 4,
    "bigint": 8,
    "real": 4,
    "float": 8,
    "date": 3,
    "time": 5,
    "datetime": 8,
    "smalldatetime": 4,
    "datetime2": 8,
    "datetimeoffset": 10,
    "uniqueidentifier": 16,
    "decimal": 17,
    "numeric": 17,
}
#: SQL Server's limit for a nonclustered index key.
MAX_INDEX_KEY_BYTES = 1700


def index_key_fits(types: list[str]) -> bool:
    """Whether columns of *types* can together be a nonclustered index key (no ``max``, at
    most 1,700 bytes at their widest)."""
    total = 0
    for type_ in types:
        name = base_name(type_)
        if name in _KEY_BYTES:
            total += _KEY_BYTES[name]
            continue
        args = type_.split("(", 1)[1].rstrip(")") if "(" in type_ else ""
        if name not in ("nvarchar", "nchar", "varchar", "char", "varbinary", "binary"):
            return False
        if not args.isdigit():
            return False
        total += int(args) * (2 if name.startswith("n") else 1)
    return total <= MAX_INDEX_KEY_BYTES


# ODBC SQL type codes (sql.h / sqlext.h; the same numbers as pyodbc's constants).
SQL_WVARCHAR, SQL_WCHAR, SQL_VARBINARY = -9, -8, -3
SQL_BIGINT, SQL_INTEGER, SQL_SMALLINT, SQL_TINYINT, SQL_BIT = -5, 4, 5, -6, -7
SQL_DECIMAL, SQL_DOUBLE, SQL_REAL = 3, 8, 7
_TEMPORAL = {"date", "time", "datetime2", "datetime", "smalldatetime", "datetimeoffset"}
_FIXED_SIZES: dict[str, tuple[int, int, int]] = {
    "bigint": (SQL_BIGINT, 0, 0),
    "int": (SQL_INTEGER, 0, 0),
    "smallint": (SQL_SMALLINT, 0, 0),
    "tinyint": (SQL_TINYINT, 0, 0),
    "bit": (SQL_BIT, 0, 0),
    "float": (SQL_DOUBLE, 0, 0),
    "real": (SQL_REAL, 0, 0),
    "uniqueidentifier": (SQL_WVARCHAR, 36, 0),
    "date": (SQL_WVARCHAR, 16, 0),
    "time": (SQL_WVARCHAR, 20, 0),
    "datetime2": (SQL_WVARCHAR, 40, 0),
    "datetime": (SQL_WVARCHAR, 40, 0),
    "smalldatetime": (SQL_WVARCHAR, 40, 0),
    "datetimeoffset": (SQL_WVARCHAR, 40, 0),
}


def input_size(type_: str) -> tuple[int, int, int]:
    """The ``setinputsizes`` entry (ODBC type, size, digits) for a bronze column of *type_*.

    Declared, not described: ``fast_executemany`` otherwise asks the driver to describe the
    parameters, which fails for the ``#`` stage (error 208) and then binds text as 8-bit
    ``varchar`` (non-ASCII lost) and decimals with the first row's scale. Size 0 is ``max``.
    """
    name = base_name(type_)
    if name in _FIXED_SIZES:
        return _FIXED_SIZES[name]
    args = type_.split("(", 1)[1].rstrip(")").split(",") if "(" in type_ else []
    if name in ("decimal", "numeric"):
        return (SQL_DECIMAL, int(args[0]), int(args[1]) if len(args) > 1 else 0)
    size = 0 if not args or args[0].strip() == "max" else int(args[0])
    if name in ("varbinary", "binary"):
        return (SQL_VARBINARY, size, 0)
    if name in ("nchar", "char"):
        return (SQL_WCHAR, size, 0)
    return (SQL_WVARCHAR, size, 0)


def _identity(value: Any) -> Any:
    return value


__all__ = [
    "base_name",
    "convert_style",
    "index_key_fits",
    "input_size",
    "spell_type",
    "to_json_array",
    "value_adapter",
    "watermark_from_text",
    "watermark_kind",
]
