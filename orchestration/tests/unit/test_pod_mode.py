"""``DATAKIT_EXECUTION=pod`` runs the Kubernetes adapter's pod, changed only where podman must.

The real runs (podman kube play) are in tests/integration/test_parity_modes.py; these check,
without an engine, that the pod handed to podman is the pod KubernetesPodOperator renders.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from kubernetes.client import ApiClient

from datakit_orchestration.adapters import adapter_for
from datakit_orchestration.adapters.pod import (
    SIDECAR_CONTAINER,
    PodmanPodOperator,
    podman_secrets,
    use_task_image_for_sidecar,
)
from datakit_orchestration.platform import PlatformConfig
from datakit_orchestration.tasks import RunnerTask, tenant_tasks
from datakit_orchestration.validation import load_tenants

SOURCE_URL = "postgresql://reader:Src-Pw-7@127.0.0.1:5432/shop"
WAREHOUSE_URL = "postgresql://demo_loader:Wh-Pw-8@127.0.0.1:5432/warehouse"


def demo_task(platform: PlatformConfig, task_id: str) -> RunnerTask:
    catalog = load_tenants(platform)
    tasks = tenant_tasks(catalog.tenants["demo"], platform)
    return next(task for task in tasks.all if task.task_id == task_id)


def rendered(operator: Any) -> dict[str, Any]:
    """The pod the provider builds, as JSON, without its random name suffix."""
    pod = operator.build_pod_request_obj(None, dry_run=True)
    spec: dict[str, Any] = ApiClient().sanitize_for_serialization(pod)
    spec["metadata"].pop("name")
    return spec


@pytest.mark.parametrize("task_id", ["provision", "shop__orders", "silver"])
def test_the_pod_is_the_kubernetes_pod_with_host_network(
    platform: PlatformConfig, task_id: str
) -> None:
    task = demo_task(platform, task_id)
    kubernetes = adapter_for("kubernetes", platform=platform).operator(task, task_id=task_id)
    pod_mode = adapter_for("pod", platform=platform).operator(task, task_id=task_id)
    assert isinstance(pod_mode, PodmanPodOperator)
    assert type(kubernetes) is not PodmanPodOperator
    expected, actual = rendered(kubernetes), rendered(pod_mode)
    assert actual["spec"].pop("hostNetwork") is True
    assert expected["spec"].pop("hostNetwork") is False
    assert actual == expected
    containers = {c["name"]: c for c in actual["spec"]["containers"]}
    assert set(containers) == {"base", SIDECAR_CONTAINER}
    assert containers["base"]["securityContext"]["readOnlyRootFilesystem"] is True
    assert any(m["mountPath"] == "/airflow/xcom" for m in containers["base"]["volumeMounts"])


def test_secrets_become_podman_secrets_named_for_the_pod(platform: PlatformConfig) -> None:
    task = demo_task(platform, "shop__orders")
    operator = adapter_for("pod", platform=platform).operator(task, task_id=task.task_id)
    spec = rendered(operator)
    values = {"DATAKIT_SOURCE_URL": SOURCE_URL, "DATAKIT_WAREHOUSE_URL": WAREHOUSE_URL}

    secrets = podman_secrets(spec, values, suffix="demo-shop-orders-abc123")

    assert secrets == {
        "demo-shop.demo-shop-orders-abc123": {
            "url": base64.b64encode(SOURCE_URL.encode()).decode()
        },
        "demo-warehouse.demo-shop-orders-abc123": {
            "url": base64.b64encode(WAREHOUSE_URL.encode()).decode()
        },
    }
    base = next(c for c in spec["spec"]["containers"] if c["name"] == "base")
    refs = {
        var["name"]: var["valueFrom"]["secretKeyRef"] for var in base["env"] if "valueFrom" in var
    }
    assert refs == {
        "DATAKIT_SOURCE_URL": {"name": "demo-shop.demo-shop-orders-abc123", "key": "url"},
        "DATAKIT_WAREHOUSE_URL": {"name": "demo-warehouse.demo-shop-orders-abc123", "key": "url"},
    }
    text = json.dumps(spec)
    assert "Src-Pw-7" not in text and "Wh-Pw-8" not in text, "the pod file holds references only"


def test_the_sidecar_runs_the_task_image(platform: PlatformConfig) -> None:
    task = demo_task(platform, "silver")
    spec = rendered(adapter_for("pod", platform=platform).operator(task, task_id="silver"))
    sidecar = next(c for c in spec["spec"]["containers"] if c["name"] == SIDECAR_CONTAINER)
    original = dict(sidecar)

    use_task_image_for_sidecar(spec)

    assert sidecar["image"] == task.image
    assert sidecar["imagePullPolicy"] == "Never"
    unchanged = {k: v for k, v in sidecar.items() if k not in ("image", "imagePullPolicy")}
    assert unchanged == {k: v for k, v in original.items() if k not in ("image", "imagePullPolicy")}
