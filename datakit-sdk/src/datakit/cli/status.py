"""``datakit status``: each bronze table's last load, freshness, row trend and last failure,
and the last silver/gold build with its tests (``_datakit_builds``, written by runner-dbt).

Reads the warehouse's ``_datakit_loads`` (``DATAKIT_WAREHOUSE_URL``, never argv) through the
warehouse engine's history reader (its plug-in's ``history_reader`` hook: Postgres and SQL Server
have one; any other engine is "not supported", exit 3) and applies :mod:`datakit.monitoring`'s
rules. A terminal table by default; ``--json`` prints one result
line (``{"status": "ok", "tables": [...]}``) like every runner, so orchestration's alert check
reads the same verdict a person sees. ``--html FILE`` also writes the page of
:mod:`datakit.status_html`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from datakit.cli.environment import COMMON, env_epilog
from datakit.monitoring import (
    DEFAULT_FRESHNESS,
    DEFAULT_VOLUME_FRACTION,
    DEFAULT_VOLUME_LOADS,
    LastBuild,
    Rules,
    TableStatus,
    format_age,
)

if TYPE_CHECKING:
    from datakit.monitoring import HistoryReader


def render_table(report: list[TableStatus]) -> str:
    """The terminal form: one line per table, problems in the last column."""
    header = ("schema", "table", "last load (UTC)", "rows", "age/window", "rows trend", "problems")
    lines = [header]
    for item in report:
        problems = []
        if item.stale:
            problems.append("STALE")
        if item.volume_anomaly:
            problems.append(f"LOW VOLUME (median {item.volume_median:g})")
        if item.last_failure_at is not None:
            problems.append(
                f"last failure {item.last_failure_at[:16]} run {item.last_failure_run_id}"
            )
        lines.append(
            (
                item.schema,
                item.table,
                "-" if item.last_load_at is None else item.last_load_at[:16].replace("T", " "),
                "-" if item.last_rows is None else str(item.last_rows),
                f"{format_age(item.age_seconds)}/{format_age(item.freshness_seconds)}",
                " ".join(str(rows) for rows in item.rows_trend),
                "; ".join(problems) or "ok",
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def render_builds(builds: list[LastBuild]) -> str:
    """The last build of each selection (silver, gold): status, tests and the failing ones."""
    header = ("schema", "selection", "command", "finished (UTC)", "status", "tests", "failing")
    lines = [header]
    for build in builds:
        failing = "; ".join(
            f"{f.get('name')} ({f.get('failures') or 0} rows)" for f in build.failures
        )
        lines.append(
            (
                build.schema,
                build.selection or "(all)",
                build.command,
                build.finished_at[:16].replace("T", " "),
                build.status,
                f"{build.tests_passed} passed, {build.tests_failed} failed",
                failing or "-",
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def _windows(value: tuple[str, ...]) -> dict[str, str]:
    windows = {}
    for entry in value:
        table, sep, window = entry.partition("=")
        if not sep or not table:
            raise click.BadParameter(f"{entry!r} is not TABLE=WINDOW (e.g. shop__orders='2 hours')")
        windows[table] = window
    return windows


def _schemas(reader: HistoryReader, asked: tuple[str, ...]) -> list[str]:
    """The schemas to report: *asked* (each must hold a load history), else every one."""
    from datakit.errors import ConfigError

    known = reader.bronze_schemas()
    missing = [schema for schema in asked if schema not in known]
    if missing:
        raise ConfigError(
            f"config error: --schema {missing[0]!r} has no _datakit_loads this role can read "
            f"(schemas with a load history: {', '.join(known) or 'none'})"
        )
    return list(asked) or known


def _write_html(
    reader: HistoryReader,
    path: Path,
    report: list[TableStatus],
    builds: list[LastBuild],
    now: datetime,
) -> None:
    """The HTML page with each reported table's load series (``--html FILE``)."""
    from datakit.status_html import HISTORY_LOADS, render_html, write_private

    series = {
        (schema, table): points
        for schema in sorted({item.schema for item in report})
        for table, points in reader.read_series(schema, per_table=HISTORY_LOADS).items()
    }
    write_private(path, render_html(report, series, now, builds))


def _html_target(value: str) -> Path:
    """Check ``--html FILE`` before reading anything: an existing folder, not a folder itself."""
    from datakit.errors import UsageError

    path = Path(value)
    if path.is_dir():
        raise UsageError(f"usage error: --html {value!r} is a directory, not a file")
    if not path.parent.is_dir():
        raise UsageError(
            f"usage error: --html {value!r}: folder {str(path.parent)!r} does not exist"
        )
    return path


@click.command(name="status", epilog=env_epilog(["DATAKIT_WAREHOUSE_URL", *COMMON]))
@click.option(
    "--schema",
    "schemas",
    multiple=True,
    metavar="SCHEMA",
    help="A bronze schema (repeatable); default every schema holding _datakit_loads.",
)
@click.option(
    "--freshness",
    default=DEFAULT_FRESHNESS,
    show_default=True,
    metavar="WINDOW",
    help="Stale when the last successful load is older: '<n> minutes|hours|days'.",
)
@click.option(
    "--table-freshness",
    multiple=True,
    metavar="TABLE=WINDOW",
    help="A bronze table's own window, e.g. shop__orders='2 hours' (repeatable).",
)
@click.option(
    "--volume-fraction",
    type=click.FloatRange(0, 1, min_open=True),
    default=DEFAULT_VOLUME_FRACTION,
    show_default=True,
    help="The fraction of the rule rows < fraction x median(last N loads).",
)
@click.option(
    "--volume-loads",
    type=click.IntRange(3, 100),
    default=DEFAULT_VOLUME_LOADS,
    show_default=True,
    help="N of the rule rows < fraction x median(last N loads).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON result line instead of a table.")
@click.option(
    "--html",
    "html_file",
    metavar="FILE",
    default=None,
    help="Also write the report as one self-contained HTML page with charts (mode 0600).",
)
def status(
    schemas: tuple[str, ...],
    freshness: str,
    table_freshness: tuple[str, ...],
    volume_fraction: float,
    volume_loads: int,
    as_json: bool,
    html_file: str | None,
) -> None:
    """Each bronze table's last load, its age against the freshness window, the trend of its
    row counts and its last failure, from the warehouse's _datakit_loads; and the last build of
    each dbt selection (silver, gold) with its test results, from _datakit_builds."""
    from datakit.cli.options import command_settings
    from datakit.monitoring import history_reader_for, parse_window, status_report
    from datakit.result import emit_result

    rules = Rules(
        freshness=parse_window(freshness),
        table_freshness={t: parse_window(w) for t, w in _windows(table_freshness).items()},
        volume_fraction=volume_fraction,
        volume_loads=volume_loads,
    )
    html_path = None if html_file is None else _html_target(html_file)
    settings = command_settings(("warehouse",))
    reader = history_reader_for(settings.require_url("warehouse"))
    chosen = _schemas(reader, schemas)
    now = datetime.now(UTC)
    report = status_report(reader, chosen, rules, now)
    builds = [build for schema in chosen for build in reader.last_builds(schema)]
    if html_path is not None:
        _write_html(reader, html_path, report, builds, now)
    if as_json:
        emit_result(
            {
                "status": "ok",
                "command": "status",
                "tables": [item.as_json() for item in report],
                "builds": [build.as_json() for build in builds],
                **({} if html_path is None else {"html": str(html_path)}),
            }
        )
    else:
        click.echo(render_table(report) if report else "no loads recorded")
        if builds:
            click.echo("\n" + render_builds(builds))


__all__ = ["render_builds", "render_table", "status"]
