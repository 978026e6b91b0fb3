"""The Kubernetes objects one tenant needs in production, rendered from its tenant file.

Per tenant, in apply order:

- ``Namespace`` (``platform.yaml`` kubernetes.namespace): tenants share no Secrets, quotas or
  policies;
- ``ResourceQuota``: requests and limits alike (runner containers ask for requests = limits).
  The tenant file's ``quota`` wins; else pool slots x (the largest task's resources + the xcom
  sidecar's default limit), and pods = pool slots: the Airflow pool already caps how many of the
  tenant's tasks run at once, so the quota is sized to exactly that;
- ``LimitRange``: a default limit for containers that state none (the provider's xcom sidecar
  has requests but no limits, and a quota on limits refuses such a pod), and a per-container
  maximum equal to the tenant's largest task, so a hand-made pod cannot take the whole quota;
- ``NetworkPolicy``: every pod of the namespace gets no ingress, and egress only to the
  tenant's databases (``endpoint`` of the warehouse and of each source) and to the cluster DNS
  on port 53 (UDP and TCP);
- ``ServiceAccount`` for runner pods: no token mounted, the registry's pull secret by name;
- one ``PodTemplate`` per platform queue: the queue's pod template file with the namespace,
  service account and pull secret filled in (what the adapter's pods get).

Names come from :func:`datakit_orchestration.k8s_names.tenant_names`, the function the
Kubernetes adapter uses. Nothing here reads a connection or a Secret: the objects name the pull
secret and never hold a secret value.
"""

from __future__ import annotations

import copy
import ipaddress
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from datakit_orchestration._schema import locate
from datakit_orchestration._yaml import YamlDocument, YamlError, parse_yaml
from datakit_orchestration.errors import Problem
from datakit_orchestration.k8s_names import PART_OF, PART_OF_LABEL, TENANT_LABEL, tenant_names
from datakit_orchestration.platform import PlatformConfig, Resources
from datakit_orchestration.tenant import Endpoint, TenantConfig

#: Default limit (and request) of a container that states none: the xcom sidecar, which only
#: runs ``sleep`` and ``cat`` (the provider requests 1m and 10Mi for it).
SIDECAR_LIMIT = Resources(cpu="100m", memory="128Mi")
SIDECAR_REQUEST = Resources(cpu="10m", memory="16Mi")
DNS_PORT = 53
#: The cluster DNS, as kubeadm, kind and most distributions label it.
DNS_PEER: dict[str, Any] = {
    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
}


def millicores(cpu: str) -> int:
    """``"500m"`` -> 500, ``"2"`` -> 2000, ``"0.25"`` -> 250 (rounded up)."""
    return int(cpu[:-1]) if cpu.endswith("m") else math.ceil(float(cpu) * 1000)


def mebibytes(memory: str) -> int:
    """``"1Gi"`` -> 1024 (rounded up to whole Mi)."""
    return math.ceil(Resources(cpu="0", memory=memory).memory_bytes / 1024**2)


def task_resources(tenant: TenantConfig) -> list[Resources]:
    """The resources of every runner task of *tenant* (provisioning uses the tenant's own)."""
    return [tenant.resources, tenant.transform.resources] + [
        table.resources for table in tenant.tables
    ]


def largest_task(tenant: TenantConfig) -> Resources:
    """Per resource, the largest any one task asks for: the LimitRange's maximum."""
    resources = task_resources(tenant)
    cpu = max(resources, key=lambda r: millicores(r.cpu)).cpu
    memory = max(resources, key=lambda r: mebibytes(r.memory)).memory
    return Resources(cpu=cpu, memory=memory)


def quota_hard(tenant: TenantConfig) -> dict[str, str]:
    """The ResourceQuota's ``hard``: the tenant's ``quota``, else derived from pool slots."""
    largest = largest_task(tenant)
    slots = tenant.pool_slots
    cpu = tenant.quota.cpu or (
        f"{slots * (millicores(largest.cpu) + millicores(SIDECAR_LIMIT.cpu))}m"
    )
    memory = tenant.quota.memory or (
        f"{slots * (mebibytes(largest.memory) + mebibytes(SIDECAR_LIMIT.memory))}Mi"
    )
    pods = tenant.quota.pods or slots
    return {
        "pods": str(pods),
        "requests.cpu": cpu,
        "limits.cpu": cpu,
        "requests.memory": memory,
        "limits.memory": memory,
    }


def endpoints(tenant: TenantConfig) -> list[tuple[str, Endpoint | None]]:
    """(connection id, endpoint) of the warehouse and every source, in file order."""
    found = [(tenant.warehouse.conn_id, tenant.warehouse.endpoint)]
    found.extend((source.conn_id, source.endpoint) for source in tenant.sources)
    return found


def _located(tenant: TenantConfig, path: tuple[str | int, ...], message: str) -> Problem:
    """A problem at *path* of *tenant*'s file (line 1 when the file cannot be read again)."""
    try:
        document = parse_yaml(tenant.file.read_text(encoding="utf-8"))
    except (OSError, YamlError):
        return Problem(tenant.file, 1, ".".join(map(str, path)), message)
    return locate(document, tenant.file, path, message)


def _endpoint_paths(tenant: TenantConfig) -> list[tuple[tuple[str, ...], Endpoint | None]]:
    found: list[tuple[tuple[str, ...], Endpoint | None]] = [
        (("warehouse",), tenant.warehouse.endpoint)
    ]
    found.extend((("sources", source.name), source.endpoint) for source in tenant.sources)
    return found


def tenant_problems(tenant: TenantConfig, document: YamlDocument) -> list[Problem]:
    """Resource and endpoint rules of a schema-valid tenant (run by tenant validation).

    - an endpoint address is an IP address or a CIDR block without host bits;
    - the quota holds the largest task with its xcom sidecar, or that task could never start.
    """
    problems = []
    for at, endpoint in _endpoint_paths(tenant):
        if endpoint is None:
            continue
        try:
            ipaddress.ip_network(endpoint.address, strict=True)
        except ValueError as exc:
            problems.append(locate(document, tenant.file, (*at, "endpoint", "address"), f"{exc}"))
    largest = largest_task(tenant)
    need_cpu = millicores(largest.cpu) + millicores(SIDECAR_LIMIT.cpu)
    need_memory = mebibytes(largest.memory) + mebibytes(SIDECAR_LIMIT.memory)
    quota = tenant.quota
    if quota.cpu is not None and millicores(quota.cpu) < need_cpu:
        problems.append(
            locate(
                document,
                tenant.file,
                ("quota", "cpu"),
                f"{quota.cpu} is less than the largest task's cpu {largest.cpu} plus the xcom "
                f"sidecar's {SIDECAR_LIMIT.cpu}: that task could never start",
            )
        )
    if quota.memory is not None and mebibytes(quota.memory) < need_memory:
        problems.append(
            locate(
                document,
                tenant.file,
                ("quota", "memory"),
                f"{quota.memory} is less than the largest task's memory {largest.memory} plus "
                f"the xcom sidecar's {SIDECAR_LIMIT.memory}: that task could never start",
            )
        )
    return problems


def render_problems(tenant: TenantConfig) -> list[Problem]:
    """Why *tenant* cannot be rendered: a connection without ``endpoint``.

    Not a tenant-file rule: a tenant without endpoints runs under the docker and local modes;
    only the NetworkPolicy needs them.
    """
    return [
        _located(
            tenant,
            (*at, "endpoint"),
            "required to render the NetworkPolicy (the address and port runner pods may reach)",
        )
        for at, endpoint in _endpoint_paths(tenant)
        if endpoint is None
    ]


def _metadata(name: str, namespace: str | None, tenant_label: str) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "name": name,
        "labels": {PART_OF_LABEL: PART_OF, TENANT_LABEL: tenant_label},
    }
    if namespace is not None:
        metadata["namespace"] = namespace
    return metadata


def _egress_rules(tenant: TenantConfig) -> Iterator[dict[str, Any]]:
    seen: set[tuple[str, int]] = set()
    for _, endpoint in endpoints(tenant):
        if endpoint is None:
            continue
        network = ipaddress.ip_network(endpoint.address, strict=True)
        key = (str(network), endpoint.port)
        if key in seen:
            continue
        seen.add(key)
        yield {
            "to": [{"ipBlock": {"cidr": str(network)}}],
            "ports": [{"protocol": "TCP", "port": endpoint.port}],
        }
    yield {
        "to": [DNS_PEER],
        "ports": [
            {"protocol": "UDP", "port": DNS_PORT},
            {"protocol": "TCP", "port": DNS_PORT},
        ],
    }


def pod_template(
    platform: PlatformConfig, tenant: TenantConfig, queue: str, template_file: Path
) -> dict[str, Any]:
    """The queue's pod template file as a ``PodTemplate`` in the tenant's namespace."""
    names = tenant_names(platform, tenant.tenant)
    pod = yaml.safe_load(template_file.read_text(encoding="utf-8"))
    spec = copy.deepcopy(pod["spec"])
    if names.service_account:
        spec["serviceAccountName"] = names.service_account
    spec["automountServiceAccountToken"] = False
    if names.image_pull_secret:
        spec["imagePullSecrets"] = [{"name": names.image_pull_secret}]
    labels = dict((pod.get("metadata") or {}).get("labels") or {})
    labels.update({PART_OF_LABEL: PART_OF, TENANT_LABEL: names.tenant_label})
    return {
        "apiVersion": "v1",
        "kind": "PodTemplate",
        "metadata": _metadata(f"datakit-runner-{queue}", names.namespace, names.tenant_label),
        "template": {"metadata": {"labels": labels}, "spec": spec},
    }


def tenant_objects(tenant: TenantConfig, platform: PlatformConfig) -> list[dict[str, Any]]:
    """Every object of *tenant*, in apply order (the Namespace first)."""
    names = tenant_names(platform, tenant.tenant)
    namespace, label = names.namespace, names.tenant_label
    largest = largest_task(tenant)
    objects: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": _metadata(namespace, None, label)},
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": _metadata("datakit-quota", namespace, label),
            "spec": {"hard": quota_hard(tenant)},
        },
        {
            "apiVersion": "v1",
            "kind": "LimitRange",
            "metadata": _metadata("datakit-limits", namespace, label),
            "spec": {
                "limits": [
                    {
                        "type": "Container",
                        "default": {
                            "cpu": SIDECAR_LIMIT.cpu,
                            "memory": SIDECAR_LIMIT.memory,
                        },
                        "defaultRequest": {
                            "cpu": SIDECAR_REQUEST.cpu,
                            "memory": SIDECAR_REQUEST.memory,
                        },
                        "max": {"cpu": largest.cpu, "memory": largest.memory},
                    }
                ]
            },
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": _metadata("datakit-runner-egress", namespace, label),
            "spec": {
                "podSelector": {},
                "policyTypes": ["Ingress", "Egress"],
                "egress": list(_egress_rules(tenant)),
            },
        },
    ]
    if names.service_account:
        account: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": _metadata(names.service_account, namespace, label),
            "automountServiceAccountToken": False,
        }
        if names.image_pull_secret:
            account["imagePullSecrets"] = [{"name": names.image_pull_secret}]
        objects.append(account)
    for queue, template_file in sorted(platform.pod_templates.items()):
        objects.append(pod_template(platform, tenant, queue, template_file))
    return objects


def render_yaml(objects: list[dict[str, Any]]) -> str:
    """A multi-document YAML stream (``kubectl apply -f`` order kept)."""
    return yaml.safe_dump_all(objects, sort_keys=False, default_flow_style=False)


__all__ = [
    "SIDECAR_LIMIT",
    "endpoints",
    "largest_task",
    "mebibytes",
    "millicores",
    "quota_hard",
    "render_problems",
    "render_yaml",
    "tenant_objects",
    "tenant_problems",
]
