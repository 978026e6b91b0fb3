"""The result object's run summary, made from dbt's run results (``run_results.json``'s data).

The orchestrator reads it from XCom: counts by status for a dashboard, one entry per node for
drilling in, and the failures with dbt's own messages so an on-call engineer does not need the
logs to know which test failed and why.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

MAX_MESSAGE_CHARS = 2000


def summarise(run_result: Any) -> dict[str, Any]:
    """Counts by status, per-node results and failures from a ``RunExecutionResult``."""
    nodes: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    for result in getattr(run_result, "results", None) or []:
        node = result.node
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


def _value(item: Any) -> str:
    return str(getattr(item, "value", item))


def _clip(message: Any) -> str | None:
    if message is None:
        return None
    text = " ".join(str(message).split())
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 3] + "..."


__all__ = ["summarise"]
