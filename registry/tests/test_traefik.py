"""Traefik's configuration (registry/traefik/), checked offline: Traefik cannot run here.

The static and dynamic files validate against Traefik's published JSON schemas (pinned copies in
registry/traefik/schema/, source and digests in registry/traefik/README.md), and every route is
checked against real certificates made by the platform's own TLS code: each router has a
service that exists, a tls section, and a Host rule whose host the served certificate covers.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from cryptography import x509

from datakit_registry.paths import PlatformPaths
from datakit_registry.tls import ensure_tls

REPO = Path(__file__).resolve().parents[2]
TRAEFIK = REPO / "registry" / "traefik"
STATIC = TRAEFIK / "traefik.yml"
DYNAMIC = TRAEFIK / "dynamic.yml"
#: Where the compose file mounts registry/.tls for Traefik.
CERT_MOUNT = "/certs"
#: The pinned schemas and their SHA-256, as in registry/traefik/README.md.
SCHEMAS = {
    "traefik-v2.json": "13643297afdd75151f02159749861f8cc3e2d858299255ffdb439a45888ab398",
    "traefik-v2-file-provider.json": (
        "f569f308d19b9196b8fc19a4882c1af8b066b8b4bfaf04532a9c2188a990e011"
    ),
}
HOST_RULE = re.compile(r"Host\(`([^`]+)`\)")


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def schema(name: str) -> dict[str, Any]:
    return json.loads((TRAEFIK / "schema" / name).read_text())  # type: ignore[no-any-return]


def problems(instance: Any, schema_name: str) -> list[str]:
    validator = jsonschema.Draft4Validator(schema(schema_name))
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schema_copies_are_the_pinned_ones(name: str) -> None:
    data = (TRAEFIK / "schema" / name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == SCHEMAS[name]
    jsonschema.Draft4Validator.check_schema(json.loads(data))
    assert name in (TRAEFIK / "README.md").read_text()


def test_static_configuration_validates() -> None:
    assert problems(load(STATIC), "traefik-v2.json") == []


def test_dynamic_configuration_validates() -> None:
    assert problems(load(DYNAMIC), "traefik-v2-file-provider.json") == []


def test_schemas_reject_misplaced_fields() -> None:
    """The validation can fail: a typo in a router or at the top level is refused."""
    dynamic = load(DYNAMIC)
    dynamic["http"]["routers"]["registry"]["servce"] = "registry"
    assert problems(dynamic, "traefik-v2-file-provider.json")
    static = load(STATIC)
    static["entrypoints"] = static.pop("entryPoints")
    assert problems(static, "traefik-v2.json")


def test_plain_http_only_redirects_to_tls() -> None:
    static = load(STATIC)
    web = static["entryPoints"]["web"]["http"]["redirections"]["entryPoint"]
    assert (web["to"], web["scheme"]) == ("websecure", "https")
    assert static["entryPoints"]["websecure"]["http"]["tls"] == {}
    assert static["providers"]["file"]["filename"] == "/etc/traefik/dynamic.yml"
    assert static["api"].get("insecure") is False


def certificate_names(cert_file: Path) -> set[str]:
    cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return set(san.get_values_for_type(x509.DNSName))


def test_every_router_has_a_service_tls_and_a_covered_host(tmp_path: Path) -> None:
    """Routes against the certificates `make platform-tls` really writes."""
    paths = PlatformPaths(tmp_path)
    ensure_tls(paths)
    dynamic = load(DYNAMIC)
    certs = [dynamic["tls"]["stores"]["default"]["defaultCertificate"]]
    certs += dynamic["tls"]["certificates"]
    covered: set[str] = set()
    for entry in certs:
        for key in ("certFile", "keyFile"):
            assert entry[key].startswith(f"{CERT_MOUNT}/"), entry[key]
        cert_file = paths.tls / entry["certFile"].removeprefix(f"{CERT_MOUNT}/")
        key_file = paths.tls / entry["keyFile"].removeprefix(f"{CERT_MOUNT}/")
        assert cert_file.is_file() and key_file.is_file(), "the TLS script writes these files"
        covered |= certificate_names(cert_file)
    routers = dynamic["http"]["routers"]
    services = dynamic["http"]["services"]
    assert {"registry", "airflow"} <= set(routers)
    hosts = set()
    for name, router in routers.items():
        service = router["service"]
        assert service in services or service.endswith("@internal"), f"{name}: no {service}"
        assert router.get("tls") == {}, f"{name}: not TLS"
        assert router["entryPoints"] == ["websecure"], name
        found = HOST_RULE.findall(router["rule"])
        assert found, f"{name}: no Host rule"
        for host in found:
            assert host in covered, f"{name}: {host} not in the certificate's names {covered}"
        hosts.update(found)
    assert {"registry.localhost", "airflow.localhost"} <= hosts
    for name, service in services.items():
        (server,) = service["loadBalancer"]["servers"]
        assert server["url"].startswith("http://"), f"{name}: Traefik terminates TLS"


def test_compose_mounts_the_certificates_where_the_config_reads_them() -> None:
    traefik = load(REPO / "docker-compose.yml")["services"]["traefik"]
    assert f"./registry/.tls:{CERT_MOUNT}:ro" in traefik["volumes"]
