"""The Kubernetes manifests of runner-spark (``k8s/``), validated offline against the API's own
schemas (kubernetes-validate, strict: an unknown or misspelt field fails), and held to the
image's contract: uid 10001, read-only root, the image this version builds, and an executor
command that starts Spark's executor backend (the image's ENTRYPOINT is the runner CLI)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

COMPONENT = Path(__file__).resolve().parents[2]
K8S = COMPONENT / "k8s"
#: The oldest Kubernetes minor the manifests promise to fit (README "Kubernetes").
KUBERNETES_VERSION = "1.29.0"


def documents() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        for index, document in enumerate(yaml.safe_load_all(path.read_text())):
            found.append((f"{path.name}#{index}", document))
    return found


def version() -> str:
    with (COMPONENT / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])


def pod_specs() -> list[tuple[str, dict[str, Any]]]:
    return [(name, doc["spec"]) for name, doc in documents() if doc["kind"] == "Pod"]


@pytest.mark.parametrize(("name", "document"), documents(), ids=[n for n, _ in documents()])
def test_manifest_is_valid_for_the_kubernetes_api(name: str, document: dict[str, Any]) -> None:
    kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_validation_rejects_a_misspelt_field() -> None:
    """The check above can fail: a typo in a pod template is caught offline."""
    [(_, spec)] = [(n, s) for n, s in pod_specs() if n.startswith("executor")]
    broken = {"apiVersion": "v1", "kind": "Pod", "spec": {**spec, "securityContex": {}}}

    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize(("name", "spec"), pod_specs(), ids=[n for n, _ in pod_specs()])
def test_pods_run_the_image_of_this_version_as_the_runner_user(
    name: str, spec: dict[str, Any]
) -> None:
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] == 10001
    for container in spec["containers"]:
        assert container["image"] == f"registry.localhost/datakit/runner-spark:{version()}"
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]


def test_executor_template_starts_sparks_executor_backend() -> None:
    [(_, spec)] = [(n, s) for n, s in pod_specs() if n.startswith("executor")]
    [container] = spec["containers"]
    command = " ".join(container["command"])

    assert container["name"] == "spark-kubernetes-executor"  # the container Spark fills in
    assert "org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend" in command
    for variable in ("SPARK_DRIVER_URL", "SPARK_EXECUTOR_ID", "SPARK_EXECUTOR_CORES",
                     "SPARK_APPLICATION_ID", "SPARK_EXECUTOR_POD_IP", "SPARK_EXECUTOR_MEMORY",
                     "SPARK_RESOURCE_PROFILE_ID", "SPARK_EXECUTOR_POD_NAME"):  # fmt: skip
        assert f'"${variable}"' in command, variable


def test_driver_pod_reads_its_urls_from_secret_files_only() -> None:
    [(_, spec)] = [(n, s) for n, s in pod_specs() if n.startswith("driver")]
    [container] = spec["containers"]
    names = {item["name"] for item in container["env"]}

    assert {"DATAKIT_SOURCE_URL_FILE", "DATAKIT_WAREHOUSE_URL_FILE"} <= names
    assert not names & {"DATAKIT_SOURCE_URL", "DATAKIT_WAREHOUSE_URL"}
    assert [v["secret"]["defaultMode"] for v in spec["volumes"] if "secret" in v] == [0o440]
