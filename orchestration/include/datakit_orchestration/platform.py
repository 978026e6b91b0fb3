"""Platform settings (``include/platform.yaml``): where runner images live and how tasks run.

Kept apart from tenant files so that a new image tag, registry or pod template is one edit for
every tenant, and so that a tenant file cannot choose an image, a namespace or an admin account.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datakit_orchestration import paths
from datakit_orchestration._schema import locate, read_checked
from datakit_orchestration._yaml import YamlDocument
from datakit_orchestration.errors import PlatformConfigError, Problem


@dataclass(frozen=True, kw_only=True)
class Resources:
    """CPU and memory for one runner container, Kubernetes notation (``"500m"``, ``"1Gi"``)."""

    cpu: str
    memory: str

    @property
    def cpu_cores(self) -> float:
        """``"500m"`` -> 0.5, ``"2"`` -> 2.0 (Docker's ``cpus``)."""
        return int(self.cpu[:-1]) / 1000 if self.cpu.endswith("m") else float(self.cpu)

    @property
    def memory_bytes(self) -> int:
        """``"1Gi"`` -> 1073741824 (Docker's ``mem_limit``)."""
        factors = {"Ki": 1024, "Mi": 1024**2, "Gi": 1024**3, "Ti": 1024**4}
        return int(self.memory[:-2]) * factors[self.memory[-2:]]


@dataclass(frozen=True, kw_only=True)
class RunnerImage:
    """A runner image and its CLI; ``warehouses`` are the bronze warehouse types it can write."""

    name: str
    image: str
    tag: str
    command: str
    warehouses: tuple[str, ...] = ()

    def reference(self, registry: str) -> str:
        return f"{registry}/{self.image}:{self.tag}"


@dataclass(frozen=True, kw_only=True)
class TransformSettings:
    """runner-dbt and the default project and selectors for silver and gold."""

    runner: RunnerImage
    project: str
    silver: str
    gold: str


@dataclass(frozen=True, kw_only=True)
class Provisioning:
    """How a warehouse type gets a tenant's schemas and role: which runner, which admin."""

    runner: RunnerImage
    admin_conn_id: str


@dataclass(frozen=True, kw_only=True)
class Defaults:
    schedule: str | None
    start_date: str
    owner: str
    retries: int
    retry_delay_seconds: float
    max_retry_delay_seconds: float
    execution_timeout_seconds: float
    pool_slots: int
    queue: str
    resources: Resources


@dataclass(frozen=True, kw_only=True)
class PlatformConfig:
    """The validated platform file. Naming helpers live here so every adapter agrees on names."""

    file: Path
    registry: str
    runners: Mapping[str, RunnerImage]
    transform: TransformSettings
    provisioning: Mapping[str, Provisioning]
    defaults: Defaults
    pool_name_pattern: str
    pod_templates: Mapping[str, Path]
    docker_network: str
    docker_url: str | None
    kubernetes_namespace_pattern: str
    kubernetes_service_account: str | None
    kubernetes_image_pull_secret: str | None
    kubernetes_secret_pattern: str
    local_path_env: str

    def image(self, runner: RunnerImage) -> str:
        return runner.reference(self.registry)

    def pool_name(self, tenant: str) -> str:
        return self.pool_name_pattern.replace("{tenant}", tenant)

    def namespace(self, tenant: str) -> str:
        """Kubernetes namespace of a tenant (DNS-1123: ``_`` becomes ``-``)."""
        return self.kubernetes_namespace_pattern.replace("{tenant}", tenant).replace("_", "-")

    def secret_name(self, conn_id: str) -> str:
        """Kubernetes Secret that holds an Airflow connection's ``url`` and ``password``."""
        return self.kubernetes_secret_pattern.replace("{connection}", conn_id).replace("_", "-")

    def runner_for_source(self, source_type: str) -> RunnerImage | None:
        return self.runners.get(source_type)


def _resources(data: Mapping[str, Any]) -> Resources:
    return Resources(cpu=str(data["cpu"]), memory=str(data["memory"]))


def _runner(name: str, data: Mapping[str, Any]) -> RunnerImage:
    return RunnerImage(
        name=name,
        image=data["image"],
        tag=str(data["tag"]),
        command=data["command"],
        warehouses=tuple(data.get("warehouses", ())),
    )


def _semantic_problems(document: YamlDocument, file: Path) -> list[Problem]:
    data = document.data
    problems = []
    runners = data["runners"]
    for warehouse, entry in (data.get("provisioning") or {}).items():
        if entry["runner"] not in runners:
            problems.append(
                locate(
                    document,
                    file,
                    ("provisioning", warehouse, "runner"),
                    f"unknown runner {entry['runner']!r} (runners: {', '.join(sorted(runners))})",
                )
            )
    if data["defaults"]["queue"] not in data["queues"]:
        problems.append(
            locate(
                document,
                file,
                ("defaults", "queue"),
                f"unknown queue (queues: {', '.join(sorted(data['queues']))})",
            )
        )
    for queue, entry in data["queues"].items():
        template = file.parent / entry["pod_template"]
        if not template.is_file():
            problems.append(
                locate(
                    document,
                    file,
                    ("queues", queue, "pod_template"),
                    f"no such file: {template}",
                )
            )
    return problems


def load_platform(file: Path | None = None) -> PlatformConfig:
    """Read and validate the platform file; raise :class:`PlatformConfigError` listing problems."""
    file = (file or paths.platform_file()).resolve()
    document, problems = read_checked(file, paths.PLATFORM_SCHEMA_FILE)
    if document is not None and not problems:
        problems = _semantic_problems(document, file)
    if problems:
        raise PlatformConfigError(problems)
    assert document is not None  # no problems: the file was read

    data = document.data
    runners = {name: _runner(name, entry) for name, entry in data["runners"].items()}
    transform = data["transform"]
    defaults = data["defaults"]
    return PlatformConfig(
        file=file,
        registry=data["registry"].rstrip("/"),
        runners=runners,
        transform=TransformSettings(
            runner=_runner("dbt", transform),
            project=transform["project"],
            silver=transform["silver"],
            gold=transform["gold"],
        ),
        provisioning={
            warehouse: Provisioning(
                runner=runners[entry["runner"]], admin_conn_id=entry["admin_connection"]
            )
            for warehouse, entry in (data.get("provisioning") or {}).items()
        },
        defaults=Defaults(
            schedule=defaults["schedule"],
            start_date=defaults["start_date"],
            owner=defaults["owner"],
            retries=defaults["retries"],
            retry_delay_seconds=defaults["retry_delay_seconds"],
            max_retry_delay_seconds=defaults["max_retry_delay_seconds"],
            execution_timeout_seconds=defaults["execution_timeout_seconds"],
            pool_slots=defaults["pool_slots"],
            queue=defaults["queue"],
            resources=_resources(defaults["resources"]),
        ),
        pool_name_pattern=data["pool_name"],
        pod_templates={
            queue: (file.parent / entry["pod_template"]).resolve()
            for queue, entry in data["queues"].items()
        },
        docker_network=data["docker"]["network"],
        docker_url=data["docker"].get("url") or None,
        kubernetes_namespace_pattern=data["kubernetes"]["namespace"],
        kubernetes_service_account=data["kubernetes"].get("service_account") or None,
        kubernetes_image_pull_secret=data["kubernetes"].get("image_pull_secret") or None,
        kubernetes_secret_pattern=data["kubernetes"]["secret_name"],
        local_path_env=data["local"]["path_env"],
    )
