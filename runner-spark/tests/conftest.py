"""Fixtures for runner-spark's tests: a Spark catalog per module, the runner as a subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from datakit.testing.runner_process import RunnerProcess
from datakit.testing.spark_cluster import local_catalog_conf

TESTS_DIR = Path(__file__).resolve().parent


def spark_url(conf: dict[str, str]) -> str:
    return "spark+session:///?" + urlencode(conf)


@pytest.fixture(scope="module")
def spark_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("java") is None:
        pytest.skip("needs a Java runtime for Spark (apt: openjdk-17-jre-headless)")
    return tmp_path_factory.mktemp("spark")


@pytest.fixture(scope="module")
def catalog_conf(spark_root: Path) -> dict[str, str]:
    return local_catalog_conf(spark_root)


@pytest.fixture(scope="module")
def runner(catalog_conf: dict[str, str]) -> RunnerProcess:
    """runner-spark as a real subprocess, its warehouse the module's catalog."""
    return RunnerProcess(
        [sys.executable, "-m", "datakit_runner_spark"],
        {"DATAKIT_WAREHOUSE_URL": spark_url(catalog_conf)},
    )


ReadBronze = Callable[[dict[str, str]], dict[str, list[list[Any]]]]


@pytest.fixture(scope="module")
def read_bronze(catalog_conf: dict[str, str]) -> ReadBronze:
    """Run Spark SQL queries on the catalog in a process of its own; rows as exact JSON."""

    def read(queries: dict[str, str]) -> dict[str, list[list[Any]]]:
        done = subprocess.run(
            [
                sys.executable,
                str(TESTS_DIR / "spark_reader.py"),
                json.dumps(catalog_conf),
                json.dumps(queries),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    return read
