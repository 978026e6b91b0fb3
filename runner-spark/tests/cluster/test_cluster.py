"""The cluster fixtures themselves, each proven with a tiny job: a standalone master with two
workers, the Thrift server and the Spark Connect server, all on one shared metastore."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from datakit.testing.spark_cluster import StandaloneCluster, beeline, beeline_lines, spark_env
from tests.conftest import TESTS_DIR

pytestmark = [pytest.mark.integration, pytest.mark.spark]

ROWS = 100_000


def spark_sql(root: Path, conf: dict[str, str], queries: dict[str, str]) -> dict[str, Any]:
    """Run Spark SQL as an application of its own (tests/spark_reader.py); rows as JSON."""
    done = subprocess.run(
        [sys.executable, str(TESTS_DIR / "spark_reader.py"), json.dumps(conf), json.dumps(queries)],
        env=spark_env(root), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def probe(cluster_root: Path, cluster_conf: dict[str, str]) -> dict[str, Any]:
    """A table written by an application on the standalone cluster, into the shared catalog."""
    return spark_sql(
        cluster_root,
        cluster_conf,
        {
            "create": "CREATE TABLE default.cluster_probe USING parquet AS "
            f"SELECT id, id % 7 AS bucket FROM range(0, {ROWS}, 1, 4)",
            "totals": "SELECT count(*), sum(id) FROM default.cluster_probe",
        },
    )


def test_a_job_runs_on_both_workers_of_the_standalone_master(
    probe: dict[str, Any], standalone: StandaloneCluster
) -> None:
    status = standalone.status()

    assert probe["totals"] == [[ROWS, ROWS * (ROWS - 1) // 2]]
    assert status["aliveworkers"] == 2
    [app] = [app for app in status["completedapps"] if app["name"] == "pyspark-shell"][:1]
    assert app["cores"] == 2, app  # one core of each one-core worker


def test_the_thrift_server_reads_what_the_cluster_wrote(
    probe: dict[str, Any], cluster_root: Path, thrift_port: int
) -> None:
    done = beeline(
        cluster_root, thrift_port, "SELECT count(*), sum(id) FROM default.cluster_probe;"
    )

    assert done.returncode == 0, done.stderr[-2000:]
    assert beeline_lines(done.stdout) == ["count(1),sum(id)", f"{ROWS},{ROWS * (ROWS - 1) // 2}"]


def test_a_spark_connect_client_reads_the_shared_catalog(
    probe: dict[str, Any],
    cluster_root: Path,
    connect_server: tuple[Any, int],
) -> None:
    _, port = connect_server
    script = (
        "import json; from pyspark.sql import SparkSession; "
        f"s = SparkSession.builder.remote('sc://127.0.0.1:{port}').getOrCreate(); "
        "print(json.dumps([list(r) for r in "
        "s.sql('SELECT count(*), sum(id) FROM default.cluster_probe').collect()]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=spark_env(cluster_root), capture_output=True,
        text=True, timeout=300, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [[ROWS, ROWS * (ROWS - 1) // 2]]
