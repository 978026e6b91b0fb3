"""A passing test session leaves nothing under the temp folder (it left ~1.1 GB per `make test`).

Each component's pytest settings are run for real on a tiny session in a private ``TMPDIR``
that writes what the real fixtures write: a per-test ``tmp_path`` and a session folder from
``tmp_path_factory`` (where clusters' dbt targets, Spark catalogs and built wheels live).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
COMPONENTS = ("datakit-sdk", "runner-postgres", "runner-dbt", "orchestration")
SESSION = """
def test_writes_like_the_fixtures(tmp_path, tmp_path_factory):
    (tmp_path / "per_test.bin").write_bytes(b"x" * 100_000)
    (tmp_path_factory.mktemp("session") / "per_session.bin").write_bytes(b"x" * 100_000)
"""


def _files_left(component: str, tmp_path: Path, *, failing: bool = False) -> list[Path]:
    case = tmp_path / "case"
    case.mkdir()
    body = SESSION + ("\ndef test_fails():\n    assert False\n" if failing else "")
    (case / "test_writes.py").write_text(body, encoding="utf-8")
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    env.pop("PYTEST_ADDOPTS", None)
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:datakit",
         "-c", str(REPO / component / "pyproject.toml"), "--rootdir", str(case), str(case)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert completed.returncode == (1 if failing else 0), completed.stdout[-2000:]
    return [path for path in temp.rglob("*") if path.is_file()]


@pytest.mark.parametrize("component", COMPONENTS)
def test_a_passing_session_leaves_no_files_in_the_temp_folder(
    component: str, tmp_path: Path
) -> None:
    assert _files_left(component, tmp_path) == []


def test_a_failing_session_keeps_the_failed_tests_folder_only(tmp_path: Path) -> None:
    left = _files_left("runner-postgres", tmp_path, failing=True)
    assert {path.name for path in left} == {"per_session.bin"}
