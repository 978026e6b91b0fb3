"""The psql reader child never sees the password in its environment; its private files go away.

The child reads a libpq service file and a passfile (0600, in a 0700 folder of their own).
These tests look at the real child while it runs (``/proc/<pid>/environ``) and at the folder after
it ended: normally, after the runner's SIGTERM, and after the child itself was killed.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import sys
import time
from pathlib import Path

import pytest

from datakit.testing import pg
from datakit.testing.acceptance.secrets_and_hangs import running
from datakit.testing.postgres import SUPERUSER_PASSWORD
from datakit.testing.runner_process import RunnerProcess

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("psql") is None, reason="psql is not installed"),
]


@pytest.fixture
def runner(source_url: str, warehouse_url: str, tmp_path: Path) -> RunnerProcess:
    (tmp_path / "tmp").mkdir()
    return RunnerProcess(
        [sys.executable, "-m", "datakit_runner_postgres"],
        env={
            "DATAKIT_SOURCE_URL": source_url,
            "DATAKIT_WAREHOUSE_URL": warehouse_url,
            "DATAKIT_PG_READER": "psql",
            "TMPDIR": str(tmp_path / "tmp"),
        },
    )


def _psql_child(runner_pid: int, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                name, rest = (entry / "stat").read_text().split(") ", 1)
            except OSError:
                continue
            if name.endswith("(psql") and int(rest.split()[1]) == runner_pid:
                return int(entry.name)
        time.sleep(0.05)
    raise AssertionError("no psql child appeared")


def _environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


@pytest.mark.parametrize("ending", ["finishes", "runner-sigterm", "child-killed"])
def test_child_environment_has_no_password_and_private_files_go_away(
    runner: RunnerProcess, source_url: str, tmp_path: Path, ending: str
) -> None:
    sleep = 2 if ending == "finishes" else 120
    pg.execute(
        source_url,
        f"CREATE VIEW public.slow AS SELECT i AS id, pg_sleep({sleep})::text AS v "
        "FROM generate_series(1, 1) i",
    )
    t0 = time.monotonic()
    with running(runner.start("extract", "--table", "public.slow", "--source-name", "src")) as proc:
        child = _psql_child(proc.pid)
        environ = _environ(child)
        assert SUPERUSER_PASSWORD not in "".join(f"{k}={v}" for k, v in environ.items())
        assert "PGPASSWORD" not in environ
        service = Path(environ["PGSERVICEFILE"])
        folder = service.parent
        assert folder.parent == tmp_path / "tmp"
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        files = sorted(p.name for p in folder.iterdir())
        assert files == ["pg_service.conf", "pgpass"]
        for path in folder.iterdir():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert SUPERUSER_PASSWORD not in service.read_text()
        if ending == "runner-sigterm":
            proc.send_signal(signal.SIGTERM)
        elif ending == "child-killed":
            os.kill(child, signal.SIGKILL)
        out = RunnerProcess.finish(proc, t0, timeout=60)
    expected = {"finishes": 0, "runner-sigterm": 143, "child-killed": 4}[ending]
    assert out.exit_code == expected, out.stderr[-2000:]
    assert not folder.exists(), "the private folder must be removed when the child ends"
    assert SUPERUSER_PASSWORD not in out.stdout + out.stderr
