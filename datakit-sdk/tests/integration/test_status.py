"""``datakit status`` on a real Postgres with a seeded ``_datakit_loads`` history (real process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from datakit.warehouses.postgres.warehouse import PostgresWarehouse

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC)
DAY = timedelta(days=1)


def seed(
    url: str, schema: str, loads: list[tuple[str, str, str, int | None, datetime, str | None]]
) -> None:
    """The real warehouse layout (PostgresWarehouse's own DDL), then *loads* as history rows."""
    with psycopg.connect(url) as conn:
        PostgresWarehouse._create_schema(conn, schema)
        conn.commit()
        for table, run_id, status, rows, finished, error in loads:
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} (run_id, table_name, source_table, mode, status, rows,"
                    " started_at, finished_at, error) VALUES (%s, %s, %s, 'full_refresh', %s, %s,"
                    " %s, %s, %s)"
                ).format(sql.Identifier(schema, "_datakit_loads")),
                (
                    run_id,
                    table,
                    f"shop.{table}",
                    status,
                    rows,
                    finished - timedelta(seconds=5),
                    finished,
                    error,
                ),
            )
        conn.commit()


@pytest.fixture
def history(warehouse_url: str) -> str:
    loads: list[tuple[str, str, str, int | None, datetime, str | None]] = []
    for day in range(6, 0, -1):  # healthy: ~1000 rows a day, last load 1 day ago
        loads.append(
            ("shop__products", f"run-{day}", "succeeded", 1000 + day, NOW - day * DAY, None)
        )
    for day in range(6, 1, -1):  # anomalous: ~1000, then 100 in the newest load
        loads.append(("shop__orders", f"run-{day}", "succeeded", 1000, NOW - day * DAY, None))
    loads.append(("shop__orders", "run-1", "succeeded", 100, NOW - DAY, None))
    loads.append(("shop__customers", "run-4", "succeeded", 50, NOW - 4 * DAY, None))
    loads.append(("shop__customers", "run-2", "failed", None, NOW - 2 * DAY, "source unreachable"))
    seed(warehouse_url, "demo_bronze", loads)
    seed(warehouse_url, "other_bronze", [("t", "r", "succeeded", 1, NOW, None)])
    return warehouse_url


def run_status(url: str | None, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAKIT_")}
    if url is not None:
        env["DATAKIT_WAREHOUSE_URL"] = url
    return subprocess.run(
        [str(Path(sys.executable).with_name("datakit")), "status", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def result(completed: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_json_verdicts(history: str) -> None:
    tables = {
        t["table"]: t
        for t in result(run_status(history, "--schema", "demo_bronze", "--json"))["tables"]
    }
    assert set(tables) == {"shop__products", "shop__orders", "shop__customers"}
    products, orders, customers = (
        tables[n] for n in ("shop__products", "shop__orders", "shop__customers")
    )
    assert not products["stale"] and not products["volume_anomaly"]
    assert products["rows_trend"] == [1006, 1005, 1004, 1003, 1002, 1001]
    assert orders["volume_anomaly"] and orders["volume_median"] == 1000
    assert (orders["last_rows"], orders["last_run_id"]) == (100, "run-1")
    assert customers["stale"] and customers["freshness_seconds"] == 26 * 3600
    assert (customers["last_failure_run_id"], customers["last_failure_error"]) == (
        "run-2",
        "source unreachable",
    )
    assert products["last_failure_at"] is None


def test_rules_come_from_options(history: str) -> None:
    report = result(
        run_status(
            history,
            "--schema",
            "demo_bronze",
            "--json",
            "--freshness",
            "5 days",
            "--table-freshness",
            "shop__products=12 hours",
            "--volume-fraction",
            "0.05",
        )
    )
    tables = {t["table"]: t for t in report["tables"]}
    assert not tables["shop__customers"]["stale"]
    assert tables["shop__products"]["stale"]
    assert not tables["shop__orders"]["volume_anomaly"]


def test_every_bronze_schema_by_default_and_a_readable_table(history: str) -> None:
    schemas = {t["schema"] for t in result(run_status(history, "--json"))["tables"]}
    assert schemas == {"demo_bronze", "other_bronze"}
    completed = run_status(history)
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[0].split() == [
        "schema",
        "table",
        "last",
        "load",
        "(UTC)",
        "rows",
        "age/window",
        "rows",
        "trend",
        "problems",
    ]
    orders = next(line for line in lines if "shop__orders" in line)
    assert "LOW VOLUME (median 1000)" in orders and "1000 1000 1000 1000 1000 100" in orders
    customers = next(line for line in lines if "shop__customers" in line)
    assert "STALE" in customers and "run run-2" in customers and "4.0d/26.0h" in customers
    password = history.split("@")[0].split(":")[-1]
    assert password not in completed.stdout + completed.stderr


def test_bad_input_is_one_line_with_its_exit_code(history: str) -> None:
    completed = run_status(history, "--schema", "nope_bronze")
    assert completed.returncode == 3
    assert "'nope_bronze'" in completed.stderr and "demo_bronze, other_bronze" in completed.stderr
    completed = run_status(history, "--freshness", "soon")
    assert completed.returncode == 2 and "'soon'" in completed.stderr
    completed = run_status(None, "--json")
    assert (
        completed.returncode == 3 and "DATAKIT_WAREHOUSE_URL" in completed.stderr + completed.stdout
    )


def test_the_last_build_of_each_selection_with_its_tests(history: str, tmp_path: Path) -> None:
    """From _datakit_builds (runner-dbt writes it): the newest silver and gold builds with
    their test results, in the JSON, the terminal table and the HTML page."""
    from datakit.secrets import Secret
    from datakit.settings import DatabaseUrl
    from datakit.warehouses.postgres.builds import BuildRecord, record_build

    url = DatabaseUrl(secret=Secret(history), variable="DATAKIT_WAREHOUSE_URL")

    def build(selection: str, status: str, passed: int, failed: int, run_id: str) -> None:
        failures = [{"name": "unique_x", "resource_type": "test", "status": "fail", "failures": 3}]
        record_build(
            url, "demo_bronze",
            BuildRecord(
                run_id=run_id, command="build", selection=selection, status=status,
                started_at=NOW, seconds=2.5, tests_passed=passed, tests_failed=failed,
                counts={"success": passed}, failures=failures if failed else [],
            ),
        )  # fmt: skip

    build("--select tag:silver", "succeeded", 20, 0, "run-1")
    build("--select tag:gold", "succeeded", 9, 0, "run-1")
    build("--select tag:silver", "failed", 19, 1, "run-2")  # the newest silver build

    builds = {
        b["selection"]: b
        for b in result(run_status(history, "--schema", "demo_bronze", "--json"))["builds"]
    }
    assert sorted(builds) == ["--select tag:gold", "--select tag:silver"]
    silver = builds["--select tag:silver"]
    assert (silver["run_id"], silver["status"], silver["tests_passed"]) == ("run-2", "failed", 19)
    assert silver["failures"][0]["name"] == "unique_x" and silver["run_by"]
    assert builds["--select tag:gold"]["tests_failed"] == 0

    table = run_status(history, "--schema", "demo_bronze")
    assert table.returncode == 0, table.stderr
    line = next(x for x in table.stdout.splitlines() if "tag:silver" in x)
    assert "failed" in line and "19 passed, 1 failed" in line and "unique_x (3 rows)" in line

    page = tmp_path / "status.html"
    assert run_status(history, "--schema", "demo_bronze", "--html", str(page)).returncode == 0
    text = page.read_text()
    assert '<table class="builds">' in text and "unique_x (3 rows)" in text
    # A schema without builds says so rather than showing nothing.
    assert "no builds recorded" not in text
    other = tmp_path / "other.html"
    assert run_status(history, "--schema", "other_bronze", "--html", str(other)).returncode == 0
    assert "no builds recorded" in other.read_text()
