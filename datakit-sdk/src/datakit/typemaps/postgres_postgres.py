"""Postgres source -> Postgres bronze: every built-in type maps to itself.

User-defined enums land as ``text`` and domains as their base type (bronze keeps values, not the
source's constraints); arrays keep their shape with the element mapped the same way; a type with
no faithful counterpart in a fresh warehouse (composites, extension types) lands as ``text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from datakit.contracts import Column
from datakit.typemaps.base import CursorKind, TypeMapping

_TYPE = re.compile(
    r"^(?P<name>[a-z][a-z ]*?)\s*(?:\((?P<args>[0-9, ]+)\))?(?P<rest>(?: with(?:out)? time zone)?)$"
)

# Integer-like types ordered by range: each one holds every value of those before it.
_INTEGER_RANK = {"smallint": 1, "integer": 2, "bigint": 3}
_FLOAT_RANK = {"real": 1, "double precision": 2}
# Types whose only parameter is a precision or length where a larger one holds every old value.
_LENGTHED = {
    "character varying",
    "bit varying",
    "timestamp",
    "time",
    "interval",
    "timestamp with time zone",
    "timestamp without time zone",
    "time with time zone",
    "time without time zone",
}


# Types that order rows by change, as cursors: what a --lookback for them is.
_CURSOR_KINDS: dict[str, CursorKind] = {
    "smallint": "number",
    "integer": "number",
    "bigint": "number",
    "numeric": "number",
    "real": "number",
    "double precision": "number",
    "date": "time",
    "timestamp": "time",
    "timestamp without time zone": "time",
    "timestamp with time zone": "time",
}

# Built-in types whose binary COPY form is lossy: they travel as text. (xml_send drops a
# default <?xml version="1.0"?> declaration that the text form keeps.)
_TRANSPORT_CASTS = {"xml": "text"}


@dataclass(frozen=True)
class _ParsedType:
    name: str
    args: tuple[int, ...]
    array_dims: int


def parse_type(spelled: str) -> _ParsedType:
    """Split ``numeric(12,2)[]`` into name, parameters and array depth."""
    text = spelled.strip().lower()
    dims = 0
    while text.endswith("[]"):
        dims += 1
        text = text[:-2].rstrip()
    match = _TYPE.match(text)
    if not match:
        return _ParsedType(text, (), dims)
    name = (match.group("name").strip() + match.group("rest")).strip()
    args = tuple(int(a) for a in match.group("args").split(",")) if match.group("args") else ()
    return _ParsedType(name, args, dims)


class PostgresToPostgres:
    """The mapping table for the Postgres -> Postgres pair."""

    def map_column(self, column: Column) -> TypeMapping:
        kind = column.type_kind
        if kind == "base":
            return TypeMapping(column.type, source_cast=_TRANSPORT_CASTS.get(column.type))
        if kind in ("enum", "domain") and column.base_type:
            target = column.base_type
            return TypeMapping(
                target, source_cast=target, note=f"{kind} {column.type} kept as {target}"
            )
        if kind == "array" and column.base_type:
            # base_type holds the mapped element type with the array suffix (e.g. text[]).
            return TypeMapping(column.base_type, source_cast=column.base_type)
        return TypeMapping(
            "text",
            source_cast="text",
            faithful=False,
            note=f"{kind} type {column.type} kept as text",
        )

    def cursor_kind(self, column: Column) -> CursorKind | None:
        """Integers, numerics, floats, dates and timestamps (domains over them too) are cursors.

        Enums order by declaration but land as text, so bronze's watermark would order
        differently; ``time`` wraps at midnight; text, uuid and the rest do not order by change.
        """
        if column.type_kind == "base":
            spelled = column.type
        elif column.type_kind == "domain" and column.base_type:
            spelled = column.base_type
        else:
            return None
        parsed = parse_type(spelled)
        return None if parsed.array_dims else _CURSOR_KINDS.get(parsed.name)

    def is_safe_widening(self, old_type: str, new_type: str) -> bool:
        """True when every value of *old_type* is kept exactly by *new_type*."""
        old, new = parse_type(old_type), parse_type(new_type)
        if old == new:
            return True
        if old.array_dims != new.array_dims:
            return False
        if old.name in _INTEGER_RANK and new.name in _INTEGER_RANK:
            return _INTEGER_RANK[new.name] >= _INTEGER_RANK[old.name]
        if old.name in _INTEGER_RANK and new.name == "numeric":
            digits = {"smallint": 5, "integer": 10, "bigint": 19}[old.name]
            return (
                not new.args or (new.args[0] - (new.args[1] if len(new.args) > 1 else 0)) >= digits
            )
        if old.name in _FLOAT_RANK and new.name in _FLOAT_RANK:
            return _FLOAT_RANK[new.name] >= _FLOAT_RANK[old.name]
        if old.name == "numeric" and new.name == "numeric":
            if not new.args:
                return True
            if not old.args:
                return False
            old_scale = old.args[1] if len(old.args) > 1 else 0
            new_scale = new.args[1] if len(new.args) > 1 else 0
            return new_scale >= old_scale and new.args[0] - new_scale >= old.args[0] - old_scale
        if old.name in ("character varying", "text") and new.name == "text":
            return True
        if old.name in _LENGTHED and old.name == new.name:
            return not new.args or (bool(old.args) and new.args[0] >= old.args[0])
        return False


MAPPER = PostgresToPostgres()

__all__ = ["MAPPER", "PostgresToPostgres", "parse_type"]
