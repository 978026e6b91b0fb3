"""``discover``: the source's tables, columns, types, keys and cursor candidates as JSON."""

from __future__ import annotations

import click

from datakit.cli.options import SourceFactoryLoader, command_settings


def add_discover_command(
    group: click.Group,
    *,
    source_type: str,
    source_factory: SourceFactoryLoader,
    epilog: str,
    warehouse_engine: str,
) -> None:
    """Attach ``discover [--schema S]`` to *group*.

    The bronze types shown are those of the warehouse ``DATAKIT_WAREHOUSE_URL`` names (its
    scheme only: nothing connects to it), else of the runner's *warehouse_engine*: a user picks
    cursors and keys here and should see the types a load would create.
    """

    @group.command(
        help="Describe the source's tables, columns, types, keys and cursor candidates as JSON.",
        epilog=epilog,
    )
    @click.option("--schema", help="Only this schema.")
    def discover(schema: str | None) -> None:
        from datakit.discovery import describe_tables
        from datakit.result import emit_result
        from datakit.warehouses.registry import engine_for

        settings = command_settings(("source",))
        engine = engine_for(settings.warehouse_url) if settings.warehouse_url else warehouse_engine
        with source_factory()(settings.require_url("source")) as source:
            tables = source.discover(schema)
        described = describe_tables(tables, source_type=source_type, warehouse_engine=engine)
        emit_result({"status": "succeeded", "warehouse": engine, "tables": described})


__all__ = ["add_discover_command"]
