"""The commands `make platform`, `make platform-down` and `make push` run, as subprocesses."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from datakit_registry.paths import PlatformPaths
from datakit_registry.server import is_running, registry_binary


def _run(home: Path, addr: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATAKIT_PLATFORM_HOME": str(home), "DATAKIT_REGISTRY_ADDR": addr}
    return subprocess.run(
        [sys.executable, "-m", "datakit_registry", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _free_addr() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"


def test_push_without_a_running_registry_is_exit_3_in_one_line(tmp_path: Path) -> None:
    result = _run(tmp_path, _free_addr(), "push")
    assert result.returncode == 3
    assert result.stderr.strip().splitlines() == [
        "datakit-platform push: the registry is not running: `make platform` first"
    ]


def test_an_unknown_command_is_usage(tmp_path: Path) -> None:
    assert _run(tmp_path, _free_addr(), "launch").returncode == 2


@pytest.mark.registry
def test_up_is_idempotent_and_down_stops_it(tmp_path: Path) -> None:
    if registry_binary() is None:
        pytest.skip("docker-registry is not installed (Debian: apt-get install docker-registry)")
    addr, paths = _free_addr(), PlatformPaths(tmp_path)
    try:
        first = _run(tmp_path, addr, "up")
        assert first.returncode == 0, first.stderr
        assert f"registry: https://{addr}/v2/" in first.stdout
        assert "traefik: no Traefik binary" in first.stdout
        assert "update-ca-certificates" in first.stdout
        pid = paths.pidfile.read_text()
        second = _run(tmp_path, addr, "up")
        assert second.returncode == 0, second.stderr
        assert paths.pidfile.read_text() == pid  # the running registry was kept
        password = json.loads(paths.credentials.read_text())["password"]
        assert password not in first.stdout + first.stderr + second.stdout + second.stderr
    finally:
        down = _run(tmp_path, addr, "down")
    assert down.returncode == 0 and "registry stopped" in down.stdout
    assert not is_running(paths)
    assert (
        not Path(f"/proc/{pid.strip()}").exists()
        or b"docker-registry" not in Path(f"/proc/{pid.strip()}/cmdline").read_bytes()
    )


@pytest.mark.registry
def test_a_taken_port_is_exit_3_naming_the_cause(tmp_path: Path) -> None:
    if registry_binary() is None:
        pytest.skip("docker-registry is not installed (Debian: apt-get install docker-registry)")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        addr = f"127.0.0.1:{busy.getsockname()[1]}"
        result = _run(tmp_path, addr, "up")
    assert result.returncode == 3
    assert "address already in use" in result.stderr
    assert not is_running(PlatformPaths(tmp_path))
