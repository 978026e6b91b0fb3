"""``discover``: the source's tables, columns, types, keys and cursor candidates as JSON."""

from __future__ import annotations

import click

from datakit.cli.options import SourceFactoryLoader, command_settings


def add_discover_command(
    group: click.Group, *, source_type: str, source_factory: SourceFactoryLoader, epilog: str
) -> None:
    """Attach ``discover [--schema S]`` to *group*."""

    @group.command(
        help="Describe the source's tables, columns, types, keys and cursor candidates as JSON.",
        epilog=epilog,
    )
    @click.option("--schema", help="Only this schema.")
    def discover(schema: str | None) -> None:
        from datakit.discovery import describe_tables
        from datakit.result import emit_result

        settings = command_settings(("source",))
        with source_factory()(settings.require_url("source")) as source:
            tables = source.discover(schema)
        emit_result(
            {"status": "succeeded", "tables": describe_tables(tables, source_type=source_type)}
        )


__all__ = ["add_discover_command"]
