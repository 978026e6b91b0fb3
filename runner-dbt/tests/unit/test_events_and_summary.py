"""dbt events folded into structlog, and run results summarised for the result line."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import structlog

from datakit.logging import get_logger
from datakit_runner_dbt.events import EventFolder
from datakit_runner_dbt.summary import summarise


def _event(name: str, level: str = "info", msg: str = "", **data: Any) -> Any:
    return SimpleNamespace(
        info=SimpleNamespace(name=name, level=level, msg=msg), data=SimpleNamespace(**data)
    )


def test_node_results_become_node_finished_events_with_numbers() -> None:
    node = SimpleNamespace(
        node_name="fct_orders", resource_type="model", node_status="success",
        node_started_at="2024-01-01T00:00:00", node_finished_at="2024-01-01T00:00:01.5",
    )  # fmt: skip
    folder = EventFolder(logger=get_logger(tenant="acme", run_id="r1"))

    with structlog.testing.capture_logs() as logs:
        folder(_event("LogModelResult", node_info=node))

    assert logs == [
        {
            "event": "node_finished", "log_level": "info", "tenant": "acme", "run_id": "r1",
            "node": "fct_orders", "resource_type": "model", "status": "success", "seconds": 1.5,
        }
    ]  # fmt: skip


def test_warnings_and_errors_keep_dbt_text_and_other_events_stay_quiet() -> None:
    folder = EventFolder(logger=get_logger())

    with structlog.testing.capture_logs() as logs:
        folder(_event("SomeWarning", "warn", "careful"))
        folder(_event("MainEncounteredError", "error", "Compilation Error in model x"))
        folder(_event("WritingManifest", "debug", "noise"))
        folder(_event("JinjaLogInfo", "info", "datakit_check {}"))

    assert [(log["event"], log.get("message")) for log in logs] == [
        ("dbt_warned", "careful"),
        ("dbt_errored", "Compilation Error in model x"),
    ]
    assert folder.texts() == ["Compilation Error in model x"]
    assert folder.kept == [("JinjaLogInfo", "datakit_check {}")]


def test_a_broken_event_never_breaks_the_run() -> None:
    EventFolder(logger=get_logger())(object())


@dataclass
class _Result:
    node: Any
    status: Any
    execution_time: float
    adapter_response: dict[str, Any] = field(default_factory=dict)
    message: str | None = None
    failures: int | None = None


def _node(name: str, kind: str) -> Any:
    return SimpleNamespace(name=name, unique_id=f"{kind}.warehouse.{name}", resource_type=kind)


def test_summary_counts_statuses_and_lists_failures_with_messages() -> None:
    run = SimpleNamespace(
        elapsed_time=2.25,
        results=[
            _Result(_node("fct_orders", "model"), SimpleNamespace(value="success"), 1.0,
                    {"rows_affected": 12}),
            _Result(_node("unique_fct_orders_order_id", "test"), SimpleNamespace(value="fail"),
                    0.2, message="Got 2 results, configured to fail if != 0", failures=2),
            _Result(_node("not_null_x", "test"), SimpleNamespace(value="pass"), 0.1),
        ],
    )  # fmt: skip

    summary = summarise(run)

    assert summary["counts"] == {"fail": 1, "pass": 1, "success": 1}
    assert summary["elapsed_seconds"] == 2.25
    assert summary["nodes"][0]["rows_affected"] == 12
    assert summary["failures"] == [
        {
            "name": "unique_fct_orders_order_id", "unique_id": "test.warehouse.unique_fct_orders_order_id",
            "resource_type": "test", "status": "fail", "failures": 2,
            "message": "Got 2 results, configured to fail if != 0",
        }
    ]  # fmt: skip
