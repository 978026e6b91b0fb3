"""Per-tenant Kubernetes objects (``render_k8s``): valid, agreeing with the adapter's pods, secret-free.

Every object of every example tenant is validated against the Kubernetes schema (strict, the
version the pod tests use); the pods the Kubernetes adapter renders must land in the rendered
namespace with the rendered service account and pull secret, fit the LimitRange and the quota;
bad resources or endpoints are reported as ``file:line path: message``.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from kubernetes.client import ApiClient

from datakit_orchestration.adapters import adapter_for
from datakit_orchestration.k8s_objects import (
    SIDECAR_LIMIT,
    mebibytes,
    millicores,
    render_yaml,
    tenant_objects,
)
from datakit_orchestration.platform import PlatformConfig
from datakit_orchestration.tasks import RunnerTask, tenant_tasks
from datakit_orchestration.tenant import TenantConfig
from datakit_orchestration.validation import load_tenants
from tests.conftest import EXAMPLE_TENANT_FILES, INCLUDE_DIR, PROJECT_DIR

KUBERNETES_VERSION = "1.30.0"
TENANTS = [path.stem for path in EXAMPLE_TENANT_FILES]


@pytest.fixture(scope="module")
def tenants(platform: PlatformConfig) -> dict[str, TenantConfig]:
    catalog = load_tenants(platform)
    assert not catalog.problems
    return dict(catalog.tenants)


def by_kind(objects: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    kinds: dict[str, list[dict[str, Any]]] = {}
    for obj in objects:
        kinds.setdefault(obj["kind"], []).append(obj)
    return kinds


def adapter_pod(task: RunnerTask, platform: PlatformConfig) -> dict[str, Any]:
    operator = adapter_for("kubernetes", platform=platform).operator(task, task_id=task.task_id)
    return ApiClient().sanitize_for_serialization(operator.build_pod_request_obj(dry_run=True))  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", TENANTS)
def test_every_object_is_valid_kubernetes(
    name: str, platform: PlatformConfig, tenants: dict[str, TenantConfig]
) -> None:
    objects = tenant_objects(tenants[name], platform)
    # What is written is what was validated: through the YAML text.
    written = list(yaml.safe_load_all(render_yaml(objects)))
    assert written == objects
    for obj in written:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    kinds = by_kind(written)
    assert sorted(kinds) == sorted(
        [
            "Namespace",
            "ResourceQuota",
            "LimitRange",
            "NetworkPolicy",
            "ServiceAccount",
            "PodTemplate",
        ]
    )
    assert written[0]["kind"] == "Namespace", "apply order: the namespace first"
    assert {t["metadata"]["name"] for t in kinds["PodTemplate"]} == {
        f"datakit-runner-{queue}" for queue in platform.pod_templates
    }


def test_strict_validation_catches_a_misplaced_field(
    platform: PlatformConfig, tenants: dict[str, TenantConfig]
) -> None:
    quota = by_kind(tenant_objects(tenants["acme"], platform))["ResourceQuota"][0]
    quota["spec"]["pods"] = "4"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(quota, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("name", TENANTS)
def test_adapter_pods_use_the_rendered_names_and_fit(
    name: str, platform: PlatformConfig, tenants: dict[str, TenantConfig]
) -> None:
    tenant = tenants[name]
    kinds = by_kind(tenant_objects(tenant, platform))
    namespace = kinds["Namespace"][0]["metadata"]["name"]
    (account,) = kinds["ServiceAccount"]
    limits = kinds["LimitRange"][0]["spec"]["limits"][0]
    hard = kinds["ResourceQuota"][0]["spec"]["hard"]
    templates = {t["metadata"]["name"]: t["template"]["spec"] for t in kinds["PodTemplate"]}
    for task in tenant_tasks(tenant, platform).all:
        pod = adapter_pod(task, platform)
        spec = pod["spec"]
        assert pod["metadata"]["namespace"] == namespace
        assert spec["serviceAccountName"] == account["metadata"]["name"]
        assert spec["imagePullSecrets"] == account["imagePullSecrets"]
        template = templates[f"datakit-runner-{task.queue}"]
        assert template["serviceAccountName"] == spec["serviceAccountName"]
        assert template["imagePullSecrets"] == spec["imagePullSecrets"]
        assert (template.get("nodeSelector") or {}) == (spec.get("nodeSelector") or {})
        # Every container fits the LimitRange; a container without limits gets the default.
        cpu = memory = 0
        for container in spec["containers"]:
            container_limits = (container.get("resources") or {}).get("limits") or limits["default"]
            assert millicores(container_limits["cpu"]) <= millicores(limits["max"]["cpu"])
            assert mebibytes(container_limits["memory"]) <= mebibytes(limits["max"]["memory"])
            cpu += millicores(container_limits["cpu"])
            memory += mebibytes(container_limits["memory"])
        # The pool's slots of the largest such pod fit the quota.
        assert cpu * tenant.pool_slots <= millicores(hard["limits.cpu"])
        assert memory * tenant.pool_slots <= mebibytes(hard["limits.memory"])
        assert int(hard["pods"]) == tenant.pool_slots


def test_names_come_from_one_place(
    platform: PlatformConfig, tenants: dict[str, TenantConfig]
) -> None:
    """Renamed in platform.yaml, the objects and the adapter's pods change together."""
    renamed = dataclasses.replace(
        platform,
        kubernetes_namespace_pattern="team-{tenant}-prod",
        kubernetes_service_account="loader",
        kubernetes_image_pull_secret="pull-prod",
    )
    tenant = tenants["globex"]
    kinds = by_kind(tenant_objects(tenant, renamed))
    pod = adapter_pod(tenant_tasks(tenant, renamed).all[0], renamed)
    assert kinds["Namespace"][0]["metadata"]["name"] == pod["metadata"]["namespace"]
    assert pod["metadata"]["namespace"] == "team-globex-prod"
    assert kinds["ServiceAccount"][0]["metadata"]["name"] == pod["spec"]["serviceAccountName"]
    assert pod["spec"]["serviceAccountName"] == "loader"
    assert pod["spec"]["imagePullSecrets"] == [{"name": "pull-prod"}]
    assert kinds["ServiceAccount"][0]["imagePullSecrets"] == [{"name": "pull-prod"}]


def test_network_policy_allows_only_the_tenants_databases_and_dns(
    platform: PlatformConfig, tenants: dict[str, TenantConfig]
) -> None:
    (policy,) = by_kind(tenant_objects(tenants["acme"], platform))["NetworkPolicy"]
    spec = policy["spec"]
    assert spec["podSelector"] == {}, "every pod of the namespace"
    assert spec["policyTypes"] == ["Ingress", "Egress"]
    assert "ingress" not in spec, "no ingress at all"
    rules = {
        (peer["ipBlock"]["cidr"], port["port"])
        for rule in spec["egress"]
        for peer in rule["to"]
        if "ipBlock" in peer
        for port in rule["ports"]
    }
    assert rules == {("10.20.1.10/32", 5432), ("10.30.0.0/28", 1433), ("10.30.1.5/32", 5432)}
    (dns,) = [rule for rule in spec["egress"] if not any("ipBlock" in p for p in rule["to"])]
    assert {(p["protocol"], p["port"]) for p in dns["ports"]} == {("UDP", 53), ("TCP", 53)}


def test_quota_defaults_and_override(
    platform: PlatformConfig, tenants: dict[str, TenantConfig]
) -> None:
    acme = tenants["acme"]  # 4 slots, largest task 2 cpu / 4Gi (dbo.invoices)
    hard = by_kind(tenant_objects(acme, platform))["ResourceQuota"][0]["spec"]["hard"]
    sidecar_cpu, sidecar_mem = millicores(SIDECAR_LIMIT.cpu), mebibytes(SIDECAR_LIMIT.memory)
    assert hard["limits.cpu"] == hard["requests.cpu"] == f"{4 * (2000 + sidecar_cpu)}m"
    assert hard["limits.memory"] == f"{4 * (4096 + sidecar_mem)}Mi"
    fixed = dataclasses.replace(
        acme, quota=dataclasses.replace(acme.quota, cpu="16", memory="64Gi", pods=10)
    )
    hard = by_kind(tenant_objects(fixed, platform))["ResourceQuota"][0]["spec"]["hard"]
    assert (hard["limits.cpu"], hard["limits.memory"], hard["pods"]) == ("16", "64Gi", "10")


# -- the command -------------------------------------------------------------------------------


def render(*args: str, cwd: Path = PROJECT_DIR, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "datakit_orchestration.render_k8s", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **env},
        check=False,
    )


def test_command_renders_every_tenant_without_a_secret_value(tmp_path: Path) -> None:
    secret = "Sup3r-Secret-Pw-731"
    done = render(
        "--out",
        str(tmp_path),
        AIRFLOW_CONN_ACME_ERP=f"mssql://acme_loader:{secret}@10.30.0.2:1433/erp",
        AIRFLOW_CONN_DEMO_WAREHOUSE=f"postgresql://demo_loader:{secret}@10.20.1.12:5432/dwh",
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{name}.yaml" for name in TENANTS]
    passwords = {
        str(conn.get("conn_password"))
        for conn in yaml.safe_load((PROJECT_DIR / "airflow_settings.yaml").read_text())["airflow"][
            "connections"
        ]
        if conn.get("conn_password")
    } - {"postgres"}  # the demo superuser's password is also the runner image's name
    assert passwords, "airflow_settings.yaml holds the demo connections' passwords"
    for file in tmp_path.iterdir():
        text = file.read_text()
        for value in {secret, *passwords}:
            assert value not in text
        for obj in yaml.safe_load_all(text):
            assert obj["kind"] != "Secret"
            assert not {"data", "stringData"} & set(obj)
    one = tmp_path / "only"
    done = render("--out", str(one), "--tenant", "demo")
    assert done.returncode == 0, done.stderr
    assert [p.name for p in one.iterdir()] == ["demo.yaml"]


def write_tenant(folder: Path, body: str) -> Path:
    folder.mkdir(exist_ok=True)
    file = folder / "zeta.yaml"
    file.write_text(textwrap.dedent(body).lstrip())
    return file


TENANT = """
    tenant: zeta
    warehouse: {type: postgres, connection: zeta_warehouse, endpoint: {address: 10.9.0.1, port: 5432}}
    sources:
      app:
        type: postgres
        connection: zeta_app
        endpoint: {address: %(address)s, port: 5432}
        tables:
          - {name: public.orders, resources: {cpu: "2", memory: 4Gi}}
    %(extra)s
"""


@pytest.mark.parametrize(
    ("address", "extra", "line", "path", "message"),
    [
        ("10.9.1.0/24", "quota: {cpu: '1', memory: 64Gi}", 10, "quota.cpu", "largest task's cpu 2"),
        ("10.9.1.0/24", "quota: {cpu: '8', memory: 4Gi}", 10, "quota.memory", "memory 4Gi"),
        ("10.9.1.0/24", "quota: {cpu: '8', memory: 4GB}", 10, "quota.memory", "is not allowed"),
        ("10.9.1.5/24", "", 7, "sources.app.endpoint.address", "has host bits set"),
        ("db.internal", "", 7, "sources.app.endpoint.address", "is not allowed"),
    ],
)
def test_bad_resources_and_endpoints_are_located(
    tmp_path: Path, address: str, extra: str, line: int, path: str, message: str
) -> None:
    file = write_tenant(tmp_path / "tenants", TENANT % {"address": address, "extra": extra})
    out = tmp_path / "out"
    done = render("--out", str(out), "--tenants-dir", str(file.parent), cwd=tmp_path)
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stdout.startswith(f"tenants/zeta.yaml:{line} {path}: "), done.stdout
    assert message in done.stdout
    assert not out.exists(), "nothing written"
    validate = subprocess.run(
        [sys.executable, "-m", "datakit_orchestration.validate", str(file)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert validate.returncode == 1
    assert f"tenants/zeta.yaml:{line} {path}: " in validate.stdout


def test_a_connection_without_endpoint_cannot_be_rendered(tmp_path: Path) -> None:
    text = (TENANT % {"address": "10.9.1.0/24", "extra": ""}).replace(
        "endpoint: {address: 10.9.1.0/24, port: 5432}", "queue: default"
    )
    file = write_tenant(tmp_path / "tenants", text)
    out = tmp_path / "out"
    done = render("--out", str(out), "--tenants-dir", str(file.parent), cwd=tmp_path)
    assert done.returncode == 3
    assert done.stdout.startswith("tenants/zeta.yaml:4 sources.app.endpoint: required"), done.stdout
    assert not out.exists()


def test_unknown_tenant_is_a_usage_error(tmp_path: Path) -> None:
    done = render("--out", str(tmp_path / "o"), "--tenant", "nobody")
    assert done.returncode == 2
    assert "nobody" in done.stderr
    assert not (tmp_path / "o").exists()


def test_include_dir_is_the_tenant_source() -> None:
    assert (INCLUDE_DIR / "tenants").is_dir()
