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

The reader uses psycopg only inside :func:`read_history` so the rules import without drivers.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from datakit.contracts import LOADS_TABLE
from datakit.errors import UsageError

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


def bronze_schemas(url: str) -> list[str]:
    """Every schema the role can see that holds a ``_datakit_loads`` table."""
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = %s"
            " ORDER BY table_schema",
            (LOADS_TABLE,),
        ).fetchall()
    return [row[0] for row in rows]


def read_history(url: str, schema: str, *, per_table: int) -> dict[str, list[Load]]:
    """The newest *per_table* loads of each table of *schema*, newest first."""
    import psycopg
    from psycopg import sql

    query = sql.SQL(
        "SELECT table_name, run_id, status, rows, finished_at, error FROM ("
        " SELECT *, row_number() OVER (PARTITION BY table_name ORDER BY finished_at DESC,"
        " load_id DESC) AS n FROM {}) AS recent WHERE n <= %s"
        " ORDER BY table_name, finished_at DESC, load_id DESC"
    ).format(sql.Identifier(schema, LOADS_TABLE))
    history: dict[str, list[Load]] = {}
    with psycopg.connect(url) as conn:
        for table, run_id, status, rows, finished_at, error in conn.execute(query, (per_table,)):
            history.setdefault(table, []).append(
                Load(run_id=run_id, status=status, rows=rows, finished_at=finished_at, error=error)
            )
    return history


def status_report(
    url: str, schemas: Sequence[str], rules: Rules, now: datetime
) -> list[TableStatus]:
    """Every bronze table of *schemas* (all bronze schemas when empty), judged by *rules*."""
    # Enough rows for the volume rule even when failures are interleaved with successes.
    per_table = 2 * (rules.volume_loads + 1) + 10
    report = []
    for schema in schemas or bronze_schemas(url):
        for table, loads in sorted(read_history(url, schema, per_table=per_table).items()):
            report.append(judge(schema, table, loads, rules, now))
    return report


__all__ = [
    "DEFAULT_FRESHNESS",
    "DEFAULT_VOLUME_FRACTION",
    "DEFAULT_VOLUME_LOADS",
    "MIN_HISTORY",
    "Load",
    "Rules",
    "TableStatus",
    "bronze_schemas",
    "format_age",
    "judge",
    "parse_window",
    "read_history",
    "status_report",
]
