"""A real Spark cluster for the cluster tests, started once per test session and always stopped.

Master and two one-core workers (standalone), a Derby network server holding the Hive
metastore every JVM shares, and a Thrift server on that metastore (``local[1]``: it must not
hold the workers' cores the runner's application needs). The Spark Connect server is started
only by the tests that ask for it (their client is runner-spark's ``pyspark[connect]``). See
``datakit.testing.spark_cluster``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from datakit.testing.spark_cluster import (
    Metastore,
    SparkProcess,
    StandaloneCluster,
    base_conf,
    start_cluster,
    start_connect_server,
    start_metastore,
    start_thrift_server,
)


@pytest.fixture(scope="session")
def cluster_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("java") is None:
        pytest.skip("needs a Java runtime for Spark (apt: openjdk-17-jre-headless)")
    return tmp_path_factory.mktemp("cluster")


@pytest.fixture(scope="session")
def metastore(cluster_root: Path) -> Iterator[Metastore]:
    store = start_metastore(cluster_root)
    try:
        yield store
    finally:
        store.stop()


@pytest.fixture(scope="session")
def standalone(cluster_root: Path) -> Iterator[StandaloneCluster]:
    cluster = start_cluster(cluster_root, workers=2, cores=1)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def cluster_conf(standalone: StandaloneCluster, metastore: Metastore) -> dict[str, str]:
    """Confs of an application on the cluster (both workers' cores) and the shared catalog."""
    return {**base_conf(), **metastore.conf(), "spark.master": standalone.url,
            "spark.cores.max": "2"}  # fmt: skip


@pytest.fixture(scope="session")
def thrift_port(cluster_root: Path, metastore: Metastore) -> Iterator[int]:
    conf = {**base_conf(), **metastore.conf(), "spark.master": "local[1]"}
    server, port = start_thrift_server(cluster_root, conf)
    try:
        yield port
    finally:
        server.stop()


@pytest.fixture(scope="session")
def connect_server(
    cluster_root: Path, metastore: Metastore, thrift_port: int
) -> Iterator[tuple[SparkProcess, int]]:
    # After the Thrift server: it creates the metastore's tables while alone on it.
    conf = {**base_conf(), **metastore.conf(), "spark.master": "local[1]"}
    server, port = start_connect_server(cluster_root, conf)
    try:
        yield server, port
    finally:
        server.stop()
