"""The image pull Secret Kubernetes uses to pull runner images from the project's registry.

Why here: the registry component owns the credentials (``.state/credentials.json``), and the
orchestration's per-tenant objects only *name* the Secret (``platform.yaml``
``kubernetes.image_pull_secret``): its value is rendered from the credentials file, one Secret per
tenant namespace, into a 0600 file under the ignored ``.state/`` folder, never printed unless
asked for with ``--out -``. The name is read from the same ``platform.yaml`` the orchestration
reads, so the ServiceAccount's reference and the Secret always agree.
"""

from __future__ import annotations

import json
import os
import re
from base64 import b64encode
from collections.abc import Sequence
from pathlib import Path

import yaml

from datakit_registry.paths import PlatformPaths
from datakit_registry.server import Credentials, PlatformError, registry_addr

#: The name ``orchestration/include/platform.yaml`` gives the Secret (tests check they agree);
#: used when that file is not beside this component (an installed copy).
DEFAULT_SECRET_NAME = "datakit-registry"
#: ``platform.yaml`` relative to the repository root (the registry component's parent).
PLATFORM_YAML = Path("orchestration") / "include" / "platform.yaml"
SECRET_TYPE = "kubernetes.io/dockerconfigjson"
#: DNS-1123 label: what Kubernetes accepts as a namespace and as this Secret's name.
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


def check_dns_label(value: str, option: str) -> str:
    """*value* when it is a DNS-1123 label, else ``ValueError`` naming *option*."""
    if not _DNS_LABEL.match(value):
        raise ValueError(
            f"{option} {value!r} is not a DNS-1123 label (lower-case letters, digits, '-', "
            "at most 63 characters)"
        )
    return value


def platform_settings(repo_root: Path | None) -> tuple[str, str]:
    """``(image_pull_secret, registry)`` from the orchestration's ``platform.yaml``: the Secret's
    name the rendered ServiceAccount and pods reference, and the registry host their images name.
    Falls back to the defaults when the file is not there (*repo_root* None: an installed copy);
    a file that is there but unreadable is a configuration error (``PlatformError``)."""
    path = repo_root / PLATFORM_YAML if repo_root is not None else None
    if path is None or not path.is_file():
        return DEFAULT_SECRET_NAME, "registry.localhost"
    try:
        data = yaml.safe_load(path.read_text()) or {}
        name = data.get("kubernetes", {}).get("image_pull_secret") or DEFAULT_SECRET_NAME
        registry = str(data.get("registry") or "registry.localhost")
    except (OSError, yaml.YAMLError, AttributeError) as error:
        raise PlatformError(f"{path}: cannot read kubernetes.image_pull_secret ({error})") from None
    return str(name), registry


def read_credentials(paths: PlatformPaths) -> Credentials:
    """The credentials ``make platform`` generated; never generates them (a Secret for a
    password no registry knows would only fail at pull time)."""
    path = paths.credentials
    if not path.is_file():
        raise PlatformError(f"no registry credentials at {path}: run `make platform` first")
    try:
        data = json.loads(path.read_text())
        return Credentials(str(data["username"]), str(data["password"]))
    except (OSError, ValueError, KeyError, TypeError):
        raise PlatformError(
            f"{path}: not the credentials file `make platform` writes (username, password)"
        ) from None


def docker_config_json(creds: Credentials, servers: Sequence[str]) -> str:
    """``{"auths": {server: {"auth": base64(user:password)}}}``: what kubelet reads."""
    auth = b64encode(f"{creds.username}:{creds.password}".encode()).decode()
    auths = {server: {"auth": auth} for server in dict.fromkeys(servers)}
    return json.dumps({"auths": auths}, sort_keys=True)


def render_pull_secret(
    creds: Credentials, *, name: str, namespace: str, servers: Sequence[str]
) -> dict[str, object]:
    """One ``kubernetes.io/dockerconfigjson`` Secret for *namespace*."""
    payload = docker_config_json(creds, servers)
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {"app.kubernetes.io/part-of": "datakit"},
        },
        "type": SECRET_TYPE,
        "data": {".dockerconfigjson": b64encode(payload.encode()).decode()},
    }


def default_servers(registry_host: str) -> list[str]:
    """The registry as the pods' images name it (``platform.yaml`` ``registry``, through
    Traefik) and as ``make platform`` serves it (``DATAKIT_REGISTRY_ADDR``, 127.0.0.1:5000)."""
    return list(dict.fromkeys([registry_host, registry_addr()]))


def render_documents(
    creds: Credentials, *, name: str, namespaces: Sequence[str], servers: Sequence[str]
) -> str:
    """Every namespace's Secret as one multi-document YAML (``kubectl apply -f`` takes it)."""
    docs = [
        render_pull_secret(creds, name=name, namespace=ns, servers=servers)
        for ns in dict.fromkeys(namespaces)
    ]
    return yaml.safe_dump_all(docs, sort_keys=False)


def write_secret_file(path: Path, text: str) -> None:
    """Write *text* to *path* created 0600 through a temp file and a rename (never readable by
    others, never half-written). A missing parent is created 0700; an existing one is left
    as it is (``--out /tmp/x.yaml`` must not change ``/tmp``)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    tmp.chmod(0o600)
    tmp.replace(path)


def default_out(paths: PlatformPaths) -> Path:
    """Under ``.state/`` (gitignored, 0700) beside the credentials it is made from."""
    return paths.state / "k8s" / "pull-secret.yaml"


__all__ = [
    "DEFAULT_SECRET_NAME",
    "SECRET_TYPE",
    "check_dns_label",
    "default_out",
    "default_servers",
    "docker_config_json",
    "platform_settings",
    "read_credentials",
    "render_documents",
    "render_pull_secret",
    "write_secret_file",
]
