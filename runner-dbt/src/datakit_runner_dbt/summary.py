"""The result object's run summary, made from dbt's run results (``run_results.json``'s data).

The orchestrator reads it from XCom: counts by status for a dashboard and the failures with
dbt's own messages, so an on-call engineer does not need the logs to know which test failed and
why. One entry per node for drilling in is kept out of the line (``--result-detail`` puts it back,
``--result-file`` writes it to a file): for the reference project it was ~25 KB per run.
"""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace
from typing import Any

MAX_MESSAGE_CHARS = 2000
LINE_MESSAGE_CHARS = 500
LINE_MAX_FAILURES = 10


_OPERATION = SimpleNamespace(
    name="run-operation", unique_id="run-operation", resource_type="operation"
)


def summarise(run_result: Any) -> dict[str, Any]:
    """Counts by status, per-node results and failures from a ``RunExecutionResult``."""
    nodes: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    for result in getattr(run_result, "results", None) or []:
        # A run-operation's result (RunResultOutput) has no node: it stands for the operation.
        node = getattr(result, "node", None) or _OPERATION
        status = _value(result.status)
        counts[status] += 1
        response = result.adapter_response or {}
        entry: dict[str, Any] = {
            "name": node.name,
            "unique_id": node.unique_id,
            "resource_type": _value(node.resource_type),
            "status": status,
            "rows_affected": response.get("rows_affected"),
            "seconds": round(float(result.execution_time or 0.0), 3),
        }
        if result.failures:
            entry["failures"] = result.failures
        nodes.append(entry)
        if status in ("error", "fail", "runtime error"):
            failures.append(
                {
                    "name": node.name,
                    "unique_id": node.unique_id,
                    "resource_type": entry["resource_type"],
                    "status": status,
                    "failures": result.failures,
                    "message": _clip(result.message),
                }
            )
    return {
        "counts": dict(sorted(counts.items())),
        "nodes": nodes,
        "failures": failures,
        "elapsed_seconds": round(float(getattr(run_result, "elapsed_time", 0.0) or 0.0), 3),
    }


def result_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """What the result line keeps: counts, elapsed time and the failures, without per-node detail.

    Bounded for XCom: at most ``LINE_MAX_FAILURES`` failures with messages clipped to
    ``LINE_MESSAGE_CHARS`` (``failures_omitted`` counts the rest); each keeps its name, id, type,
    status and failing row count. ``--result-detail`` or ``--result-file`` give everything.
    """
    failures = summary["failures"]
    kept = [
        {**failure, "message": _clip(failure["message"], LINE_MESSAGE_CHARS)}
        for failure in failures[:LINE_MAX_FAILURES]
    ]
    short = {
        "counts": summary["counts"],
        "failures": kept,
        "elapsed_seconds": summary["elapsed_seconds"],
    }
    if len(failures) > LINE_MAX_FAILURES:
        short["failures_omitted"] = len(failures) - LINE_MAX_FAILURES
    return short


def _value(item: Any) -> str:
    return str(getattr(item, "value", item))


def _clip(message: Any, limit: int = MAX_MESSAGE_CHARS) -> str | None:
    if message is None:
        return None
    text = " ".join(str(message).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


__all__ = ["result_summary", "summarise"]
