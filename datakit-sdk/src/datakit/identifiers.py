"""Parsing user-written table names (``sales."Order Lines"``) and safe derived names."""

from __future__ import annotations

import hashlib
import re

from datakit.contracts import TableRef
from datakit.errors import UsageError

_UNQUOTED = re.compile(r"[^\s.\"]+")


def split_qualified(text: str, *, option: str = "--table") -> list[str]:
    """Split a dotted name where parts may be double-quoted (``""`` escapes a quote).

    Unquoted parts fold to lower case, as Postgres folds them; quoted parts keep their spelling.
    """
    parts: list[str] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i < n and text[i] == '"':
            i += 1
            buf: list[str] = []
            while True:
                if i >= n:
                    raise UsageError(f"usage error: {option} {text!r} has an unterminated quote")
                if text[i] == '"':
                    if i + 1 < n and text[i + 1] == '"':
                        buf.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                buf.append(text[i])
                i += 1
            part = "".join(buf)
            if not part:
                raise UsageError(f"usage error: {option} {text!r} has an empty quoted name")
            parts.append(part)
        else:
            match = _UNQUOTED.match(text, i)
            if not match:
                raise UsageError(
                    f"usage error: {option} {text!r} is not a table name like schema.table"
                )
            parts.append(match.group(0).lower())
            i = match.end()
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            return parts
        if text[i] != ".":
            raise UsageError(
                f"usage error: {option} {text!r} is not a table name like schema.table"
            )
        i += 1


def parse_table(text: str, *, default_schema: str = "public", option: str = "--table") -> TableRef:
    """``schema.table`` or ``table`` (in *default_schema*) as a :class:`TableRef`."""
    parts = split_qualified(text, option=option)
    if len(parts) == 1:
        return TableRef(default_schema, parts[0])
    if len(parts) == 2:
        return TableRef(parts[0], parts[1])
    raise UsageError(
        f"usage error: {option} {text!r} has {len(parts)} parts; expected schema.table"
    )


def fit_identifier(name: str, max_length: int) -> str:
    """Shorten *name* to *max_length* bytes, keeping it unique with a short hash suffix."""
    if len(name.encode("utf-8")) <= max_length:
        return name
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    keep = name
    while len(keep.encode("utf-8")) > max_length - 9:
        keep = keep[:-1]
    return f"{keep}_{digest}"


def quote_name_for_display(part: str) -> str:
    """One name, Postgres-style, quoted only where needed (for messages, not for SQL)."""
    if re.fullmatch(r"[a-z_][a-z0-9_]*", part):
        return part
    return '"' + part.replace('"', '""') + '"'


def quote_for_display(ref: TableRef) -> str:
    """A Postgres-style spelling for messages (not for SQL: SQL goes through the dialect)."""
    return f"{quote_name_for_display(ref.schema)}.{quote_name_for_display(ref.name)}"


__all__ = [
    "fit_identifier",
    "parse_table",
    "quote_for_display",
    "quote_name_for_display",
    "split_qualified",
]
