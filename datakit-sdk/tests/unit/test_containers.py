"""The container engine layer and `make images` when no engine is there: they say what is
missing instead of installing anything, and a secret never reaches an engine's argv."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from datakit.testing.containers import Engine, detect_engine, find_repo_root, missing_tools

REPO_ROOT = Path(__file__).resolve().parents[3]
BUILD = REPO_ROOT / "images" / "build.py"


def build_script(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BUILD), *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_without_an_engine_make_images_names_what_to_install_and_exits_3(tmp_path: Path) -> None:
    # A PATH with neither docker nor podman on it (the sbin fallbacks may still find runc).
    env = {**os.environ, "PATH": str(tmp_path)}
    env.pop("DATAKIT_CONTAINER_ENGINE", None)
    env.pop("CONTAINERS_CONF", None)

    result = build_script(env)

    assert result.returncode == 3, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("images/build.py: no container engine answers")
    assert "apt-get install podman" in line


def test_an_unknown_runner_is_a_usage_error_naming_the_known_ones() -> None:
    result = build_script({**os.environ}, "runner-nope")

    assert result.returncode == 2
    assert "no runner-nope/Dockerfile" in result.stderr and "runner-postgres" in result.stderr


def test_the_engine_can_be_forced_off_and_a_wrong_name_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATAKIT_CONTAINER_ENGINE", "none")
    assert detect_engine(REPO_ROOT) is None
    monkeypatch.setenv("DATAKIT_CONTAINER_ENGINE", "kubernetes")
    with pytest.raises(ValueError, match="DATAKIT_CONTAINER_ENGINE"):
        detect_engine(REPO_ROOT)


def test_missing_tools_are_debian_package_names(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))

    assert set(missing_tools()) <= {"podman", "buildah", "runc", "catatonit", "debootstrap"}
    assert "podman" in missing_tools()


def test_run_args_pass_the_environment_by_name_only_on_the_host_network() -> None:
    engine = Engine(kind="podman", binary="podman")

    argv = engine.run_args(
        "image:1", ["extract"], env_names=["DATAKIT_SOURCE_URL_FILE"], entrypoint=None
    )

    assert argv[:2] == ["run", "--rm"]
    assert argv[argv.index("--network") + 1] == "host"
    assert argv[argv.index("-e") + 1] == "DATAKIT_SOURCE_URL_FILE"
    assert "--read-only" in argv and argv[-2:] == ["image:1", "extract"]


def test_the_repo_root_is_found_from_a_component() -> None:
    assert find_repo_root(REPO_ROOT / "datakit-sdk" / "src") == REPO_ROOT
