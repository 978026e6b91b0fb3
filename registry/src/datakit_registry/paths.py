"""Where the platform keeps what it generates: one root, two ignored folders.

Why a small value object: the CLI uses the registry component's folder, the tests a temporary
one; every module takes a ``PlatformPaths`` so nothing writes outside the root it was given.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: The component folder (``registry/``); ``.tls/`` and ``.state/`` under it are gitignored.
COMPONENT_DIR = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class PlatformPaths:
    """``tls``: CA and service certificates; ``state``: credentials, htpasswd, config, storage."""

    root: Path

    @classmethod
    def default(cls) -> PlatformPaths:
        """``DATAKIT_PLATFORM_HOME`` when set, else the registry component folder."""
        home = os.environ.get("DATAKIT_PLATFORM_HOME")
        return cls(Path(home).resolve() if home else COMPONENT_DIR)

    @property
    def tls(self) -> Path:
        return self.root / ".tls"

    @property
    def state(self) -> Path:
        return self.root / ".state"

    @property
    def ca_cert(self) -> Path:
        return self.tls / "ca.crt"

    @property
    def ca_key(self) -> Path:
        return self.tls / "ca.key"

    def cert(self, service: str) -> Path:
        return self.tls / f"{service}.crt"

    def key(self, service: str) -> Path:
        return self.tls / f"{service}.key"

    @property
    def cert_dir(self) -> Path:
        """A folder holding only ``ca.crt``: what ``podman --cert-dir`` reads to trust the CA."""
        return self.tls / "client"

    @property
    def credentials(self) -> Path:
        return self.state / "credentials.json"

    @property
    def htpasswd(self) -> Path:
        return self.state / "htpasswd"

    @property
    def config(self) -> Path:
        return self.state / "config.yml"

    @property
    def storage(self) -> Path:
        return self.state / "storage"

    @property
    def pidfile(self) -> Path:
        return self.state / "registry.pid"

    @property
    def log(self) -> Path:
        return self.state / "registry.log"

    @property
    def authfile(self) -> Path:
        """The engine's login for the registry (``podman login --authfile``), never ~/.docker."""
        return self.state / "auth.json"


def private_dir(path: Path) -> Path:
    """Create *path* (and parents) and make it 0700: it holds keys and passwords."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write *data* to *path* created 0600 (never world-readable, not even for an instant)."""
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    tmp.chmod(0o600)
    tmp.replace(path)
