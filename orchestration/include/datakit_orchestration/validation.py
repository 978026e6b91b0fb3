"""Tenant file validation: the published JSON Schema, then the rules a schema cannot express.

Every problem of every file is collected (not just the first), each located as
``file:line path: message``. The same function serves the CI command
(``python -m datakit_orchestration.validate``) and DAG parsing, so what CI accepts is exactly
what Airflow builds.

Semantic rules:

- the ``tenant`` id equals the file name, so one tenant has exactly one file;
- a tenant names only its own connections (``<tenant>_...``): a typo cannot point a DAG at
  another customer's database;
- ``incremental`` needs a ``cursor``; ``cursor`` and ``lookback`` mean nothing in other modes;
- every source type has a runner in the platform file, and that runner can write the tenant's
  warehouse type;
- queues exist in the platform file;
- the schedule is a valid cron expression or an Airflow preset;
- no two tables land in the same bronze table;
- an alert webhook's connection is the tenant's own, and a per-table freshness window names one
  of the tenant's bronze tables;
- an ``endpoint`` address is an IP address or CIDR block, and a ``quota`` holds the tenant's
  largest task with its xcom sidecar (:func:`datakit_orchestration.k8s_objects.tenant_problems`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from datakit_orchestration import paths
from datakit_orchestration._schema import locate, schema_problems
from datakit_orchestration._yaml import YamlDocument, YamlError, parse_yaml
from datakit_orchestration.errors import Problem
from datakit_orchestration.k8s_objects import tenant_problems
from datakit_orchestration.naming import bronze_table_name
from datakit_orchestration.platform import PlatformConfig
from datakit_orchestration.tenant import TenantConfig, tenant_from_data

SCHEDULE_PRESETS = frozenset(
    {"@once", "@continuous", "@hourly", "@daily", "@weekly", "@monthly", "@quarterly", "@yearly"}
)
TENANT_FILE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class TenantCatalog:
    """The outcome of reading a tenants folder: valid tenants, and problems per broken file."""

    tenants: Mapping[str, TenantConfig] = field(default_factory=dict)
    problems: Mapping[Path, list[Problem]] = field(default_factory=dict)

    @property
    def all_problems(self) -> list[Problem]:
        return sorted(problem for problems in self.problems.values() for problem in problems)


def _valid_cron(expression: str) -> bool:
    from croniter import croniter

    return bool(croniter.is_valid(expression))


def _tables(data: Mapping[str, Any]) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(source name, index, table mapping) for every table of a schema-valid-enough document."""
    sources = data.get("sources")
    if not isinstance(sources, dict):
        return
    for source_name, source in sources.items():
        tables = source.get("tables") if isinstance(source, dict) else None
        if not isinstance(tables, list):
            continue
        for index, entry in enumerate(tables):
            if isinstance(entry, str):
                yield source_name, index, {"name": entry}
            elif isinstance(entry, dict):
                yield source_name, index, entry


def semantic_problems(
    document: YamlDocument, file: Path, platform: PlatformConfig
) -> list[Problem]:
    """The rules above. Written defensively: parts the schema already rejected are skipped."""
    data = document.data
    if not isinstance(data, dict):
        return []
    problems: list[Problem] = []

    def problem(path: tuple[str | int, ...], message: str) -> None:
        problems.append(locate(document, file, path, message))

    tenant = data.get("tenant")
    expected = file.stem
    if isinstance(tenant, str) and tenant != expected:
        problem(("tenant",), f"{tenant!r} must equal the file name {expected!r}")
    tenant = tenant if isinstance(tenant, str) else expected

    def own_connection(path: tuple[str | int, ...], conn_id: Any) -> None:
        if isinstance(conn_id, str) and not conn_id.startswith(f"{tenant}_"):
            problem(
                path,
                f"{conn_id!r} is not this tenant's: a tenant may only use connections named "
                f"'{tenant}_...'",
            )

    warehouse = data.get("warehouse")
    warehouse_type = None
    if isinstance(warehouse, dict):
        own_connection(("warehouse", "connection"), warehouse.get("connection"))
        warehouse_type = warehouse.get("type")

    sources = data.get("sources")
    for source_name, source in (sources or {}).items() if isinstance(sources, dict) else ():
        if not isinstance(source, dict):
            continue
        own_connection(("sources", source_name, "connection"), source.get("connection"))
        source_type = source.get("type")
        if isinstance(source_type, str):
            runner = platform.runner_for_source(source_type)
            if runner is None:
                problem(
                    ("sources", source_name, "type"),
                    f"no runner for source type {source_type!r} in {platform.file.name} "
                    f"(runners: {', '.join(sorted(platform.runners))})",
                )
            elif isinstance(warehouse_type, str) and warehouse_type not in runner.warehouses:
                problem(
                    ("sources", source_name, "type"),
                    f"{runner.command} cannot load into a {warehouse_type} warehouse "
                    f"(it writes: {', '.join(runner.warehouses)})",
                )

    bronze_targets: dict[str, tuple[str, int]] = {}
    for source_name, index, table in _tables(data):
        at = ("sources", source_name, "tables", index)
        mode = table.get("mode", "full_refresh")
        if mode == "incremental" and "cursor" not in table:
            problem((*at, "cursor"), "required for mode incremental")
        for option in ("cursor", "lookback"):
            if option in table and mode in ("full_refresh", "append"):
                problem((*at, option), f"only used with mode incremental (mode is {mode})")
        name = table.get("name")
        source_type = data["sources"][source_name].get("type")  # _tables: mapping sources only
        if isinstance(name, str) and isinstance(source_type, str):
            target = bronze_table_name(
                source_name,
                source_type,
                name,
                warehouse_type=warehouse_type if isinstance(warehouse_type, str) else "postgres",
            )
            if target in bronze_targets:
                other_source, other_index = bronze_targets[target]
                problem(
                    (*at, "name"),
                    f"loads into bronze table {target!r} like "
                    f"sources.{other_source}.tables[{other_index}]",
                )
            else:
                bronze_targets[target] = (source_name, index)

    _alert_problems(data.get("alerts"), set(bronze_targets), own_connection, problem)

    for path, queue in _queues(data):
        if isinstance(queue, str) and queue not in platform.pod_templates:
            problem(
                path,
                f"unknown queue {queue!r} (platform queues: {', '.join(sorted(platform.pod_templates))})",
            )

    schedule = data.get("schedule")
    if (
        isinstance(schedule, str)
        and schedule not in SCHEDULE_PRESETS
        and not (not schedule.startswith("@") and _valid_cron(schedule))
    ):
        problem(
            ("schedule",),
            f"{schedule!r} is neither a cron expression nor a preset "
            f"({', '.join(sorted(SCHEDULE_PRESETS))})",
        )

    start_date = data.get("start_date")
    if isinstance(start_date, str):
        try:
            date.fromisoformat(start_date)
        except ValueError:
            problem(("start_date",), f"{start_date!r} is not a date (YYYY-MM-DD)")
    return problems


def _alert_problems(
    alerts: Any,
    bronze_tables: set[str],
    own_connection: Callable[[tuple[str | int, ...], Any], None],
    problem: Callable[[tuple[str | int, ...], str], None],
) -> None:
    """A webhook connection is the tenant's own; a freshness window names one of its tables."""
    if not isinstance(alerts, dict):
        return
    destinations = alerts.get("destinations")
    for index, entry in enumerate(destinations if isinstance(destinations, list) else ()):
        webhook = entry.get("webhook") if isinstance(entry, dict) else None
        if isinstance(webhook, dict) and "connection" in webhook:
            own_connection(
                ("alerts", "destinations", index, "webhook", "connection"), webhook["connection"]
            )
    events = alerts.get("events")
    freshness = events.get("freshness") if isinstance(events, dict) else None
    tables = freshness.get("tables") if isinstance(freshness, dict) else None
    for name in tables if isinstance(tables, dict) else ():
        if name not in bronze_tables:
            problem(
                ("alerts", "events", "freshness", "tables", name),
                f"{name!r} is not one of this tenant's bronze tables "
                f"({', '.join(sorted(bronze_tables))})",
            )


def _queues(data: Mapping[str, Any]) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    if "queue" in data:
        yield ("queue",), data["queue"]
    transform = data.get("transform")
    if isinstance(transform, dict) and "queue" in transform:
        yield ("transform", "queue"), transform["queue"]
    sources = data.get("sources")
    for source_name, source in (sources or {}).items() if isinstance(sources, dict) else ():
        if isinstance(source, dict) and "queue" in source:
            yield ("sources", source_name, "queue"), source["queue"]
    for source_name, index, table in _tables(data):
        if "queue" in table:
            yield ("sources", source_name, "tables", index, "queue"), table["queue"]


def check_tenant_text(
    text: str, file: Path, platform: PlatformConfig
) -> tuple[TenantConfig | None, list[Problem]]:
    """Validate one tenant file's content: the tenant when valid, else every problem."""
    try:
        document = parse_yaml(text)
    except YamlError as exc:
        return None, [Problem(file, exc.line, "(file)", exc.message)]
    if not isinstance(document.data, dict):
        return None, [
            Problem(file, 1, "(file)", "expected a mapping with tenant, warehouse, sources")
        ]
    problems = schema_problems(paths.TENANT_SCHEMA_FILE, document, file)
    # A field the schema already rejected needs no second message from a semantic rule.
    rejected = {problem.path for problem in problems}
    problems.extend(
        problem
        for problem in semantic_problems(document, file, platform)
        if problem.path not in rejected
    )
    if problems:
        return None, sorted(set(problems))
    tenant = tenant_from_data(document.data, file=file, platform=platform)
    # Rules on the resolved tenant (defaults applied): quota vs. its largest task, endpoints.
    problems = tenant_problems(tenant, document)
    if problems:
        return None, sorted(set(problems))
    return tenant, []


def tenant_files(locations: Iterable[Path]) -> list[Path]:
    """Tenant files among *locations* (files as given, folders scanned, not recursively)."""
    files: list[Path] = []
    for location in locations:
        if location.is_dir():
            files.extend(
                sorted(
                    child
                    for child in location.iterdir()
                    if child.suffix in TENANT_FILE_SUFFIXES
                    and child.is_file()
                    and not child.name.startswith((".", "_"))
                )
            )
        else:
            files.append(location)
    return files


def load_tenants(
    platform: PlatformConfig, locations: Iterable[Path] | None = None
) -> TenantCatalog:
    """Read and validate every tenant file once. Broken files are reported, never raised."""
    tenants: dict[str, TenantConfig] = {}
    problems: dict[Path, list[Problem]] = {}
    for file in tenant_files(locations if locations is not None else [paths.tenants_dir()]):
        file = file.resolve()
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            problems[file] = [Problem(file, 1, "(file)", f"cannot read: {exc.strerror}")]
            continue
        tenant, found = check_tenant_text(text, file, platform)
        if tenant is None:
            problems[file] = found
        else:
            tenants[tenant.tenant] = tenant
    return TenantCatalog(tenants=tenants, problems=problems)
