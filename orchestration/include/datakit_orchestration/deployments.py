"""Tenant deployments (``include/deployments.yaml``): which Airflow runs which tenants.

Many small tenants share one Airflow; a regulated customer gets its own. The choice is data, not
code: one validated file assigns every tenant to exactly one deployment, and a deployment's DAG
folder, told its name by ``DATAKIT_DEPLOYMENT``, reads only its tenants' files
(:func:`tenant_locations`). Another tenant's file is never opened there, so its errors, its
connection ids and its DAGs cannot show in that deployment's UI. Unset, every tenant file is read:
the single shared deployment of ``make demo`` and ``astro dev``.

Semantic rules (beyond the JSON Schema):

- a tenant is named by exactly one deployment (twice is an error at the second mention);
- every tenant file in the tenants folder is in a deployment, and every named tenant has a file
  (checked by ``render_deployments``/CI; a running deployment only refuses a tenant named twice,
  so adding a tenant file for another deployment never stops this one);
- a deployment's queues exist in the platform file; namespaces are not shared.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datakit_orchestration import paths
from datakit_orchestration._schema import locate, read_checked
from datakit_orchestration._yaml import YamlDocument
from datakit_orchestration.errors import ConfigError, Problem
from datakit_orchestration.platform import PlatformConfig, Resources
from datakit_orchestration.validation import TENANT_FILE_SUFFIXES, tenant_files


class DeploymentConfigError(ConfigError):
    """``deployments.yaml`` is invalid or names no deployment ``DATAKIT_DEPLOYMENT``: no DAGs."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems, what="deployment configuration")


@dataclass(frozen=True, kw_only=True)
class AuthConfig:
    """How the deployment's users sign in (FAB auth manager): LDAP or OAuth, secrets by name."""

    type: str
    secret: str
    groups: Mapping[str, str]
    provider: str | None = None
    user_search_base: str | None = None
    uid_field: str = "uid"
    group_field: str = "memberOf"
    groups_claim: str = "groups"


@dataclass(frozen=True, kw_only=True)
class Deployment:
    """One Airflow deployment and the tenants it runs."""

    name: str
    description: str | None
    enclave: str
    image_repository: str
    image_tag: str
    namespace: str
    executor: str
    queues: tuple[str, ...]
    worker_replicas: int
    worker_resources: Resources
    tenants: tuple[str, ...]
    auth: AuthConfig


@dataclass(frozen=True, kw_only=True)
class DeploymentsConfig:
    file: Path
    deployments: Mapping[str, Deployment]

    def deployment_of(self, tenant: str) -> Deployment | None:
        return next((d for d in self.deployments.values() if tenant in d.tenants), None)


def _tenant_file_names(tenants_dir: Path) -> dict[str, Path]:
    """Tenant id (file stem) -> file, without reading any file."""
    return {file.stem: file for file in tenant_files([tenants_dir])} if tenants_dir.is_dir() else {}


def _semantic_problems(
    document: YamlDocument,
    file: Path,
    *,
    tenants_dir: Path | None,
    platform: PlatformConfig | None,
) -> list[Problem]:
    problems: list[Problem] = []
    deployments: dict[str, Any] = document.data["deployments"]
    named: dict[str, tuple[str, int]] = {}
    namespaces: dict[str, str] = {}
    for name, entry in deployments.items():
        for index, tenant in enumerate(entry["tenants"]):
            at = ("deployments", name, "tenants", index)
            if tenant in named:
                other, other_index = named[tenant]
                problems.append(
                    locate(
                        document,
                        file,
                        at,
                        f"tenant {tenant!r} is already in deployments.{other}.tenants"
                        f"[{other_index}] (a tenant belongs to exactly one deployment)",
                    )
                )
            else:
                named[tenant] = (name, index)
        namespace = entry["namespace"]
        if namespace in namespaces:
            problems.append(
                locate(
                    document,
                    file,
                    ("deployments", name, "namespace"),
                    f"{namespace!r} is already the namespace of deployment "
                    f"{namespaces[namespace]!r}",
                )
            )
        namespaces.setdefault(namespace, name)
        if platform is not None:
            for index, queue in enumerate(entry["queues"]):
                if queue not in platform.pod_templates:
                    problems.append(
                        locate(
                            document,
                            file,
                            ("deployments", name, "queues", index),
                            f"unknown queue {queue!r} (platform queues: "
                            f"{', '.join(sorted(platform.pod_templates))})",
                        )
                    )
    if tenants_dir is not None:
        files = _tenant_file_names(tenants_dir)
        for tenant, (name, index) in named.items():
            if tenant not in files:
                problems.append(
                    locate(
                        document,
                        file,
                        ("deployments", name, "tenants", index),
                        f"no tenant file {tenant}.yaml in {tenants_dir}",
                    )
                )
        for tenant in sorted(set(files) - set(named)):
            problems.append(
                locate(
                    document,
                    file,
                    ("deployments",),
                    f"tenant {tenant!r} ({files[tenant].name}) is in no deployment",
                )
            )
    return problems


def _auth(data: Mapping[str, Any]) -> AuthConfig:
    return AuthConfig(
        type=data["type"],
        secret=data["secret"],
        groups=dict(data["groups"]),
        provider=data.get("provider"),
        user_search_base=data.get("user_search_base"),
        uid_field=data.get("uid_field", "uid"),
        group_field=data.get("group_field", "memberOf"),
        groups_claim=data.get("groups_claim", "groups"),
    )


def load_deployments(
    file: Path | None = None,
    *,
    tenants_dir: Path | None = None,
    platform: PlatformConfig | None = None,
) -> DeploymentsConfig:
    """Read and validate the deployments file; raise :class:`DeploymentConfigError`.

    With *tenants_dir*, every tenant file there must be in a deployment and every named tenant
    must have a file (the complete check of CI and rendering); with *platform*, queues must exist.
    """
    file = (file or paths.deployments_file()).resolve()
    document, problems = read_checked(file, paths.DEPLOYMENTS_SCHEMA_FILE)
    if document is not None and not problems:
        problems = _semantic_problems(document, file, tenants_dir=tenants_dir, platform=platform)
    if problems:
        raise DeploymentConfigError(sorted(set(problems)))
    assert document is not None  # no problems: the file was read
    data = document.data
    deployments = {}
    for name, entry in data["deployments"].items():
        image = entry.get("image") or data["image"]
        resources = entry["workers"]["resources"]
        deployments[name] = Deployment(
            name=name,
            description=entry.get("description"),
            enclave=entry.get("enclave", "standard"),
            image_repository=image["repository"],
            image_tag=str(image["tag"]),
            namespace=entry["namespace"],
            executor=entry["executor"],
            queues=tuple(entry["queues"]),
            worker_replicas=entry["workers"]["replicas"],
            worker_resources=Resources(cpu=str(resources["cpu"]), memory=resources["memory"]),
            tenants=tuple(entry["tenants"]),
            auth=_auth(entry["auth"]),
        )
    return DeploymentsConfig(file=file, deployments=deployments)


def selected_deployment(
    environ: Mapping[str, str] = os.environ, *, file: Path | None = None
) -> Deployment | None:
    """The deployment named by ``$DATAKIT_DEPLOYMENT``, or None when unset (all tenants)."""
    name = environ.get(paths.DEPLOYMENT_ENV, "").strip()
    if not name:
        return None
    config = load_deployments(file or paths.deployments_file(environ))
    deployment = config.deployments.get(name)
    if deployment is None:
        raise DeploymentConfigError(
            [
                Problem(
                    config.file,
                    1,
                    "deployments",
                    f"no deployment {name!r} (${paths.DEPLOYMENT_ENV}; deployments: "
                    f"{', '.join(sorted(config.deployments))})",
                )
            ]
        )
    return deployment


def tenant_locations(
    environ: Mapping[str, str] = os.environ, *, tenants_dir: Path | None = None
) -> list[Path] | None:
    """What :func:`~datakit_orchestration.validation.load_tenants` should read here.

    Unset ``DATAKIT_DEPLOYMENT``: the tenants folder (None = its default). Set: only the files of
    that deployment's tenants, chosen by file name so that no other tenant's file is opened.
    """
    deployment = selected_deployment(environ)
    if deployment is None:
        return [tenants_dir] if tenants_dir else None
    return deployment_tenant_files(deployment, tenants_dir or paths.tenants_dir(environ))


def deployment_tenant_files(deployment: Deployment, tenants_dir: Path) -> list[Path]:
    """The files of *deployment*'s tenants in *tenants_dir*, found by name, none opened."""
    return [
        tenants_dir / f"{tenant}{suffix}"
        for tenant in deployment.tenants
        for suffix in TENANT_FILE_SUFFIXES
        if (tenants_dir / f"{tenant}{suffix}").is_file()
    ]
