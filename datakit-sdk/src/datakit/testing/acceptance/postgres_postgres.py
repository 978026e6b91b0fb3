"""Acceptance suite for runners that load a Postgres source into a Postgres bronze layer.

Every test drives the runner as a real subprocess against real databases and checks what an
operator relies on: exit codes, the result line, log events, and the bronze data itself.
"""

from __future__ import annotations

import json
import random
import signal
import threading
import time
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from datakit.testing import pg
from datakit.testing.acceptance.audit import AuditAcceptance
from datakit.testing.acceptance.bronze_identity import BronzeIdentityAcceptance
from datakit.testing.acceptance.row_semantics import RowSemanticsAcceptance
from datakit.testing.acceptance.secrets_and_hangs import SecretsAndHangsAcceptance
from datakit.testing.runner_process import RunnerOutput, RunnerProcess

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


def ok(output: RunnerOutput) -> dict[str, Any]:
    assert output.exit_code == 0, f"exit {output.exit_code}: {output.stderr[-3000:]}"
    assert output.result is not None and output.result["status"] == "succeeded"
    return output.result


@pytest.mark.integration
class PostgresToPostgresAcceptance(
    RowSemanticsAcceptance, BronzeIdentityAcceptance, SecretsAndHangsAcceptance, AuditAcceptance
):
    """Subclass in a runner's tests and provide the ``runner_command`` fixture."""

    @pytest.fixture
    def runner_command(self) -> list[str]:
        raise NotImplementedError("a runner's acceptance test must provide runner_command")

    @pytest.fixture
    def runner(
        self, runner_command: list[str], source_url: str, warehouse_url: str
    ) -> RunnerProcess:
        return RunnerProcess(
            runner_command,
            env={"DATAKIT_SOURCE_URL": source_url, "DATAKIT_WAREHOUSE_URL": warehouse_url},
        )

    @pytest.fixture
    def typed_source(self, source_url: str) -> str:
        pg.execute(source_url, _types_sql())
        return source_url

    def extract(self, runner: RunnerProcess, table: str, *args: str, **kw: Any) -> RunnerOutput:
        return runner.run("extract", "--table", table, "--source-name", SRC, *args, **kw)

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
    def test_full_refresh_copies_every_value_exactly(
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

    def test_wide_table_with_350_columns(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        cols = ", ".join(f"c{i} integer" for i in range(350))
        values = ", ".join(str(i) for i in range(350))
        pg.execute(
            source_url,
            f"CREATE TABLE public.wide ({cols}); INSERT INTO public.wide VALUES ({values}), ({values})",
        )
        ok(self.extract(runner, "public.wide"))
        assert_same_rows(source_url, warehouse_url, ("public", "wide"), "src__wide")

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

    @pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["sigkill", "sigterm"])
    def test_killed_load_leaves_old_rows_and_rerun_converges(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str, signum: int
    ) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.k (id int PRIMARY KEY, v text); INSERT INTO public.k VALUES (1, 'old')",
        )
        ok(self.extract(runner, "public.k"))
        pg.execute(
            source_url,
            "TRUNCATE public.k; INSERT INTO public.k SELECT i, repeat('x', 200) FROM generate_series(1, 1500000) i",
        )
        t0 = time.monotonic()
        proc = runner.start("extract", "--table", "public.k", "--source-name", SRC)
        _wait_for_event(proc, "extract_started")
        time.sleep(0.5)
        sent = time.monotonic()
        proc.send_signal(signum)
        out = RunnerProcess.finish(proc, t0, timeout=30)
        assert time.monotonic() - sent < 10, "the runner must stop within 10 s"
        assert out.exit_code != 0
        if signum == signal.SIGTERM:
            assert out.exit_code == 143
            assert out.result is not None and out.result["error"]["kind"] == "terminated"
        assert pg.fetch(warehouse_url, 'SELECT id, v FROM bronze."src__k"') == [(1, "old")]
        ok(self.extract(runner, "public.k"))
        assert pg.count(warehouse_url, BRONZE, "src__k") == 1500000

    # --- append ---------------------------------------------------------------------------------

    def test_append_rerun_of_a_run_id_replaces_its_rows(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.ev (id int, v text); INSERT INTO public.ev VALUES (1, 'a'), (2, 'b')",
        )
        ok(self.extract(runner, "public.ev", "--mode", "append", "--run-id", "run-1"))
        ok(self.extract(runner, "public.ev", "--mode", "append", "--run-id", "run-1"))
        assert pg.count(warehouse_url, BRONZE, "src__ev") == 2
        ok(self.extract(runner, "public.ev", "--mode", "append", env={"DATAKIT_RUN_ID": "run-2"}))
        rows = pg.fetch(
            warehouse_url,
            'SELECT _datakit_run_id, count(*) FROM bronze."src__ev" GROUP BY 1 ORDER BY 1',
        )
        assert rows == [("run-1", 2), ("run-2", 2)]

    # --- incremental ----------------------------------------------------------------------------

    def test_incremental_merges_and_converges_to_the_source(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.cust (id int PRIMARY KEY, name text, updated_at timestamptz NOT NULL);"
            "CREATE INDEX ON public.cust (updated_at);"
            "INSERT INTO public.cust SELECT i, 'n' || i, '2024-01-01'::timestamptz + i * interval '1 min' "
            "FROM generate_series(1, 1000) i",
        )
        args = ("--mode", "incremental", "--cursor", "updated_at")
        first = ok(self.extract(runner, "public.cust", *args))
        assert first["tables"][0]["rows"] == 1000
        pg.execute(
            source_url,
            "UPDATE public.cust SET name = 'changed', updated_at = '2024-02-01' WHERE id % 100 = 0;"
            "INSERT INTO public.cust SELECT i, 'new', '2024-02-02' FROM generate_series(1001, 1010) i",
        )
        second = ok(self.extract(runner, "public.cust", *args))
        assert second["tables"][0]["rows"] == 20, "only rows at or after the watermark are read"
        rerun = ok(self.extract(runner, "public.cust", *args))
        assert rerun["tables"][0]["rows"] == 10, "the watermark row set is re-read, never skipped"
        assert_same_rows(source_url, warehouse_url, ("public", "cust"), "src__cust")
        state = pg.fetch(
            warehouse_url, "SELECT cursor_column, watermark FROM bronze._datakit_state"
        )
        assert state == [("updated_at", "2024-02-02 00:00:00+00")]
        pg.execute(
            source_url,
            "UPDATE public.cust SET name = 'late' WHERE id = 5; UPDATE public.cust SET updated_at = '2024-02-01 23:00' WHERE id = 5",
        )
        ok(self.extract(runner, "public.cust", *args, "--lookback", "2 hours"))
        assert_same_rows(source_url, warehouse_url, ("public", "cust"), "src__cust")

    def test_incremental_killed_run_never_advances_the_watermark(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.inc (id int PRIMARY KEY, v text, seq bigint NOT NULL);"
            "INSERT INTO public.inc VALUES (1, 'a', 1)",
        )
        args = ("--mode", "incremental", "--cursor", "seq")
        ok(self.extract(runner, "public.inc", *args))
        pg.execute(
            source_url,
            "INSERT INTO public.inc SELECT i, repeat('y', 200), i FROM generate_series(2, 1500000) i",
        )
        t0 = time.monotonic()
        proc = runner.start("extract", "--table", "public.inc", "--source-name", SRC, *args)
        _wait_for_event(proc, "extract_started")
        time.sleep(0.5)
        proc.kill()
        RunnerProcess.finish(proc, t0)
        assert pg.fetch(warehouse_url, "SELECT watermark FROM bronze._datakit_state") == [("1",)]
        assert pg.count(warehouse_url, BRONZE, "src__inc") == 1
        ok(self.extract(runner, "public.inc", *args))
        assert pg.count(warehouse_url, BRONZE, "src__inc") == 1500000
        assert pg.fetch(warehouse_url, "SELECT watermark FROM bronze._datakit_state") == [
            ("1500000",)
        ]

    def test_incremental_converges_after_random_changes_reruns_and_kills(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        rng = random.Random(20241127)
        pg.execute(
            source_url,
            "CREATE TABLE public.r (id int PRIMARY KEY, v text, n numeric, updated_at timestamptz NOT NULL);"
            "CREATE INDEX ON public.r (updated_at);"
            "INSERT INTO public.r SELECT i, md5(i::text), i / 3.0, timestamptz '2024-01-01' + i * interval '1 ms' "
            "FROM generate_series(1, 100000) i",
        )
        args = (
            "extract",
            "--table",
            "public.r",
            "--source-name",
            SRC,
            "--mode",
            "incremental",
            "--cursor",
            "updated_at",
        )
        clock = 1_000
        next_id = 100_001
        ops = ["insert", "update", "same_instant", "run", "run", "kill"]
        for _ in range(12):
            op = rng.choice(ops)
            if op == "insert":
                pg.execute(
                    source_url,
                    "INSERT INTO public.r SELECT i, 'new', i, timestamptz '2024-01-01' + %s * interval '1 s' "
                    "FROM generate_series(%s, %s) i",
                    (clock, next_id, next_id + 499),
                )
                next_id += 500
                clock += 1
            elif op in ("update", "same_instant"):
                # same_instant reuses the newest timestamp: rows at the watermark must not be lost.
                instant = clock if op == "update" else clock - 1
                ids = rng.sample(range(1, next_id), 300)
                pg.execute(
                    source_url,
                    "UPDATE public.r SET v = md5(random()::text), n = n + 1, "
                    "updated_at = timestamptz '2024-01-01' + %s * interval '1 s' WHERE id = ANY(%s)",
                    (instant, ids),
                )
                if op == "update":
                    clock += 1
            elif op == "run":
                ok(runner.run(*args))
            else:
                proc = runner.start(*args)
                time.sleep(rng.uniform(0.2, 1.0))
                proc.kill()
                proc.communicate(timeout=30)
        ok(runner.run(*args))
        assert_same_rows(source_url, warehouse_url, ("public", "r"), "src__r")

    def test_incremental_with_explicit_primary_key(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.nk (a int, b int, v text, ts int); INSERT INTO public.nk VALUES (1, 1, 'x', 1), (1, 2, 'y', 1)",
        )
        args = ("--mode", "incremental", "--cursor", "ts", "--primary-key", "a,b")
        ok(self.extract(runner, "public.nk", *args))
        pg.execute(source_url, "UPDATE public.nk SET v = 'z', ts = 2 WHERE b = 2")
        ok(self.extract(runner, "public.nk", *args))
        assert_same_rows(source_url, warehouse_url, ("public", "nk"), "src__nk")

    # --- bad input ------------------------------------------------------------------------------

    def test_unknown_table_suggests_close_names(
        self, runner: RunnerProcess, typed_source: str
    ) -> None:
        out = self.extract(runner, "public.types_bultin")
        assert out.exit_code == 3
        assert "public.types_bultin" in out.error_message
        assert "public.types_builtin" in out.error_message

    def test_incremental_without_cursor_is_usage_error(self, runner: RunnerProcess) -> None:
        out = self.extract(runner, "public.x", "--mode", "incremental")
        assert out.exit_code == 2
        assert "--cursor" in out.stderr

    def test_unknown_cursor_column_is_config_error(
        self, runner: RunnerProcess, typed_source: str
    ) -> None:
        out = self.extract(runner, "public.no_key", "--mode", "incremental", "--cursor", "qtyy")
        assert out.exit_code == 3
        assert "'qtyy'" in out.error_message and "qty" in out.error_message

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

    @pytest.mark.parametrize(
        "argv",
        [["extract", "--tabel", "x"], ["extrakt"], ["extract", "--mode", "merge", "--table", "x"]],
    )
    def test_option_typo_is_usage_error(self, runner: RunnerProcess, argv: list[str]) -> None:
        out = runner.run(*argv)
        assert out.exit_code == 2
        assert "Traceback" not in out.stderr

    # --- schema drift ---------------------------------------------------------------------------

    def test_schema_evolves_added_removed_and_widened_columns(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.d (id int PRIMARY KEY, a smallint, gone text); INSERT INTO public.d VALUES (1, 1, 'g')",
        )
        ok(self.extract(runner, "public.d"))
        pg.execute(
            source_url,
            "ALTER TABLE public.d DROP COLUMN gone, ADD COLUMN added text, ALTER COLUMN a TYPE bigint;"
            "INSERT INTO public.d VALUES (2, 9000000000, 'new')",
        )
        result = ok(self.extract(runner, "public.d"))
        changes = result["tables"][0]["schema_changes"]
        assert "added added text" in changes
        assert "widened a smallint -> bigint" in changes
        assert any(change.startswith("kept gone") for change in changes)
        rows = pg.fetch(warehouse_url, 'SELECT id, a, gone, added FROM bronze."src__d" ORDER BY id')
        assert rows == [(1, 1, None, None), (2, 9000000000, None, "new")]

    def test_schema_change_fails_under_fail_policy(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.f (id int PRIMARY KEY, a int); INSERT INTO public.f VALUES (1, 1)",
        )
        ok(self.extract(runner, "public.f", "--on-schema-change", "fail"))
        pg.execute(
            source_url,
            "ALTER TABLE public.f ADD COLUMN extra text; INSERT INTO public.f VALUES (2, 2, 'x')",
        )
        out = self.extract(runner, "public.f", "--on-schema-change", "fail")
        assert out.exit_code == 5
        assert "'extra'" in out.error_message and "added" in out.error_message
        assert pg.count(warehouse_url, BRONZE, "src__f") == 1
        assert "extra" not in pg.column_names(warehouse_url, BRONZE, "src__f")

    def test_unsafe_type_change_is_contract_error(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.u (id int PRIMARY KEY, a text); INSERT INTO public.u VALUES (1, '1')",
        )
        ok(self.extract(runner, "public.u"))
        pg.execute(source_url, "ALTER TABLE public.u ALTER COLUMN a TYPE integer USING a::integer")
        out = self.extract(runner, "public.u")
        assert out.exit_code == 5
        assert "'a'" in out.error_message and "text -> integer" in out.error_message
        failed = pg.fetch(
            warehouse_url, "SELECT status FROM bronze._datakit_loads ORDER BY load_id"
        )
        assert failed == [("succeeded",), ("failed",)]

    # --- the runner contract --------------------------------------------------------------------

    def test_logs_are_json_with_tenant_run_id_and_table(
        self, runner: RunnerProcess, source_url: str, postgres_server: Any
    ) -> None:
        pg.execute(source_url, "CREATE TABLE public.l (id int); INSERT INTO public.l VALUES (1)")
        out = self.extract(
            runner, "public.l", env={"DATAKIT_TENANT": "acme", "DATAKIT_RUN_ID": "r-42"}
        )
        ok(out)
        assert out.stderr.strip(), "events are logged on stderr"
        for line in out.stderr.strip().splitlines():
            event = json.loads(line)
            assert event["tenant"] == "acme" and event["run_id"] == "r-42"
        committed = out.events_named("load_committed")[0]
        assert committed["table"] == "bronze.src__l" and committed["rows"] == 1
        assert postgres_server.password not in out.stdout + out.stderr
        assert len(out.stdout.strip().splitlines()) == 1, "stdout carries only the result"

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

    def test_result_is_written_for_xcom(
        self, runner: RunnerProcess, source_url: str, tmp_path: Path
    ) -> None:
        pg.execute(
            source_url, "CREATE TABLE public.x (id int); INSERT INTO public.x VALUES (1), (2)"
        )
        out = self.extract(runner, "public.x", env={"DATAKIT_XCOM_DIR": str(tmp_path)})
        result = ok(out)
        assert json.loads((tmp_path / "return.json").read_text()) == result

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


def _wait_for_event(proc: Any, name: str, timeout_seconds: float = 30) -> None:
    """Read the runner's stderr until event *name* shows (the rest is left in the pipe)."""
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        if f'"event": "{name}"' in line:
            return
    raise AssertionError(f"event {name} not seen within {timeout_seconds} s")


__all__ = ["PostgresToPostgresAcceptance", "assert_same_rows"]
