"""Day 1 and day 2 of the sample shop on SQL Server: bronze by runner-postgres, then runner-dbt.

The source is the suite's Postgres; the warehouse a SQL Server testcontainer
(``mcr.microsoft.com/mssql/server:2022-latest``). runner-postgres writes bronze into it through
the SDK's SQL Server warehouse (``DATAKIT_WAREHOUSE_URL=mssql://...``), runner-dbt builds silver
and gold there. Skipped with the reason (no Docker engine, no ODBC driver, image not pullable)
where SQL Server cannot run; the whole scenario runs where it can (GitHub's runners).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from datakit.sample import load_sample, next_day
from datakit.testing.postgres import PostgresServer
from datakit.testing.sqlserver import SqlServer, sqlserver_or_skip
from tests.conftest import (
    SOURCE_CUSTOMERS,
    SOURCE_DAILY_TOTALS,
    Completed,
    base_env,
    load_bronze_postgres,
    query,
    runner_dbt,
)

pytestmark = [pytest.mark.integration, pytest.mark.docker, pytest.mark.sqlserver]

TENANT = "acme"
SCALE = 0.1


@dataclass
class Scenario:
    server: SqlServer
    database: str
    source_url: str
    day1: Completed
    day2: Completed
    bronze_day2: Completed
    customers_day1: dict[int, tuple[Any, ...]]
    customers_day2: dict[int, tuple[Any, ...]]

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.server.execute(sql, database=self.database)


@pytest.fixture(scope="module")
def scenario(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Scenario]:
    with sqlserver_or_skip() as server:
        tmp_path: Path = tmp_path_factory.mktemp("sqlserver-days")
        source_db = f"rdbt_mssql_src_{uuid.uuid4().hex[:8]}"
        source_url = postgres_server.create_database(source_db)
        database = server.create_database("warehouse")
        warehouse_url = server.url(database)
        env = base_env(DATAKIT_WAREHOUSE_URL=warehouse_url, DATAKIT_TENANT=TENANT)
        load_sample(source_url, scale=SCALE)
        load_bronze_postgres(
            tmp_path, source_url=source_url, warehouse_url=warehouse_url,
            bronze_schema=f"{TENANT}_bronze",
        )  # fmt: skip
        day1 = runner_dbt("build", "--result-detail", env=env)
        customers_day1 = {row[0]: row[1:] for row in query(source_url, SOURCE_CUSTOMERS)}
        next_day(source_url)
        bronze_day2 = load_bronze_postgres(
            tmp_path, source_url=source_url, warehouse_url=warehouse_url,
            bronze_schema=f"{TENANT}_bronze",
        )  # fmt: skip
        day2 = runner_dbt("build", "--result-detail", env=env)
        customers_day2 = {row[0]: row[1:] for row in query(source_url, SOURCE_CUSTOMERS)}
        yield Scenario(
            server, database, source_url, day1, day2, bronze_day2, customers_day1, customers_day2
        )


@pytest.mark.parametrize("day", ["day1", "day2"])
def test_build_succeeds_and_every_dbt_test_passes(scenario: Scenario, day: str) -> None:
    completed: Completed = getattr(scenario, day)
    assert completed.code == 0, completed.describe()
    assert completed.result["adapter"] == "sqlserver"
    assert set(completed.result["counts"]) <= {"success", "pass"}, completed.result["counts"]
    assert completed.result["failures"] == []
    assert scenario.server.password not in completed.stdout + completed.stderr


def test_day2_bronze_was_incremental_where_configured(scenario: Scenario) -> None:
    tables = {t["table"]: t for t in scenario.bronze_day2.result["tables"]}
    assert tables["shop.orders"]["mode"] == "incremental"
    assert tables["shop.orders"]["watermark"]
    state = scenario.rows(
        "SELECT table_name, cursor_type FROM acme_bronze._datakit_state ORDER BY 1"
    )
    assert [row[1] for row in state] == ["timestamptz"] * len(state) and len(state) == 3


def test_gold_reconciles_with_the_source_to_the_cent_per_day(scenario: Scenario) -> None:
    source = [
        (day, int(orders), int(lines), Decimal(revenue))
        for day, orders, lines, revenue in query(scenario.source_url, SOURCE_DAILY_TOTALS)
    ]
    mart = scenario.rows(
        "SELECT order_date, order_count, order_line_count, revenue"
        " FROM acme_gold.mart_daily_revenue ORDER BY order_date"
    )
    assert [(d, int(o), int(n), Decimal(r)) for d, o, n, r in mart] == source


def test_snapshot_history_follows_the_source(scenario: Scenario) -> None:
    before, after = scenario.customers_day1, scenario.customers_day2
    deleted = before.keys() - after.keys()
    changed = {key for key in before.keys() & after.keys() if before[key] != after[key]}
    assert deleted and changed
    rows = scenario.rows(
        "SELECT customer_id, valid_from, valid_to FROM acme_silver.customers_snapshot"
        " ORDER BY customer_id, valid_from"
    )
    versions: dict[int, list[tuple[Any, Any]]] = {}
    for customer_id, valid_from, valid_to in rows:
        versions.setdefault(customer_id, []).append((valid_from, valid_to))
    for key in changed:
        assert len(versions[key]) == 2 and versions[key][1][1] is None, key
    for key in deleted:
        assert versions[key][-1][1] is not None, f"deleted customer {key} must be closed"
    current = scenario.rows("SELECT COUNT(*) FROM acme_gold.dim_customer WHERE is_current = 1")
    assert current == [(len(after),)]
