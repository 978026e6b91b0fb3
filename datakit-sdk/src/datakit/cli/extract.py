"""``extract``: load one source table into the bronze layer (the options and the result line)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from datakit.cli.options import (
    RUN_ID_HELP,
    SourceFactoryLoader,
    check_table,
    command_settings,
    split_keys,
)
from datakit.contracts import LOAD_MODES


def _extract_options(command: Callable[..., None]) -> Callable[..., None]:
    """Decorate *command* with extract's options (the job file's table keys, as options)."""
    decorators = [
        click.option(
            "--table",
            required=True,
            callback=check_table,
            help='Source table, e.g. shop.customers or sales."Order Lines".',
        ),
        click.option(
            "--source-name",
            help="Source name used in the bronze table name (default: the source database's name).",
        ),
        click.option(
            "--bronze-schema",
            default="bronze",
            show_default=True,
            help="Bronze schema to load into.",
        ),
        click.option(
            "--target-table",
            help="Bronze table name (default: <source-name>__<table>, or "
            "<source-name>__<schema>__<table> outside the default schema). Never a _datakit_* "
            "name or an existing table Datakit did not create.",
        ),
        click.option(
            "--mode",
            type=click.Choice(LOAD_MODES),
            default="full_refresh",
            show_default=True,
            help="full_refresh replaces the bronze table; append adds every source row (a "
            "retried run id replaces its own rows); incremental loads rows from the --cursor "
            "watermark on.",
        ),
        click.option(
            "--cursor",
            help="Cursor column for incremental loads (required with --mode incremental).",
        ),
        click.option(
            "--primary-key",
            callback=split_keys,
            help="Merge key COL[,COL...] (default: the source's primary key).",
        ),
        click.option(
            "--lookback",
            help="Re-read this much before the watermark: an interval ('2 hours') or a number.",
        ),
        click.option(
            "--on-schema-change",
            type=click.Choice(["evolve", "fail"]),
            default="evolve",
            show_default=True,
            help="When the source's columns changed: evolve adds new columns, keeps dropped "
            "ones and applies safe widenings (anything else exits 5); fail exits 5 on any "
            "change.",
        ),
        click.option("--run-id", help=RUN_ID_HELP),
        click.option(
            "--batch-rows",
            type=click.IntRange(min=1),
            default=50_000,
            show_default=True,
            help="Rows per batch for row-based transfers.",
        ),
    ]
    for decorate in reversed(decorators):
        command = decorate(command)
    return command


def add_extract_command(
    group: click.Group, *, source_type: str, source_factory: SourceFactoryLoader, epilog: str
) -> None:
    """Attach ``extract`` to *group*: one table, one result line with its outcome."""

    @group.command(help="Extract one source table into the bronze layer.", epilog=epilog)
    @_extract_options
    def extract(run_id: str | None, **options: Any) -> None:
        from datakit.operations import ExtractOptions
        from datakit.operations import extract as do_extract
        from datakit.result import emit_result

        if options["mode"] == "incremental" and not options["cursor"]:
            raise click.UsageError("--mode incremental needs --cursor COLUMN")
        settings = command_settings(("source", "warehouse"), run_id=run_id)
        result = do_extract(
            source_type=source_type,
            source_factory=source_factory(),
            settings=settings,
            options=ExtractOptions(**options),
        )
        emit_result(
            {"status": "succeeded", "run_id": settings.run_id, "tables": [result.as_dict()]}
        )


__all__ = ["add_extract_command"]
