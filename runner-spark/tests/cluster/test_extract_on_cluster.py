"""runner-spark on a real standalone cluster: ``extract`` with ``spark.master=spark://...``
runs its partitioned JDBC read on the two workers and publishes into the shared metastore;
the Thrift server (another JVM on that metastore) then reads bronze equal to the source. The
same through a Spark Connect server (``DATAKIT_WAREHOUSE_URL=sc://...``)."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest
from psycopg import sql

from datakit.testing.postgres import PostgresServer
from datakit.testing.runner_process import RunnerProcess
from datakit.testing.spark_cluster import (
    SparkProcess,
    StandaloneCluster,
    beeline,
    beeline_lines,
)

pytestmark = [pytest.mark.integration, pytest.mark.spark]

ROWS = 20_000


@pytest.fixture(scope="module")
def shop(postgres_server: PostgresServer) -> Iterator[str]:
    name = f"rspark_cluster_{uuid.uuid4().hex[:8]}"
    url = postgres_server.create_database(name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE SCHEMA app; CREATE TABLE app.orders (id bigint PRIMARY KEY, "
            "customer text, amount numeric(12,2), placed date);"
            "INSERT INTO app.orders SELECT i, 'customer ' || (i % 97), i * 1.25, "
            f"date '2020-01-01' + (i % 400) FROM generate_series(1, {ROWS}) AS i"
        )
    try:
        yield url
    finally:
        with psycopg.connect(postgres_server.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bronze_rows(cluster_root: Path, thrift_port: int, table: str) -> list[str]:
    """The bronze table's rows as the Thrift server (another JVM) reads them, as CSV lines."""
    done = beeline(
        cluster_root, thrift_port, f"SELECT id, customer, amount, placed FROM {table} ORDER BY id;"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = beeline_lines(done.stdout)
    assert lines[0] == "id,customer,amount,placed"
    return lines[1:]


def source_rows(shop: str, table: str) -> list[str]:
    """The source table ``app.<table>``'s rows as the CSV lines beeline prints."""
    with psycopg.connect(shop) as conn:
        query = sql.SQL(
            "SELECT id, customer, amount::text, placed::text FROM {} ORDER BY id"
        ).format(sql.Identifier("app", table))
        return [",".join(str(v) for v in row) for row in conn.execute(query).fetchall()]


def test_extract_on_the_standalone_cluster_equals_the_source(
    shop: str,
    cluster_conf: dict[str, str],
    standalone: StandaloneCluster,
    cluster_root: Path,
    thrift_port: int,
) -> None:
    runner = RunnerProcess(
        [sys.executable, "-m", "datakit_runner_spark"],
        {"DATAKIT_WAREHOUSE_URL": "spark+session:///?" + urlencode(cluster_conf),
         "SPARK_LOCAL_IP": "127.0.0.1"},
    )  # fmt: skip

    before = {app["id"] for app in standalone.status()["completedapps"]}

    out = runner.run(
        "extract", "--table", "app.orders", "--source-name", "app", "--partitions", "4",
        env={"DATAKIT_SOURCE_URL": shop}, timeout=600,
    )  # fmt: skip

    assert out.exit_code == 0, out.stderr[-3000:]
    assert out.result is not None and out.result["tables"][0]["rows"] == ROWS
    [read] = out.events_named("spark_jdbc_read")
    assert read["partitions"] == 4 and read["one_snapshot"]
    [app] = [a for a in standalone.status()["completedapps"] if a["id"] not in before]
    assert app["cores"] == 2, app  # the runner's application ran on both workers
    assert bronze_rows(cluster_root, thrift_port, "bronze.app__orders") == source_rows(
        shop, "orders"
    )


def test_extract_through_spark_connect_converges_with_the_source(
    shop: str,
    connect_server: tuple[SparkProcess, int],
    cluster_root: Path,
    thrift_port: int,
) -> None:
    """``DATAKIT_WAREHOUSE_URL=sc://...``: the Connect server (another JVM on the shared
    metastore) runs the partitioned JDBC read and the Parquet writes; the runner sends plans.
    A first incremental load (the whole table), then one after updates and inserts (only those
    rows), read back through the Thrift server: equal to the source row for row."""
    _, port = connect_server
    with psycopg.connect(shop, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE app.events AS SELECT id, customer, amount, placed, "
            "timestamptz '2024-01-01 00:00:00+00' + id * interval '1 second' AS updated_at "
            "FROM app.orders; ALTER TABLE app.events ADD PRIMARY KEY (id)"
        )
    runner = RunnerProcess(
        [sys.executable, "-m", "datakit_runner_spark"],
        {"DATAKIT_WAREHOUSE_URL": f"sc://127.0.0.1:{port}", "DATAKIT_SOURCE_URL": shop},
    )
    load = ("extract", "--table", "app.events", "--source-name", "app", "--mode", "incremental",
            "--cursor", "updated_at", "--partitions", "2")  # fmt: skip

    first = runner.run(*load, timeout=600)

    assert first.exit_code == 0, first.stderr[-3000:]
    assert first.result is not None and first.result["tables"][0]["rows"] == ROWS
    assert first.result["tables"][0]["target"] == "bronze.app__events"
    [read] = first.events_named("spark_jdbc_read")
    assert read["partitions"] == 2 and read["one_snapshot"]

    with psycopg.connect(shop, autocommit=True) as conn:
        conn.execute(
            "UPDATE app.events SET customer = 'changed', updated_at = now() WHERE id % 1000 = 0;"
            "INSERT INTO app.events SELECT i, 'new', 0.5, date '2022-01-01', now() "
            f"FROM generate_series({ROWS + 1}, {ROWS + 10}) AS i"
        )
    second = runner.run(*load, timeout=600)

    assert second.exit_code == 0, second.stderr[-3000:]
    assert second.result is not None
    assert second.result["tables"][0]["rows"] == ROWS // 1000 + 10  # the changed rows only
    source = source_rows(shop, "events")
    assert len(source) == ROWS + 10
    assert bronze_rows(cluster_root, thrift_port, "bronze.app__events") == source
