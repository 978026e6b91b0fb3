"""What the demos share: a private work folder, a server that outlives the demo, no printed secret.

``make demo`` (orchestration) and ``make demo-bronze`` (runner-postgres) both end with ``psql``
commands to look at the data, so the server they point to stays up until ``make demo-stop``.
Passwords are random per run and never printed: ``psql`` reads them from a libpq service file
(0600) in the work folder. Everything the demo writes is private (umask 077: files 0600, folders
0700); the work folder itself is 0711 when the server runs as another OS user (as root), which
must pass through it to reach its data folder.

``python -m datakit.testing.demo stop DIR...`` stops the servers of demo folders (``make
demo-stop``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import stat
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NoReturn

from datakit.testing.postgres import (
    EmbeddedPostgresError,
    PostgresServer,
    server_user_can_enter,
    start_embedded,
    stop_embedded,
    write_service_file,
)

SERVICE_FILE = "pg_service.conf"
#: Exit status of a demo that cannot start (a configuration problem the user can fix).
EXIT_SETUP = 3


def fail(prefix: str, message: str) -> NoReturn:
    """One line on stderr, exit 3: no traceback for a problem the user has to fix."""
    print(f"{prefix}: {message}", file=sys.stderr, flush=True)
    raise SystemExit(EXIT_SETUP)


def private_workdir(workdir: Path) -> Path:
    """Empty *workdir* (stopping a previous run's server first) and make it private.

    A demo process also calls ``os.umask(0o077)`` first (:func:`private_files`), so that what
    it and its children (Airflow, the runners) write there is 0600.
    """
    # A stale pid file of a server that is gone cannot be stopped: the folder goes anyway.
    with contextlib.suppress(EmbeddedPostgresError):
        stop_embedded(workdir / "pg")
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    # As root the cluster runs as an unprivileged user: it may pass through, not list.
    workdir.chmod(0o711 if os.geteuid() == 0 else 0o700)
    return workdir


def exposed_paths(workdir: Path) -> dict[str, str]:
    """Paths under *workdir* that group or others may use (path -> mode); ``{}`` when private.

    The work folder itself may be passed through (x) by the server's user as root, never read;
    the server's own 0700 folder cannot be listed and is skipped; the bits of sockets and
    symbolic links do not count (their folders' and targets' do).
    """
    exposed = {}
    for path in [workdir, *workdir.rglob("*")]:
        try:
            info = path.lstat()
        except OSError:
            continue
        if stat.S_ISSOCK(info.st_mode) or stat.S_ISLNK(info.st_mode):
            continue
        others = stat.S_IMODE(info.st_mode) & (stat.S_IRWXG | stat.S_IRWXO)
        allowed = 0o011 if path == workdir and os.geteuid() == 0 else 0
        if others & ~allowed:
            exposed[str(path.relative_to(workdir))] = oct(stat.S_IMODE(info.st_mode))
    return exposed


def private_files() -> None:
    """From now on this process and its children create files 0600 and folders 0700."""
    os.umask(0o077)


def start_server(workdir: Path, *, move_if_closed: bool = False) -> PostgresServer:
    """An embedded cluster in ``workdir/pg`` with a random superuser password.

    As root the cluster runs as an unprivileged user, who cannot reach a work folder under a
    closed parent (a clone in ``/root``). With *move_if_closed* (the default folder, not one the
    user chose with ``DEMO_DIR``) the cluster then lives in a private folder under the system
    temp folder, and ``workdir/pg`` links to it so that ``make demo-stop`` still finds it.
    """
    password = secrets.token_urlsafe(24)
    link = workdir / "pg"
    if move_if_closed and not server_user_can_enter(workdir):
        digest = hashlib.sha1(str(workdir).encode("utf-8")).hexdigest()[:12]
        elsewhere = Path(tempfile.gettempdir()) / f"datakit-demo-{digest}"
        with contextlib.suppress(EmbeddedPostgresError):
            stop_embedded(elsewhere)
        shutil.rmtree(elsewhere, ignore_errors=True)
        print(
            f"note: the Postgres server's OS user cannot enter {workdir} (a parent folder is "
            f"closed to other users); its data folder is {elsewhere} instead",
            flush=True,
        )
        server = start_embedded(data_dir=str(elsewhere), password=password)
        link.symlink_to(elsewhere, target_is_directory=True)
        return server
    return start_embedded(data_dir=str(link), password=password)


def stop_command(workdir: Path, default: Path) -> str:
    """The command that stops this demo's server (``DEMO_DIR`` repeated when not the default)."""
    if workdir.resolve() == default.resolve():
        return "make demo-stop"
    return f"DEMO_DIR={workdir} make demo-stop"


def access(workdir: Path, services: Mapping[str, str]) -> Path:
    """Write the service file for *services* (name -> URL) and return its path."""
    return write_service_file(workdir / SERVICE_FILE, services)


def psql_command(service_file: Path, service: str, statement: str = "") -> str:
    """A ``psql`` command line with no password in it."""
    command = f"PGSERVICEFILE={service_file} psql service={service}"
    return f"{command} -c '{statement}'" if statement else command


def stop(folders: Sequence[str]) -> int:
    """Stop the demo servers under *folders*; say which were running."""
    for folder in folders:
        try:
            stopped = stop_embedded(Path(folder) / "pg")
        except EmbeddedPostgresError as exc:
            print(f"demo-stop: {folder}: {exc}", file=sys.stderr)
            return EXIT_SETUP
        print(f"demo-stop: {folder}: {'stopped' if stopped else 'no server running'}")
    return 0


def main(argv: Sequence[str]) -> int:
    if len(argv) < 2 or argv[0] != "stop":
        print("usage: python -m datakit.testing.demo stop DEMO_DIR...", file=sys.stderr)
        return 2
    return stop(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
