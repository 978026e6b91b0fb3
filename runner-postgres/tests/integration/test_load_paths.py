"""The fast paths of a load keep bronze's contract: what a full refresh's COPY and an
increment's reader do differently from the general path, checked on a real cluster."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from datakit.testing import pg
from datakit.testing.runner_process import RunnerProcess

pytestmark = pytest.mark.integration

TARGET = 'bronze."src__items"'


@pytest.fixture
def runner(source_url: str, warehouse_url: str) -> RunnerProcess:
    return RunnerProcess(
        [sys.executable, "-m", "datakit_runner_postgres"],
        env={"DATAKIT_SOURCE_URL": source_url, "DATAKIT_WAREHOUSE_URL": warehouse_url},
    )


def _items(url: str, rows: int) -> None:
    pg.execute(
        url,
        "DROP TABLE IF EXISTS public.items;"
        "CREATE TABLE public.items (id bigint PRIMARY KEY, name text NOT NULL,"
        " updated_at timestamptz NOT NULL);"
        f"INSERT INTO public.items SELECT i, 'n' || i, timestamptz '2024-01-01' + i * interval '1 s'"
        f" FROM generate_series(1, {rows}) i",
    )


def _extract(runner: RunnerProcess, *args: str) -> dict[str, object]:
    out = runner.run("extract", "--table", "public.items", "--source-name", "src", *args)
    assert out.exit_code == 0, out.stderr
    return out.result["tables"][0]  # type: ignore[index,no-any-return]


def test_full_refresh_writes_frozen_rows_and_keeps_the_metadata_defaults(
    runner: RunnerProcess, source_url: str, warehouse_url: str
) -> None:
    _items(source_url, 5000)
    _extract(runner)
    _items(source_url, 6000)
    run_id = "run-frozen-1"
    out = runner.run(
        "extract", "--table", "public.items", "--source-name", "src", "--run-id", run_id
    )
    assert out.exit_code == 0, out.stderr

    # Every page frozen and all-visible: no reader or vacuum rewrites it after the load.
    pg.execute(warehouse_url, "CREATE EXTENSION IF NOT EXISTS pg_visibility")
    pages, frozen = pg.fetch(
        warehouse_url,
        f"SELECT (SELECT relpages FROM pg_class WHERE oid = '{TARGET}'::regclass),"
        f" all_frozen FROM pg_visibility_map_summary('{TARGET}')",
    )[0]
    assert pages > 0 and frozen == pages

    # The rows carry this run and one load time; the table's defaults are its own again.
    assert pg.fetch(
        warehouse_url,
        f"SELECT _datakit_run_id, count(DISTINCT _datakit_loaded_at), count(*) FROM {TARGET}"
        " GROUP BY 1",
    ) == [(run_id, 1, 6000)]
    defaults = pg.fetch(
        warehouse_url,
        "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a"
        f" ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = '{TARGET}'::regclass"
        " ORDER BY 1",
    )
    assert defaults == [
        ("_datakit_loaded_at", "now()"),
        ("_datakit_run_id", "current_setting('datakit.run_id'::text)"),
    ]


def test_full_refresh_without_freeze_under_repeatable_read(
    runner: RunnerProcess, source_url: str, warehouse_url: str
) -> None:
    """A warehouse whose sessions default to REPEATABLE READ cannot COPY FREEZE (the
    transaction's snapshot is older than the TRUNCATE); the load still succeeds, unfrozen."""
    _items(source_url, 3000)
    database = pg.scalar(warehouse_url, "SELECT current_database()")
    pg.execute(
        warehouse_url,
        f"ALTER DATABASE \"{database}\" SET default_transaction_isolation = 'repeatable read'",
    )
    assert _extract(runner)["rows"] == 3000
    assert _extract(runner)["rows"] == 3000
    assert pg.scalar(warehouse_url, f"SELECT count(*) FROM {TARGET}") == 3000


def test_discover_and_extract_name_the_index_an_unindexed_cursor_needs(
    runner: RunnerProcess, source_url: str
) -> None:
    _items(source_url, 100)
    pg.execute(
        source_url,
        "ALTER TABLE public.items ADD COLUMN modified_at timestamptz NOT NULL DEFAULT now();"
        "CREATE INDEX ON public.items (modified_at)",
    )
    out = runner.run("discover", "--schema", "public")
    assert out.exit_code == 0, out.stderr
    (table,) = [t for t in out.result["tables"] if t["name"] == "items"]  # type: ignore[index]
    assert set(table["suggested_cursors"]) >= {"updated_at", "modified_at"}
    notes = table["cursor_notes"]
    assert any(
        "not indexed" in note and "CREATE INDEX ON public.items (updated_at)" in note
        for note in notes["updated_at"]
    ), notes
    assert not any("not indexed" in note for note in notes.get("modified_at", []))

    unindexed = _extract(runner, "--mode", "incremental", "--cursor", "updated_at")
    assert any(
        "CREATE INDEX ON public.items (updated_at)" in w
        for w in unindexed["warnings"]  # type: ignore[union-attr]
    )
    indexed = _extract(
        runner, "--mode", "incremental", "--cursor", "modified_at", "--target-table", "items_m"
    )
    assert not any("not indexed" in w for w in indexed["warnings"])  # type: ignore[union-attr]


def test_a_small_increment_is_read_in_process_a_whole_table_through_psql(
    runner: RunnerProcess, source_url: str, warehouse_url: str, tmp_path: Path
) -> None:
    """Starting a psql child costs more than a small increment's whole read: the planner's
    estimate picks the reader, and both readers give the same rows."""
    real = shutil.which("psql")
    if real is None:
        pytest.skip("psql is not installed")
    marker = tmp_path / "psql-started"
    wrapper = tmp_path / "bin" / "psql"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\necho started >> "{marker}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    env = {"PATH": f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}"}
    _items(source_url, 60_000)
    pg.execute(source_url, "CREATE INDEX ON public.items (updated_at); ANALYZE public.items")
    args = ("extract", "--table", "public.items", "--source-name", "src")
    incremental = (*args, "--mode", "incremental", "--cursor", "updated_at")

    assert runner.run(*incremental, env=env).exit_code == 0
    assert marker.read_text().count("started") == 1  # the first run reads the whole table

    pg.execute(
        source_url,
        "UPDATE public.items SET name = 'changed', updated_at = updated_at + interval '1 year'"
        " WHERE id % 100 = 0",
    )
    out = runner.run(*incremental, env=env)
    assert out.exit_code == 0, out.stderr
    assert out.result["tables"][0]["rows"] == 600  # type: ignore[index]
    assert marker.read_text().count("started") == 1  # no psql child for 600 rows
    assert pg.fetch(
        warehouse_url, f"SELECT count(*), count(*) FILTER (WHERE name = 'changed') FROM {TARGET}"
    ) == [(60_000, 600)]


def test_rows_that_pile_up_are_read_since_a_load_through_a_load_time_index(
    runner: RunnerProcess, source_url: str, warehouse_url: str
) -> None:
    """What arrived since the last build (what silver's incremental models read) is found through
    an index on ``_datakit_loaded_at``, not by scanning bronze; a full refresh's table, whose rows
    all share one load time, gets none."""
    _items(source_url, 20_000)
    _extract(runner)
    incremental = ("--mode", "incremental", "--cursor", "updated_at", "--target-table", "items_inc")
    _extract(runner, *incremental)
    _extract(runner, "--mode", "append", "--target-table", "items_app")
    pg.execute(
        source_url,
        "UPDATE public.items SET updated_at = updated_at + interval '1 year' WHERE id % 100 = 0",
    )
    assert _extract(runner, *incremental)["rows"] == 200

    indexes = pg.fetch(
        warehouse_url,
        "SELECT tablename, indexname, indexdef LIKE '%(_datakit_loaded_at)' FROM pg_indexes"
        " WHERE schemaname = 'bronze' AND indexname LIKE '\\_datakit\\_loaded\\_%' ORDER BY 1",
    )
    assert indexes == [
        ("items_app", "_datakit_loaded_items_app", True),
        ("items_inc", "_datakit_loaded_items_inc", True),
    ]
    first_load = pg.scalar(warehouse_url, "SELECT min(_datakit_loaded_at) FROM bronze.items_inc")
    pg.execute(warehouse_url, "ANALYZE bronze.items_inc")
    plan = pg.fetch(
        warehouse_url,
        f"EXPLAIN SELECT * FROM bronze.items_inc WHERE _datakit_loaded_at > '{first_load}'",
    )
    assert "_datakit_loaded_items_inc" in "\n".join(str(row[0]) for row in plan)
