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


TYPES = """
CREATE TABLE app.typed (
    id integer PRIMARY KEY,
    d38 numeric(38,10),
    at timestamptz,
    naive timestamp,
    old date,
    arr integer[],
    doc jsonb,
    raw bytea,
    f double precision,
    free numeric
);
INSERT INTO app.typed VALUES
  (1, 1234567890123456789012345678.0123456789, '2024-03-10 12:34:56.123456+02',
   '1500-03-01 01:02:03.000001', '1000-01-01', '{1,2,NULL}', '{"a": [1, "x"]}', '\\xdeadbeef',
   'NaN', 12345678901234567890.123456789012345678901),
  (2, -0.0000000001, '1970-01-01 00:00:00+00', '2024-12-31 23:59:59', '1582-10-10', '{}',
   'null', '\\x', 'Infinity', 0),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '-Infinity', NULL);
"""


def test_types_land_exactly(shop: str, runner: RunnerProcess, read_bronze: ReadBronze) -> None:
    with psycopg.connect(shop, autocommit=True) as conn:
        conn.execute(TYPES)
    out = runner.run(
        "extract", "--table", "app.typed", "--source-name", "app",
        env={"DATAKIT_SOURCE_URL": shop},
    )  # fmt: skip
    assert out.exit_code == 0, out.stderr[-3000:]
    bronze = read_bronze(
        {
            "rows": "SELECT id, d38, date_format(at, \"yyyy-MM-dd'T'HH:mm:ss.SSSSSS\"), "
            "date_format(naive, \"yyyy-MM-dd'T'HH:mm:ss.SSSSSS\"), cast(old AS string), arr, "
            "doc, raw, f, free FROM bronze.app__typed ORDER BY id",
            "types": "DESCRIBE bronze.app__typed",
        }
    )
    expected = source_rows(
        shop,
        "SELECT id, d38, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), "
        "to_char(naive, 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), old::text, arr, doc::text, raw, f, "
        "free::text FROM app.typed ORDER BY id",
    )
    assert bronze["rows"] == expected
    types = {row[0]: row[1] for row in bronze["types"]}
    assert [types[c] for c in ("d38", "at", "naive", "old", "arr", "doc", "raw", "f", "free")] == [
        "decimal(38,10)", "timestamp", "timestamp_ntz", "date", "array<int>", "string",
        "binary", "double", "string",
    ]  # fmt: skip
