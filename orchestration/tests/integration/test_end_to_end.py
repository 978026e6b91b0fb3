"""The demo tenant end to end: ``airflow dags test`` in local mode against real Postgres.

Two days of the sample shop: seed, day 1 (provision -> bronze -> silver -> gold), the source's
next-day changes, day 2. Then bronze matches the source, gold reconciles with the source per
order day, no secret reached a log, an XCom or a rendered field, and a second tenant's role
cannot read or write the demo tenant's schemas (nor the other way round).

The scenario runs once per module (it is the expensive part); each test checks one promise.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from scripts.demo import SHOP_TABLES, DayResult, DemoRun, query, runner_path, with_user
from tests.conftest import INCLUDE_DIR

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

SCALE = 0.1  # 1,000 orders, 3,000 lines: the DAG's own overhead dominates
OTHER_TENANT = "acme"


@dataclass
class Scenario:
    demo: DemoRun
    days: list[DayResult]
    other_password: str
    other_provision: Any
    superuser_password: str


@pytest.fixture(scope="module")
def scenario(postgres_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    from datakit.sample import load_sample, next_day

    path = runner_path()
    missing = [
        command
        for command in ("runner-postgres", "runner-dbt")
        if not any((Path(folder) / command).exists() for folder in path.split(":"))
    ]
    if missing:
        pytest.skip(f"runner CLIs not installed: {missing} (uv sync in their components)")

    workdir = tmp_path_factory.mktemp("e2e")
    suffix = uuid.uuid4().hex[:8]
    source_db, warehouse_db = f"orch_src_{suffix}", f"orch_wh_{suffix}"
    source_url = postgres_server.create_database(source_db)
    warehouse_url = postgres_server.create_database(warehouse_db)
    other_password = "acme-" + uuid.uuid4().hex
    demo = DemoRun(
        workdir=workdir,
        source_url=source_url,
        warehouse_url=warehouse_url,
        tenants_dir=INCLUDE_DIR / "tenants",
        runner_path=path,
        extra_connections={
            f"{OTHER_TENANT}_warehouse": with_user(
                warehouse_url, f"{OTHER_TENANT}_loader", other_password
            )
        },
    )
    try:
        load_sample(source_url, scale=SCALE)
        demo.setup()
        days = [demo.run_day("2024-01-01")]
        next_day(source_url)
        days.append(demo.run_day("2024-01-02"))
        # The other tenant's first task only: its schemas and role, in the same warehouse.
        other = demo.airflow(
            "tasks", "test", f"warehouse__{OTHER_TENANT}", "provision", "2024-01-02"
        )
        yield Scenario(demo, days, other_password, other, postgres_server.password)
    finally:
        import psycopg

        with psycopg.connect(postgres_server.url(), autocommit=True) as conn:
            for name in (source_db, warehouse_db):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("day", [0, 1], ids=["day1", "day2"])
def test_every_task_succeeds(scenario: Scenario, day: int) -> None:
    result = scenario.days[day]
    assert result.state == "success", result.output[-8000:]
    expected = {"provision", "silver", "gold", "monitor", "alerts"} | {
        f"bronze.shop__{t}" for t in SHOP_TABLES
    }
    assert {task: state for task, (state, _) in result.tasks.items()} == dict.fromkeys(
        expected, "success"
    )


def test_bronze_matches_the_source(scenario: Scenario) -> None:
    demo = scenario.demo
    for table in SHOP_TABLES:
        (source,) = query(demo.source_url, f"select count(*) from shop.{table}")
        (bronze,) = query(
            demo.tenant_warehouse_url, f"select count(*) from demo_bronze.shop__{table}"
        )
        assert bronze == source, table
    loads = query(
        demo.tenant_warehouse_url,
        "select count(distinct run_id), count(*) from demo_bronze._datakit_loads "
        "where status = 'succeeded'",
    )
    assert loads == [(2, 2 * len(SHOP_TABLES))], "one load per table per DAG run"


def test_gold_reconciles_with_the_source_per_order_day(scenario: Scenario) -> None:
    gold, source = scenario.demo.reconcile_gold()
    assert len(source) > 300
    assert gold == source


def test_bronze_results_reach_xcom(scenario: Scenario) -> None:
    values = "\n".join(scenario.demo.xcom_values())
    for table in SHOP_TABLES:
        assert f"demo_bronze.shop__{table}" in values


def test_no_secret_in_logs_xcom_or_rendered_fields(scenario: Scenario) -> None:
    demo = scenario.demo
    secrets = {
        "tenant password": demo.tenant_password,
        "other tenant password": scenario.other_password,
        "superuser password": scenario.superuser_password,
    }
    places = {
        # `dags test` runs the tasks in-process and prints their logs, runner lines included.
        "task logs": "\n".join(day.output for day in scenario.days) + demo.log_text(),
        "xcom": "\n".join(demo.xcom_values()),
        "rendered fields": "\n".join(demo.rendered_fields()),
        "provision of the other tenant": scenario.other_provision.stdout
        + scenario.other_provision.stderr,
    }
    for event in ("tenant_provisioned", "load_committed", "node_finished"):
        assert event in places["task logs"], f"runner event {event} missing from the task logs"
    leaks = [
        f"{secret} in {place}"
        for place, text in places.items()
        for secret, value in secrets.items()
        if value in text
    ]
    assert leaks == []
    assert "DATAKIT_RUN_ID" in places["rendered fields"]


def test_tenants_cannot_reach_each_other(scenario: Scenario) -> None:
    import psycopg
    from psycopg import errors

    other = scenario.other_provision
    assert other.returncode == 0, other.stdout[-4000:] + other.stderr[-4000:]
    demo = scenario.demo
    other_url = with_user(demo.warehouse_url, f"{OTHER_TENANT}_loader", scenario.other_password)

    with psycopg.connect(other_url, autocommit=True) as conn:
        conn.execute(f"create table {OTHER_TENANT}_bronze.own (id int)")  # its own schema: fine
        conn.execute(f"insert into {OTHER_TENANT}_bronze.own values (1)")
        for statement in (
            "select count(*) from demo_bronze.shop__orders",
            "select count(*) from demo_gold.fct_orders",
            "create table demo_bronze.intruder (id int)",
            "delete from demo_silver.customers",
        ):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(statement)
    with psycopg.connect(demo.tenant_warehouse_url, autocommit=True) as conn:
        for statement in (
            f"select count(*) from {OTHER_TENANT}_bronze.own",
            f"create table {OTHER_TENANT}_gold.intruder (id int)",
        ):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(statement)
