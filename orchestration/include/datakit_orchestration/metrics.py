"""Load metrics as StatsD, from each extract task's result line (rows, seconds, status, lag).

Why StatsD and not OpenTelemetry: Airflow supports both, but StatsD is one UDP datagram per
value with no client library, no collector protocol and nothing that can block or fail a task
(a missing listener loses packets, nothing more); a Prometheus ``statsd_exporter``, Datadog or
an OpenTelemetry Collector (its ``statsdreceiver``) turns it into whatever the platform uses.
OpenTelemetry would add an SDK and an OTLP endpoint to every worker for the same numbers.

Names follow plain StatsD (no tag extension), one series per tenant and bronze table::

    datakit.load.<tenant>.<table>.rows            gauge   rows of the load
    datakit.load.<tenant>.<table>.seconds         timer   load duration (ms)
    datakit.load.<tenant>.<table>.<status>        counter succeeded | failed
    datakit.load.<tenant>.<table>.watermark_lag   gauge   seconds between now and the watermark
                                                          (time cursors only)

Sent only when ``DATAKIT_STATSD_HOST`` is set in the worker's environment
(``DATAKIT_STATSD_PORT``, default 8125; ``DATAKIT_STATSD_PREFIX``, default ``datakit``). The same
numbers are in ``_datakit_loads`` for anyone without a metrics stack (README "Metrics").
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger(__name__)


def _lag_seconds(watermark: Any, now: datetime) -> float | None:
    if not isinstance(watermark, str):
        return None
    try:
        moment = datetime.fromisoformat(watermark)
    except ValueError:
        return None  # a numeric cursor: no time lag
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round((now - moment).total_seconds(), 3)


def load_metrics(
    tenant: str, result: Mapping[str, Any] | None, *, task_table: str, failed: bool, now: datetime,
    prefix: str = "datakit",
) -> list[str]:  # fmt: skip
    """StatsD lines for one extract task's result (a failure without result: the counter only)."""
    tables = list((result or {}).get("tables") or [])
    if not tables:
        tables = [{"target": task_table, "status": "failed" if failed else "succeeded"}]
    lines = []
    for entry in tables:
        table = str(entry.get("target") or task_table).split(".")[-1]
        base = f"{prefix}.load.{tenant}.{table}"
        status = (
            "failed" if failed or entry.get("status") not in ("ok", "succeeded") else "succeeded"
        )
        lines.append(f"{base}.{status}:1|c")
        if not failed:
            if isinstance(entry.get("rows"), int):
                lines.append(f"{base}.rows:{entry['rows']}|g")
            if isinstance(entry.get("seconds"), (int, float)):
                lines.append(f"{base}.seconds:{round(entry['seconds'] * 1000)}|ms")
            lag = _lag_seconds(entry.get("watermark"), now)
            if lag is not None:
                lines.append(f"{base}.watermark_lag:{lag:g}|g")
    return lines


def send(lines: list[str], environ: Mapping[str, str] = os.environ) -> bool:
    """One datagram per line to ``DATAKIT_STATSD_HOST``; False when metrics are off."""
    host = environ.get("DATAKIT_STATSD_HOST")
    if not host or not lines:
        return False
    port = int(environ.get("DATAKIT_STATSD_PORT", "8125"))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for line in lines:
            sock.sendto(line.encode(), (host, port))
    return True


def metrics_callback(
    tenant: str, table: str, *, failed: bool
) -> Callable[[Mapping[str, Any]], None]:
    """An on_success/on_failure callback of a bronze task: its result line as StatsD."""

    def callback(context: Mapping[str, Any]) -> None:
        if not os.environ.get("DATAKIT_STATSD_HOST"):
            return
        try:
            ti = context["ti"]
            result = None if failed else ti.xcom_pull(task_ids=ti.task_id)
            prefix = os.environ.get("DATAKIT_STATSD_PREFIX", "datakit")
            send(
                load_metrics(
                    tenant, result, task_table=table, failed=failed, now=datetime.now(UTC),
                    prefix=prefix,
                )
            )  # fmt: skip
        except Exception as exc:  # metrics never fail a task
            log.warning("metrics not sent: %s", exc)

    return callback


__all__ = ["load_metrics", "metrics_callback", "send"]
