"""Type mapping tables, one module per source -> warehouse pair."""

from __future__ import annotations

from datakit.typemaps.base import TypeMapper, TypeMapping, mapper_for

__all__ = ["TypeMapper", "TypeMapping", "mapper_for"]
