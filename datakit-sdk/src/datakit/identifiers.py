"""Parsing user-written table names (``sales."Order Lines"``) and safe derived names.

Engine-neutral: how unquoted names fold and which schema an unqualified name means come from
the engine's :class:`~datakit.dialect.Dialect`; how names are shown is the dialect's too.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from datakit.contracts import TableRef
from datakit.dialect import Dialect, keep_spelling
from datakit.errors import UsageError

_UNQUOTED = re.compile(r"[^\s.\"]+")


def split_qualified(
    text: str, *, fold: Callable[[str], str] = keep_spelling, option: str = "--table"
) -> list[str]:
    """Split a dotted name where parts may be double-quoted (``""`` escapes a quote).

    Unquoted parts go through *fold* (the engine's: :attr:`Dialect.fold`); quoted parts keep
    their spelling.
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
            parts.append(fold(match.group(0)))
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


def parse_table(text: str, dialect: Dialect, *, option: str = "--table") -> TableRef:
    """``schema.table``, or ``table`` in *dialect*'s default schema, as a :class:`TableRef`.

    Unquoted parts are folded as *dialect*'s engine folds them. An engine without a default
    schema needs ``schema.table`` (a usage error names the option).
    """
    parts = split_qualified(text, fold=dialect.fold, option=option)
    if len(parts) == 1:
        if dialect.default_schema is None:
            raise UsageError(
                f"usage error: {option} {text!r} needs a schema (schema.table): "
                f"{dialect.engine or 'this engine'} has no default schema"
            )
        return TableRef(dialect.default_schema, parts[0])
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


__all__ = ["fit_identifier", "parse_table", "split_qualified"]
