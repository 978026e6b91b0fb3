"""`runner-spark --version` prints the package version, from a real subprocess."""

from __future__ import annotations

import subprocess
import sys

from datakit_runner_spark import __version__


def test_version_prints_package_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "datakit_runner_spark", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert __version__ in done.stdout
    assert "runner-spark" in done.stdout
