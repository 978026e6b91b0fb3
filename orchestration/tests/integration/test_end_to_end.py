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


def _status(scenario: Scenario, *args: str) -> Any:
    """``runner-postgres status`` (the SDK's ``datakit status``) as the tenant, a subprocess."""
    import os
    import shutil
    import subprocess

    command = shutil.which("runner-postgres", path=scenario.demo.runner_path)
    assert command is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATAKIT_", "AIRFLOW"))}
    env.update(DATAKIT_WAREHOUSE_URL=scenario.demo.tenant_warehouse_url, DATAKIT_LOG_FORMAT="json")
    return subprocess.run(
        [command, "status", "--schema", "demo_bronze", *args],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_every_load_and_build_is_audited(scenario: Scenario) -> None:
    """Who (the tenant's role), when, which runner and version, which arguments; no secret."""
    import json

    demo = scenario.demo
    loads = query(
        demo.tenant_warehouse_url,
        "select run_by, runner, arguments, finished_at from demo_bronze._datakit_loads",
    )
    assert len(loads) == 2 * len(SHOP_TABLES)
    for run_by, runner, arguments, finished_at in loads:
        assert run_by == "demo_loader" and runner.startswith("runner-postgres ")
        assert arguments[:2] == ["extract", "--table"] and finished_at is not None
    builds = query(
        demo.tenant_warehouse_url,
        "select selection, status, tests_passed, tests_failed, run_by, runner, arguments"
        " from demo_bronze._datakit_builds order by build_id",
    )
    assert [row[:2] for row in builds] == [
        ("--select tag:silver", "succeeded"), ("--select tag:gold", "succeeded"),
    ] * 2  # fmt: skip
    for _, _, passed, failed, run_by, runner, arguments in builds:
        assert passed > 0 and failed == 0 and run_by == "demo_loader"
        assert runner.startswith("runner-dbt ") and arguments[0] == "build"
    stored = json.dumps([list(map(str, row)) for row in loads + builds])
    for secret in (demo.tenant_password, scenario.superuser_password):
        assert secret not in stored


def test_status_and_its_html_page_on_the_demo_warehouse(scenario: Scenario, tmp_path: Path) -> None:
    """After two days: the terminal table, the JSON and the page (in Chromium where installed)."""
    import json

    from datakit.testing.browser import chromium, dump_dom, png_facts, screenshot

    page = tmp_path / "status.html"
    done = _status(scenario, "--json", "--html", str(page))
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    tables = {t["table"]: t for t in report["tables"]}
    assert sorted(tables) == sorted(f"shop__{t}" for t in SHOP_TABLES)
    assert all(len(t["rows_trend"]) == 2 and not t["stale"] for t in tables.values())
    builds = {b["selection"]: b for b in report["builds"]}
    assert sorted(builds) == ["--select tag:gold", "--select tag:silver"]
    assert all(b["status"] == "succeeded" and b["tests_passed"] > 0 for b in builds.values())

    terminal = _status(scenario)
    assert terminal.returncode == 0, terminal.stderr[-3000:]
    assert "shop__orders" in terminal.stdout and "tag:gold" in terminal.stdout

    if chromium() is None:
        pytest.skip("chromium not installed (apt-get install chromium): page not rendered")
    shot = tmp_path / "status.png"
    screenshot(page, shot, width=1200, height=2400)
    facts = png_facts(shot.read_bytes())
    assert (facts.width, facts.height) == (1200, 2400) and facts.distinct_rows > 100, facts
    dom = dump_dom(page)
    assert dom.count('<section class="table') == len(SHOP_TABLES)
    assert dom.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-points="2"') == (
        2 * len(SHOP_TABLES)
    )
    assert '<table class="builds">' in dom and dom.count('<tr class="succeeded">') == 2
    assert "<script" not in dom
