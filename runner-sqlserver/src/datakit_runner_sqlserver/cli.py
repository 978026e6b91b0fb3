"""The ``runner-sqlserver`` command line: the SDK's runner commands over a SQL Server source."""

from __future__ import annotations

from typing import NoReturn

import click

from datakit.cli.app import run_main, runner_group
from datakit.cli.runner_commands import add_runner_commands
from datakit.cli.status import status
from datakit_runner_sqlserver import __version__


def _source_class() -> type:
    from datakit_runner_sqlserver.source import SqlServerSource

    return SqlServerSource


def build_cli() -> click.Group:
    group = runner_group(
        name="runner-sqlserver",
        version=__version__,
        help=(
            "Copy SQL Server tables into a bronze layer.\n\n"
            "Connections come from DATAKIT_SOURCE_URL (mssql://...) and DATAKIT_WAREHOUSE_URL "
            "(or their *_FILE variants), never from options."
        ),
    )
    add_runner_commands(
        group,
        source_type="sqlserver",
        source_factory=_source_class,
        warehouse_engine="postgres",
    )
    # `status`: the warehouse's load history (datakit.monitoring), for orchestration's alerts.
    group.add_command(status)
    return group


cli = build_cli()


def main() -> NoReturn:
    run_main(cli)


__all__ = ["build_cli", "cli", "main"]
