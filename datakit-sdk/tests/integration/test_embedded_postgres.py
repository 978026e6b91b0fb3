"""The embedded cluster the demos and tests start: private files, one-line errors, a kept server.

- Every file it writes is private to its owner (the password file is gone after ``initdb``);
  a random superuser password replaces the shared test one when asked.
- A data folder the unprivileged server user cannot enter, or missing server binaries, end in
  one :class:`EmbeddedPostgresError` line that says what to do, before anything is written.
- The libpq service file lets ``psql`` connect with no password on screen, and
  :func:`stop_embedded` stops a server that outlived the process that started it.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from datakit.testing.demo import private_workdir, start_server
from datakit.testing.demo import stop as demo_stop
from datakit.testing.postgres import (
    EmbeddedPostgresError,
    PostgresServer,
    find_bindir,
    start_embedded,
    stop_embedded,
    write_service_file,
)

pytestmark = pytest.mark.integration

PASSWORD = "Demo pw@with:odd%chars"


def _modes(root: Path) -> dict[str, int]:
    """Permission bits of every file and folder under *root* that this process can see."""
    modes = {}
    for path in [root, *root.rglob("*")]:
        try:
            info = path.lstat()
        except OSError:
            continue
        if not stat.S_ISSOCK(info.st_mode):  # a socket's own bits do not matter: its folder's do
            modes[str(path.relative_to(root))] = stat.S_IMODE(info.st_mode)
    return modes


@pytest.fixture
def kept_server() -> Iterator[tuple[PostgresServer, Path]]:
    # Not tmp_path: pytest's base folder is closed to others, and the server's user must pass.
    base = Path(tempfile.mkdtemp(prefix="datakit-embedded-test-"))
    base.chmod(0o711)
    workdir = private_workdir(base / "demo")
    server = start_embedded(data_dir=str(workdir / "pg"), password=PASSWORD)
    try:
        yield server, workdir
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


def test_cluster_files_are_private_and_the_password_file_is_removed(
    kept_server: tuple[PostgresServer, Path],
) -> None:
    server, workdir = kept_server
    root = workdir / "pg"

    assert not (root / "pwfile").exists()
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    readable = {
        name: oct(mode)
        for name, mode in _modes(root).items()
        if mode & (stat.S_IRWXG | stat.S_IRWXO)
    }
    assert readable == {}, "group/other may not read the cluster's files"
    assert server.password == PASSWORD


def test_service_file_connects_psql_without_a_password_anywhere(
    kept_server: tuple[PostgresServer, Path],
) -> None:
    server, workdir = kept_server
    psql = shutil.which("psql") or str(find_bindir() / "psql")
    services = write_service_file(workdir / "pg_service.conf", {"wh": server.url("postgres")})
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}

    done = subprocess.run(
        [psql, "service=wh", "-Atc", "select current_user"],
        env={**env, "PGSERVICEFILE": str(services)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "postgres"
    assert stat.S_IMODE(services.stat().st_mode) == 0o600


def test_stop_embedded_stops_a_server_that_outlived_its_starter(
    kept_server: tuple[PostgresServer, Path],
) -> None:
    import psycopg

    server, workdir = kept_server

    assert stop_embedded(workdir / "pg") is True
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(server.url(), connect_timeout=3)
    assert stop_embedded(workdir / "pg") is False


@pytest.mark.skipif(os.geteuid() != 0, reason="the server runs as another user only as root")
def test_a_folder_the_server_user_cannot_enter_is_one_line_that_says_what_to_do(
    tmp_path: Path,
) -> None:
    closed = tmp_path / "home"
    closed.mkdir(mode=0o700)
    os.chmod(closed, 0o700)

    with pytest.raises(EmbeddedPostgresError) as raised:
        start_embedded(data_dir=str(closed / "clone" / ".demo" / "pg"))

    message = str(raised.value)
    assert "\n" not in message
    assert "cannot enter" in message and str(closed / "clone") in message
    assert "/tmp" in message and "chmod o+x" in message
    assert not (closed / "clone" / ".demo" / "pg" / "data").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="the server runs as another user only as root")
def test_the_default_demo_folder_under_a_closed_parent_moves_the_cluster_and_stops_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A clone in /root: ``make demo`` still runs, its cluster in the temp folder, linked back."""
    import psycopg

    closed = tmp_path / "home"
    closed.mkdir(mode=0o700)
    workdir = private_workdir(closed / "clone" / ".demo")

    server = start_server(workdir, move_if_closed=True)
    try:
        link = workdir / "pg"
        assert link.is_symlink() and not str(link.resolve()).startswith(str(closed))
        assert "cannot enter" in capsys.readouterr().out
        with psycopg.connect(server.url(), connect_timeout=5) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        assert demo_stop([str(workdir)]) == 0
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(server.url(), connect_timeout=3)
    finally:
        server.stop()


def test_missing_server_binaries_are_one_line_that_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATAKIT_PG_BINDIR", str(tmp_path / "no-postgres-here"))

    with pytest.raises(EmbeddedPostgresError) as raised:
        start_embedded(data_dir=str(tmp_path / "pg"))

    message = str(raised.value)
    assert "\n" not in message
    assert str(tmp_path / "no-postgres-here") in message and "initdb" in message
    assert not (tmp_path / "pg").exists()
