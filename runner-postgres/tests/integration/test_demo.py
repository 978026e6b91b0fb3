"""`make demo-bronze` (``scripts/demo.py``) as a new user runs it, in a subprocess.

- It ends with a ``psql`` command that works, because the server stays up until
  ``make demo-stop``; no password is printed (the command reads a 0600 service file), and
  nothing it writes can be read by other users.
- A folder the server's unprivileged user cannot enter, or missing Postgres binaries, end in one
  line that says what to do (exit 3), not a traceback.

Every test stops the server it started: CI must not leave one running.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from datakit.testing.demo import exposed_paths
from datakit.testing.postgres import find_bindir, stop_embedded

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[3]
DEMO = REPO_ROOT / "scripts" / "demo.py"


def run_demo(workdir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(DEMO)],
        env={**os.environ, "DEMO_DIR": str(workdir), "DEMO_SCALE": "0.02", **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def reachable_dir() -> Iterator[Path]:
    """A folder the server's OS user can pass through (pytest's tmp_path is closed to it)."""
    base = Path(tempfile.mkdtemp(prefix="datakit-demo-test-"))
    base.chmod(0o711)
    try:
        yield base
    finally:
        stop_embedded(base / "demo" / "pg")
        shutil.rmtree(base, ignore_errors=True)


def test_demo_keeps_the_server_for_psql_prints_no_secret_and_writes_private_files(
    reachable_dir: Path,
) -> None:
    workdir = reachable_dir / "demo"
    done = run_demo(workdir)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output

    services = (workdir / "pg_service.conf").read_text()
    passwords = re.findall(r"^password=(.+)$", services, re.MULTILINE)
    assert passwords, "the service file holds the connections"
    for password in passwords:
        assert password not in output
        assert password not in (workdir / "logs.jsonl").read_text()
    assert "make demo-stop" in output

    psql = re.search(r"look at the data: (PGSERVICEFILE=(\S+) psql service=(\w+))", done.stdout)
    assert psql is not None, done.stdout
    looked = subprocess.run(
        [
            shutil.which("psql") or str(find_bindir() / "psql"),
            f"service={psql[3]}",
            "-Atc",
            "select count(*) from demo_bronze.shop__orders",
        ],
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("PG")},
            "PGSERVICEFILE": psql[2],
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert looked.returncode == 0, "the server the demo printed is still up: " + looked.stderr
    assert int(looked.stdout) > 0

    assert exposed_paths(workdir) == {}

    stopped = subprocess.run(
        [sys.executable, "-m", "datakit.testing.demo", "stop", str(workdir)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert stopped.returncode == 0 and "stopped" in stopped.stdout, stopped
    assert not (workdir / "pg" / "data" / "postmaster.pid").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="the server runs as another user only as root")
def test_demo_in_a_folder_the_server_user_cannot_enter_says_so_in_one_line(
    tmp_path: Path,
) -> None:
    closed = tmp_path / "home"
    closed.mkdir()
    closed.chmod(0o700)

    done = run_demo(closed / "clone" / ".demo")

    assert done.returncode == 3, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("make demo-bronze: "), done.stderr
    assert "cannot enter" in lines[0] and "DEMO_DIR" in lines[0]


def test_demo_without_postgres_binaries_says_so_in_one_line(reachable_dir: Path) -> None:
    done = run_demo(reachable_dir / "demo", DATAKIT_PG_BINDIR=str(reachable_dir / "nothing"))

    assert done.returncode == 3, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "initdb" in lines[0], done.stderr
