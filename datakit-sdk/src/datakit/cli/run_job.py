"""``run --job``: extract every table of a job file, a failed table not stopping the others."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from datakit.cli.options import RUN_ID_HELP, SourceFactoryLoader, command_settings

if TYPE_CHECKING:
    from datakit.errors import DatakitError
    from datakit.job import Job
    from datakit.operations import ExtractOptions


def job_tables(job: Job) -> list[ExtractOptions]:
    """Each job entry as extract's options, the job's source name and bronze schema included."""
    from datakit.operations import ExtractOptions

    return [
        ExtractOptions.from_mapping(
            entry.table,
            {"source_name": job.source_name, "bronze_schema": job.bronze_schema, **entry.options},
        )
        for entry in job.tables
    ]


def emit_job_result(run_id: str, results: list[dict[str, Any]], error: DatakitError | None) -> None:
    """One result line for the job; with a failed table, exit with the first failure's code."""
    from datakit.cli.app import log_failure
    from datakit.result import emit_result

    summary: dict[str, Any] = {
        "status": "failed" if error else "succeeded",
        "run_id": run_id,
        "rows": sum(r.get("rows", 0) for r in results),
        "tables": results,
    }
    if error is None:
        emit_result(summary)
        return
    log_failure(error.kind, error.message, error.exit_code)
    summary["error"] = {"kind": error.kind, "message": error.message, "exit_code": error.exit_code}
    emit_result(summary)
    raise click.exceptions.Exit(error.exit_code)


def add_run_command(
    group: click.Group, *, source_type: str, source_factory: SourceFactoryLoader, epilog: str
) -> None:
    """Attach ``run --job FILE [--parallel N]`` to *group*."""

    @group.command(
        help="Run a job file: extract many tables with bounded parallelism.", epilog=epilog
    )
    @click.option(
        "--job",
        "job_file",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="Job YAML file.",
    )
    @click.option(
        "--parallel",
        type=click.IntRange(min=1, max=64),
        default=None,
        help="Tables loaded at once (default: the job's, else 4).",
    )
    @click.option("--run-id", help=RUN_ID_HELP)
    def run(job_file: Path, parallel: int | None, run_id: str | None) -> None:
        from datakit.job import load_job
        from datakit.operations import run_job

        job = load_job(job_file)
        settings = command_settings(("source", "warehouse"), run_id=run_id)
        results, error = run_job(
            source_type=source_type,
            source_factory=source_factory(),
            settings=settings,
            tables=job_tables(job),
            parallel=parallel or job.parallel or 4,
        )
        emit_job_result(settings.run_id, results, error)


__all__ = ["add_run_command", "emit_job_result", "job_tables"]
