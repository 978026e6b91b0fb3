"""The Distribution registry (Debian's ``docker-registry``, the program in ``registry:2``) run as
a process: TLS with the project's certificate, htpasswd (bcrypt) auth, storage under ``.state/``.

Why a process and not a container: no registry image can be pulled on the machines this runs
on, and Debian ships the same program. The config is rendered here so the compose file's
``registry:2`` service and this process are configured alike (same auth, same TLS, same storage
layout). The password is generated into a 0600 file and reaches the registry only as a bcrypt
hash in the htpasswd file: never on argv, never in the log.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from base64 import b64encode
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import yaml

from datakit_registry.paths import PlatformPaths, private_dir, write_private
from datakit_registry.tls import ensure_tls

#: Where ``make platform`` serves the registry: loopback only. ``registry.localhost`` does not
#: resolve on every machine, ``127.0.0.1`` does (it is in the certificate's names).
DEFAULT_ADDR = "127.0.0.1:5000"
DEFAULT_USER = "datakit"
REALM = "datakit-registry"
BINARY = "docker-registry"
START_TIMEOUT_S = 20.0


class PlatformError(RuntimeError):
    """A one-line, user-facing failure (missing tool, port taken, registry not answering)."""


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str

    def basic_auth(self) -> str:
        token = b64encode(f"{self.username}:{self.password}".encode()).decode()
        return f"Basic {token}"


def registry_addr() -> str:
    """``DATAKIT_REGISTRY_ADDR`` (host:port) when set, else 127.0.0.1:5000."""
    return os.environ.get("DATAKIT_REGISTRY_ADDR") or DEFAULT_ADDR


def registry_binary() -> str | None:
    return shutil.which(BINARY) or (
        f"/usr/bin/{BINARY}" if Path(f"/usr/bin/{BINARY}").is_file() else None
    )


def ensure_credentials(paths: PlatformPaths) -> Credentials:
    """The registry's user and password (generated once into a 0600 file) and the htpasswd
    file the registry reads (bcrypt, rewritten when it does not match the credentials)."""
    if paths.credentials.is_file():
        data = json.loads(paths.credentials.read_text())
        creds = Credentials(str(data["username"]), str(data["password"]))
    else:
        creds = Credentials(DEFAULT_USER, secrets.token_urlsafe(24))
        payload = json.dumps({"username": creds.username, "password": creds.password})
        write_private(paths.credentials, payload.encode())
    current = paths.htpasswd.read_text().strip() if paths.htpasswd.is_file() else ""
    user, _, hashed = current.partition(":")
    if (
        user != creds.username
        or not hashed
        or not bcrypt.checkpw(creds.password.encode(), hashed.encode())
    ):
        hashed = bcrypt.hashpw(creds.password.encode(), bcrypt.gensalt(rounds=10)).decode()
        write_private(paths.htpasswd, f"{creds.username}:{hashed}\n".encode())
    return creds


def render_config(paths: PlatformPaths, addr: str) -> dict[str, object]:
    """The registry's configuration (Distribution's config.yml) for this platform."""
    return {
        "version": 0.1,
        "log": {"level": "info", "formatter": "text", "fields": {"service": "registry"}},
        "storage": {
            "filesystem": {"rootdirectory": str(paths.storage)},
            "delete": {"enabled": False},
        },
        "http": {
            "addr": addr,
            # Signs upload state between requests; random per platform, kept with the config.
            "secret": secrets.token_urlsafe(32),
            "tls": {
                "certificate": str(paths.cert("registry")),
                "key": str(paths.key("registry")),
                "minimumtls": "tls1.2",
            },
            "headers": {"X-Content-Type-Options": ["nosniff"]},
        },
        "auth": {"htpasswd": {"realm": REALM, "path": str(paths.htpasswd)}},
    }


def write_config(paths: PlatformPaths, addr: str) -> Path:
    """Render the config into ``.state/config.yml`` (0600: it holds the http secret)."""
    private_dir(paths.storage)
    text = yaml.safe_dump(render_config(paths, addr), sort_keys=False)
    write_private(paths.config, text.encode())
    return paths.config


def ssl_context(paths: PlatformPaths) -> ssl.SSLContext:
    """A client context that trusts only the project's CA (as an engine with --cert-dir)."""
    return ssl.create_default_context(cafile=str(paths.ca_cert))


def probe(
    paths: PlatformPaths, addr: str, *, auth: Credentials | None = None, timeout: float = 5
) -> int:
    """The HTTP status of ``GET https://addr/v2/`` (401 anonymous, 200 authorised); raises
    ``OSError`` when nothing answers over TLS."""
    request = urllib.request.Request(f"https://{addr}/v2/")
    if auth is not None:
        request.add_header("Authorization", auth.basic_auth())
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=ssl_context(paths)) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _pid(paths: PlatformPaths) -> int | None:
    """The pid in the pid file when that process is still our registry, else None."""
    try:
        pid = int(paths.pidfile.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError):
        return None
    if str(paths.config).encode() not in cmdline:
        return None  # a recycled pid: not ours
    return pid


def is_running(paths: PlatformPaths) -> bool:
    return _pid(paths) is not None


def start(paths: PlatformPaths, addr: str | None = None) -> Credentials:
    """Start the registry (a no-op when it already runs) and wait until ``/v2/`` answers 401.

    Raises ``PlatformError`` when the binary is missing or the server does not come up (the
    last lines of its log are in the message: they name the cause, e.g. a taken port)."""
    addr = addr or registry_addr()
    binary = registry_binary()
    if binary is None:
        raise PlatformError(
            "docker-registry is not installed (Debian: apt-get install docker-registry)"
        )
    ensure_tls(paths)
    creds = ensure_credentials(paths)
    if is_running(paths):
        return creds
    write_config(paths, addr)
    private_dir(paths.state)
    log = os.open(paths.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        process = subprocess.Popen(
            [binary, "serve", str(paths.config)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # survives make's shell; stopped by stop()
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        )
    finally:
        os.close(log)
    write_private(paths.pidfile, f"{process.pid}\n".encode())
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if probe(paths, addr, timeout=2) == 401:
                return creds
        except OSError:
            pass
        time.sleep(0.2)
    stop(paths)
    tail = paths.log.read_text(errors="replace").strip().splitlines()[-3:]
    raise PlatformError(f"the registry did not answer on https://{addr}/v2/: {' | '.join(tail)}")


def stop(paths: PlatformPaths, timeout: float = 10) -> bool:
    """Stop the registry this platform started (SIGTERM, then SIGKILL); False when none ran."""
    pid = _pid(paths)
    paths.pidfile.unlink(missing_ok=True)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        _reap(pid)
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    _reap(pid)
    return True


def _reap(pid: int) -> None:
    """Collect the exit status when the registry is our child (tests start it in-process)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
