"""Runner tasks: what one unit of work is, independent of how it is executed.

A :class:`RunnerTask` says which image to run, with which arguments, which plain environment and
which secret environment (by connection id, never by value). The adapters in
:mod:`datakit_orchestration.adapters` turn the same task into a DockerOperator, a
KubernetesPodOperator or a local subprocess; because all three read this one object, the image,
argv and environment names are equal by construction, and the parity test checks it.

This is the one place where runner command lines are built (the "command builder"), so a change
to the runner contract is one edit here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from datakit_orchestration.platform import PlatformConfig, Resources, RunnerImage
from datakit_orchestration.tenant import TableConfig, TenantConfig

TaskLayer = Literal["provision", "bronze", "silver", "gold", "monitor"]
SecretField = Literal["url", "password"]

#: Plain variables every runner gets. DATAKIT_RUN_ID is the Airflow run id, so a retried task
#: reuses it and an ``append`` load replaces its own rows instead of duplicating them.
RUN_ID_TEMPLATE = "{{ run_id }}"


@dataclass(frozen=True, kw_only=True)
class SecretEnv:
    """An environment variable filled from an Airflow connection when the task executes.

    ``url`` is the connection's URI (what ``DATAKIT_*_URL`` expects), ``password`` its password
    alone (for ``DATAKIT_TENANT_PASSWORD``). Under Kubernetes the same names are keys of the
    Kubernetes Secret named after the connection.
    """

    conn_id: str
    field: SecretField = "url"


@dataclass(frozen=True, kw_only=True)
class RunnerTask:
    """One runner invocation: image + argv + env, plus where and how big it runs."""

    task_id: str
    tenant: str
    layer: TaskLayer
    runner: RunnerImage
    image: str
    argv: tuple[str, ...]
    env: Mapping[str, str]
    secret_env: Mapping[str, SecretEnv]
    resources: Resources
    queue: str
    table: TableConfig | None = None
    description: str = ""

    @property
    def command(self) -> str:
        """The runner CLI (the image's ENTRYPOINT), used as the executable in local mode."""
        return self.runner.command

    @property
    def env_names(self) -> frozenset[str]:
        return frozenset(self.env) | frozenset(self.secret_env)

    @property
    def conn_ids(self) -> frozenset[str]:
        return frozenset(ref.conn_id for ref in self.secret_env.values())


@dataclass(frozen=True)
class TenantTasks:
    """Every runner task of one tenant DAG, in run order."""

    provision: RunnerTask | None
    bronze: tuple[RunnerTask, ...]
    silver: RunnerTask
    gold: RunnerTask
    monitor: RunnerTask | None = None
    all: tuple[RunnerTask, ...] = field(init=False)

    def __post_init__(self) -> None:
        head = (self.provision,) if self.provision else ()
        tail = (self.monitor,) if self.monitor else ()
        object.__setattr__(self, "all", (*head, *self.bronze, self.silver, self.gold, *tail))


def _plain_env(tenant: TenantConfig) -> dict[str, str]:
    return {
        "DATAKIT_TENANT": tenant.tenant,
        "DATAKIT_RUN_ID": RUN_ID_TEMPLATE,
        "DATAKIT_LOG_FORMAT": "json",
    }


def extract_argv(tenant: TenantConfig, table: TableConfig) -> tuple[str, ...]:
    """``extract`` for one table: what to load comes as options, never where or with which secret."""
    argv = [
        "extract",
        "--table",
        table.name,
        "--source-name",
        table.source,
        "--bronze-schema",
        tenant.schema("bronze"),
        "--mode",
        table.mode,
    ]
    if table.cursor:
        argv += ["--cursor", table.cursor]
    if table.primary_key:
        argv += ["--primary-key", ",".join(table.primary_key)]
    if table.lookback is not None:
        argv += ["--lookback", table.lookback]
    if table.on_schema_change:
        argv += ["--on-schema-change", table.on_schema_change]
    return tuple(argv)


def tenant_tasks(tenant: TenantConfig, platform: PlatformConfig) -> TenantTasks:
    """The runner tasks of *tenant*: provision (if the warehouse type has it), bronze, silver, gold."""
    plain = _plain_env(tenant)
    warehouse_url = SecretEnv(conn_id=tenant.warehouse.conn_id)

    provision = None
    provisioning = platform.provisioning.get(tenant.warehouse.type)
    if provisioning is not None:
        provision = RunnerTask(
            task_id="provision",
            tenant=tenant.tenant,
            layer="provision",
            runner=provisioning.runner,
            image=platform.image(provisioning.runner),
            argv=("provision", "--tenant", tenant.tenant),
            env=plain,
            secret_env={
                # An admin creates the tenant's schemas and role; the role's password is the
                # one in the tenant's own warehouse connection, so the two always agree.
                "DATAKIT_WAREHOUSE_URL": SecretEnv(conn_id=provisioning.admin_conn_id),
                "DATAKIT_TENANT_PASSWORD": SecretEnv(
                    conn_id=tenant.warehouse.conn_id, field="password"
                ),
            },
            resources=tenant.resources,
            queue=tenant.queue,
            description=f"Create or repair {tenant.tenant}'s schemas and its role "
            f"{tenant.tenant}_loader (idempotent).",
        )

    bronze = []
    for source in tenant.sources:
        runner = platform.runners[source.type]
        for table in source.tables:
            bronze.append(
                RunnerTask(
                    task_id=table.bronze_table,
                    tenant=tenant.tenant,
                    layer="bronze",
                    runner=runner,
                    image=platform.image(runner),
                    argv=extract_argv(tenant, table),
                    env=plain,
                    secret_env={
                        "DATAKIT_SOURCE_URL": SecretEnv(conn_id=source.conn_id),
                        "DATAKIT_WAREHOUSE_URL": warehouse_url,
                    },
                    resources=table.resources,
                    queue=table.queue,
                    table=table,
                    description=f"{table.mode} {source.name}:{table.name} -> "
                    f"{tenant.schema('bronze')}.{table.bronze_table}",
                )
            )

    def transform(layer: Literal["silver", "gold"], selector: str) -> RunnerTask:
        runner = platform.transform.runner
        return RunnerTask(
            task_id=layer,
            tenant=tenant.tenant,
            layer=layer,
            runner=runner,
            image=platform.image(runner),
            argv=("build", "--project", tenant.transform.project, "--select", selector),
            env=plain,
            secret_env={"DATAKIT_WAREHOUSE_URL": warehouse_url},
            resources=tenant.transform.resources,
            queue=tenant.transform.queue,
            description=f"dbt build (models and tests) of {tenant.schema(layer)}: {selector}",
        )

    monitor = None
    if tenant.alerts is not None and provisioning is not None:
        monitor = RunnerTask(
            task_id="monitor",
            tenant=tenant.tenant,
            layer="monitor",
            runner=provisioning.runner,
            image=platform.image(provisioning.runner),
            argv=monitor_argv(tenant),
            env=plain,
            secret_env={"DATAKIT_WAREHOUSE_URL": warehouse_url},
            resources=tenant.resources,
            queue=tenant.queue,
            description=f"Freshness and volume of {tenant.schema('bronze')}'s tables from "
            "_datakit_loads (status --json), for the alerts task.",
        )

    return TenantTasks(
        provision=provision,
        bronze=tuple(bronze),
        silver=transform("silver", tenant.transform.silver),
        gold=transform("gold", tenant.transform.gold),
        monitor=monitor,
    )


def monitor_argv(tenant: TenantConfig) -> tuple[str, ...]:
    """``status --json`` over the tenant's bronze schema with its alert rules as options.

    Run by the warehouse's provisioning runner (it bundles the SDK, whose ``status`` command
    reads ``_datakit_loads``): this project installs no database driver.
    """
    alerts = tenant.alerts
    assert alerts is not None
    argv = ["status", "--schema", tenant.schema("bronze"), "--json"]
    argv += ["--freshness", alerts.freshness_default]
    for table, window in sorted(alerts.freshness_tables.items()):
        argv += ["--table-freshness", f"{table}={window}"]
    argv += ["--volume-fraction", f"{alerts.volume_fraction:g}"]
    argv += ["--volume-loads", str(alerts.volume_loads)]
    return tuple(argv)
