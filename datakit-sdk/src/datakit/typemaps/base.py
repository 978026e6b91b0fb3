"""The shape every type map has, and the registry that picks one per source/warehouse pair."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from datakit.contracts import Column


@dataclass(frozen=True)
class TypeMapping:
    """How one source column lands in bronze.

    ``source_cast``: the type the source must cast the value to before sending it (``None`` when
    the value travels as it is). ``faithful`` is false when no exact mapping exists and the value
    is kept as text; the protocol logs a warning event for it.
    """

    warehouse_type: str
    source_cast: str | None = None
    faithful: bool = True
    note: str | None = None


#: How a cursor column orders rows, and so what a ``--lookback`` for it is: an interval or a number.
CursorKind = Literal["time", "number"]


class TypeMapper(Protocol):
    def map_column(self, column: Column) -> TypeMapping: ...

    def is_safe_widening(self, old_type: str, new_type: str) -> bool: ...

    def cursor_kind(self, column: Column) -> CursorKind | None:
        """``time`` or ``number`` when the source orders *column* by change, else ``None``.

        ``None`` refuses the column as a cursor: text compares as text ('10' < '9'), and a
        watermark kept in bronze's type must order exactly as the source compares.
        """
        ...


def mapper_for(source: str, warehouse: str) -> TypeMapper:
    """The type map for a pair, from the ``datakit.typemaps`` entry point
    ``<source>_to_<warehouse>``; an unknown pair is a config error naming the known ones."""
    from datakit.plugins import load_plugin, pair_name

    mapper: TypeMapper = load_plugin(
        "datakit.typemaps", pair_name(source, warehouse), what="type map"
    )
    return mapper


__all__ = ["CursorKind", "TypeMapper", "TypeMapping", "mapper_for"]
