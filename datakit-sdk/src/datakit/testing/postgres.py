"""A real Postgres server for tests: testcontainers where a Docker engine answers, else embedded.

Both kinds offer the same interface (:class:`PostgresServer`), so the same tests run on a laptop
with Docker and in CI without. The embedded server is a throw-away cluster built with the local
``initdb``/``pg_ctl`` binaries, listening on 127.0.0.1 at a free port, with password
authentication on, so tests can exercise wrong-password and permission paths. Postgres refuses to
run as root, so as root the cluster runs as an unprivileged user created on the fly.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

SUPERUSER = "postgres"
SUPERUSER_PASSWORD = "datakit-test-pw"
_OS_USER = "datakit-pg"
_FAST_SETTINGS = (
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "max_connections=200",
    "shared_buffers=256MB",
    "max_wal_size=4GB",
    "lc_messages=C",
)


@dataclass
class PostgresServer:
    """A running Postgres server reachable at ``host:port`` with a superuser password."""

    host: str
    port: int
    user: str = SUPERUSER
    password: str = SUPERUSER_PASSWORD
    kind: str = "embedded"
    _stop: Any = field(default=None, repr=False)
    _logs: Any = field(default=None, repr=False)

    def url(
        self, dbname: str = "postgres", *, user: str | None = None, password: str | None = None
    ) -> str:
        user = user or self.user
        password = self.password if password is None else password
        return f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}@{self.host}:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        """Create database *name* (dropping an old one) and return its URL."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def log_text(self) -> str:
        """Everything the server has logged so far (tests assert what a DBA's log would show)."""
        return str(self._logs()) if self._logs is not None else ""

    def stop(self) -> None:
        if self._stop is not None:
            self._stop()
            self._stop = None


def docker_available() -> bool:
    """True when a Docker engine answers within two seconds."""
    try:
        import docker  # type: ignore[import-untyped]

        docker.from_env(timeout=2).ping()
        return True
    except Exception:
        return False


def start_postgres(*, prefer: str | None = None) -> PostgresServer:
    """Start a server: ``DATAKIT_TEST_POSTGRES=embedded|docker`` or *prefer* chooses, else auto."""
    choice = prefer or os.environ.get("DATAKIT_TEST_POSTGRES", "auto")
    if choice == "docker" or (choice == "auto" and docker_available()):
        return _start_container()
    return start_embedded()


def _start_container() -> PostgresServer:
    from testcontainers.postgres import PostgresContainer  # type: ignore[import-untyped]

    container = PostgresContainer("postgres:16", username=SUPERUSER, password=SUPERUSER_PASSWORD)
    container.start()
    return PostgresServer(
        host=container.get_container_host_ip(),
        port=int(container.get_exposed_port(5432)),
        kind="testcontainers",
        _stop=container.stop,
        _logs=lambda: b"".join(container.get_logs()).decode("utf-8", "replace"),
    )


def find_bindir() -> Path:
    """The directory holding ``initdb`` and ``pg_ctl`` (``DATAKIT_PG_BINDIR`` overrides)."""
    explicit = os.environ.get("DATAKIT_PG_BINDIR")
    candidates = [explicit] if explicit else []
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    which = shutil.which("initdb")
    if which:
        candidates.append(str(Path(which).resolve().parent))
    for candidate in candidates:
        if (
            candidate
            and (Path(candidate) / "initdb").exists()
            and (Path(candidate) / "pg_ctl").exists()
        ):
            return Path(candidate)
    raise RuntimeError(
        "no Postgres server binaries found (install postgresql, or set DATAKIT_PG_BINDIR to the "
        "folder holding initdb and pg_ctl, or run with a Docker engine)"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ensure_os_user() -> str | None:
    """As root, return an unprivileged user to run the cluster (created if missing)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(_OS_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", _OS_USER],
            check=True,
            capture_output=True,
        )
    return _OS_USER


def start_embedded(*, data_dir: str | None = None, port: int | None = None) -> PostgresServer:
    """Create and start a throw-away cluster; the returned server's ``stop`` removes it."""
    bindir = find_bindir()
    os_user = _ensure_os_user()
    root = Path(data_dir) if data_dir else Path(tempfile.mkdtemp(prefix="datakit-pg-"))
    root.mkdir(parents=True, exist_ok=True)
    data = root / "data"
    sockets = root / "sock"
    sockets.mkdir(exist_ok=True)
    pwfile = root / "pwfile"
    pwfile.write_text(SUPERUSER_PASSWORD + "\n")
    if os_user:
        entry = pwd.getpwnam(os_user)
        for path in (root, sockets, pwfile):
            os.chown(path, entry.pw_uid, entry.pw_gid)
        os.chmod(root, 0o755)

    def as_user(args: list[str]) -> list[str]:
        return ["runuser", "-u", os_user, "--", *args] if os_user else args

    subprocess.run(
        as_user(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                "--pwfile",
                str(pwfile),
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ]
        ),
        check=True,
        capture_output=True,
    )
    port = port or free_port()
    options = " ".join(
        [f"-p {port}", "-c listen_addresses=127.0.0.1", f"-c unix_socket_directories={sockets}"]
        + [f"-c {setting}" for setting in _FAST_SETTINGS]
    )
    log = root / "server.log"
    if os_user:
        log.touch()
        entry = pwd.getpwnam(os_user)
        os.chown(log, entry.pw_uid, entry.pw_gid)
    subprocess.run(
        as_user(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(log),
                "-w",
                "-t",
                "60",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )

    def stop() -> None:
        subprocess.run(
            as_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            capture_output=True,
        )
        if not data_dir:
            shutil.rmtree(root, ignore_errors=True)

    server = PostgresServer(
        host="127.0.0.1",
        port=port,
        kind="embedded",
        _stop=stop,
        _logs=lambda: log.read_text(encoding="utf-8", errors="replace"),
    )
    _wait_ready(server)
    return server


def _wait_ready(server: PostgresServer, timeout_seconds: float = 30.0) -> None:
    import psycopg

    deadline = time.monotonic() + timeout_seconds
    while True:
        try:
            with psycopg.connect(server.url(), connect_timeout=2):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


__all__ = ["PostgresServer", "docker_available", "find_bindir", "start_embedded", "start_postgres"]
