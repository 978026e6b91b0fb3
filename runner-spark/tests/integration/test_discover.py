"""``runner-spark discover`` shows the Spark types a load creates (the ``postgres_to_spark`` type
map), not the Postgres warehouse's. No JVM: discover reads the source's catalog only."""

from __future__ import annotations

import sys
import uuid
from typing import Any

import psycopg
import pytest

from datakit.testing.runner_process import RunnerProcess

pytestmark = pytest.mark.integration

RUNNER = [sys.executable, "-m", "datakit_runner_spark"]
SOURCE = """
CREATE SCHEMA app;
CREATE TABLE app.kinds (
    id integer PRIMARY KEY,
    amount numeric(12,2),
    exact numeric,
    payload bytea,
    tags integer[],
    happened timestamp,
    updated_at timestamptz NOT NULL,
    doc jsonb,
    wait interval
);
"""
#: What a load into Spark creates for each column (README, "Types"); None: refused.
SPARK_TYPES = {
    "id": "int",
    "amount": "decimal(12,2)",
    "exact": "string",
    "payload": "binary",
    "tags": "array<int>",
    "happened": "timestamp_ntz",
    "updated_at": "timestamp",
    "doc": "string",
    "wait": None,
}


@pytest.fixture(scope="module")
def shop(postgres_server: Any) -> str:
    url = postgres_server.create_database(f"rspark_discover_{uuid.uuid4().hex[:8]}")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SOURCE)
    return str(url)


def discovered(shop: str, warehouse_url: str | None) -> dict[str, Any]:
    """discover's result line, the warehouse URL set (or unset: None)."""
    runner = RunnerProcess(RUNNER, {"DATAKIT_SOURCE_URL": shop})
    out = runner.run("discover", "--schema", "app", env={"DATAKIT_WAREHOUSE_URL": warehouse_url})
    assert out.exit_code == 0, out.stderr[-2000:]
    assert out.result is not None
    return out.result


@pytest.mark.parametrize(
    "warehouse_url",
    [None, "spark+session:///?spark.master=local%5B1%5D", "sc://127.0.0.1:1"],
    ids=["default", "spark-session-url", "spark-connect-url"],
)
def test_discover_shows_the_spark_types_a_load_creates(
    shop: str, warehouse_url: str | None
) -> None:
    result = discovered(shop, warehouse_url)

    [table] = result["tables"]
    assert result["warehouse"] == "spark"
    assert {c["name"]: c["bronze_type"] for c in table["columns"]} == SPARK_TYPES
    assert any("'wait'" in note and "interval" in note for note in table["notes"]), table["notes"]


def test_a_postgres_warehouse_url_shows_the_postgres_types(shop: str) -> None:
    """The warehouse URL's scheme picks the type map (nothing connects to it: port 1)."""
    result = discovered(shop, "postgresql://loader:pw@127.0.0.1:1/dwh")

    [table] = result["tables"]
    types = {c["name"]: c["bronze_type"] for c in table["columns"]}
    assert result["warehouse"] == "postgres"
    assert types["amount"] == "numeric(12,2)" and types["wait"] == "interval"
