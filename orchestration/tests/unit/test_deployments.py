"""Tenant deployments: the deployments file's validation, the DATAKIT_DEPLOYMENT filter, rendering.

Rendering runs the real command in a subprocess, with secrets planted in its environment, and
reads back every file it wrote.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest
import yaml

from datakit_orchestration.deployments import (
    DeploymentConfigError,
    load_deployments,
    tenant_locations,
)
from datakit_orchestration.platform import PlatformConfig
from datakit_orchestration.validation import load_tenants
from tests.conftest import EXAMPLE_TENANT_FILES, INCLUDE_DIR, PROJECT_DIR

DEPLOYMENTS_FILE = INCLUDE_DIR / "deployments.yaml"
TENANTS_DIR = INCLUDE_DIR / "tenants"

TWO = """\
image: {repository: r/airflow, tag: "1"}
deployments:
  shared:
    namespace: datakit-shared
    executor: CeleryExecutor
    queues: [default]
    workers: {replicas: 1, resources: {cpu: "1", memory: 1Gi}}
    tenants: [demo, globex]
    auth: {type: ldap, secret: ldap, user_search_base: "ou=p", groups: {viewer: "cn=v"}}
  acme:
    namespace: datakit-acme
    executor: KubernetesExecutor
    queues: [default]
    workers: {replicas: 1, resources: {cpu: "1", memory: 1Gi}}
    tenants: [acme]
    auth: {type: oauth, provider: azure, secret: oauth, groups: {viewer: acme-viewers}}
"""


def _write(tmp_path: Path, text: str) -> Path:
    file = tmp_path / "deployments.yaml"
    file.write_text(text)
    return file


def _problems(file: Path, platform: PlatformConfig, tenants_dir: Path = TENANTS_DIR) -> list[str]:
    with pytest.raises(DeploymentConfigError) as caught:
        load_deployments(file, tenants_dir=tenants_dir, platform=platform)
    return [str(problem) for problem in caught.value.problems]


def test_the_example_assigns_every_example_tenant_exactly_once(platform: PlatformConfig) -> None:
    config = load_deployments(DEPLOYMENTS_FILE, tenants_dir=TENANTS_DIR, platform=platform)
    assigned = sorted(t for d in config.deployments.values() for t in d.tenants)
    assert assigned == sorted(file.stem for file in EXAMPLE_TENANT_FILES)
    assert config.deployments["acme"].enclave == "high-security"
    assert config.deployments["shared"].enclave == "standard"


def test_a_tenant_named_twice_is_located_at_its_second_mention(
    tmp_path: Path, platform: PlatformConfig
) -> None:
    file = _write(tmp_path, TWO.replace("tenants: [acme]", "tenants: [acme, globex]"))
    assert _problems(file, platform) == [
        f"{file}:15 deployments.acme.tenants[1]: tenant 'globex' is already in "
        "deployments.shared.tenants[1] (a tenant belongs to exactly one deployment)"
    ]


def test_a_tenant_in_no_deployment_and_a_tenant_without_file(
    tmp_path: Path, platform: PlatformConfig
) -> None:
    file = _write(tmp_path, TWO.replace("tenants: [acme]", "tenants: [initech]"))
    assert _problems(file, platform) == [
        f"{file}:2 deployments: tenant 'acme' (acme.yaml) is in no deployment",
        f"{file}:15 deployments.acme.tenants[0]: no tenant file initech.yaml in {TENANTS_DIR}",
    ]


def test_schema_and_semantic_errors_name_file_line_and_field(
    tmp_path: Path, platform: PlatformConfig
) -> None:
    file = _write(tmp_path, TWO.replace("executor: KubernetesExecutor", "executor: Sequential"))
    assert _problems(file, platform) == [
        f"{file}:12 deployments.acme.executor: 'Sequential' is not one of: CeleryExecutor, "
        "KubernetesExecutor, CeleryExecutor,KubernetesExecutor"
    ]
    file = _write(
        tmp_path,
        TWO.replace("namespace: datakit-acme", "namespace: datakit-shared").replace(
            'queues: [default]\n    workers: {replicas: 1, resources: {cpu: "1", memory: 1Gi}}\n'
            "    tenants: [acme]",
            'queues: [default, huge]\n    workers: {replicas: 1, resources: {cpu: "1", '
            "memory: 1Gi}}\n    tenants: [acme]",
        ),
    )
    assert _problems(file, platform) == [
        f"{file}:11 deployments.acme.namespace: 'datakit-shared' is already the namespace of "
        "deployment 'shared'",
        f"{file}:13 deployments.acme.queues[1]: unknown queue 'huge' (platform queues: "
        "default, large)",
    ]


def test_the_deployment_variable_selects_only_its_tenants_files(tmp_path: Path) -> None:
    file = _write(tmp_path, TWO)
    env = {"DATAKIT_DEPLOYMENTS_FILE": str(file), "DATAKIT_TENANTS_DIR": str(TENANTS_DIR)}
    assert tenant_locations(env) is None  # unset: every tenant file (the shared demo)
    assert tenant_locations({**env, "DATAKIT_DEPLOYMENT": "acme"}) == [TENANTS_DIR / "acme.yaml"]
    assert tenant_locations({**env, "DATAKIT_DEPLOYMENT": "shared"}) == [
        TENANTS_DIR / "demo.yaml",
        TENANTS_DIR / "globex.yaml",
    ]
    with pytest.raises(DeploymentConfigError, match="no deployment 'nope'"):
        tenant_locations({**env, "DATAKIT_DEPLOYMENT": "nope"})


def test_another_deployments_broken_file_is_never_read(
    tmp_path: Path, platform: PlatformConfig
) -> None:
    tenants = tmp_path / "tenants"
    shutil.copytree(TENANTS_DIR, tenants)
    (tenants / "globex.yaml").write_text("tenant: globex\nsources: [not: valid: yaml\n")
    env = {"DATAKIT_DEPLOYMENTS_FILE": str(_write(tmp_path, TWO)), "DATAKIT_DEPLOYMENT": "acme"}
    catalog = load_tenants(platform, tenant_locations(env, tenants_dir=tenants))
    assert list(catalog.tenants) == ["acme"]
    assert catalog.problems == {}
    shared = load_tenants(
        platform, tenant_locations({**env, "DATAKIT_DEPLOYMENT": "shared"}, tenants_dir=tenants)
    )
    assert list(shared.tenants) == ["demo"]
    assert list(shared.problems) == [tenants / "globex.yaml"]


def test_an_unknown_deployment_builds_no_dag(tmp_path: Path) -> None:
    from datakit_orchestration.dag import build_dags

    env = {
        "DATAKIT_DEPLOYMENTS_FILE": str(_write(tmp_path, TWO)),
        "DATAKIT_DEPLOYMENT": "acmee",
        "DATAKIT_EXECUTION": "local",
    }
    with pytest.raises(DeploymentConfigError, match="no deployment 'acmee'"):
        build_dags(env)
    assert set(build_dags({**env, "DATAKIT_DEPLOYMENT": "acme"})) == {"warehouse__acme"}


def test_a_pasted_connection_url_shows_without_its_password(platform: PlatformConfig) -> None:
    """Tenant problems become import errors every user of the deployment can read."""
    from datakit_orchestration.validation import check_tenant_text

    text = (TENANTS_DIR / "demo.yaml").read_text()
    text = text.replace(
        "connection: demo_shop", 'connection: "postgresql://shop:Pa55-word@db:5432/shop"', 1
    )
    assert "Pa55-word" in text
    tenant, problems = check_tenant_text(text, TENANTS_DIR / "demo.yaml", platform)
    assert tenant is None
    messages = " ".join(str(problem) for problem in problems)
    assert "'postgresql://shop:***@db:5432/***' is not allowed" in messages
    assert "Pa55-word" not in messages


def test_pools_command_lists_only_the_deployments_pools(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATAKIT_DEPLOYMENTS_FILE": str(_write(tmp_path, TWO)),
        "DATAKIT_DEPLOYMENT": "acme",
    }
    done = subprocess.run(
        [sys.executable, "-m", "datakit_orchestration.pools"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert list(json.loads(done.stdout)) == ["datakit_acme"]


# --- rendering ---------------------------------------------------------------------------------

PLANTED = {
    "DATAKIT_LDAP_BIND_PASSWORD": "ldap-Secret-4711",
    "DATAKIT_OAUTH_CLIENT_SECRET": "oauth-Secret-0815",
    "AIRFLOW_CONN_ACME_WAREHOUSE": "postgresql://acme_loader:conn-Secret-9@db/acme",
}


def _render(out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "datakit_orchestration.render_deployments",
            "--out",
            str(out),
            *args,
        ],
        env={**os.environ, **PLANTED},
        capture_output=True,
        text=True,
        check=False,
        cwd=PROJECT_DIR,
    )


def _demo_passwords() -> set[str]:
    settings = yaml.safe_load((PROJECT_DIR / "airflow_settings.yaml").read_text())
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "conn_password" and value:
                    found.add(str(value))
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(settings)
    return found


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rendered")
    done = _render(out)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def test_rendering_writes_each_deployments_files(rendered: Path) -> None:
    assert sorted(p.name for p in rendered.iterdir()) == ["acme", "shared"]
    for name in ("acme", "shared"):
        assert sorted(p.name for p in (rendered / name).iterdir()) == [
            "pools.json",
            "roles.sh",
            "values.yaml",
            "webserver_config.py",
        ]
    assert list(json.loads((rendered / "acme" / "pools.json").read_text())) == ["datakit_acme"]
    roles = (rendered / "acme" / "roles.sh").read_text()
    assert "airflow roles add-perms datakit_acme_viewer -a can_read -r " in roles
    assert "DAG:warehouse__acme" in roles
    assert "warehouse__demo" not in roles and "warehouse__globex" not in roles


def test_rendering_contains_no_secret_value(rendered: Path) -> None:
    secrets = set(PLANTED.values()) | _demo_passwords() | {"conn-Secret-9"}
    assert "demo-loader-pw" in secrets
    for file in rendered.rglob("*"):
        if file.is_file():
            text = file.read_text()
            leaked = sorted(secret for secret in secrets if secret in text)
            assert not leaked, f"{file} contains {leaked}"


def _values(rendered: Path, name: str) -> dict[str, Any]:
    return yaml.safe_load((rendered / name / "values.yaml").read_text())  # type: ignore[no-any-return]


# The part of the Apache Airflow Helm chart's values this command writes. The chart's published
# values.schema.json is not on PyPI or npm, so this structural check stands in for it.
CHART_SUBSET = {
    "type": "object",
    "additionalProperties": False,
    "required": ["images", "executor", "env", "secret", "workers", "config", "apiServer"],
    "properties": {
        "images": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "airflow": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["repository", "tag"],
                    "properties": {
                        "repository": {"type": "string"},
                        "tag": {"type": "string"},
                        "pullPolicy": {"enum": ["Always", "IfNotPresent", "Never"]},
                    },
                }
            },
        },
        "executor": {
            "enum": ["CeleryExecutor", "KubernetesExecutor", "CeleryExecutor,KubernetesExecutor"]
        },
        "env": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "value"],
                "properties": {"name": {"type": "string"}, "value": {"type": "string"}},
            },
        },
        "secret": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["envName", "secretName", "secretKey"],
                "properties": {
                    "envName": {"type": "string", "pattern": "^[A-Z_][A-Z0-9_]*$"},
                    "secretName": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"},
                    "secretKey": {"type": "string"},
                },
            },
        },
        "workers": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "replicas": {"type": "integer", "minimum": 1},
                "args": {"type": "array", "items": {"type": "string"}},
                "resources": {
                    "type": "object",
                    "properties": {
                        "requests": {"type": "object", "required": ["cpu", "memory"]},
                        "limits": {"type": "object", "required": ["cpu", "memory"]},
                    },
                },
            },
        },
        "config": {"type": "object"},
        "apiServer": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"apiServerConfig": {"type": "string"}},
        },
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


@pytest.mark.parametrize("name", ["acme", "shared"])
def test_helm_values_have_the_charts_shape(rendered: Path, name: str) -> None:
    from jsonschema import Draft202012Validator

    values = _values(rendered, name)
    errors = [e.message for e in Draft202012Validator(CHART_SUBSET).iter_errors(values)]
    assert errors == []
    assert {"name": "DATAKIT_DEPLOYMENT", "value": name} in values["env"]
    assert values["config"]["core"]["auth_manager"].endswith("FabAuthManager")


def test_each_deployment_gets_only_its_tenants_connections(rendered: Path) -> None:
    acme = {s["envName"] for s in _values(rendered, "acme")["secret"]}
    shared = {s["envName"] for s in _values(rendered, "shared")["secret"]}
    assert {"AIRFLOW_CONN_ACME_WAREHOUSE", "AIRFLOW_CONN_ACME_ERP"} <= acme
    assert not {env for env in acme if env.startswith(("AIRFLOW_CONN_DEMO", "AIRFLOW_CONN_GLOBEX"))}
    assert {"AIRFLOW_CONN_DEMO_WAREHOUSE", "AIRFLOW_CONN_GLOBEX_WAREHOUSE"} <= shared
    assert not {env for env in shared if env.startswith("AIRFLOW_CONN_ACME")}
    assert _values(rendered, "shared")["workers"]["args"][-1].endswith("--queues default,large")


def _exec_config(rendered: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Run webserver_config.py as the API server would (flask_appbuilder is not installed here:
    its two constants are provided)."""
    const = types.ModuleType("flask_appbuilder.const")
    const.AUTH_LDAP = 2  # type: ignore[attr-defined]
    const.AUTH_OAUTH = 4  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "flask_appbuilder", types.ModuleType("flask_appbuilder"))
    monkeypatch.setitem(sys.modules, "flask_appbuilder.const", const)
    for env in (
        "DATAKIT_LDAP_URL",
        "DATAKIT_LDAP_BIND_USER",
        "DATAKIT_LDAP_BIND_PASSWORD",
        "DATAKIT_OAUTH_CLIENT_ID",
        "DATAKIT_OAUTH_CLIENT_SECRET",
        "DATAKIT_OAUTH_METADATA_URL",
    ):
        monkeypatch.setenv(env, f"value-of-{env}")
    text = (rendered / name / "webserver_config.py").read_text()
    assert text == _values(rendered, name)["apiServer"]["apiServerConfig"]
    namespace: dict[str, Any] = {}
    exec(compile(text, "webserver_config.py", "exec"), namespace)
    return namespace


def test_roles_see_only_the_deployments_dags(
    rendered: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = _exec_config(rendered, "shared", monkeypatch)
    assert shared["AUTH_TYPE"] == 2
    assert shared["AUTH_LDAP_BIND_PASSWORD"] == "value-of-DATAKIT_LDAP_BIND_PASSWORD"
    assert set(shared["FAB_ROLES"]) == {"datakit_shared_viewer", "datakit_shared_operator"}
    assert shared["AUTH_ROLES_MAPPING"][
        "cn=datakit-shared-viewers,ou=groups,dc=datakit,dc=example"
    ] == ["datakit_shared_viewer"]
    for permissions in shared["FAB_ROLES"].values():
        dags = {resource for _, resource in permissions if ":" in resource}
        assert {r.split(":", 1)[1] for r in dags} == {"warehouse__demo", "warehouse__globex"}
    acme = _exec_config(rendered, "acme", monkeypatch)
    assert acme["AUTH_TYPE"] == 4
    assert acme["OAUTH_PROVIDERS"][0]["remote_app"]["client_secret"] == (
        "value-of-DATAKIT_OAUTH_CLIENT_SECRET"
    )
    for permissions in acme["FAB_ROLES"].values():
        dags = {resource for _, resource in permissions if ":" in resource}
        assert {r.split(":", 1)[1] for r in dags} == {"warehouse__acme"}


def test_a_bad_deployments_file_writes_nothing_and_exits_3(tmp_path: Path) -> None:
    out = tmp_path / "out"
    bad = _write(tmp_path, TWO.replace("tenants: [acme]", "tenants: [acme, demo]"))
    done = _render(out, "--deployments", str(bad))
    assert done.returncode == 3
    assert done.stdout.splitlines() == [
        f"{bad}:15 deployments.acme.tenants[1]: tenant 'demo' is already in "
        "deployments.shared.tenants[0] (a tenant belongs to exactly one deployment)"
    ]
    assert not out.exists()
