"""The tenant model: one validated ``include/tenants/<tenant>.yaml`` with platform defaults applied.

Everything downstream (runner tasks, DAGs) reads these frozen objects, never raw YAML, so a
default lives in one place and an invalid file can never reach DAG building.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from datakit_orchestration.naming import bronze_table_name
from datakit_orchestration.platform import PlatformConfig, Resources

LoadMode = Literal["full_refresh", "append", "incremental"]
SchemaChangePolicy = Literal["evolve", "fail"]
Layer = Literal["bronze", "silver", "gold"]


@dataclass(frozen=True, kw_only=True)
class TableConfig:
    """One source table and how it is loaded into bronze."""

    source: str
    source_type: str
    warehouse_type: str
    name: str
    mode: LoadMode
    cursor: str | None
    primary_key: tuple[str, ...]
    lookback: str | None
    on_schema_change: SchemaChangePolicy | None
    resources: Resources
    queue: str

    @property
    def bronze_table(self) -> str:
        """The runner's default target: ``<source>__<table>``, or ``<source>__<schema>__<table>``
        for a schema other than the source's default one (see :mod:`datakit_orchestration.naming`).
        """
        return bronze_table_name(
            self.source, self.source_type, self.name, warehouse_type=self.warehouse_type
        )


@dataclass(frozen=True, kw_only=True)
class Endpoint:
    """Where a connection's database listens (an address or CIDR block, and a TCP port).

    Only the Kubernetes NetworkPolicy uses it: a policy matches addresses, not host names, so the
    tenant file states them rather than the renderer resolving names at render time.
    """

    address: str
    port: int


@dataclass(frozen=True, kw_only=True)
class Quota:
    """The tenant namespace's ResourceQuota; ``None`` fields are derived (see k8s_objects)."""

    cpu: str | None
    memory: str | None
    pods: int | None


@dataclass(frozen=True, kw_only=True)
class SourceConfig:
    name: str
    type: str
    conn_id: str
    tables: tuple[TableConfig, ...]
    endpoint: Endpoint | None = None


@dataclass(frozen=True, kw_only=True)
class WarehouseConfig:
    type: str
    conn_id: str
    endpoint: Endpoint | None = None


@dataclass(frozen=True, kw_only=True)
class TransformConfig:
    project: str
    silver: str
    gold: str
    resources: Resources
    queue: str


@dataclass(frozen=True, kw_only=True)
class WebhookDestination:
    """A webhook whose URL lives in an Airflow connection, an environment variable or a file.

    Only the reference is kept: the URL is a secret (Slack/Teams URLs carry their token) and is
    resolved at send time, never at parse time.
    """

    connection: str | None = None
    env: str | None = None
    file: str | None = None

    @property
    def label(self) -> str:
        """Where the URL comes from, for logs and the demo (never the URL itself)."""
        if self.connection is not None:
            return f"webhook (connection {self.connection})"
        if self.env is not None:
            return f"webhook (env {self.env})"
        return f"webhook (file {self.file})"


@dataclass(frozen=True, kw_only=True)
class EmailDestination:
    """E-mail through Airflow's own SMTP settings (``[smtp]``/``smtp_default``)."""

    to: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"email ({', '.join(self.to)})"


#: Defaults of the ``alerts.events`` block (README "Alerts" explains the volume rule).
DEFAULT_FRESHNESS = "26 hours"
DEFAULT_VOLUME_FRACTION = 0.5
DEFAULT_VOLUME_LOADS = 7


@dataclass(frozen=True, kw_only=True)
class AlertsConfig:
    """The tenant's ``alerts`` block with defaults applied."""

    enabled: bool = True
    destinations: tuple[WebhookDestination | EmailDestination, ...] = ()
    task_failure: bool = True
    dbt_tests: bool = True
    freshness_default: str = DEFAULT_FRESHNESS
    freshness_tables: Mapping[str, str] = field(default_factory=dict)
    volume_fraction: float = DEFAULT_VOLUME_FRACTION
    volume_loads: int = DEFAULT_VOLUME_LOADS

    def freshness(self, bronze_table: str) -> str:
        """The table's own window, else the default."""
        return self.freshness_tables.get(bronze_table, self.freshness_default)


def _alerts(data: Mapping[str, Any] | None) -> AlertsConfig | None:
    if data is None:
        return None
    destinations: list[WebhookDestination | EmailDestination] = []
    for entry in data["destinations"]:
        if "webhook" in entry:
            destinations.append(WebhookDestination(**entry["webhook"]))
        else:
            destinations.append(EmailDestination(to=tuple(entry["email"]["to"])))
    events = data.get("events") or {}
    freshness = events.get("freshness") or {}
    volume = events.get("volume") or {}
    return AlertsConfig(
        enabled=data.get("enabled", True),
        destinations=tuple(destinations),
        task_failure=events.get("task_failure", True),
        dbt_tests=events.get("dbt_tests", True),
        freshness_default=freshness.get("default", DEFAULT_FRESHNESS),
        freshness_tables=dict(freshness.get("tables") or {}),
        volume_fraction=float(volume.get("fraction", DEFAULT_VOLUME_FRACTION)),
        volume_loads=int(volume.get("loads", DEFAULT_VOLUME_LOADS)),
    )


@dataclass(frozen=True, kw_only=True)
class TenantConfig:
    """A tenant, validated, with every default filled in."""

    file: Path
    tenant: str
    description: str | None
    owner: str
    schedule: str | None
    start_date: str
    warehouse: WarehouseConfig
    sources: tuple[SourceConfig, ...]
    transform: TransformConfig
    pool_slots: int
    queue: str
    resources: Resources
    retries: int
    quota: Quota = Quota(cpu=None, memory=None, pods=None)
    alerts: AlertsConfig | None = None

    def schema(self, layer: Layer) -> str:
        """``<tenant>_<layer>``: fixed, because provisioning creates exactly these schemas."""
        return f"{self.tenant}_{layer}"

    @property
    def dag_id(self) -> str:
        return f"warehouse__{self.tenant}"

    @property
    def tables(self) -> tuple[TableConfig, ...]:
        return tuple(table for source in self.sources for table in source.tables)


def _resources(data: Mapping[str, Any] | None, default: Resources) -> Resources:
    data = data or {}
    return Resources(
        cpu=str(data.get("cpu", default.cpu)), memory=data.get("memory", default.memory)
    )


def _endpoint(data: Mapping[str, Any] | None) -> Endpoint | None:
    return None if data is None else Endpoint(address=str(data["address"]), port=data["port"])


def tenant_from_data(
    data: Mapping[str, Any], *, file: Path, platform: PlatformConfig
) -> TenantConfig:
    """Build the model from data that already passed :mod:`datakit_orchestration.validation`."""
    defaults = platform.defaults
    resources = _resources(data.get("resources"), defaults.resources)
    queue = data.get("queue", defaults.queue)
    sources = []
    for source_name, source in data["sources"].items():
        source_resources = _resources(source.get("resources"), resources)
        source_queue = source.get("queue", queue)
        tables = []
        for entry in source["tables"]:
            table: Mapping[str, Any] = {"name": entry} if isinstance(entry, str) else entry
            lookback = table.get("lookback")
            tables.append(
                TableConfig(
                    source=source_name,
                    source_type=source["type"],
                    warehouse_type=data["warehouse"]["type"],
                    name=table["name"],
                    mode=table.get("mode", "full_refresh"),
                    cursor=table.get("cursor"),
                    primary_key=tuple(table.get("primary_key", ())),
                    lookback=None if lookback is None else str(lookback),
                    on_schema_change=table.get("on_schema_change"),
                    resources=_resources(table.get("resources"), source_resources),
                    queue=table.get("queue", source_queue),
                )
            )
        sources.append(
            SourceConfig(
                name=source_name,
                type=source["type"],
                conn_id=source["connection"],
                tables=tuple(tables),
                endpoint=_endpoint(source.get("endpoint")),
            )
        )
    transform = data.get("transform") or {}
    return TenantConfig(
        file=file,
        tenant=data["tenant"],
        description=data.get("description"),
        owner=data.get("owner", defaults.owner),
        schedule=data.get("schedule", defaults.schedule),
        start_date=data.get("start_date", defaults.start_date),
        warehouse=WarehouseConfig(
            type=data["warehouse"]["type"],
            conn_id=data["warehouse"]["connection"],
            endpoint=_endpoint(data["warehouse"].get("endpoint")),
        ),
        sources=tuple(sources),
        transform=TransformConfig(
            project=transform.get("project", platform.transform.project),
            silver=transform.get("silver", platform.transform.silver),
            gold=transform.get("gold", platform.transform.gold),
            resources=_resources(transform.get("resources"), resources),
            queue=transform.get("queue", queue),
        ),
        pool_slots=(data.get("pool") or {}).get("slots", defaults.pool_slots),
        queue=queue,
        resources=resources,
        retries=data.get("retries", defaults.retries),
        quota=Quota(
            cpu=(data.get("quota") or {}).get("cpu"),
            memory=(data.get("quota") or {}).get("memory"),
            pods=(data.get("quota") or {}).get("pods"),
        ),
        alerts=_alerts(data.get("alerts")),
    )
