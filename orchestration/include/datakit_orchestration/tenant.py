"""The tenant model: one validated ``include/tenants/<tenant>.yaml`` with platform defaults applied.

Everything downstream (runner tasks, DAGs) reads these frozen objects, never raw YAML, so a
default lives in one place and an invalid file can never reach DAG building.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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
    )
