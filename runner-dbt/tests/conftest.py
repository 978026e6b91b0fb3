"""Shared helpers: run the runners as processes, load the sample source and bronze, compare."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

COMPONENT_DIR = Path(__file__).resolve().parents[1]
TESTS_DIR = Path(__file__).resolve().parent
RUNNER_DBT = [sys.executable, "-m", "datakit_runner_dbt"]
RUNNER_POSTGRES = [sys.executable, "-m", "datakit_runner_postgres"]

# Tables whose deletes matter are full-refreshed in bronze (an incremental load never sees a
# hard delete); the large, append-mostly tables are incremental on updated_at with their keys.
BRONZE_TABLES = """
  - {table: shop.customers, mode: full_refresh}
  - {table: shop.products, mode: full_refresh}
  - {table: shop.orders, mode: incremental, cursor: updated_at, primary_key: [order_id]}
  - {table: shop.order_lines, mode: incremental, cursor: updated_at, primary_key: [order_line_id]}
  - {table: shop.payments, mode: incremental, cursor: updated_at, primary_key: [payment_id]}
"""


@dataclass(frozen=True)
class Completed:
    """A finished runner process: exit code, the result line as JSON, and stderr."""

    code: int
    result: dict[str, Any]
    stdout: str
    stderr: str

    def describe(self) -> str:
        tail = "\n".join(self.stderr.splitlines()[-30:])
        return f"exit {self.code}\nresult: {json.dumps(self.result)[:4000]}\nstderr tail:\n{tail}"


def base_env(**extra: str) -> dict[str, str]:
    """The test process' environment without DATAKIT_* leaks, plus *extra*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAKIT_")}
    env.update({"DATAKIT_LOG_FORMAT": "json", "SPARK_LOCAL_IP": "127.0.0.1"})
    env.update(extra)
    return env


def run_process(
    args: list[str], env: Mapping[str, str], *, timeout_seconds: float = 600
) -> Completed:
    completed = subprocess.run(
        args,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout_seconds,
        check=False,
        cwd=COMPONENT_DIR,
    )
    lines = completed.stdout.strip().splitlines()
    try:
        result = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError:
        result = {"unparsed_last_line": lines[-1]}
    return Completed(completed.returncode, result, completed.stdout, completed.stderr)


def runner_dbt(*args: str, env: Mapping[str, str], timeout_seconds: float = 900) -> Completed:
    return run_process([*RUNNER_DBT, *args], env, timeout_seconds=timeout_seconds)


def load_bronze_postgres(
    tmp_path: Path, *, source_url: str, warehouse_url: str, bronze_schema: str
) -> Completed:
    """One bronze run of runner-postgres over the shop tables (a real subprocess)."""
    job = tmp_path / f"bronze-{bronze_schema}.yaml"
    job.write_text(
        f"source_name: shop\nbronze_schema: {bronze_schema}\nparallel: 2\ntables:{BRONZE_TABLES}",
        encoding="utf-8",
    )
    env = base_env(DATAKIT_SOURCE_URL=source_url, DATAKIT_WAREHOUSE_URL=warehouse_url)
    completed = run_process([*RUNNER_POSTGRES, "run", "--job", str(job)], env)
    assert completed.code == 0, completed.describe()
    return completed


def query(url: str, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql, params or []).fetchall()


SOURCE_DAILY_TOTALS = """
    select o.order_date,
           count(distinct o.order_id) as orders,
           count(l.order_line_id) as lines,
           sum(l.amount) as revenue
    from shop.orders as o
    join shop.order_lines as l on l.order_id = o.order_id
    group by o.order_date
    order by o.order_date
"""
SOURCE_CUSTOMERS = """
    select customer_id, name, email, city, country, segment from shop.customers order by 1
"""


@pytest.fixture
def fail_on_secret():
    """Assert that no process output contains a secret value."""

    def check(completed: Completed, *secrets: str) -> None:
        for secret in secrets:
            assert secret not in completed.stdout, "secret on stdout"
            assert secret not in completed.stderr, "secret on stderr"

    return check
