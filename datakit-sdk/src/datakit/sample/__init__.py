"""A deterministic retail sample source (schema ``shop``) with a scale factor and daily changes.

Names resolve lazily (PEP 562): ``datakit sample --help`` imports this package without loading
psycopg, which only :mod:`datakit.sample.generator` needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datakit.sample.generator import (
        SampleSize,
        current_day,
        load_sample,
        next_day,
        parse_scale,
        sample_size,
        table_counts,
    )

__all__ = [
    "SampleSize",
    "current_day",
    "load_sample",
    "next_day",
    "parse_scale",
    "sample_size",
    "table_counts",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from datakit.sample import generator

        return getattr(generator, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
