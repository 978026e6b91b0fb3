"""The ``runner-postgres`` command line: the SDK's runner commands over a Postgres source."""

from __future__ import annotations

from typing import NoReturn

import click

from datakit.cli.app import run_main, runner_group
from datakit.cli.runner_commands import add_runner_commands
from datakit.cli.status import status
from datakit_runner_postgres import __version__


def _source_class() -> type:
    from datakit_runner_postgres.source import PostgresSource

    return PostgresSource


def build_cli() -> click.Group:
    group = runner_group(
        name="runner-postgres",
        version=__version__,
        help=(
            "Copy Postgres tables into a Postgres bronze layer.\n\n"
            "Connections come from DATAKIT_SOURCE_URL and DATAKIT_WAREHOUSE_URL "
            "(or their *_FILE variants), never from options."
        ),
    )
    add_runner_commands(
        group,
        source_type="postgres",
        source_factory=_source_class,
        warehouse_engine="postgres",
        source_env={
            "DATAKIT_PG_READER": "auto, psql or libpq: read the source through a psql child "
            "(auto: when psql is on PATH, except increments the planner expects to be small) "
            "or in-process libpq (default auto)"
        },
    )
    # `status`: the warehouse's load history (datakit.monitoring), for orchestration's alerts.
    group.add_command(status)
    return group


cli = build_cli()


def main() -> NoReturn:
    run_main(cli)


__all__ = ["build_cli", "cli", "main"]
