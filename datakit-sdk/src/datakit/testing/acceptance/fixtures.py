"""What a source and a warehouse supply to the engine-neutral acceptance suite.

The neutral test classes (:mod:`datakit.testing.acceptance.neutral`) never write engine SQL: they
describe a source table by neutral columns (:class:`Col`), change it through an
:class:`AcceptanceSource` and read bronze back through an :class:`AcceptanceWarehouse`. Each
engine implements the side(s) it can be: Postgres in :mod:`datakit.testing.pg_acceptance`, SQL
Server in :mod:`datakit.testing.sqlserver`, Spark in :mod:`datakit.testing.spark_warehouse`.

Values cross as Python values. :func:`neutral_rows` puts both sides into one comparable form
(decimals by value, instants in UTC, bytes as bytes, JSON parsed, NaN as the string ``"NaN"``),
so a test compares the source and bronze with ``==`` and a failure shows both values.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Protocol

BRONZE = "bronze"
META = ("_datakit_loaded_at", "_datakit_run_id")

#: Neutral column types every source fixture creates and every warehouse fixture names.
NEUTRAL_TYPES = (
    "smallint", "int", "bigint", "decimal(p,s)", "double", "bool", "text", "date", "timestamp",
    "timestamptz", "bytes", "json",
)  # fmt: skip


@dataclass(frozen=True)
class Col:
    """One column of a neutral table spec: *type* is one of :data:`NEUTRAL_TYPES`."""

    name: str
    type: str
    nullable: bool = True
    key: bool = False


class AcceptanceSource(Protocol):
    """A source database the suite can shape: tables from neutral specs, rows as Python values.

    Every table lives in the source's default schema; :meth:`ref` is how ``--table`` names it.
    """

    url: str

    def ref(self, table: str) -> str:
        """The ``--table`` argument for *table* (quoted where the name needs it)."""
        ...

    def type_name(self, neutral: str) -> str:
        """The source's own spelling of a neutral type, as the runner reports it."""
        ...

    def create_table(self, table: str, columns: Sequence[Col]) -> None: ...

    def insert(self, table: str, rows: Iterable[Sequence[Any]]) -> None:
        """Append *rows*, each a value for every current column in order (bulk: many rows)."""
        ...

    def update(
        self, table: str, values: Mapping[str, Any], *, where: str, in_: Sequence[Any]
    ) -> None:
        """Set *values* on the rows whose column *where* is one of *in_*."""
        ...

    def delete(self, table: str, *, where: str, in_: Sequence[Any] | None = None) -> None:
        """Delete the rows whose *where* is in *in_* (every row when *in_* is None)."""
        ...

    def add_column(self, table: str, column: Col) -> None: ...

    def drop_column(self, table: str, name: str) -> None: ...

    def change_type(self, table: str, name: str, neutral: str) -> None:
        """Give column *name* another neutral type, converting the values it holds."""
        ...

    def rows(self, table: str, columns: Sequence[str] | None = None) -> list[tuple[Any, ...]]:
        """Every row (of *columns*, default all) as Python values, in no particular order."""
        ...


class AcceptanceWarehouse(Protocol):
    """A bronze warehouse the suite reads back: rows as typed values, tables, columns, the log."""

    url: str

    def type_name(self, neutral: str) -> str:
        """The bronze type a neutral source type lands as, as the runner reports it."""
        ...

    def rows(
        self, table: str, columns: Sequence[str] | None = None, *, schema: str = BRONZE
    ) -> list[tuple[Any, ...]]:
        """Every row of a bronze table as Python values; *columns* default to all but metadata."""
        ...

    def count(self, table: str, *, schema: str = BRONZE) -> int: ...

    def columns(self, table: str, *, schema: str = BRONZE) -> dict[str, str]:
        """Column name -> bronze type, in table order (metadata columns included)."""
        ...

    def tables(self, *, schema: str = BRONZE) -> list[str]:
        """The bronze tables of *schema* (Datakit's own bookkeeping tables left out)."""
        ...

    def loads(self, table: str, *, schema: str = BRONZE) -> list[tuple[str, str, int | None]]:
        """``(mode, status, rows)`` of every load of *table* recorded in the load log, in order."""
        ...

    def watermark(self, table: str, *, schema: str = BRONZE) -> str | None:
        """The watermark text stored for *table* (None before its first incremental load)."""
        ...


def neutral_value(value: Any, neutral_type: str | None = None) -> Any:
    """One value in the form both sides are compared in (see the module docstring)."""
    if value is None:
        return None
    if neutral_type == "json":
        parsed = json.loads(value) if isinstance(value, str) else value
        return json.dumps(parsed, sort_keys=True)
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, Decimal):
        return value.normalize() if value else Decimal(0)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, date | bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return tuple(neutral_value(item) for item in value)
    return value


def neutral_rows(
    rows: Iterable[Sequence[Any]], types: Sequence[str | None] | None = None
) -> list[tuple[Any, ...]]:
    """*rows* in comparable form (:func:`neutral_value`), sorted: equal lists mean equal tables."""
    out = [
        tuple(neutral_value(v, types[i] if types is not None else None) for i, v in enumerate(row))
        for row in rows
    ]
    return sorted(out, key=lambda row: tuple((v is None, repr(v)) for v in row))


__all__ = [
    "BRONZE",
    "META",
    "NEUTRAL_TYPES",
    "AcceptanceSource",
    "AcceptanceWarehouse",
    "Col",
    "neutral_rows",
    "neutral_value",
]
