"""The ``runner-spark`` command line: the SDK's runner commands over a Postgres source, Spark bronze."""

from __future__ import annotations

from typing import NoReturn

import click

from datakit.cli import run_main, runner_group
from datakit_runner_spark import __version__


def build_cli() -> click.Group:
    """The command group; runner commands are added by the SDK so options and exit codes match."""
    group = runner_group(
        name="runner-spark",
        version=__version__,
        help=(
            "Copy Postgres tables into a Spark bronze layer (Parquet tables in a Hive metastore).\n\n"
            "Connections come from DATAKIT_SOURCE_URL and DATAKIT_WAREHOUSE_URL "
            "(or their *_FILE variants), never from options."
        ),
    )
    return group


cli = build_cli()


def main() -> NoReturn:
    run_main(cli)


__all__ = ["build_cli", "cli", "main"]
