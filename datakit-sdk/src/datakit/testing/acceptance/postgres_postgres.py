"""Acceptance suite for runners that load a Postgres source into a Postgres bronze layer.

Every test drives the runner as a real subprocess against real databases and checks what an
operator relies on: exit codes, the result line, log events, and the bronze data itself.
"""

from __future__ import annotations

import threading
import time
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from datakit.testing import pg
from datakit.testing.acceptance.audit import AuditAcceptance
from datakit.testing.acceptance.bronze_identity import BronzeIdentityAcceptance
from datakit.testing.acceptance.neutral import (
    EXACT_VALUES,
    SPECIAL_FLOATS,
    BronzeAcceptance,
    ok,
)
from datakit.testing.acceptance.row_semantics import RowSemanticsAcceptance
from datakit.testing.acceptance.secrets_and_hangs import SecretsAndHangsAcceptance
from datakit.testing.pg_acceptance import PostgresBronze, PostgresSource
from datakit.testing.runner_process import RunnerProcess

BRONZE = "bronze"
SRC = "src"
META = ("_datakit_loaded_at", "_datakit_run_id")


def _types_sql() -> str:
    return resources.files("datakit.testing").joinpath("data/postgres/types.sql").read_text("utf-8")


def assert_same_rows(
    source_url: str, warehouse_url: str, table: tuple[str, str], target: str
) -> None:
    """Bronze minus metadata equals the source, compared value by value in text form."""
    columns = pg.column_names(source_url, *table)
    source_rows = pg.text_rows(source_url, table[0], table[1], columns)
    bronze_rows = pg.text_rows(warehouse_url, BRONZE, target, columns)
    assert len(bronze_rows) == len(source_rows)
    for got, want in zip(bronze_rows, source_rows, strict=True):
        for name, g, w in zip(columns, got, want, strict=True):
            assert g == w, f"column {name!r}: bronze {g!r} != source {w!r}"


@pytest.mark.integration
class PostgresToPostgresAcceptance(
    BronzeAcceptance,
    RowSemanticsAcceptance,
    BronzeIdentityAcceptance,
    SecretsAndHangsAcceptance,
    AuditAcceptance,
):
    """The neutral suite on two Postgres databases, plus the Postgres-specific tests below and in
    the mixins (they inspect the source and bronze with Postgres SQL). Subclass in a runner's
    tests and provide the ``runner_command`` fixture."""

    exact_values = (*EXACT_VALUES, *SPECIAL_FLOATS)
    type_change_wording = "text -> integer"

    @pytest.fixture
    def source(self, source_url: str) -> PostgresSource:
        return PostgresSource(source_url)

    @pytest.fixture
    def warehouse(self, warehouse_url: str) -> PostgresBronze:
        return PostgresBronze(warehouse_url)

    @pytest.fixture
    def typed_source(self, source_url: str) -> str:
        pg.execute(source_url, _types_sql())
        return source_url

    # --- the exact watermark text a Postgres user reads (the neutral suite checks only that one exists)

    def test_watermark_is_stored_as_postgres_prints_the_cursor(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.wm (id int PRIMARY KEY, updated_at timestamptz NOT NULL);"
            "INSERT INTO public.wm VALUES (1, '2024-01-01'), (2, '2024-02-02 00:00:00+00')",
        )
        ok(self.extract(runner, "public.wm", "--mode", "incremental", "--cursor", "updated_at"))
        state = pg.fetch(
            warehouse_url, "SELECT cursor_column, watermark FROM bronze._datakit_state"
        )
        assert state == [("updated_at", "2024-02-02 00:00:00+00")]

    def test_incremental_replaces_a_changed_row_whole(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        """A changed row is the source's row again (Postgres 15+ merges with one ``MERGE``): a
        column the source dropped is NULL in it, as in a new row, and kept in unchanged rows."""
        pg.execute(
            source_url,
            "CREATE TABLE public.m (id int PRIMARY KEY, v text, gone text, ts int NOT NULL);"
            "INSERT INTO public.m VALUES (1, 'a', 'g1', 1), (2, 'b', 'g2', 0)",
        )
        args = ("public.m", "--mode", "incremental", "--cursor", "ts")
        ok(self.extract(runner, *args))
        pg.execute(
            source_url,
            "ALTER TABLE public.m DROP COLUMN gone;"
            "UPDATE public.m SET v = 'changed', ts = 2 WHERE id = 1;"
            "INSERT INTO public.m VALUES (3, 'c', 2)",
        )
        second = ok(self.extract(runner, *args))["tables"][0]
        assert second["rows"] == 2
        # The rows of one run share a run id: the changed and the new row are the second run's.
        rows = pg.fetch(
            warehouse_url,
            "SELECT id, v, gone, ts, count(*) OVER (PARTITION BY _datakit_run_id) "
            "FROM bronze.src__m ORDER BY id",
        )
        assert rows == [(1, "changed", None, 2, 2), (2, "b", "g2", 0, 1), (3, "c", None, 2, 2)]

    # --- check and discover -------------------------------------------------------------------

    def test_check_succeeds_with_good_credentials(
        self, runner: RunnerProcess, source_url: str
    ) -> None:
        empty = runner.run("check")
        assert empty.exit_code == 3 and "can read no table" in empty.error_message
        pg.execute(source_url, "CREATE TABLE public.t (id int)")
        result = ok(runner.run("check"))
        assert result["warehouse"]["can_write_bronze_schema"] is True
        assert result["source"]["readable_tables"] == 1

    def test_check_wrong_password_is_config_error_without_the_password(
        self, runner: RunnerProcess, postgres_server: Any, warehouse_url: str
    ) -> None:
        bad = postgres_server.url("postgres", password="Wr0ng-Secret-Pw")
        out = runner.run("check", env={"DATAKIT_SOURCE_URL": bad})
        assert out.exit_code == 3, out.stderr
        assert "authentication failed" in out.error_message
        assert "Wr0ng-Secret-Pw" not in out.stdout + out.stderr

    def test_check_unreachable_is_transient(self, runner: RunnerProcess, source_url: str) -> None:
        from datakit.testing.postgres import free_port

        pg.execute(source_url, "CREATE TABLE public.t (id int)")

        url = f"postgresql://u:Secret-Pw-123@127.0.0.1:{free_port()}/db"
        out = runner.run("check", env={"DATAKIT_WAREHOUSE_URL": url})
        assert out.exit_code == 4, out.stderr
        assert "Secret-Pw-123" not in out.stdout + out.stderr
        assert "DATAKIT" not in out.error_message or "127.0.0.1" in out.error_message

    @pytest.mark.parametrize(
        "url",
        [
            "not a url",
            "mysql://u:p@h/db",
            "postgresql://u:p@127.0.0.1:99999/db",
            "postgresql://u:p@127.0.0.1:5432/",
        ],
        ids=["garbage", "wrong-scheme", "bad-port", "no-database"],
    )
    def test_malformed_url_is_config_error(self, runner: RunnerProcess, url: str) -> None:
        out = runner.run("check", env={"DATAKIT_SOURCE_URL": url})
        assert out.exit_code == 3, out.stderr
        assert "DATAKIT_SOURCE_URL" in out.error_message

    def test_missing_environment_is_config_error(self, runner: RunnerProcess) -> None:
        out = runner.run("extract", "--table", "x", env={"DATAKIT_WAREHOUSE_URL": None})
        assert out.exit_code == 3
        assert "DATAKIT_WAREHOUSE_URL is not set" in out.error_message

    def test_url_from_secret_file(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str, tmp_path: Path
    ) -> None:
        pg.execute(source_url, "CREATE TABLE public.t (id int)")
        secret = tmp_path / "warehouse_url"
        secret.write_text(warehouse_url + "\n")
        out = runner.run(
            "check", env={"DATAKIT_WAREHOUSE_URL": None, "DATAKIT_WAREHOUSE_URL_FILE": str(secret)}
        )
        ok(out)

    def test_discover_lists_tables_keys_and_cursor_candidates(
        self, runner: RunnerProcess, typed_source: str
    ) -> None:
        pg.execute(
            typed_source,
            "CREATE TABLE public.events (id bigint PRIMARY KEY, body text, updated_at timestamptz)",
        )
        result = ok(runner.run("discover"))
        tables = {(t["schema"], t["name"]): t for t in result["tables"]}
        assert ("public", "measurements") in tables
        assert ("public", "measurements_2023") not in tables, (
            "partitions are read through the parent"
        )
        assert ("Sales Dept", 'Order "Lines" Ünïcode') in tables
        events = tables[("public", "events")]
        assert events["primary_key"] == ["id"]
        assert events["suggested_cursors"][0] == "updated_at"
        user = {c["name"]: c for c in tables[("public", "types_user")]["columns"]}
        assert user["c_mood"]["bronze_type"] == "text"
        assert user["c_money"]["bronze_type"] == "numeric(10,2)"
        schema_only = ok(runner.run("discover", "--schema", "Sales Dept"))
        assert [t["schema"] for t in schema_only["tables"]] == ["Sales Dept"]

    # --- exact copies ---------------------------------------------------------------------------

    @pytest.mark.parametrize(
        ("table", "source_ref", "target"),
        [
            ("public.types_builtin", ("public", "types_builtin"), "src__types_builtin"),
            ("types_user", ("public", "types_user"), "src__types_user"),
            ("public.measurements", ("public", "measurements"), "src__measurements"),
            (
                '"Sales Dept"."Order ""Lines"" Ünïcode"',
                ("Sales Dept", 'Order "Lines" Ünïcode'),
                'src__Sales Dept__Order "Lines" Ünïcode',
            ),
            ("public.empty_table", ("public", "empty_table"), "src__empty_table"),
            ("public.no_key", ("public", "no_key"), "src__no_key"),
        ],
        ids=[
            "builtin-types",
            "enums-domains-generated",
            "partitioned",
            "quoted-names",
            "empty",
            "no-key",
        ],
    )
    def test_full_refresh_copies_every_postgres_type_exactly(
        self,
        runner: RunnerProcess,
        typed_source: str,
        warehouse_url: str,
        table: str,
        source_ref: tuple[str, str],
        target: str,
    ) -> None:
        result = ok(self.extract(runner, table))
        entry = result["tables"][0]
        assert entry["target"] == f"{BRONZE}.{target}"
        assert entry["rows"] == pg.count(typed_source, *source_ref)
        assert_same_rows(typed_source, warehouse_url, source_ref, target)
        columns = pg.column_names(warehouse_url, BRONZE, target)
        assert columns[-2:] == list(META)

    def test_types_keep_their_source_type(
        self, runner: RunnerProcess, typed_source: str, warehouse_url: str
    ) -> None:
        ok(self.extract(runner, "public.types_builtin"))
        ok(self.extract(runner, "public.types_user"))
        source_types = pg.column_types(typed_source, "public", "types_builtin")
        bronze_types = pg.column_types(warehouse_url, BRONZE, "src__types_builtin")
        for name, type_ in source_types.items():
            assert bronze_types[name] == type_, name
        user = pg.column_types(warehouse_url, BRONZE, "src__types_user")
        assert user["c_mood"] == "text"
        assert user["c_moods"] == "text[]"
        assert user["c_money"] == "numeric(10,2)"
        assert user["c_email"] == "text"
        assert user["c_mood_domain"] == "text"
        assert user["c_int_list"] == "integer[]"
        assert user["c_pair"] == "text"
        assert user["c_total"] == "numeric"

    def test_unmapped_type_warns(self, runner: RunnerProcess, typed_source: str) -> None:
        out = self.extract(runner, "public.types_user")
        ok(out)
        warnings = out.events_named("type_not_mapped")
        assert [w["column"] for w in warnings] == ["c_pair"]

    def test_default_names_come_from_source_database(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.items (id int PRIMARY KEY); INSERT INTO public.items VALUES (1)",
        )
        database = source_url.rsplit("/", 1)[1]
        result = ok(runner.run("extract", "--table", "public.items"))
        assert result["tables"][0]["target"] == f"bronze.{database}__items"
        result = ok(
            runner.run(
                "extract",
                "--table",
                "public.items",
                "--bronze-schema",
                "Other Bronze",
                "--target-table",
                "Items!",
            )
        )
        assert pg.count(warehouse_url, "Other Bronze", "Items!") == 1

    # --- full refresh ---------------------------------------------------------------------------

    def test_full_refresh_replaces_and_keeps_dependent_views(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.t (id int PRIMARY KEY, v text); INSERT INTO public.t VALUES (1, 'a'), (2, 'b')",
        )
        ok(self.extract(runner, "public.t"))
        pg.execute(warehouse_url, 'CREATE VIEW bronze.t_view AS SELECT id, v FROM bronze."src__t"')
        pg.execute(
            source_url, "DELETE FROM public.t WHERE id = 1; INSERT INTO public.t VALUES (3, 'c')"
        )
        ok(self.extract(runner, "public.t"))
        assert pg.fetch(warehouse_url, "SELECT id, v FROM bronze.t_view ORDER BY id") == [
            (2, "b"),
            (3, "c"),
        ]
        loads = pg.fetch(
            warehouse_url, "SELECT mode, status, rows FROM bronze._datakit_loads ORDER BY load_id"
        )
        assert loads == [("full_refresh", "succeeded", 2), ("full_refresh", "succeeded", 2)]

    def test_readers_never_see_a_partial_or_empty_table(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.big AS SELECT i AS id, md5(i::text) AS v FROM generate_series(1, 300000) i",
        )
        ok(self.extract(runner, "public.big"))
        pg.execute(
            source_url,
            "INSERT INTO public.big SELECT i, 'new' FROM generate_series(300001, 400000) i",
        )
        seen: set[int] = set()
        stop = threading.Event()

        def read() -> None:
            import psycopg

            with psycopg.connect(warehouse_url, autocommit=True) as conn:
                while not stop.is_set():
                    seen.add(conn.execute('SELECT count(*) FROM bronze."src__big"').fetchone()[0])  # type: ignore[index]
                    time.sleep(0.005)

        reader = threading.Thread(target=read)
        reader.start()
        try:
            ok(self.extract(runner, "public.big"))
        finally:
            time.sleep(0.1)
            stop.set()
            reader.join()
        assert seen <= {300000, 400000}, seen
        assert 400000 in seen

    # --- bad input ------------------------------------------------------------------------------

    def test_bad_lookback_is_usage_error(self, runner: RunnerProcess, source_url: str) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.lb (id int PRIMARY KEY, ts timestamptz); INSERT INTO public.lb VALUES (1, now())",
        )
        args = ("--mode", "incremental", "--cursor", "ts")
        ok(self.extract(runner, "public.lb", *args))
        out = self.extract(runner, "public.lb", *args, "--lookback", "two hours")
        assert out.exit_code == 2
        assert "--lookback" in out.error_message

    # --- the runner contract --------------------------------------------------------------------

    def test_progress_is_logged_during_long_loads(
        self, runner: RunnerProcess, source_url: str
    ) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.p AS SELECT i AS id, repeat('p', 100) AS v FROM generate_series(1, 400000) i",
        )
        out = self.extract(runner, "public.p", env={"DATAKIT_PROGRESS_INTERVAL_SECONDS": "0.05"})
        ok(out)
        progress = out.events_named("extract_progress")
        assert progress, "progress events are logged while the load runs"
        assert all("rows_per_second" in event and "run_id" in event for event in progress)
        assert max(event["rows"] for event in progress) > 0, "progress counts rows as they land"

    def test_run_job_loads_tables_in_parallel_and_reports_each(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str, tmp_path: Path
    ) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.j1 (id int PRIMARY KEY, ts int); INSERT INTO public.j1 VALUES (1, 1);"
            "CREATE TABLE public.j2 (id int); INSERT INTO public.j2 VALUES (1), (2);"
            'CREATE TABLE public."J 3" (id int); INSERT INTO public."J 3" VALUES (1), (2), (3)',
        )
        job = tmp_path / "job.yaml"
        job.write_text(
            "source_name: app\nbronze_schema: acme_bronze\ntables:\n"
            "  - {table: public.j1, mode: incremental, cursor: ts}\n"
            "  - {table: public.j2, mode: append}\n"
            "  - 'public.\"J 3\"'\n"
        )
        result = ok(runner.run("run", "--job", str(job), "--parallel", "2"))
        assert [t["rows"] for t in result["tables"]] == [1, 2, 3]
        assert result["rows"] == 6
        assert pg.count(warehouse_url, "acme_bronze", "app__J 3") == 3
        job.write_text("tables:\n  - public.j2\n  - public.missing\n")
        out = runner.run("run", "--job", str(job))
        assert out.exit_code == 3
        assert out.result is not None
        assert [t["status"] for t in out.result["tables"]] == ["succeeded", "failed"]

    def test_bad_job_file_names_the_problem(self, runner: RunnerProcess, tmp_path: Path) -> None:
        job = tmp_path / "job.yaml"
        job.write_text(
            "tables:\n  - {table: a.b, mode: incremental}\n  - {table: a.c, curser: x}\n"
        )
        out = runner.run("run", "--job", str(job))
        assert out.exit_code == 3
        assert "tables[0].cursor: required for mode incremental" in out.error_message
        assert "tables[1].curser: unknown option" in out.error_message


__all__ = ["PostgresToPostgresAcceptance", "assert_same_rows", "ok"]
