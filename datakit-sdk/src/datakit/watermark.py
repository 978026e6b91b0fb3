"""The engine-neutral watermark: a typed value that crosses from the warehouse to the source.

The warehouse reads the greatest cursor value it loaded and hands the Loader a
:class:`Watermark`; the source renders it in its own dialect (with the lookback) when it reads
the next increment. Neither side sees the other's SQL, so a SQL Server source can read a
watermark a Postgres warehouse saved, and a Postgres source one that Spark saved.

The text is canonical per kind, exact and independent of any session setting:

========== ==================================================================================
kind       text
========== ==================================================================================
int        ``-?digits`` (``-42``)
decimal    ``-?digits[.digits]``, no exponent, scale kept (``12345.6700``); floats too
date       ISO-8601 ``YYYY-MM-DD``, astronomical years (1 BC is ``0000``, 44 BC ``-0043``)
timestamp  ``YYYY-MM-DDTHH:MM:SS[.ffffff]``, no offset
timestamptz as timestamp plus the offset it was read with: ``+HH:MM`` or ``+HH:MM:SS``
========== ==================================================================================

``infinity``, ``-infinity`` and ``NaN`` are representable for the kinds that have them, so the
load protocol can refuse them with a data-contract error naming the value (see ``load.guards``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

WatermarkKind = Literal["int", "decimal", "date", "timestamp", "timestamptz"]
WATERMARK_KINDS: tuple[WatermarkKind, ...] = get_args(WatermarkKind)
TIME_KINDS: frozenset[str] = frozenset({"date", "timestamp", "timestamptz"})

_DATE = r"-?\d{4,}-\d{2}-\d{2}"
_TIME = r"T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?"
_CANONICAL = {
    "int": re.compile(r"-?(?:0|[1-9]\d*)"),
    "decimal": re.compile(r"-?\d+(?:\.\d+)?"),
    "date": re.compile(_DATE),
    "timestamp": re.compile(_DATE + _TIME),
    "timestamptz": re.compile(_DATE + _TIME + r"[+-]\d{2}:\d{2}(?::\d{2})?"),
}
_UNBOUNDED = {
    "int": frozenset(),
    "decimal": frozenset({"infinity", "-infinity", "nan"}),
    "date": frozenset({"infinity", "-infinity"}),
    "timestamp": frozenset({"infinity", "-infinity"}),
    "timestamptz": frozenset({"infinity", "-infinity"}),
}


@dataclass(frozen=True)
class Watermark:
    """The greatest cursor value a committed incremental load has seen, as a typed value."""

    kind: WatermarkKind
    text: str

    def __post_init__(self) -> None:
        if self.kind not in _CANONICAL:
            raise ValueError(f"watermark kind {self.kind!r} is not one of {WATERMARK_KINDS}")
        if self.text.lower() in _UNBOUNDED[self.kind]:
            return
        if not _CANONICAL[self.kind].fullmatch(self.text):
            raise ValueError(f"{self.text!r} is not a canonical {self.kind} watermark")

    @property
    def is_time(self) -> bool:
        """Whether a lookback for this watermark is an interval (else a number)."""
        return self.kind in TIME_KINDS

    @property
    def is_unbounded(self) -> bool:
        """``infinity``/``NaN``: a watermark no later row can pass."""
        return self.text.lower() in _UNBOUNDED[self.kind]

    def __str__(self) -> str:
        return self.text


__all__ = ["TIME_KINDS", "WATERMARK_KINDS", "Watermark", "WatermarkKind"]
