"""runner-dbt over a real Spark Thrift server (``spark+thrift://``) on the catalog runner-spark
wrote: bronze landed by ``runner-spark run --job`` and silver/gold built by dbt-spark's thrift
method share one Hive metastore (a Derby network server) and one warehouse folder.

The Thrift server and the metastore come from the SDK's ``datakit.testing.spark_cluster`` (the
same helpers as runner-spark's cluster tests). dbt-spark's thrift method needs PyHive
(``dbt-spark[PyHive]``); without it the module is skipped, naming the package.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import pytest

from datakit.sample import load_sample
from datakit.testing.postgres import PostgresServer
from datakit.testing.spark_cluster import (
    Metastore,
    base_conf,
    beeline,
    beeline_lines,
    start_metastore,
    start_thrift_server,
)
from tests.conftest import (
    BRONZE_TABLES,
    SOURCE_DAILY_TOTALS,
    Completed,
    base_env,
    query,
    run_process,
    runner_dbt,
)

pytestmark = [pytest.mark.integration, pytest.mark.spark]

TENANT = "acme"
SCALE = 0.02  # ~200 orders: every dbt model is a Thrift round trip, the data size hardly matters
RUNNER_SPARK = [sys.executable, "-m", "datakit_runner_spark"]


@dataclass
class ThriftScenario:
    root: Path
    port: int
    source_url: str
    bronze: Completed
    build: Completed


@pytest.fixture(scope="module")
def scenario(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ThriftScenario]:
    if shutil.which("java") is None:
        pytest.skip("needs a Java runtime for Spark (apt: openjdk-17-jre-headless)")
    for module, package in (
        ("pyhive", "dbt-spark[PyHive]"),
        ("datakit_runner_spark", "runner-spark"),
    ):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"spark+thrift needs {package} in this venv")
    root = tmp_path_factory.mktemp("thrift")
    metastore: Metastore = start_metastore(root)
    source_db = f"rdbt_thrift_src_{uuid.uuid4().hex[:8]}"
    try:
        catalog = {**base_conf(), **metastore.conf()}
        server, port = start_thrift_server(root, {**catalog, "spark.master": "local[2]"})
        try:
            source_url = postgres_server.create_database(source_db)
            load_sample(source_url, scale=SCALE)
            job = root / "bronze.yaml"
            job.write_text(
                f"source_name: shop\nbronze_schema: {TENANT}_bronze\nparallel: 1\n"
                f"tables:{BRONZE_TABLES}",
                encoding="utf-8",
            )
            spark_url = "spark+session:///?" + urlencode({**catalog, "spark.master": "local[2]"})
            bronze = run_process(
                [*RUNNER_SPARK, "run", "--job", str(job)],
                base_env(DATAKIT_SOURCE_URL=source_url, DATAKIT_WAREHOUSE_URL=spark_url),
            )
            build = runner_dbt(
                "build", "--threads", "2",
                env=base_env(DATAKIT_WAREHOUSE_URL=f"spark+thrift://dbt@127.0.0.1:{port}",
                             DATAKIT_TENANT=TENANT),
            )  # fmt: skip
            yield ThriftScenario(root, port, source_url, bronze, build)
        finally:
            server.stop()
    finally:
        metastore.stop()
        import psycopg

        with psycopg.connect(postgres_server.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{source_db}" WITH (FORCE)')


def test_runner_spark_lands_bronze_in_the_shared_catalog(scenario: ThriftScenario) -> None:
    assert scenario.bronze.code == 0, scenario.bronze.describe()
    assert len(scenario.bronze.result["tables"]) == 5


def test_dbt_builds_over_thrift_and_every_test_passes(scenario: ThriftScenario) -> None:
    build = scenario.build

    assert build.code == 0, build.describe()
    assert build.result["adapter"] == "spark"
    assert set(build.result["counts"]) <= {"success", "pass"}, build.result["counts"]
    assert build.result["counts"]["pass"] >= 80


def test_gold_read_through_thrift_reconciles_with_the_source(scenario: ThriftScenario) -> None:
    done = beeline(
        scenario.root, scenario.port,
        f"SELECT cast(order_date AS string), order_count, order_line_count, revenue "
        f"FROM {TENANT}_gold.mart_daily_revenue ORDER BY order_date;",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line.split(",") for line in beeline_lines(done.stdout)[1:]]
    source = query(scenario.source_url, SOURCE_DAILY_TOTALS)

    assert [[d, int(o), int(n), Decimal(r)] for d, o, n, r in rows] == [
        [day.isoformat(), orders, lines, revenue] for day, orders, lines, revenue in source
    ]
