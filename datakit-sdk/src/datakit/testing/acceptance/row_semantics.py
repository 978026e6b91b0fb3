"""Acceptance tests for what rows land in bronze: merge keys, cursors, reserved columns, exit codes.

A mixin of :class:`~datakit.testing.acceptance.postgres_postgres.PostgresToPostgresAcceptance`:
its tests use that class's fixtures (``runner``, ``source_url``, ``warehouse_url``) and its
``extract`` helper, so every runner of the pair inherits them. Each test drives the runner as a
real subprocess and checks the exit code, the message and that nothing was written when it
refuses.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from datakit.testing import pg
from datakit.testing.runner_process import RunnerOutput, RunnerProcess

_BRONZE = "bronze"
_INCREMENTAL = ("--mode", "incremental")


def _ok(output: RunnerOutput) -> dict[str, Any]:
    assert output.exit_code == 0, f"exit {output.exit_code}: {output.stderr[-3000:]}"
    assert output.result is not None and output.result["status"] == "succeeded"
    return output.result


def _state(warehouse_url: str) -> list[tuple[Any, ...]]:
    if not pg.table_exists(warehouse_url, _BRONZE, "_datakit_state"):
        return []
    return pg.fetch(warehouse_url, "SELECT table_name, watermark FROM bronze._datakit_state")


class RowSemanticsAcceptance:
    """Which rows land, which loads are refused, and with which exit code."""

    if TYPE_CHECKING:

        def extract(
            self, runner: RunnerProcess, table: str, *args: str, **kw: Any
        ) -> RunnerOutput: ...

    # --- incremental needs a merge key ----------------------------------------------------------

    @pytest.mark.parametrize("relation", ["table", "view"])
    def test_incremental_without_a_key_is_refused(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str, relation: str
    ) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.log (seq int, msg text);"
            "INSERT INTO public.log VALUES (1, 'a'), (2, 'b');"
            "CREATE VIEW public.log_view AS SELECT seq, msg FROM public.log",
        )
        name = "public.log" if relation == "table" else "public.log_view"
        out = self.extract(runner, name, *_INCREMENTAL, "--cursor", "seq")
        assert out.exit_code == 3, out.stderr
        assert name in out.error_message and "--primary-key" in out.error_message
        assert "append" in out.error_message and "full_refresh" in out.error_message
        target = f"src__{name.split('.')[1]}"
        assert not pg.table_exists(warehouse_url, _BRONZE, target)
        assert _state(warehouse_url) == []
        # With a declared key the same load converges, reruns and lookback included.
        args = (*_INCREMENTAL, "--cursor", "seq", "--primary-key", "seq", "--lookback", "2")
        for _ in range(3):
            _ok(self.extract(runner, name, *args))
        pg.execute(source_url, "UPDATE public.log SET msg = 'B' WHERE seq = 2")
        _ok(self.extract(runner, name, *args))
        rows = pg.fetch(warehouse_url, f'SELECT seq, msg FROM bronze."{target}" ORDER BY seq')
        assert rows == [(1, "a"), (2, "B")]

    # --- reserved metadata column names ---------------------------------------------------------

    @pytest.mark.parametrize("column", ["_datakit_run_id", "_datakit_loaded_at", "_DATAKIT_Note"])
    def test_source_column_named_like_metadata_is_refused(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str, column: str
    ) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.meta (id int PRIMARY KEY, v text); INSERT INTO public.meta VALUES (1, 'a')",
        )
        _ok(self.extract(runner, "public.meta", "--mode", "append", "--run-id", "r1"))
        pg.execute(source_url, f'ALTER TABLE public.meta ADD COLUMN "{column}" text')
        pg.execute(source_url, f"UPDATE public.meta SET \"{column}\" = 'spoofed'")
        for mode in ("append", "full_refresh"):
            out = self.extract(runner, "public.meta", "--mode", mode, "--run-id", "r2")
            assert out.exit_code == 3, out.stderr
            assert repr(column) in out.error_message and "public.meta" in out.error_message
        assert pg.fetch(warehouse_url, 'SELECT id, v, _datakit_run_id FROM bronze."src__meta"') == [
            (1, "a", "r1")
        ]
        assert pg.column_names(warehouse_url, _BRONZE, "src__meta") == [
            "id",
            "v",
            "_datakit_loaded_at",
            "_datakit_run_id",
        ]
        pg.execute(
            source_url,
            f"CREATE TABLE public.fresh (id int, \"{column}\" text); INSERT INTO public.fresh VALUES (1, 'x')",
        )
        out = self.extract(runner, "public.fresh")
        assert out.exit_code == 3, out.stderr
        assert repr(column) in out.error_message
        assert not pg.table_exists(warehouse_url, _BRONZE, "src__fresh")

    # --- a declared key is verified -------------------------------------------------------------

    def test_declared_key_with_duplicates_or_nulls_is_a_contract_error(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.k (a int, b int, v text, ts int NOT NULL);"
            "INSERT INTO public.k VALUES (1, 1, 'x', 1), (1, 2, 'y', 1), (2, 1, 'z', 1)",
        )
        args = (*_INCREMENTAL, "--cursor", "ts")
        _ok(self.extract(runner, "public.k", *args, "--primary-key", "a,b"))
        before = pg.text_rows(warehouse_url, _BRONZE, "src__k", ["a", "b", "v"])
        pg.execute(
            source_url,
            "INSERT INTO public.k VALUES (3, 1, 'd1', 2), (3, 1, 'd2', 2), (3, 1, 'd3', 2),"
            " (4, 1, 'e1', 2), (4, 1, 'e2', 2), (5, NULL, 'n', 2)",
        )
        out = self.extract(runner, "public.k", *args, "--primary-key", "a,b")
        assert out.exit_code == 5, out.stderr
        message = out.error_message
        assert "(a, b)" in message and "public.k" in message
        assert "2 key values" in message and "5 rows" in message, message
        assert "1 row has a NULL" in message, message
        assert pg.text_rows(warehouse_url, _BRONZE, "src__k", ["a", "b", "v"]) == before
        assert _state(warehouse_url) == [("src__k", "1")]
        # A key that is not unique from the first run on: nothing is written at all.
        out = self.extract(
            runner, "public.k", *args, "--primary-key", "a", "--target-table", "k_by_a"
        )
        assert out.exit_code == 5, out.stderr
        assert "(a)" in out.error_message
        assert not pg.table_exists(warehouse_url, _BRONZE, "k_by_a")

    # --- cursor edge cases ----------------------------------------------------------------------

    def test_null_cursor_rows_are_counted_in_warnings(
        self, runner: RunnerProcess, source_url: str
    ) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.nc (id int PRIMARY KEY, ts timestamptz);"
            "INSERT INTO public.nc SELECT i, CASE WHEN i <= 3 THEN NULL ELSE now() END "
            "FROM generate_series(1, 10) i",
        )
        args = (*_INCREMENTAL, "--cursor", "ts")
        for _ in range(2):
            out = self.extract(runner, "public.nc", *args)
            warnings = _ok(out)["tables"][0]["warnings"]
            assert any("3 rows have a NULL ts" in w for w in warnings), warnings
            assert out.events_named("cursor_has_nulls")

    def test_text_cursor_is_refused(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.tc (id int PRIMARY KEY, code text NOT NULL);"
            "INSERT INTO public.tc VALUES (1, '9'), (2, '10')",
        )
        out = self.extract(runner, "public.tc", *_INCREMENTAL, "--cursor", "code")
        assert out.exit_code == 3, out.stderr
        assert "'code'" in out.error_message and "text" in out.error_message
        assert not pg.table_exists(warehouse_url, _BRONZE, "src__tc")

    def test_lookback_type_error_names_the_source_not_the_warehouse(
        self, runner: RunnerProcess, source_url: str
    ) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.ut (id int PRIMARY KEY, tag uuid NOT NULL);"
            "INSERT INTO public.ut VALUES (1, gen_random_uuid())",
        )
        args = (*_INCREMENTAL, "--cursor", "tag", "--lookback", "1")
        for _ in range(2):
            out = self.extract(runner, "public.ut", *args)
            assert out.exit_code in (2, 3), out.stderr
            assert "warehouse" not in out.error_message, out.error_message
            assert "'tag'" in out.error_message

    @pytest.mark.parametrize("value", ["infinity", "NaN"])
    def test_unbounded_cursor_value_is_refused(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str, value: str
    ) -> None:
        type_ = "timestamptz" if value == "infinity" else "numeric"
        good = "now()" if value == "infinity" else "1"
        pg.execute(
            source_url,
            f"CREATE TABLE public.inf (id int PRIMARY KEY, ts {type_} NOT NULL);"
            f"INSERT INTO public.inf VALUES (1, {good})",
        )
        args = (*_INCREMENTAL, "--cursor", "ts")
        _ok(self.extract(runner, "public.inf", *args))
        state = _state(warehouse_url)
        pg.execute(source_url, f"INSERT INTO public.inf VALUES (2, '{value}')")
        out = self.extract(runner, "public.inf", *args)
        assert out.exit_code == 5, out.stderr
        assert "'ts'" in out.error_message and value in out.error_message
        assert _state(warehouse_url) == state
        assert pg.count(warehouse_url, _BRONZE, "src__inf") == 1

    def test_bad_lookback_is_refused_on_the_first_run(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.lb (id int PRIMARY KEY, ts timestamptz NOT NULL, n bigint NOT NULL);"
            "INSERT INTO public.lb VALUES (1, now(), 1)",
        )
        for cursor, lookback in (("ts", "two hours"), ("n", "2 hours"), ("ts", "-2 hours")):
            out = self.extract(
                runner, "public.lb", *_INCREMENTAL, "--cursor", cursor, "--lookback", lookback
            )
            assert out.exit_code == 2, out.stderr
            assert "--lookback" in out.error_message and repr(cursor) in out.error_message
        assert not pg.table_exists(warehouse_url, _BRONZE, "src__lb")

    def test_discover_flags_cursor_problems(self, runner: RunnerProcess, source_url: str) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.dc (id int PRIMARY KEY, updated_at timestamptz,"
            " created_at timestamptz NOT NULL, modified_at text);"
            "CREATE INDEX ON public.dc (created_at);"  # an unindexed cursor gets a note too
            "CREATE TABLE public.nokey (v text, changed_at timestamptz NOT NULL)",
        )
        tables = {t["name"]: t for t in _ok(runner.run("discover"))["tables"]}
        dc = tables["dc"]
        assert dc["suggested_cursors"][:2] == ["updated_at", "created_at"]
        notes = dc["cursor_notes"]
        assert "NULL" in " ".join(notes["updated_at"])
        assert "created_at" not in notes
        assert "text" in " ".join(notes["modified_at"])
        assert "modified_at" not in dc["suggested_cursors"]
        assert "--primary-key" in " ".join(tables["nokey"]["notes"])
        assert tables["dc"]["notes"] == []

    # --- exit classes ---------------------------------------------------------------------------

    def test_unpopulated_materialized_view_is_config_error(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        pg.execute(
            source_url,
            "CREATE MATERIALIZED VIEW public.mv AS SELECT 1 AS id WITH NO DATA",
        )
        out = self.extract(runner, "public.mv")
        assert out.exit_code == 3, out.stderr
        assert "public.mv" in out.error_message and "REFRESH" in out.error_message
        assert not pg.table_exists(warehouse_url, _BRONZE, "src__mv")
        # Read through a view, the server's own error must not pass for a transient one either.
        pg.execute(source_url, "CREATE VIEW public.mv_view AS SELECT id FROM public.mv")
        out = self.extract(runner, "public.mv_view")
        assert out.exit_code == 3, out.stderr
        assert "has not been populated" in out.error_message
        assert not pg.table_exists(warehouse_url, _BRONZE, "src__mv_view")

    @pytest.mark.parametrize("value", ["lots", "1.5", "true", "0"])
    def test_bad_batch_rows_in_a_job_is_config_error(
        self, runner: RunnerProcess, source_url: str, tmp_path: Path, value: str
    ) -> None:
        pg.execute(source_url, "CREATE TABLE public.b (id int); INSERT INTO public.b VALUES (1)")
        job = tmp_path / "job.yaml"
        job.write_text(f"tables:\n  - {{table: public.b, batch_rows: {value}}}\n")
        out = runner.run("run", "--job", str(job))
        assert out.exit_code == 3, out.stderr
        assert str(job) in out.error_message
        assert "tables[0].batch_rows" in out.error_message


__all__ = ["RowSemanticsAcceptance"]
