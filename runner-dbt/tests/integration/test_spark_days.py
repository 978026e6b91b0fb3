"""Day 1 and day 2 of the sample shop on Spark, for real: dbt-spark's session method.

Bronze is landed by runner-spark (a path dev-dependency, run as a subprocess with the same job
as runner-postgres: customers and products full-refreshed, orders, order lines and payments
incremental on updated_at) into a local Spark catalog (Hive support, Derby metastore and
warehouse folder in a temp dir) from the same sample source the Postgres test uses; then
runner-dbt builds silver and gold in that catalog through ``spark+session://`` and the same
reconciliation and SCD2 checks run against Spark's tables. Every step is its own process: the
Derby metastore admits one JVM at a time (queries run ``_run_queries`` in a process of its own).
"""

from __future__ import annotations

import json
import shutil
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from datakit.sample import load_sample, next_day
from datakit.testing.postgres import PostgresServer
from datakit.testing.spark_cluster import local_catalog_conf
from tests.conftest import (
    BRONZE_TABLES,
    SOURCE_CUSTOMERS,
    SOURCE_DAILY_TOTALS,
    Completed,
    base_env,
    query,
    run_process,
    runner_dbt,
)

pytestmark = [pytest.mark.integration, pytest.mark.spark]

TENANT = "acme"
SCALE = 0.05  # 500 orders, ~1,500 order lines: Spark's per-query cost dominates anyway


RUNNER_SPARK = [sys.executable, "-m", "datakit_runner_spark"]


def _land_bronze(tmp: Path, url: str, source_url: str) -> Completed:
    """One bronze run of runner-spark over the shop tables (the job runner-postgres runs)."""
    job = tmp / "bronze-spark.yaml"
    job.write_text(
        f"source_name: shop\nbronze_schema: {TENANT}_bronze\nparallel: 1\ntables:{BRONZE_TABLES}",
        encoding="utf-8",
    )
    completed = run_process(
        [*RUNNER_SPARK, "run", "--job", str(job)],
        base_env(DATAKIT_SOURCE_URL=source_url, DATAKIT_WAREHOUSE_URL=url),
    )
    assert completed.code == 0, completed.describe()
    return completed


_QUERY_MAIN = (
    "import json, sys\n"
    "from tests.integration.test_spark_days import _run_queries\n"
    "_run_queries(json.loads(sys.argv[1]), json.loads(sys.argv[2]))\n"
)


def _query(conf: dict[str, str], queries: dict[str, str]) -> dict[str, list[list[Any]]]:
    completed = run_process(
        [sys.executable, "-c", _QUERY_MAIN, json.dumps(conf), json.dumps(queries)], base_env()
    )
    assert completed.code == 0, completed.describe()
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _run_queries(conf: dict[str, str], queries: dict[str, str]) -> None:
    """(In its own process) print {name: rows} of Spark SQL *queries* as one JSON line."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    out = {
        name: [[_plain(value) for value in row] for row in spark.sql(sql).collect()]
        for name, sql in queries.items()
    }
    spark.stop()
    print(json.dumps(out))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@dataclass
class SparkScenario:
    conf: dict[str, str]
    source_url: str
    day1: Completed
    day2: Completed
    customers_day1: dict[int, tuple[Any, ...]]
    customers_day2: dict[int, tuple[Any, ...]]


@pytest.fixture(scope="module")
def spark_scenario(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SparkScenario]:
    if shutil.which("java") is None:
        pytest.skip("needs a Java runtime for Spark (apt: openjdk-17-jre-headless)")
    root = tmp_path_factory.mktemp("spark")
    conf = local_catalog_conf(root)
    url = "spark+session:///?" + urlencode(conf)
    source_db = f"rdbt_spark_src_{uuid.uuid4().hex[:8]}"
    source_url = postgres_server.create_database(source_db)
    env = base_env(DATAKIT_WAREHOUSE_URL=url, DATAKIT_TENANT=TENANT)
    try:
        load_sample(source_url, scale=SCALE)
        _land_bronze(root, url, source_url)
        day1 = runner_dbt("build", "--threads", "4", env=env)
        customers_day1 = {row[0]: row[1:] for row in query(source_url, SOURCE_CUSTOMERS)}
        next_day(source_url)
        _land_bronze(root, url, source_url)
        day2 = runner_dbt("build", "--threads", "4", env=env)
        customers_day2 = {row[0]: row[1:] for row in query(source_url, SOURCE_CUSTOMERS)}
        yield SparkScenario(conf, source_url, day1, day2, customers_day1, customers_day2)
    finally:
        import psycopg

        with psycopg.connect(postgres_server.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{source_db}" WITH (FORCE)')


@pytest.fixture(scope="module")
def spark_tables(spark_scenario: SparkScenario) -> dict[str, list[list[Any]]]:
    queries = {
        "versions": "select customer_id, cast(valid_from as string), cast(valid_to as string) "
        "from acme_silver.customers_snapshot order by customer_id, valid_from",
        "mart": "select cast(order_date as string), order_count, order_line_count, revenue "
        "from acme_gold.mart_daily_revenue order by order_date",
        "lines": "select cast(order_date as string), count(distinct order_id), count(*), "
        "sum(amount) from acme_gold.fct_order_lines group by order_date order by order_date",
        "totals": "select count(*), sum(order_amount), sum(paid_amount) from acme_gold.fct_orders",
        "current": "select customer_id from acme_silver.customers order by customer_id",
    }
    return _query(spark_scenario.conf, queries)


@pytest.mark.parametrize("day", ["day1", "day2"])
def test_build_succeeds_and_every_dbt_test_passes(spark_scenario: SparkScenario, day: str) -> None:
    completed: Completed = getattr(spark_scenario, day)

    assert completed.code == 0, completed.describe()
    assert completed.result["adapter"] == "spark"
    assert set(completed.result["counts"]) <= {"success", "pass"}, completed.result["counts"]
    assert completed.result["counts"]["pass"] >= 80


def test_snapshot_history_follows_the_source(
    spark_scenario: SparkScenario, spark_tables: dict[str, list[list[Any]]]
) -> None:
    before, after = spark_scenario.customers_day1, spark_scenario.customers_day2
    changed = {key for key in before.keys() & after.keys() if before[key] != after[key]}
    deleted = before.keys() - after.keys()
    unchanged = (before.keys() & after.keys()) - changed
    versions: dict[int, list[tuple[Any, Any]]] = {}
    for customer_id, valid_from, valid_to in spark_tables["versions"]:
        versions.setdefault(customer_id, []).append((valid_from, valid_to))

    assert changed and deleted
    for key in changed:
        (_, first_to), (second_from, second_to) = versions[key]
        assert first_to == second_from and second_to is None, key
    for key in unchanged | (after.keys() - before.keys()):
        assert len(versions[key]) == 1 and versions[key][0][1] is None, key
    for key in deleted:
        assert len(versions[key]) == 1 and versions[key][0][1] is not None, key
    assert [row[0] for row in spark_tables["current"]] == sorted(after)


def test_gold_reconciles_with_the_source_to_the_cent_per_day(
    spark_scenario: SparkScenario, spark_tables: dict[str, list[list[Any]]]
) -> None:
    source = [
        [day.isoformat(), orders, lines, str(revenue)]
        for day, orders, lines, revenue in query(spark_scenario.source_url, SOURCE_DAILY_TOTALS)
    ]
    source_totals = query(
        spark_scenario.source_url,
        "select (select count(*) from shop.orders), (select sum(amount) from shop.order_lines), "
        "(select sum(amount) from shop.payments)",
    )[0]

    assert spark_tables["mart"] == source
    assert spark_tables["lines"] == source
    count, ordered, paid = spark_tables["totals"][0]
    assert (count, Decimal(ordered), Decimal(paid)) == source_totals
