"""Incremental loads converge under random changes; SIGKILL during the write or the switch
leaves bronze old-or-new and the rerun converges (Spark has no transactions: the swap does it)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from typing import Any

import psycopg
import pytest

from datakit.testing.runner_process import RunnerProcess
from tests.conftest import ReadBronze, spark_url
from tests.spark_reader import plain

pytestmark = pytest.mark.integration

ROWS = 3000
SOURCE = f"""
CREATE SCHEMA app;
CREATE TABLE app.items (
    id integer PRIMARY KEY,
    label text NOT NULL,
    price numeric(10,2),
    updated_at timestamp NOT NULL
);
INSERT INTO app.items
SELECT i, 'item ' || i, i * 0.5, timestamp '2024-01-01' + i * interval '1 second'
FROM generate_series(1, {ROWS}) AS i;
"""
SELECT_SOURCE = (
    "SELECT id, label, price, to_char(updated_at, 'YYYY-MM-DD\"T\"HH24:MI:SS.US') "
    "FROM app.items ORDER BY id"
)
SELECT_BRONZE = (
    "SELECT id, label, price, date_format(updated_at, \"yyyy-MM-dd'T'HH:mm:ss.SSSSSS\") "
    "FROM bronze.app__items ORDER BY id"
)
INCREMENTAL = (
    "extract", "--table", "app.items", "--source-name", "app",
    "--mode", "incremental", "--cursor", "updated_at",
)  # fmt: skip


def rows(url: str, query: str) -> list[list[Any]]:
    with psycopg.connect(url) as conn:
        return [[plain(v) for v in row] for row in conn.execute(query).fetchall()]


def change_randomly(url: str, rng: random.Random, round_: int) -> None:
    """Update some rows (newer cursor) and insert new ones; deletes are not incremental."""
    ids = rng.sample(range(1, ROWS + 1), 200)
    start = ROWS + round_ * 100
    with psycopg.connect(url) as conn:
        conn.execute(
            "UPDATE app.items SET label = label || '*', price = price + 1, "
            "updated_at = timestamp '2025-01-01' + %s * interval '1 hour' + id * interval '1 ms' "
            "WHERE id = ANY(%s)",
            (round_, ids),
        )
        conn.execute(
            "INSERT INTO app.items SELECT i, 'new ' || i, i, timestamp '2025-01-01' + %s * "
            "interval '1 hour' FROM generate_series(%s::int, %s::int) AS i",
            (round_, start + 1, start + 100),
        )


@pytest.fixture
def source(postgres_server: Any) -> str:
    url = postgres_server.create_database(f"rspark_inc_{uuid.uuid4().hex[:8]}")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SOURCE)
    return url


def ok(out: Any) -> dict[str, Any]:
    assert out.exit_code == 0, out.stderr[-3000:]
    return out.result["tables"][0]


def test_incremental_converges_under_random_changes(
    source: str, runner: RunnerProcess, read_bronze: ReadBronze
) -> None:
    env = {"DATAKIT_SOURCE_URL": source}
    first = ok(runner.run(*INCREMENTAL, env=env))
    assert first["rows"] == ROWS
    rng = random.Random(10)
    for round_ in (1, 2):
        change_randomly(source, rng, round_)
        again = ok(runner.run(*INCREMENTAL, env=env))
        # Only the changed rows (and those at the watermark) are read again.
        assert 300 <= again["rows"] <= 301, again
    bronze = read_bronze(
        {
            "rows": SELECT_BRONZE,
            "watermark": "SELECT watermark FROM bronze._datakit_watermarks "
            "WHERE table_name = 'app__items' ORDER BY updated_at DESC LIMIT 1",
            "loads": "SELECT mode, status, rows FROM bronze._datakit_loads "
            "WHERE table_name = 'app__items' ORDER BY finished_at",
        }
    )
    assert bronze["rows"] == rows(source, SELECT_SOURCE)
    [[watermark]] = bronze["watermark"]
    assert (
        watermark
        == rows(
            source, "SELECT to_char(max(updated_at), 'YYYY-MM-DD\"T\"HH24:MI:SS.US') FROM app.items"
        )[0][0]
    )
    assert [row[:2] for row in bronze["loads"]] == [["incremental", "succeeded"]] * 3


def _run_until(conf: dict[str, str], env: dict[str, str], event: str, *args: str) -> bool:
    """Start the runner in its own process group and SIGKILL the group (Python and the JVM)
    as soon as *event* is logged; True if the event came before the runner ended."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DATAKIT_")}
    full_env.update(env, DATAKIT_WAREHOUSE_URL=spark_url(conf), DATAKIT_LOG_FORMAT="json")
    proc = subprocess.Popen(
        [sys.executable, "-m", "datakit_runner_spark", *args],
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    seen = False
    assert proc.stderr is not None
    for line in proc.stderr:
        try:
            if json.loads(line).get("event") == event:
                seen = True
                break
        except json.JSONDecodeError:
            continue
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    time.sleep(1)  # the JVM (same group) is gone too; let the OS release Derby's files
    return seen


@pytest.mark.parametrize("event", ["spark_jdbc_read", "spark_switch"])
def test_sigkill_during_write_or_switch_leaves_old_or_new_and_rerun_converges(
    source: str,
    runner: RunnerProcess,
    read_bronze: ReadBronze,
    catalog_conf: dict[str, str],
    event: str,
) -> None:
    env = {"DATAKIT_SOURCE_URL": source}
    table = f"items_{event}"
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute(f"ALTER TABLE app.items RENAME TO {table}")
    args = (
        "extract", "--table", f"app.{table}", "--source-name", "app", "--mode", "full_refresh",
    )  # fmt: skip
    select_source = SELECT_SOURCE.replace("app.items", f"app.{table}")
    select_bronze = SELECT_BRONZE.replace("app__items", f"app__{table}")
    ok(runner.run(*args, env=env))
    old = rows(source, select_source)
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute(f"UPDATE app.{table} SET label = label || ' v2' WHERE id % 3 = 0")
    new = rows(source, select_source)

    assert _run_until(catalog_conf, env, event, *args), f"{event} was never logged"
    after_kill = read_bronze({"rows": select_bronze})["rows"]
    assert after_kill in (old, new)
    if event == "spark_jdbc_read":
        assert after_kill == old

    ok(runner.run(*args, env=env))
    assert read_bronze({"rows": select_bronze})["rows"] == new
