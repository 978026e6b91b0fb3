"""The top-level docker-compose.yml: valid against the compose specification (the schema
check-jsonschema ships), pinned images, the networks and hosts the orchestration expects, and
Traefik routes that all have TLS, a host rule and a service."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from datakit.testing.containers import find_repo_root
from datakit_registry.tls import SERVICES

REPO_ROOT = find_repo_root(Path(__file__).resolve())
COMPOSE = REPO_ROOT / "docker-compose.yml"
PINNED = re.compile(r"^[\w.-]+(/[\w.-]+)+:v?\d+(\.\d+)+[\w.-]*$")


def _compose() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE.read_text()))


def _check_jsonschema(path: Path) -> subprocess.CompletedProcess[str]:
    binary = Path(sys.executable).with_name("check-jsonschema")
    return subprocess.run(
        [str(binary), "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_validates_against_the_compose_specification() -> None:
    result = _check_jsonschema(COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_a_misspelt_key(tmp_path: Path) -> None:
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE.read_text().replace("    healthcheck:", "    healthchek:", 1))
    result = _check_jsonschema(broken)
    assert result.returncode != 0
    assert "healthchek" in result.stdout + result.stderr


def _has_docker_compose() -> bool:
    docker = shutil.which("docker")
    if docker is None:
        return False
    version = subprocess.run([docker, "compose", "version"], capture_output=True, check=False)
    return version.returncode == 0


@pytest.mark.skipif(
    not _has_docker_compose(), reason="docker compose is not installed here (schema check only)"
)
def test_docker_compose_config_accepts_it() -> None:
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE), "config", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_every_image_is_pinned_by_version() -> None:
    images = {name: svc["image"] for name, svc in _compose()["services"].items()}
    assert set(images) == {"traefik", "registry", "source-db", "warehouse-db"}
    for name, image in images.items():
        assert PINNED.match(image), f"{name}: {image} is not pinned to a version"
        assert not image.endswith(":latest")
    assert images["registry"].startswith("docker.io/library/registry:2.")


def test_networks_and_hosts_match_the_orchestration() -> None:
    compose = _compose()
    settings = yaml.safe_load((REPO_ROOT / "orchestration" / "airflow_settings.yaml").read_text())
    platform = yaml.safe_load(
        (REPO_ROOT / "orchestration" / "include" / "platform.yaml").read_text()
    )
    assert set(compose["networks"]) == {"edge", "datakit"}
    # DockerOperator joins the network by its real name, so the compose file fixes it.
    assert compose["networks"]["datakit"]["name"] == platform["docker"]["network"] == "datakit"
    hosts = {c["conn_host"] for c in settings["airflow"]["connections"]}
    assert hosts == {"warehouse-db", "source-db"}
    for host in hosts:
        service = compose["services"][host]
        assert service["networks"] == ["datakit"], host
        assert "healthcheck" in service
    for conn in settings["airflow"]["connections"]:
        if conn["conn_login"] == "postgres":  # the databases the compose file creates
            env = compose["services"][conn["conn_host"]]["environment"]
            assert env["POSTGRES_DB"] == conn["conn_schema"]
    assert compose["services"]["traefik"]["networks"] == ["edge"]
    assert compose["services"]["registry"]["networks"] == ["edge"]


def _mounted(service: dict[str, Any], target: str) -> Path:
    """The repository file a service's volume mounts at *target* (read-only)."""
    for volume in service["volumes"]:
        source, _, rest = volume.partition(":")
        if rest == f"{target}:ro":
            return (REPO_ROOT / source).resolve()
    raise AssertionError(f"nothing is mounted read-only at {target}")


def test_traefik_reads_the_validated_configuration_and_the_certificates() -> None:
    traefik = _compose()["services"]["traefik"]
    assert (
        _mounted(traefik, "/etc/traefik/traefik.yml") == REPO_ROOT / "registry/traefik/traefik.yml"
    )
    assert (
        _mounted(traefik, "/etc/traefik/dynamic.yml") == REPO_ROOT / "registry/traefik/dynamic.yml"
    )
    assert _mounted(traefik, "/certs") == REPO_ROOT / "registry/.tls"
    static = yaml.safe_load(_mounted(traefik, "/etc/traefik/traefik.yml").read_text())
    assert static["providers"]["file"]["filename"] == "/etc/traefik/dynamic.yml"
    assert {"80", "443"} == {p.rsplit(":", 1)[1] for p in traefik["ports"]}


def test_every_route_reaches_a_service_this_file_declares() -> None:
    """Each router of the dynamic configuration: TLS, a host the edge certificate names, and a
    backend Traefik can reach from its networks (a compose service on a shared network at the
    port it listens on, the host via extra_hosts, or Traefik's own API)."""
    compose = _compose()
    traefik = compose["services"]["traefik"]
    dynamic = yaml.safe_load(_mounted(traefik, "/etc/traefik/dynamic.yml").read_text())
    routers, backends = dynamic["http"]["routers"], dynamic["http"]["services"]
    assert {"registry", "airflow", "dashboard"} <= set(routers)
    extra_hosts = {entry.split(":", 1)[0] for entry in traefik.get("extra_hosts", [])}
    for name, router in routers.items():
        assert "tls" in router and router["entryPoints"] == ["websecure"], name
        host = re.fullmatch(r"Host\(`([\w.-]+)`\)", router["rule"])
        assert host and host[1] in SERVICES["edge"], f"{name}: {router['rule']}"
        if router["service"].endswith("@internal"):
            continue
        for server in backends[router["service"]]["loadBalancer"]["servers"]:
            match = re.fullmatch(r"http://([\w.-]+):(\d+)", server["url"])
            assert match, server["url"]
            target, port = match[1], match[2]
            if target in extra_hosts:
                continue
            service = compose["services"][target]
            assert set(service["networks"]) & set(traefik["networks"]), f"{name}: {target}"
            assert service["environment"]["REGISTRY_HTTP_ADDR"].endswith(f":{port}")
    assert routers["registry"]["rule"] == "Host(`registry.localhost`)"
    assert routers["airflow"]["rule"] == "Host(`airflow.localhost`)"


def test_only_loopback_ports_are_published() -> None:
    for name, service in _compose()["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name}: {port}"


def test_the_ci_workflow_installs_the_registry_and_runs_these_tests() -> None:
    workflow = REPO_ROOT / ".github" / "workflows" / "registry.yml"
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("check-jsonschema")),
            "--builtin-schema",
            "vendor.github-workflows",
            str(workflow),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    steps = yaml.safe_load(workflow.read_text())["jobs"]["test"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert any("apt-get install" in run and "docker-registry" in run for run in runs)
    assert "make test-registry" in runs
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert "need_apt+=(docker-registry)" in ci
