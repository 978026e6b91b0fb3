"""One Airflow DAG per tenant: ``warehouse__<tenant>``.

Shape: ``provision`` (schemas and role, idempotent) -> ``bronze`` task group (one extract per
table, parallel up to the tenant's pool) -> ``silver`` -> ``gold`` (runner-dbt builds and tests
each layer). Every bronze task declares an Airflow Asset for its bronze table and ``silver``
consumes them, so lineage shows which tables feed a tenant's silver layer, and downstream DAGs
can be scheduled on ``<tenant>_gold``.

Tenant files and the platform file are read and validated once per parse (:func:`build_dags`),
not once per DAG. A broken tenant file only removes that tenant's DAG; its problems surface as
an Airflow import error through ``dags/tenant_config_errors.py`` (see
:func:`raise_for_broken_tenants` for why that lives in a separate file).
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from datakit_orchestration.adapters import TaskAdapter, adapter_for, execution_mode
from datakit_orchestration.deployments import DeploymentConfigError, tenant_locations
from datakit_orchestration.errors import PlatformConfigError, TenantConfigError, display_path
from datakit_orchestration.platform import PlatformConfig, load_platform
from datakit_orchestration.tasks import RunnerTask, tenant_tasks
from datakit_orchestration.tenant import TableConfig, TenantConfig
from datakit_orchestration.validation import TenantCatalog, load_tenants

if TYPE_CHECKING:
    from airflow.sdk import DAG, Asset

log = logging.getLogger(__name__)

#: Each retry waits twice as long as the one before (60 s, 120 s, 240 s ... up to the maximum).
RETRY_BACKOFF_MULTIPLIER = 2.0


def bronze_asset(tenant: TenantConfig, table: TableConfig) -> Asset:
    """The Asset of one bronze table, named like the table: ``acme_bronze.erp__customers``."""
    from airflow.sdk import Asset

    schema = tenant.schema("bronze")
    return Asset(
        name=f"{schema}.{table.bronze_table}",
        uri=f"x-datakit://{tenant.warehouse.conn_id}/{schema}/{table.bronze_table}",
        group="datakit-bronze",
        extra={"tenant": tenant.tenant, "source": table.source, "table": table.name},
    )


def layer_asset(tenant: TenantConfig, layer: str) -> Asset:
    """A whole silver or gold layer (dbt builds it as one unit)."""
    from airflow.sdk import Asset

    schema = tenant.schema(layer)  # type: ignore[arg-type]
    return Asset(
        name=schema,
        uri=f"x-datakit://{tenant.warehouse.conn_id}/{schema}",
        group=f"datakit-{layer}",
        extra={"tenant": tenant.tenant},
    )


def _doc(tenant: TenantConfig, platform: PlatformConfig, mode: str) -> str:
    tables = "\n".join(
        f"| `{t.source}` | `{t.name}` | {t.mode} | `{tenant.schema('bronze')}.{t.bronze_table}` |"
        for t in tenant.tables
    )
    return (
        f"# Warehouse of tenant `{tenant.tenant}`\n\n"
        f"{tenant.description or ''}\n\n"
        f"Built from `{display_path(tenant.file)}` (platform: `{display_path(platform.file)}`), "
        f"execution mode `{mode}`, pool `{platform.pool_name(tenant.tenant)}` "
        f"({tenant.pool_slots} slots).\n\n"
        "| source | table | mode | bronze table |\n|---|---|---|---|\n"
        f"{tables}\n"
    )


def build_tenant_dag(tenant: TenantConfig, platform: PlatformConfig, adapter: TaskAdapter) -> DAG:
    """The DAG of one validated tenant, with operators from *adapter*."""
    from airflow.sdk import DAG, TaskGroup

    tasks = tenant_tasks(tenant, platform)
    defaults = platform.defaults
    default_args: dict[str, Any] = {
        "owner": tenant.owner,
        "retries": tenant.retries,
        "retry_delay": timedelta(seconds=defaults.retry_delay_seconds),
        "retry_exponential_backoff": RETRY_BACKOFF_MULTIPLIER,
        "max_retry_delay": timedelta(seconds=defaults.max_retry_delay_seconds),
        "execution_timeout": timedelta(seconds=defaults.execution_timeout_seconds),
        "pool": platform.pool_name(tenant.tenant),
    }
    if tenant.alerts is not None:
        from datakit_orchestration.alerts import failure_callback

        # Airflow calls it only when a task fails for good (after its last retry).
        default_args["on_failure_callback"] = failure_callback(tenant.tenant, tenant.alerts)

    def operator(task: RunnerTask, **kwargs: Any) -> Any:
        return adapter.operator(task, task_id=task.task_id, **kwargs)

    with DAG(
        dag_id=tenant.dag_id,
        description=tenant.description or f"Warehouse of tenant {tenant.tenant}",
        schedule=tenant.schedule,
        start_date=datetime.fromisoformat(tenant.start_date).replace(tzinfo=UTC),
        catchup=False,
        max_active_runs=1,
        default_args=default_args,
        tags=["datakit", f"tenant:{tenant.tenant}", f"execution:{adapter.mode}"],
        doc_md=_doc(tenant, platform, adapter.mode),
    ) as dag:
        provision = operator(tasks.provision) if tasks.provision else None
        bronze_assets = []
        with TaskGroup("bronze", tooltip="one extract per source table, in parallel") as bronze:
            for task in tasks.bronze:
                assert task.table is not None
                asset = bronze_asset(tenant, task.table)
                bronze_assets.append(asset)
                operator(task, outlets=[asset], **_metrics_callbacks(tenant, task, default_args))
        silver = operator(
            tasks.silver, inlets=bronze_assets, outlets=[layer_asset(tenant, "silver")]
        )
        gold = operator(
            tasks.gold,
            inlets=[layer_asset(tenant, "silver")],
            outlets=[layer_asset(tenant, "gold")],
        )
        if provision is not None:
            provision >> bronze
        bronze >> silver >> gold
        if tasks.monitor is not None and tenant.alerts is not None:
            _alert_tasks(tenant, operator(tasks.monitor, trigger_rule="all_done"), gold)
    return dag


def _metrics_callbacks(
    tenant: TenantConfig, task: RunnerTask, default_args: Mapping[str, Any]
) -> dict[str, Any]:
    """StatsD after each extract (metrics.py; off unless DATAKIT_STATSD_HOST is set)."""
    from datakit_orchestration.metrics import metrics_callback

    assert task.table is not None
    table = task.table.bronze_table
    on_failure = [metrics_callback(tenant.tenant, table, failed=True)]
    if "on_failure_callback" in default_args:
        on_failure.insert(0, default_args["on_failure_callback"])
    return {
        "on_success_callback": metrics_callback(tenant.tenant, table, failed=False),
        "on_failure_callback": on_failure,
    }


def _alert_tasks(tenant: TenantConfig, monitor: Any, gold: Any) -> None:
    """``monitor`` (status --json) then ``alerts`` after gold, whatever happened before.

    ``all_done``: a failed load is exactly when freshness matters. Neither task alerts on its
    own failure (an alert about the alerting would go to the same place that just failed).
    """
    from airflow.providers.standard.operators.python import PythonOperator

    from datakit_orchestration.alerts import check_callable

    assert tenant.alerts is not None
    check = PythonOperator(
        task_id="alerts",
        python_callable=check_callable(tenant.tenant, tenant.alerts),
        trigger_rule="all_done",
        retries=0,
        on_failure_callback=None,
    )
    monitor.on_failure_callback = None
    gold >> monitor >> check


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while DAGs are built.

    A parse creates thousands of long-lived objects (operators, assets, task groups) and almost
    no garbage; the collector's generation passes over them grow with the heap and cost a third
    of the build time at 100 tenants. The parse process is short-lived and the previous state is
    restored afterwards, so nothing accumulates.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_dags(
    environ: Mapping[str, str] = os.environ,
    *,
    platform_file: Path | None = None,
    tenants_dir: Path | None = None,
) -> dict[str, DAG]:
    """Every valid tenant's DAG by dag_id. Broken tenant files are logged and skipped."""
    platform = load_platform(platform_file)
    adapter = adapter_for(execution_mode(environ), platform=platform)
    # $DATAKIT_DEPLOYMENT: only that deployment's tenant files are read (see deployments.py).
    catalog = load_tenants(platform, tenant_locations(environ, tenants_dir=tenants_dir))
    for file, problems in catalog.problems.items():
        log.error(
            "tenant file %s skipped (%d problems); see dags/tenant_config_errors.py import error",
            display_path(file),
            len(problems),
        )
    with _gc_paused():
        return {
            tenant.dag_id: build_tenant_dag(tenant, platform, adapter)
            for tenant in catalog.tenants.values()
        }


def raise_for_broken_tenants(
    *, platform_file: Path | None = None, tenants_dir: Path | None = None
) -> TenantCatalog | None:
    """Raise :class:`TenantConfigError` listing every problem of every broken tenant file.

    Called from its own DAG file, which defines no DAG. Airflow 3 records an import error per
    *Python file* and marks every DAG of an erroring file as stale, so raising in the file that
    builds the tenants' DAGs would hide the valid tenants too; a separate file carries the error
    alone. A broken platform file is left to ``dags/warehouse.py``, where it stops everything.
    """
    try:
        platform = load_platform(platform_file)
    except PlatformConfigError:
        return None
    try:
        locations = tenant_locations(tenants_dir=tenants_dir)
    except DeploymentConfigError:  # like a broken platform file: warehouse.py reports it
        return None
    catalog = load_tenants(platform, locations)
    if catalog.problems:
        raise TenantConfigError(catalog.all_problems)
    return catalog
