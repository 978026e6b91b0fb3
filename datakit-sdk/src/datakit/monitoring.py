"""Freshness and volume rules over the load history (``<bronze>._datakit_loads``).

Every runner records each load (``succeeded`` or ``failed``, rows, watermark, times) in the
bronze schema's ``_datakit_loads``. This module reads that history and judges each bronze table
with two documented rules, so ``datakit status``, orchestration's alert check and anyone with
``psql`` reach the same verdict:

- **freshness**: the table is *stale* when its last successful load finished longer ago than
  its window (a table never loaded successfully is stale too);
- **volume**: the last successful load is *anomalous* when
  ``rows < fraction * median(rows of the N successful loads before it)``; judged only with at
  least :data:`MIN_HISTORY` earlier loads (a new table has no "usual" yet). Incremental loads
  count changed rows, so a quiet day on a small table can trip it: raise ``N`` or lower the
  fraction for such tables.

The rules are engine-neutral. Reading the history is the warehouse engine's: its warehouse class
offers ``history_reader(url)`` (a :class:`HistoryReader`); an engine without one gets a clear
"not supported" (exit 3) from :func:`history_reader_for`, never a driver error.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from datakit.errors import ConfigError, UsageError

if TYPE_CHECKING:
    from datakit.settings import DatabaseUrl

#: Fewest earlier successful loads before the volume rule judges a load.
MIN_HISTORY = 3
DEFAULT_FRESHNESS = "26 hours"
DEFAULT_VOLUME_FRACTION = 0.5
DEFAULT_VOLUME_LOADS = 7

_WINDOW = re.compile(r"^\s*([0-9]+)\s*(minutes?|hours?|days?)\s*$")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}


def format_age(seconds: int | None) -> str:
    """An age or window for people: ``45m``, ``26.0h``, ``3.5d``, or ``never``."""
    if seconds is None:
        return "never"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 172800:
        return f"{seconds / 3600:.1f}h"
    return f"{seconds / 86400:.1f}d"


def parse_window(text: str) -> timedelta:
    """``"26 hours"``, ``"2 days"``, ``"30 minutes"`` -> timedelta; anything else is a usage error."""
    match = _WINDOW.match(text)
    if match is None:
        raise UsageError(
            f"usage error: freshness window {text!r} is not '<number> minutes|hours|days'"
        )
    return timedelta(seconds=int(match[1]) * _UNITS[match[2].rstrip("s")])


@dataclass(frozen=True, kw_only=True)
class Load:
    """One row of ``_datakit_loads`` (the columns the rules need)."""

    run_id: str
    status: str
    rows: int | None
    finished_at: datetime
    error: str | None = None


@dataclass(frozen=True, kw_only=True)
class LoadPoint:
    """One successful load on the HTML page's charts: when it finished, its rows and seconds."""

    finished_at: datetime
    rows: int
    seconds: float


@dataclass(frozen=True, kw_only=True)
class LastBuild:
    """The newest build of one dbt selection (``_datakit_builds``), for ``datakit status``."""

    schema: str
    selection: str
    command: str
    run_id: str
    status: str
    finished_at: str
    seconds: float | None
    tests_passed: int
    tests_failed: int
    failures: list[dict[str, Any]]
    run_by: str | None
    runner: str | None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@runtime_checkable
class HistoryReader(Protocol):
    """What ``datakit status`` reads from a warehouse; each engine's package implements it.

    Every method reads only (no lock a load would wait for) and opens its own connection.
    """

    def bronze_schemas(self) -> list[str]:
        """Every schema the role can see that holds a ``_datakit_loads`` table, sorted."""
        ...

    def read_history(self, schema: str, *, per_table: int) -> dict[str, list[Load]]:
        """The newest *per_table* loads of each table of *schema*, newest first."""
        ...

    def read_series(self, schema: str, *, per_table: int) -> dict[str, list[LoadPoint]]:
        """The newest *per_table* successful loads of each table of *schema*, oldest first."""
        ...

    def last_builds(self, schema: str) -> list[LastBuild]:
        """The newest build of each selection in *schema* (none where builds are not kept)."""
        ...


def history_reader_for(url: DatabaseUrl) -> HistoryReader:
    """The warehouse engine's load-history reader for *url* (exit 3 when it has none)."""
    from datakit.warehouses.registry import engine_for, warehouse_class

    hook = getattr(warehouse_class(url), "history_reader", None)
    if hook is None:
        raise ConfigError(
            f"config error: datakit status is not supported for the {engine_for(url)} warehouse "
            f"({url.scheme}): its warehouse plug-in has no load-history reader"
        )
    reader = hook(url)
    if not isinstance(reader, HistoryReader):
        raise ConfigError(
            f"config error: the {engine_for(url)} warehouse's history_reader does not fill "
            "datakit.monitoring.HistoryReader"
        )
    return reader


@dataclass(frozen=True, kw_only=True)
class Rules:
    """The thresholds: a default freshness window, per-table windows, the volume rule."""

    freshness: timedelta = field(default_factory=lambda: parse_window(DEFAULT_FRESHNESS))
    table_freshness: Mapping[str, timedelta] = field(default_factory=dict)
    volume_fraction: float = DEFAULT_VOLUME_FRACTION
    volume_loads: int = DEFAULT_VOLUME_LOADS


@dataclass(frozen=True, kw_only=True)
class TableStatus:
    """One bronze table's verdict; ``asdict`` of it is the ``--json`` form."""

    schema: str
    table: str
    last_load_at: str | None
    last_run_id: str | None
    last_rows: int | None
    age_seconds: int | None
    freshness_seconds: int
    stale: bool
    rows_trend: list[int]
    volume_median: float | None
    volume_anomaly: bool
    last_failure_at: str | None
    last_failure_run_id: str | None
    last_failure_error: str | None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def judge(
    schema: str, table: str, loads: Sequence[Load], rules: Rules, now: datetime
) -> TableStatus:
    """Apply the freshness and volume rules to one table's loads (newest first)."""
    window = rules.table_freshness.get(table, rules.freshness)
    succeeded = [load for load in loads if load.status == "succeeded"]
    failed = next((load for load in loads if load.status != "succeeded"), None)
    last = succeeded[0] if succeeded else None
    earlier = [load.rows for load in succeeded[1 : rules.volume_loads + 1] if load.rows is not None]
    median = statistics.median(earlier) if len(earlier) >= MIN_HISTORY else None
    anomaly = (
        last is not None
        and last.rows is not None
        and median is not None
        and last.rows < rules.volume_fraction * median
    )
    age = None if last is None else int((now - last.finished_at).total_seconds())
    trend = [load.rows or 0 for load in reversed(succeeded[: rules.volume_loads + 1])]
    return TableStatus(
        schema=schema,
        table=table,
        last_load_at=None if last is None else last.finished_at.isoformat(),
        last_run_id=None if last is None else last.run_id,
        last_rows=None if last is None else last.rows,
        age_seconds=age,
        freshness_seconds=int(window.total_seconds()),
        stale=age is None or age > window.total_seconds(),
        rows_trend=trend,
        volume_median=median,
        volume_anomaly=anomaly,
        last_failure_at=None if failed is None else failed.finished_at.isoformat(),
        last_failure_run_id=None if failed is None else failed.run_id,
        last_failure_error=None if failed is None else failed.error,
    )


def status_report(
    reader: HistoryReader, schemas: Sequence[str], rules: Rules, now: datetime
) -> list[TableStatus]:
    """Every bronze table of *schemas* (all bronze schemas when empty), judged by *rules*."""
    # Enough rows for the volume rule even when failures are interleaved with successes.
    per_table = 2 * (rules.volume_loads + 1) + 10
    report = []
    for schema in schemas or reader.bronze_schemas():
        for table, loads in sorted(reader.read_history(schema, per_table=per_table).items()):
            report.append(judge(schema, table, loads, rules, now))
    return report


__all__ = [
    "DEFAULT_FRESHNESS",
    "DEFAULT_VOLUME_FRACTION",
    "DEFAULT_VOLUME_LOADS",
    "MIN_HISTORY",
    "HistoryReader",
    "LastBuild",
    "Load",
    "LoadPoint",
    "Rules",
    "TableStatus",
    "format_age",
    "history_reader_for",
    "judge",
    "parse_window",
    "status_report",
]
