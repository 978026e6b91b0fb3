"""`make demo` (``scripts/demo.py``) as a new user runs it, in a subprocess.

- It prints each task as it finishes, ends with ``psql`` commands that work (the server stays up
  until ``make demo-stop``), prints no password (``psql`` reads a 0600 service file), and every
  file it writes is private.
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
from tests.conftest import PROJECT_DIR

DEMO = PROJECT_DIR / "scripts" / "demo.py"


def run_demo(workdir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "PG"))}
    return subprocess.run(
        [sys.executable, str(DEMO)],
        env={**clean, "DEMO_DIR": str(workdir), "DEMO_SCALE": "0.01", **env},
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.fixture
def reachable_dir() -> Iterator[Path]:
    """A folder the server's OS user can pass through (pytest's tmp_path is closed to it)."""
    base = Path(tempfile.mkdtemp(prefix="datakit-orch-demo-test-"))
    base.chmod(0o711)
    try:
        yield base
    finally:
        stop_embedded(base / "demo" / "pg")
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.integration
@pytest.mark.e2e
def test_demo_shows_progress_keeps_the_server_prints_no_secret_writes_private_files(
    reachable_dir: Path,
) -> None:
    workdir = reachable_dir / "demo"
    done = run_demo(workdir)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]

    # Progress: every task of each day printed with its state as it finished.
    assert done.stdout.count("tasks as they finish:") == 2
    assert len(re.findall(r"^\s+bronze\.shop__orders\s+success\s", done.stdout, re.M)) == 2

    # Alerts: where they would go (the tenant's connection, a local recorder), and on these
    # healthy days none fired, as the alerts task recorded it (its XCom) and the recorder saw it.
    assert re.search(
        r"webhook connection demo_alerts -> http://127\.0\.0\.1:\d+/demo/alerts", done.stdout
    ), done.stdout[-3000:]
    assert done.stdout.count("alerts: none fired (alerts task sent 0 messages") == 2
    assert len(re.findall(r"^\s+alerts\s+success\s", done.stdout, re.M)) == 2

    # The status report on the demo's warehouse: tables, the last builds, and the page.
    report = done.stdout.split("==> datakit status", 1)[1]
    assert re.search(r"demo_bronze\s+shop__orders\s", report), report[:3000]
    assert re.search(r"--select tag:gold\s+build\s.*succeeded\s+\d+ passed, 0 failed", report)
    assert "<html" in (workdir / "status.html").read_text()[:200].lower()
    assert "DATAKIT_WAREHOUSE_URL_FILE=" in report

    services = (workdir / "pg_service.conf").read_text()
    passwords = set(re.findall(r"^password=(.+)$", services, re.MULTILINE))
    assert len(passwords) == 2, "superuser and tenant, each in the service file only"
    written = [p for p in workdir.rglob("*.log") if p.is_file()]
    for password in passwords:
        assert password not in output
        for log in written:
            assert password not in log.read_text(errors="replace"), log
    assert "make demo-stop" in done.stdout
    assert "postgresql://postgres:***@127.0.0.1:" in done.stdout, "URLs shown masked, readable"

    commands = re.findall(r"(PGSERVICEFILE=(\S+) psql service=(\w+))", done.stdout)
    assert {service for _, _, service in commands} == {"warehouse", "demo"}
    psql = shutil.which("psql") or str(find_bindir() / "psql")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for _, service_file, service in commands:
        looked = subprocess.run(
            [
                psql,
                f"service={service}",
                "-Atc",
                "select count(*) from demo_gold.mart_daily_revenue",
            ],
            env={**clean, "PGSERVICEFILE": service_file},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert looked.returncode == 0, f"{service}: {looked.stderr}"
        assert int(looked.stdout) > 0

    assert exposed_paths(workdir) == {}

    assert stop_embedded(workdir / "pg") is True


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
    assert len(lines) == 1 and lines[0].startswith("make demo: "), done.stderr
    assert "cannot enter" in lines[0] and "DEMO_DIR" in lines[0]


def test_demo_without_postgres_binaries_says_so_in_one_line(reachable_dir: Path) -> None:
    done = run_demo(reachable_dir / "demo", DATAKIT_PG_BINDIR=str(reachable_dir / "nothing"))

    assert done.returncode == 3, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "initdb" in lines[0], done.stderr
