"""After a build: one row in ``<bronze>._datakit_builds`` with its tests and who ran it.

The SDK's Postgres warehouse owns the table (:mod:`datakit.warehouses.postgres.builds`); this
module turns a dbt outcome into its row. Postgres only: the SQL Server and Spark targets have
no build history yet (their builds still print the same result line). A row that cannot be
written is a ``build_not_recorded`` warning, never a failed build: the models are built by then.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from datakit.secrets import mask_text
from datakit.settings import RunnerSettings

#: dbt verbs that change the warehouse or test it; compile and ls are not builds.
RECORDED_VERBS = frozenset({"build", "run", "test", "snapshot", "seed"})
_FAILED = frozenset({"fail", "error", "runtime error"})


def selection(select: tuple[str, ...], exclude: tuple[str, ...]) -> str:
    """The selection as it was asked for: ``--select tag:silver`` (``""``: everything)."""
    parts = [f"--select {' '.join(select)}"] if select else []
    parts += [f"--exclude {' '.join(exclude)}"] if exclude else []
    return " ".join(parts)


def test_counts(summary: dict[str, Any]) -> tuple[int, int]:
    """(passed, failed) tests of a run summary; a warning counts as passed, skipped as neither."""
    tests = [node for node in summary.get("nodes", []) if node["resource_type"] == "test"]
    failed = sum(1 for node in tests if node["status"] in _FAILED)
    passed = sum(1 for node in tests if node["status"] in ("pass", "warn"))
    return passed, failed


def record(
    outcome: Any,
    settings: RunnerSettings,
    summary: dict[str, Any],
    *,
    select: tuple[str, ...],
    exclude: tuple[str, ...],
    logger: Any,
) -> bool:
    """Write the build's row when the warehouse is Postgres; whether a row was written."""
    if outcome.target.adapter_type != "postgres":
        return False
    try:
        import psycopg

        from datakit.warehouses.postgres.builds import BuildRecord, record_build
    except ImportError as exc:  # an image without psycopg 3: say so, keep the build's result
        logger.warning("build_not_recorded", reason=f"{exc} (install datakit-sdk[postgres])")
        return False
    from datakit.errors import DatakitError

    error = outcome.error()
    passed, failed = test_counts(summary)
    row = BuildRecord(
        run_id=settings.run_id,
        command=outcome.request.command,
        selection=selection(select, exclude),
        status="succeeded" if error is None else "failed",
        started_at=datetime.now(UTC) - timedelta(seconds=outcome.seconds),
        seconds=outcome.seconds,
        tests_passed=passed,
        tests_failed=failed,
        counts=summary.get("counts", {}),
        failures=[
            {k: f.get(k) for k in ("name", "resource_type", "status", "failures")}
            for f in summary.get("failures", [])
        ],
        error=None if error is None else mask_text(error.message)[:2000],
    )
    try:
        record_build(settings.require_url("warehouse"), outcome.schemas.bronze, row)
    except (DatakitError, OSError, psycopg.Error) as exc:
        logger.warning("build_not_recorded", reason=mask_text(" ".join(str(exc).split())))
        return False
    return True


__all__ = ["RECORDED_VERBS", "record", "selection", "test_counts"]
