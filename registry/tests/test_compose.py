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


def _routers() -> dict[str, dict[str, Any]]:
    """Every Traefik router: from the services' labels and the inline dynamic configuration."""
    compose = _compose()
    routers: dict[str, dict[str, Any]] = {}
    for service in compose["services"].values():
        for key, value in (service.get("labels") or {}).items():
            match = re.fullmatch(r"traefik\.http\.routers\.([\w-]+)\.(\w+)", key)
            if match:
                routers.setdefault(match[1], {})[match[2]] = value
    dynamic = yaml.safe_load(compose["configs"]["traefik-platform"]["content"])
    for name, router in dynamic["http"]["routers"].items():
        routers[name] = {
            "rule": router["rule"],
            "entrypoints": ",".join(router["entryPoints"]),
            "tls": "true" if "tls" in router else "false",
            "service": router["service"],
        }
    return routers


def test_every_route_has_tls_a_host_the_certificate_names_and_a_service() -> None:
    compose = _compose()
    routers = _routers()
    assert {"registry", "airflow", "dashboard"} <= set(routers)
    dynamic = yaml.safe_load(compose["configs"]["traefik-platform"]["content"])
    default = dynamic["tls"]["stores"]["default"]["defaultCertificate"]
    assert default == {"certFile": "/certs/edge.crt", "keyFile": "/certs/edge.key"}
    assert "./registry/.tls:/certs:ro" in compose["services"]["traefik"]["volumes"]
    services_known = set(dynamic["http"]["services"]) | {"api@internal"}
    for name, router in routers.items():
        assert router["tls"] == "true", name
        assert router["entrypoints"] == "websecure", name
        host = re.fullmatch(r"Host\(`([\w.-]+)`\)", router["rule"])
        assert host, f"{name}: {router['rule']}"
        assert host[1] in SERVICES["edge"], f"{name}: edge.crt does not name {host[1]}"
        if "service" in router:
            assert router["service"] in services_known, name
        else:  # Traefik's docker provider: the router's own container, with a port label
            owner = next(s for s in compose["services"].values() if name in str(s.get("labels")))
            assert f"traefik.http.services.{name}.loadbalancer.server.port" in owner["labels"]
    assert re.search(r"registry\.localhost", routers["registry"]["rule"])
    assert re.search(r"airflow\.localhost", routers["airflow"]["rule"])


def test_only_loopback_ports_are_published() -> None:
    for name, service in _compose()["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name}: {port}"
