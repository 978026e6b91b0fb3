"""The ``runner-spark`` command line: the SDK's runner commands over a Postgres source, Spark bronze.

Everything but ``--partitions`` comes from the SDK's ``add_runner_commands`` (same options,
modes, result line, exit codes, logs and ``*_FILE`` secrets as every runner).
"""

from __future__ import annotations

from typing import Any, NoReturn

import click

from datakit.cli.app import run_main, runner_group
from datakit.cli.runner_commands import add_runner_commands
from datakit_runner_spark import __version__


def _source_class() -> type:
    from datakit_runner_spark.source import SparkPostgresSource

    return SparkPostgresSource


def _set_partitions(_ctx: click.Context, _param: click.Parameter, value: int | None) -> None:
    from datakit_runner_spark.options import set_partitions

    set_partitions(value)


def _partitions_option() -> click.Option:
    return click.Option(
        ["--partitions"],
        type=click.IntRange(min=1, max=10_000),
        expose_value=False,
        is_eager=True,
        callback=_set_partitions,
        help="Split each table's JDBC read into N ranges of its key (default: the cluster's "
        "default parallelism).",
    )


def build_cli() -> click.Group:
    """The command group; runner commands are added by the SDK so options and exit codes match."""
    group = runner_group(
        name="runner-spark",
        version=__version__,
        help=(
            "Copy Postgres tables into a Spark bronze layer (Parquet tables in a Hive metastore).\n\n"
            "Connections come from DATAKIT_SOURCE_URL and DATAKIT_WAREHOUSE_URL "
            "(spark+session:///?<spark confs> or sc://host:port; or their *_FILE variants), "
            "never from options."
        ),
    )
    # discover shows the Spark types a load creates (postgres_to_spark), unless
    # DATAKIT_WAREHOUSE_URL names another warehouse.
    add_runner_commands(
        group, source_type="postgres", source_factory=_source_class, warehouse_engine="spark"
    )
    group.commands.pop("provision", None)
    for name in ("extract", "run"):
        command: Any = group.commands[name]
        command.params.append(_partitions_option())
    return group


cli = build_cli()


def main() -> NoReturn:
    run_main(cli)


__all__ = ["build_cli", "cli", "main"]
