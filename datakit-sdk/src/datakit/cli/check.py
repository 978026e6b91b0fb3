"""``check``: source and warehouse reachable with these credentials, bronze schema writable."""

from __future__ import annotations

import click

from datakit.cli.options import SourceFactoryLoader, command_settings


def add_check_command(
    group: click.Group, *, source_factory: SourceFactoryLoader, epilog: str
) -> None:
    """Attach ``check [--bronze-schema S]`` to *group*; a schema it cannot write exits 3."""

    @group.command(
        help="Check that source and warehouse are reachable with these credentials.",
        epilog=epilog,
    )
    @click.option(
        "--bronze-schema",
        default="bronze",
        show_default=True,
        help="Bronze schema the runner will write.",
    )
    def check(bronze_schema: str) -> None:
        from datakit.errors import ConfigError
        from datakit.result import emit_result
        from datakit.warehouses.registry import load_warehouse

        settings = command_settings(("source", "warehouse"))
        with source_factory()(settings.require_url("source")) as source:
            source_report = source.check()
        warehouse = load_warehouse(settings.require_url("warehouse"))
        warehouse_report = warehouse.check()
        warehouse_report["can_write_bronze_schema"] = warehouse.can_write_schema(bronze_schema)
        if not warehouse_report["can_write_bronze_schema"]:
            raise ConfigError(
                f"config error: warehouse user {warehouse_report['user']!r} cannot create or write "
                f"schema {bronze_schema!r} (grant CREATE on the database or the schema)"
            )
        emit_result({"status": "succeeded", "source": source_report, "warehouse": warehouse_report})


__all__ = ["add_check_command"]
