"""A real Postgres server for tests: testcontainers where a Docker engine answers, else embedded.

Both kinds offer the same interface (:class:`PostgresServer`), so the same tests run on a laptop
with Docker and in CI without. The embedded server is a throw-away cluster built with the local
``initdb``/``pg_ctl`` binaries, listening on 127.0.0.1 at a free port, with password
authentication on, so tests can exercise wrong-password and permission paths. Postgres refuses to
run as root, so as root the cluster runs as an unprivileged user created on the fly.

The demos keep their cluster running after they exit: :func:`stop_embedded` stops it again, and
:func:`write_service_file` gives ``psql`` its connections through a private (0600) libpq service
file, so no password is ever printed. What goes wrong before the server is up (no binaries, a
folder the server's user cannot enter, ``initdb`` or ``pg_ctl`` failing) raises
:class:`EmbeddedPostgresError` with one line that says what to do.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

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


class EmbeddedPostgresError(RuntimeError):
    """An embedded cluster cannot start; the message is one line: what is wrong, what to do."""


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


def _has_server_binaries(folder: str | Path) -> bool:
    return (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists()


def find_bindir() -> Path:
    """The directory holding ``initdb`` and ``pg_ctl`` (``DATAKIT_PG_BINDIR`` overrides).

    An explicit ``DATAKIT_PG_BINDIR`` without the binaries is an error rather than a silent
    fall-back: the user asked for that server version.
    """
    explicit = os.environ.get("DATAKIT_PG_BINDIR")
    if explicit:
        if _has_server_binaries(explicit):
            return Path(explicit)
        raise EmbeddedPostgresError(
            f"DATAKIT_PG_BINDIR={explicit} holds no initdb and pg_ctl: point it at the bin folder "
            "of a PostgreSQL server installation (e.g. /usr/lib/postgresql/15/bin)"
        )
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    which = shutil.which("initdb")
    if which:
        candidates.append(str(Path(which).resolve().parent))
    for candidate in candidates:
        if _has_server_binaries(candidate):
            return Path(candidate)
    raise EmbeddedPostgresError(
        "no PostgreSQL server binaries (initdb, pg_ctl) found: install them "
        "(Debian/Ubuntu: apt-get install postgresql) or set DATAKIT_PG_BINDIR to their folder"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ensure_os_user(name: str = _OS_USER) -> str | None:
    """As root, return an unprivileged user to run the cluster (created if missing).

    Creating a system user is a change to the machine, so it is said on stderr, once, with the
    way to undo it; a user that exists already (or that a concurrent session just created) is
    used silently.
    """
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(name)
        return name
    except KeyError:
        pass
    created = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        capture_output=True,
        text=True,
    )
    if created.returncode != 0:
        try:
            pwd.getpwnam(name)  # created by a concurrent session meanwhile
            return name
        except KeyError:
            raise EmbeddedPostgresError(
                f"useradd {name} failed (exit {created.returncode}): "
                f"{created.stderr.strip() or 'no message'}: Postgres refuses to run as root, so "
                "as root the embedded cluster needs an unprivileged user"
            ) from None
    print(
        f"datakit: created the system user {name} (no login shell, no home) to run embedded "
        f"Postgres clusters, which refuse to run as root; remove it with: userdel {name}",
        file=sys.stderr,
        flush=True,
    )
    return name


def _as_user(os_user: str | None, args: list[str]) -> list[str]:
    return ["runuser", "-u", os_user, "--", *args] if os_user else args


def _run_checked(what: str, args: list[str], hint: str = "") -> None:
    """Run a server tool; a failure becomes one line with the tool's last message."""
    try:
        subprocess.run(args, check=True, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise EmbeddedPostgresError(f"{what}: {exc.filename} not found{hint}") from None
    except subprocess.CalledProcessError as exc:
        lines = [line.strip() for line in (exc.stderr or exc.stdout or "").splitlines()]
        last = next((line for line in reversed(lines) if line), "no message")
        raise EmbeddedPostgresError(
            f"{what} failed (exit {exc.returncode}): {last}{hint}"
        ) from None


def server_user_can_enter(folder: Path) -> bool:
    """Whether the embedded server's OS user could create its data folder in *folder*.

    Always true when not root (the server runs as the caller); as root the unprivileged user
    (created if missing) must pass through every parent of *folder*.
    """
    os_user = _ensure_os_user() if os.geteuid() == 0 else None
    if os_user is None:
        return True
    probe = subprocess.run(_as_user(os_user, ["test", "-x", str(folder)]), capture_output=True)
    return probe.returncode == 0


def _check_reachable(os_user: str, root: Path) -> None:
    """The server's OS user must enter and write *root*: every parent must let others pass."""
    probe = subprocess.run(
        _as_user(os_user, ["test", "-x", str(root), "-a", "-w", str(root)]), capture_output=True
    )
    if probe.returncode != 0:
        raise EmbeddedPostgresError(
            f"the Postgres server runs as the unprivileged user {os_user} (Postgres refuses "
            f"root), which cannot enter {root}: a parent folder is closed to other users; put the "
            "data folder somewhere it can reach (e.g. under /tmp) or open the parents (chmod o+x)"
        )


def start_embedded(
    *,
    data_dir: str | None = None,
    port: int | None = None,
    password: str = SUPERUSER_PASSWORD,
) -> PostgresServer:
    """Create and start a throw-away cluster; the returned server's ``stop`` removes it.

    *password* is the superuser's: tests share the fixed default, a demo passes a random one so
    that a server left running is not open to anyone who read this file. Every file and folder
    is private to its owner (0600/0700); the password file exists only while ``initdb`` runs.
    """
    bindir = find_bindir()
    os_user = _ensure_os_user()
    root = Path(data_dir) if data_dir else Path(tempfile.mkdtemp(prefix="datakit-pg-"))
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    data = root / "data"
    sockets = root / "sock"
    sockets.mkdir(mode=0o700, exist_ok=True)
    pwfile = root / "pwfile"
    fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")
    if os_user:
        entry = pwd.getpwnam(os_user)
        for path in (root, sockets, pwfile):
            os.chown(path, entry.pw_uid, entry.pw_gid)
        _check_reachable(os_user, root)

    def as_user(args: list[str]) -> list[str]:
        return _as_user(os_user, args)

    try:
        _run_checked(
            "initdb",
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
        )
    finally:
        pwfile.unlink(missing_ok=True)
    port = port or free_port()
    options = " ".join(
        [f"-p {port}", "-c listen_addresses=127.0.0.1", f"-c unix_socket_directories={sockets}"]
        + [f"-c {setting}" for setting in _FAST_SETTINGS]
    )
    log = root / "server.log"
    log.touch(mode=0o600)
    if os_user:
        entry = pwd.getpwnam(os_user)
        os.chown(log, entry.pw_uid, entry.pw_gid)
    _run_checked(
        "pg_ctl start",
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
        hint=f" (server log: {log})",
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
        password=password,
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


def stop_embedded(data_dir: str | Path) -> bool:
    """Stop a cluster that :func:`start_embedded` left running in *data_dir*; False if none was.

    For a demo's server that outlives the demo (``make demo-stop``). The folder is kept.
    """
    # Resolved: the folder may be a link to a place the server's user can reach (a demo under a
    # closed parent keeps its cluster in the temp folder), and that user cannot pass the link.
    data = (Path(data_dir) / "data").resolve()
    if not (data / "postmaster.pid").exists():
        return False
    os_user = data.owner() if os.geteuid() == 0 and data.owner() != "root" else None
    pg_ctl = str(find_bindir() / "pg_ctl")
    _run_checked(
        "pg_ctl stop", _as_user(os_user, [pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"])
    )
    return True


def write_service_file(path: Path, services: Mapping[str, str]) -> Path:
    """Write a libpq service file (0600) with one ``[name]`` section per connection URL.

    ``PGSERVICEFILE=<path> psql service=<name>`` then connects without a password on the
    command line, in the environment or on the screen.
    """
    lines: list[str] = []
    for name, url in services.items():
        parts = urlsplit(url)
        lines += [
            f"[{name}]",
            f"host={parts.hostname}",
            f"port={parts.port or 5432}",
            f"dbname={unquote(parts.path.lstrip('/')) or 'postgres'}",
            f"user={unquote(parts.username or '')}",
            f"password={unquote(parts.password or '')}",
            "",
        ]
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write("\n".join(lines))
    return path


__all__ = [
    "EmbeddedPostgresError",
    "PostgresServer",
    "docker_available",
    "find_bindir",
    "start_embedded",
    "start_postgres",
    "stop_embedded",
    "write_service_file",
]
