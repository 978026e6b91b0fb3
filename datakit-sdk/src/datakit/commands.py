"""The runner CLI commands (``extract``, ``run``, ``check``, ``discover``) every runner shares.

Heavy modules (drivers, the load protocol) are imported inside the commands, so ``--help`` and
``--version`` stay fast.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

from datakit.cli_env import COMMON, KERBEROS, TIMEOUTS, env_epilog
from datakit.contracts import LOAD_MODES

SourceFactoryLoader = Callable[[], Any]
_TENANT = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _settings(require: tuple[str, ...]) -> Any:
    from datakit.logging import bind_run, register_secrets
    from datakit.settings import RunnerSettings

    settings = RunnerSettings.from_env(require=require)  # type: ignore[arg-type]
    register_secrets(settings.secrets())
    bind_run(tenant=settings.tenant, run_id=settings.run_id)
    return settings


def _split_keys(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> tuple[str, ...] | None:
    if value is None:
        return None
    keys = tuple(part.strip() for part in value.split(",") if part.strip())
    if not keys:
        raise click.BadParameter("give one or more column names separated by commas")
    return keys


def _check_table(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """A malformed ``--table`` is a usage error (2), found before the environment is read."""
    from datakit.errors import UsageError
    from datakit.identifiers import parse_table

    try:
        parse_table(value)
    except UsageError as exc:
        raise click.BadParameter(exc.message.removeprefix("usage error: ")) from None
    return value


_CONNECT_ENV = ("DATAKIT_SOURCE_URL", "DATAKIT_WAREHOUSE_URL", *COMMON, *TIMEOUTS, *KERBEROS)
# A load also records the image it ran in (datakit.audit).
_LOAD_ENV = (*_CONNECT_ENV, "DATAKIT_IMAGE")
_LOAD_TUNING = ("DATAKIT_READ_AHEAD_BATCHES", "DATAKIT_PROGRESS_INTERVAL_SECONDS")


def add_runner_commands(
    group: click.Group,
    *,
    source_type: str,
    source_factory: SourceFactoryLoader,
    source_env: Mapping[str, str] | None = None,
) -> None:
    """Attach the shared commands to *group*; *source_factory* returns the Source class lazily.

    *source_env* names the variables the runner's source reads itself (variable -> meaning), so
    that ``extract --help`` and ``run --help`` list them with the SDK's.
    """
    runner_env = dict(source_env or {})
    load_epilog = env_epilog([*_LOAD_ENV, *_LOAD_TUNING, *runner_env], runner_env)

    @group.command(help="Extract one source table into the bronze layer.", epilog=load_epilog)
    @click.option(
        "--table",
        required=True,
        callback=_check_table,
        help='Source table, e.g. shop.customers or sales."Order Lines".',
    )
    @click.option(
        "--source-name",
        help="Source name used in the bronze table name (default: the source database's name).",
    )
    @click.option(
        "--bronze-schema", default="bronze", show_default=True, help="Bronze schema to load into."
    )
    @click.option(
        "--target-table",
        help="Bronze table name (default: <source-name>__<table>, or "
        "<source-name>__<schema>__<table> outside the default schema). Never a _datakit_* name "
        "or an existing table Datakit did not create.",
    )
    @click.option(
        "--mode",
        type=click.Choice(LOAD_MODES),
        default="full_refresh",
        show_default=True,
        help="full_refresh replaces the bronze table; append adds every source row (a retried "
        "run id replaces its own rows); incremental loads rows from the --cursor watermark on.",
    )
    @click.option(
        "--cursor", help="Cursor column for incremental loads (required with --mode incremental)."
    )
    @click.option(
        "--primary-key",
        callback=_split_keys,
        help="Merge key COL[,COL...] (default: the source's primary key).",
    )
    @click.option(
        "--lookback",
        help="Re-read this much before the watermark: an interval ('2 hours') or a number.",
    )
    @click.option(
        "--on-schema-change",
        type=click.Choice(["evolve", "fail"]),
        default="evolve",
        show_default=True,
        help="When the source's columns changed: evolve adds new columns, keeps dropped ones "
        "and applies safe widenings (anything else exits 5); fail exits 5 on any change.",
    )
    @click.option("--run-id", help="Run id (default: DATAKIT_RUN_ID, else a fresh id).")
    @click.option(
        "--batch-rows",
        type=click.IntRange(min=1),
        default=50_000,
        show_default=True,
        help="Rows per batch for row-based transfers.",
    )
    def extract(run_id: str | None, **options: Any) -> None:
        from datakit.result import emit_result
        from datakit.runner import ExtractOptions
        from datakit.runner import extract as do_extract

        if options["mode"] == "incremental" and not options["cursor"]:
            raise click.UsageError("--mode incremental needs --cursor COLUMN")
        if run_id:
            os.environ["DATAKIT_RUN_ID"] = run_id
        settings = _settings(("source", "warehouse"))
        result = do_extract(
            source_type=source_type,
            source_factory=source_factory(),
            settings=settings,
            options=ExtractOptions(**options),
        )
        emit_result(
            {"status": "succeeded", "run_id": settings.run_id, "tables": [result.as_dict()]}
        )

    @group.command(
        help="Run a job file: extract many tables with bounded parallelism.", epilog=load_epilog
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
    @click.option("--run-id", help="Run id (default: DATAKIT_RUN_ID, else a fresh id).")
    def run(job_file: Path, parallel: int | None, run_id: str | None) -> None:
        from datakit.job import load_job
        from datakit.result import emit_result
        from datakit.runner import ExtractOptions, run_job

        job = load_job(job_file)
        if run_id:
            os.environ["DATAKIT_RUN_ID"] = run_id
        settings = _settings(("source", "warehouse"))
        tables = [
            ExtractOptions.from_mapping(
                entry.table,
                {
                    "source_name": job.source_name,
                    "bronze_schema": job.bronze_schema,
                    **entry.options,
                },
            )
            for entry in job.tables
        ]
        results, error = run_job(
            source_type=source_type,
            source_factory=source_factory(),
            settings=settings,
            tables=tables,
            parallel=parallel or job.parallel or 4,
        )
        status = "failed" if error else "succeeded"
        summary = {
            "status": status,
            "run_id": settings.run_id,
            "rows": sum(r.get("rows", 0) for r in results),
            "tables": results,
        }
        if error is not None:
            from datakit.cli import log_failure

            log_failure(error.kind, error.message, error.exit_code)
            summary["error"] = {
                "kind": error.kind,
                "message": error.message,
                "exit_code": error.exit_code,
            }
            emit_result(summary)
            raise click.exceptions.Exit(error.exit_code)
        emit_result(summary)

    @group.command(
        help="Check that source and warehouse are reachable with these credentials.",
        epilog=env_epilog([*_CONNECT_ENV, *runner_env], runner_env),
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

        settings = _settings(("source", "warehouse"))
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

    @group.command(
        help="Create a tenant's schemas and its own warehouse role (idempotent).\n\n"
        "DATAKIT_WAREHOUSE_URL must be an administrator's (it creates a role); the role's "
        "password comes from DATAKIT_TENANT_PASSWORD or DATAKIT_TENANT_PASSWORD_FILE, never "
        "from an option.",
        epilog=env_epilog(
            ["DATAKIT_WAREHOUSE_URL", "DATAKIT_TENANT_PASSWORD", *COMMON, *TIMEOUTS, *KERBEROS]
        ),
    )
    @click.option(
        "--tenant",
        required=True,
        help="Tenant id: schemas <tenant>_bronze/_silver/_gold, role <tenant>_loader.",
    )
    def provision(tenant: str) -> None:
        from datakit.errors import ConfigError
        from datakit.logging import get_logger, register_secrets
        from datakit.result import emit_result
        from datakit.settings import read_secret
        from datakit.warehouses.registry import engine_for, warehouse_class

        if not _TENANT.match(tenant):
            raise click.BadParameter(
                "lowercase letters, digits and _, starting with a letter, at most 40",
                param_hint="--tenant",
            )
        settings = _settings(("warehouse",))
        found = read_secret(os.environ, "DATAKIT_TENANT_PASSWORD")
        if found is None:
            raise ConfigError(
                "config error: DATAKIT_TENANT_PASSWORD is not set "
                "(set it or DATAKIT_TENANT_PASSWORD_FILE)"
            )
        password = found[0]
        register_secrets((password,))
        url = settings.require_url("warehouse")
        # Provisioning is the engine's: its warehouse class offers provision_tenant, or not.
        provision_tenant = getattr(warehouse_class(url), "provision_tenant", None)
        if provision_tenant is None:
            raise ConfigError(
                f"config error: the {engine_for(url)} warehouse ({url.scheme}) does not provision "
                "tenants"
            )
        report = provision_tenant(url, tenant=tenant, password=password)
        get_logger().info("tenant_provisioned", **report.as_dict())
        emit_result({"status": "succeeded", **report.as_dict()})

    @group.command(
        help="Describe the source's tables, columns, types, keys and cursor candidates as JSON.",
        epilog=env_epilog(
            ["DATAKIT_SOURCE_URL", *COMMON, *TIMEOUTS, *KERBEROS, *runner_env], runner_env
        ),
    )
    @click.option("--schema", help="Only this schema.")
    def discover(schema: str | None) -> None:
        from datakit.discovery import describe_tables
        from datakit.result import emit_result

        settings = _settings(("source",))
        with source_factory()(settings.require_url("source")) as source:
            tables = source.discover(schema)
        emit_result(
            {"status": "succeeded", "tables": describe_tables(tables, source_type=source_type)}
        )


__all__ = ["add_runner_commands"]
