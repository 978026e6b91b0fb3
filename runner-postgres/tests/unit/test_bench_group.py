"""The ``bench`` dependency group (Sling, dlt) is installed by ``make bench`` and nothing else.

Sling's binary alone is 260 MB and no test imports a peer, so the syncs of ``make sync``,
``make test`` and ``make lint`` leave the group out, and still work in components that do not
define it (uv refuses ``--no-group`` for a group a project lacks). Each test takes a recipe's
real ``uv sync`` command from ``make -n`` and runs it with ``--dry-run`` into an environment
that does not exist yet: what it would install is what a fresh machine gets.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
PEERS = ("dlt==", "sling-linux-")
# The `uv sync ...` of a recipe line, without the --quiet that ends each of them.
_SYNC = re.compile(r"(?P<sync>\S*\buv sync .*?) --quiet\b")

pytestmark = pytest.mark.skipif(
    shutil.which("make") is None or shutil.which("uv") is None, reason="needs make and uv"
)


def _sync_command(target: str, component: str) -> str:
    """The uv sync command that `make <target>` runs in *component*, without --quiet."""
    dry = subprocess.run(
        ["make", "--no-print-directory", "-n", target],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = [line for line in dry.stdout.splitlines() if " sync " in line]
    line = next((x for x in lines if f"cd {component} " in x), lines[0] if lines else "")
    match = _SYNC.search(line)
    assert match, f"make -n {target}: no uv sync in\n{dry.stdout}"
    return match["sync"]


def _would_install(command: str, component: str, env_dir: Path) -> str:
    done = subprocess.run(
        ["sh", "-c", f"{command} --dry-run"],
        cwd=REPO_ROOT / component,
        env={**os.environ, "UV_PROJECT_ENVIRONMENT": str(env_dir)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"{command} in {component}: {done.stdout}{done.stderr}"
    return done.stdout + done.stderr


@pytest.mark.parametrize("target", ["sync", "test-runner-postgres", "lint-runner-postgres"])
def test_the_test_and_lint_syncs_leave_the_bench_group_out(target: str, tmp_path: Path) -> None:
    output = _would_install(_sync_command(target, "runner-postgres"), "runner-postgres", tmp_path)

    assert "+ pytest==" in output, output  # the dev group is there: the dry run lists packages
    assert not [peer for peer in PEERS if f"+ {peer}" in output], output


@pytest.mark.parametrize("target", ["sync", "test-datakit-sdk"])
def test_a_component_without_a_bench_group_still_syncs(target: str, tmp_path: Path) -> None:
    _would_install(_sync_command(target, "datakit-sdk"), "datakit-sdk", tmp_path)


def test_make_bench_installs_the_peers_and_runs_them_after_bench_extract(tmp_path: Path) -> None:
    output = _would_install(_sync_command("bench", "runner-postgres"), "runner-postgres", tmp_path)
    recipe = subprocess.run(
        ["make", "--no-print-directory", "-n", "bench"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout

    assert "+ dlt==" in output, output
    extract = recipe.index("runner-postgres && ")
    assert recipe.index("benchmarks/bench_peers.py") > recipe.index(
        "benchmarks/bench_extract.py", extract
    ), recipe
