"""Full refresh into Spark: bronze equals the source row for row, typed, read in partitions."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from datakit.testing.runner_process import RunnerProcess
from tests.conftest import ReadBronze
from tests.spark_reader import plain

pytestmark = pytest.mark.integration

SOURCE = """
CREATE SCHEMA app;
CREATE TABLE app.orders (
    id bigint PRIMARY KEY,
    customer text,
    amount numeric(12,2),
    placed date,
    updated_at timestamptz NOT NULL
);
INSERT INTO app.orders
SELECT i, 'customer ' || (i % 97), (i * 1.25)::numeric(12,2), date '2020-01-01' + (i % 400),
       timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute'
FROM generate_series(1, 5000) AS i;
"""


def source_rows(url: str, query: str) -> list[list[Any]]:
    with psycopg.connect(url) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        return [[plain(v) for v in row] for row in conn.execute(query).fetchall()]


@pytest.fixture(scope="module")
def shop(postgres_server: Any) -> str:
    import uuid

    url = postgres_server.create_database(f"rspark_full_{uuid.uuid4().hex[:8]}")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SOURCE)
    return url


def test_full_refresh_equals_the_source_row_for_row(
    shop: str, runner: RunnerProcess, read_bronze: ReadBronze
) -> None:
    out = runner.run(
        "extract",
        "--table",
        "app.orders",
        "--partitions",
        "3",
        "--source-name",
        "app",
        env={"DATAKIT_SOURCE_URL": shop},
    )
    assert out.exit_code == 0, out.stderr[-3000:]
    assert out.result is not None and out.result["tables"][0]["rows"] == 5000
    [read] = out.events_named("spark_jdbc_read")
    assert read["partitions"] == 3 and read["partition_column"] == "id" and read["one_snapshot"]

    bronze = read_bronze(
        {
            "rows": "SELECT id, customer, amount, placed, "
            "date_format(updated_at, \"yyyy-MM-dd'T'HH:mm:ss\") FROM bronze.app__orders ORDER BY id",
            "meta": "SELECT count(DISTINCT _datakit_run_id), count(_datakit_loaded_at) "
            "FROM bronze.app__orders",
            "types": "DESCRIBE bronze.app__orders",
        }
    )
    expected = source_rows(
        shop,
        "SELECT id, customer, amount, placed, to_char(updated_at, 'YYYY-MM-DD\"T\"HH24:MI:SS') "
        "FROM app.orders ORDER BY id",
    )
    assert bronze["rows"] == expected
    assert bronze["meta"] == [[1, 5000]]
    types = {row[0]: row[1] for row in bronze["types"]}
    assert types["amount"] == "decimal(12,2)" and types["updated_at"] == "timestamp"
