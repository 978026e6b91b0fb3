"""The Astro project around the package: image files, settings, CI workflow, dependencies.

Checked offline: hadolint for the Dockerfile, actionlint and the GitHub workflow schema for the
CI workflow, the Kubernetes schema for the pod templates, and consistency between the lock
file, requirements.txt and airflow_settings.yaml.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from datakit_orchestration.platform import PlatformConfig
from datakit_orchestration.pools import tenant_pools
from datakit_orchestration.tasks import tenant_tasks
from datakit_orchestration.validation import load_tenants
from tests.conftest import INCLUDE_DIR, PROJECT_DIR

REPO_ROOT = PROJECT_DIR.parent
WORKFLOW = REPO_ROOT / ".github" / "workflows" / "orchestration.yml"


def tool(name: str) -> str:
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() and os.access(beside, os.X_OK) else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (see the dev dependency group)")
    return found


def run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False
    )


def locked_versions() -> dict[str, str]:
    lock = tomllib.loads((PROJECT_DIR / "uv.lock").read_text())
    return {package["name"]: package.get("version", "") for package in lock["package"]}


def test_astro_project_layout() -> None:
    for name in ("dags", "include", "plugins", "tests"):
        assert (PROJECT_DIR / name).is_dir(), name
    for name in (
        "Dockerfile",
        "requirements.txt",
        "packages.txt",
        "airflow_settings.yaml",
        "README.md",
        "CHANGELOG.md",
    ):
        assert (PROJECT_DIR / name).is_file(), name
    first = (PROJECT_DIR / "Dockerfile").read_text().split("FROM ", 1)[1].split()[0]
    assert re.fullmatch(r"astrocrpublic\.azurecr\.io/runtime:3\.\d+-\d+", first), first


def test_requirements_pin_the_locked_versions() -> None:
    locked = locked_versions()
    pins = {}
    for line in (PROJECT_DIR / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    assert pins == {name: locked[name] for name in pins}
    for provider in ("apache-airflow-providers-docker", "apache-airflow-providers-cncf-kubernetes"):
        assert provider in pins


def test_runtime_needs_no_sdk_dbt_spark_or_drivers() -> None:
    project = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())
    runtime = " ".join(project["project"]["dependencies"]).lower()
    requirements = (PROJECT_DIR / "requirements.txt").read_text().lower()
    for forbidden in ("datakit-sdk", "dbt", "spark", "psycopg", "pyodbc", "sqlalchemy"):
        assert forbidden not in runtime, forbidden
        assert forbidden not in requirements, forbidden


def test_dockerfile_passes_hadolint() -> None:
    result = run([tool("hadolint"), "--no-color", str(PROJECT_DIR / "Dockerfile")])
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_passes_actionlint_and_the_schema() -> None:
    result = run(
        [
            tool("actionlint"),
            "-no-color",
            f"-shellcheck={tool('shellcheck')}",
            "-pyflakes=",
            str(WORKFLOW),
        ]
    )
    assert result.returncode == 0, result.stdout + result.stderr
    result = run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)]
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_override_for_astro_dev_is_valid(platform: PlatformConfig) -> None:
    override = PROJECT_DIR / "docker-compose.override.yml"
    result = run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(override)]
    )
    assert result.returncode == 0, result.stdout + result.stderr
    scheduler = yaml.safe_load(override.read_text())["services"]["scheduler"]
    assert "/var/run/docker.sock:/var/run/docker.sock" in scheduler["volumes"]
    assert scheduler["environment"]["DATAKIT_EXECUTION"] == "docker"
    assert platform.docker_network == "datakit"


def test_workflow_calls_the_reusable_workflow_without_an_image() -> None:
    data = yaml.safe_load(WORKFLOW.read_text())
    assert data["permissions"] == {}
    (job,) = data["jobs"].values()
    assert job["uses"] == "./.github/workflows/_component.yml"
    assert job["with"] == {"component": "orchestration"}
    assert job["permissions"] == {"contents": "read"}
    triggers = data[True]  # YAML 1.1 reads the key `on` as True
    for event in ("push", "pull_request"):
        paths = triggers[event]["paths"]
        for required in (
            "orchestration/**",
            "datakit-sdk/**",
            "runner-postgres/**",
            "runner-dbt/**",
        ):
            assert required in paths


def test_airflow_settings_have_every_pool_and_the_demo_connections(
    platform: PlatformConfig,
) -> None:
    settings = yaml.safe_load((PROJECT_DIR / "airflow_settings.yaml").read_text())["airflow"]
    catalog = load_tenants(platform)
    pools = {pool["pool_name"]: pool["pool_slot"] for pool in settings["pools"]}
    expected = {name: pool["slots"] for name, pool in tenant_pools(platform, catalog).items()}
    assert pools == expected
    connections = {conn["conn_id"] for conn in settings["connections"]}
    demo_tasks = tenant_tasks(catalog.tenants["demo"], platform).all
    assert connections == set().union(*(task.conn_ids for task in demo_tasks))


@pytest.mark.parametrize(
    "template", sorted((INCLUDE_DIR / "pod_templates").glob("*.yaml")), ids=lambda p: p.name
)
def test_pod_templates_are_valid_hardened_pods(template: Path) -> None:
    pod = yaml.safe_load(template.read_text())
    kubernetes_validate.validate(pod, "1.30.0", strict=True)
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
    (container,) = pod["spec"]["containers"]
    assert container["name"] == "base", "KubernetesPodOperator fills the container named base"
    assert container["securityContext"]["readOnlyRootFilesystem"] is True


def test_package_passes_mypy_strict() -> None:
    """`[tool.mypy]` in pyproject.toml: strict on the package; generated validators excluded."""
    result = subprocess.run(
        [tool("mypy")],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
