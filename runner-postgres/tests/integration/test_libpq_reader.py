"""The in-process libpq reader (used where no psql binary exists) passes the core cases too."""

from __future__ import annotations

import signal
import sys
import time
from importlib import resources

import pytest

from datakit.testing import pg
from datakit.testing.acceptance.postgres_postgres import assert_same_rows
from datakit.testing.runner_process import RunnerProcess

pytestmark = pytest.mark.integration


@pytest.fixture
def runner(source_url: str, warehouse_url: str) -> RunnerProcess:
    return RunnerProcess(
        [sys.executable, "-m", "datakit_runner_postgres"],
        env={
            "DATAKIT_SOURCE_URL": source_url,
            "DATAKIT_WAREHOUSE_URL": warehouse_url,
            "DATAKIT_PG_READER": "libpq",
            "DATAKIT_PROGRESS_INTERVAL_SECONDS": "0.05",
        },
    )


def test_exact_copy_and_incremental(
    runner: RunnerProcess, source_url: str, warehouse_url: str
) -> None:
    types_sql = (
        resources.files("datakit.testing").joinpath("data/postgres/types.sql").read_text("utf-8")
    )
    pg.execute(source_url, types_sql)
    for table in ("types_builtin", "types_user"):
        out = runner.run("extract", "--table", f"public.{table}", "--source-name", "src")
        assert out.exit_code == 0, out.stderr
        assert_same_rows(source_url, warehouse_url, ("public", table), f"src__{table}")
    pg.execute(
        source_url,
        "CREATE TABLE public.big AS SELECT i AS id, i AS seq FROM generate_series(1, 300000) i;"
        "ALTER TABLE public.big ADD PRIMARY KEY (id)",
    )
    args = (
        "extract",
        "--table",
        "public.big",
        "--source-name",
        "src",
        "--mode",
        "incremental",
        "--cursor",
        "seq",
    )
    first = runner.run(*args)
    assert first.exit_code == 0 and first.result["tables"][0]["rows"] == 300000  # type: ignore[index]
    assert max(e["rows"] for e in first.events_named("extract_progress")) > 0
    pg.execute(source_url, "UPDATE public.big SET seq = 400000 WHERE id <= 10")
    second = runner.run(*args)
    assert second.result["tables"][0]["rows"] == 11, "10 changed rows and the watermark row"  # type: ignore[index]
    assert_same_rows(source_url, warehouse_url, ("public", "big"), "src__big")


def test_sigterm_rolls_back(runner: RunnerProcess, source_url: str, warehouse_url: str) -> None:
    pg.execute(
        source_url,
        "CREATE TABLE public.k AS SELECT i AS id, repeat('x', 200) AS v FROM generate_series(1, 1500000) i",
    )
    t0 = time.monotonic()
    proc = runner.start("extract", "--table", "public.k", "--source-name", "src")
    time.sleep(2.0)
    proc.send_signal(signal.SIGTERM)
    out = RunnerProcess.finish(proc, t0, timeout=30)
    assert out.exit_code == 143, out.stderr[-2000:]
    assert not pg.table_exists(warehouse_url, "bronze", "src__k")
