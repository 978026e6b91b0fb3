"""As root, the embedded cluster's system user is created once, and saying so is not optional."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from datakit.testing.postgres import _ensure_os_user

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("useradd") is None, reason="needs root and useradd"
)


def test_creating_the_user_prints_one_line_with_the_undo(capfd: pytest.CaptureFixture[str]) -> None:
    name = f"dk-notice-{os.getpid()}"
    try:
        assert _ensure_os_user(name) == name
        first = capfd.readouterr()
        assert _ensure_os_user(name) == name
        second = capfd.readouterr()
    finally:
        subprocess.run(["userdel", name], capture_output=True, check=False)

    lines = first.err.strip().splitlines()
    assert len(lines) == 1, first.err
    assert f"created the system user {name}" in lines[0] and f"userdel {name}" in lines[0]
    assert first.out == ""
    assert second.err == "" and second.out == ""
