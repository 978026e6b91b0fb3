"""The engine-neutral acceptance suite: what every source -> warehouse pair must do.

Test bodies hold no engine SQL. A pair class (``postgres_postgres``, ``postgres_spark``,
``postgres_sqlserver``, ``sqlserver_postgres``) subclasses :class:`BronzeAcceptance` and provides
three fixtures: ``runner_command`` (the runner's argv), ``source`` (an
:class:`~datakit.testing.acceptance.fixtures.AcceptanceSource`) and ``warehouse`` (an
:class:`~datakit.testing.acceptance.fixtures.AcceptanceWarehouse`); engine-specific tests live
in the pair's own mixins. A pair tunes the suite with class attributes: the values it holds
exactly (:attr:`BronzeAcceptance.exact_values`), where to kill a load
(:attr:`BronzeAcceptance.kill_points`), table sizes, and the tests that do not apply to it, with
the reason (:attr:`BronzeAcceptance.not_applicable`: the test is skipped saying why).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

import pytest

from datakit.testing.acceptance.fixtures import (
    BRONZE,
    META,
    AcceptanceSource,
    AcceptanceWarehouse,
    Col,
    neutral_rows,
)
from datakit.testing.runner_process import RunnerOutput, RunnerProcess

SRC = "src"
_INCREMENTAL = ("--mode", "incremental")
_T0 = datetime(2024, 1, 1, tzinfo=UTC)

#: Columns and the values of rows 1..3 that every pair holds exactly (row 3: NULLs).
EXACT_VALUES: tuple[tuple[Col, tuple[Any, ...]], ...] = (
    (Col("c_smallint", "smallint"), (-32768, 32767, None)),
    (Col("c_int", "int"), (-2147483648, 7, None)),
    (Col("c_bigint", "bigint"), (9223372036854775807, -1, None)),
    (
        Col("c_decimal", "decimal(38,10)"),
        (Decimal("1234567890123456789012345678.0123456789"), Decimal("-0.0000000001"), None),
    ),
    (Col("c_double", "double"), (0.1, -1.5e300, None)),
    (Col("c_bool", "bool"), (True, False, None)),
    (Col("c_text", "text"), ("é ü 🚀 \"q\"\n\\ 'x'", "", None)),
    (Col("c_date", "date"), (date(1000, 1, 1), date(2024, 2, 29), None)),
    (
        Col("c_timestamp", "timestamp"),
        (datetime(1500, 3, 1, 1, 2, 3, 1), datetime(2024, 12, 31, 23, 59, 59, 999999), None),
    ),
    (
        Col("c_timestamptz", "timestamptz"),
        (
            datetime(2024, 3, 10, 12, 34, 56, 123456, tzinfo=timezone(timedelta(hours=2))),
            datetime(1970, 1, 1, tzinfo=UTC),
            None,
        ),
    ),
    (Col("c_bytes", "bytes"), (b"\xde\xad\xbe\xef", b"\x00", None)),
    (Col("c_json", "json"), ({"a": [1, "x", 2.5]}, [], None)),
)
#: Floats only some pairs hold (SQL Server's float has no NaN or infinities).
SPECIAL_FLOATS: tuple[tuple[Col, tuple[Any, ...]], ...] = (
    (Col("c_special", "double"), (float("nan"), float("inf"), float("-inf"))),
)


@dataclass(frozen=True)
class KillPoint:
    """Where a load is killed: *delay* seconds after the runner logs *event*.

    *before_publish*: the kill lands before the new data can be visible, so bronze must still
    be the old table (otherwise old or new).
    """

    event: str
    delay: float = 0.0
    before_publish: bool = True


def ok(output: RunnerOutput) -> dict[str, Any]:
    """The result object of a run that must have succeeded (else its stderr's tail)."""
    assert output.exit_code == 0, f"exit {output.exit_code}: {output.stderr[-3000:]}"
    assert output.result is not None and output.result["status"] == "succeeded"
    return output.result


def wait_for_event(proc: subprocess.Popen[str], name: str, timeout_seconds: float = 120) -> None:
    """Read the runner's stderr until event *name* shows (the rest is left in the pipe)."""
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        if f'"event": "{name}"' in line:
            return
    raise AssertionError(f"event {name} not seen within {timeout_seconds} s")


def kill_group(proc: subprocess.Popen[str]) -> None:
    """SIGKILL the runner and every process it started (a container's or pod's end)."""
    with suppress(ProcessLookupError):  # it had ended already
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)


def _passwords(*urls: str) -> list[str]:
    return [unquote(p) for p in (urlsplit(u).password for u in urls) if p]


@pytest.mark.integration
class BronzeAcceptance:
    """The neutral tests; a pair subclasses it with ``runner_command``, ``source``, ``warehouse``."""

    #: The columns and values the pair must copy exactly (row 1..3 of one table).
    exact_values: ClassVar[tuple[tuple[Col, tuple[Any, ...]], ...]] = EXACT_VALUES
    #: Where the kill tests kill a load; the first one is also where SIGTERM is sent.
    kill_points: ClassVar[tuple[KillPoint, ...]] = (KillPoint("extract_started", 0.5),)
    #: Rows of the table a kill test loads (big enough that the kill lands mid-load).
    kill_rows: ClassVar[int] = 1_500_000
    #: Rows of the table the random-changes test starts from, and its range of kill delays.
    convergence_rows: ClassVar[int] = 100_000
    random_kill_seconds: ClassVar[tuple[float, float]] = (0.2, 1.0)
    #: Whether every stderr line is a JSON event (False: the engine's own lines come between).
    stderr_is_json: ClassVar[bool] = True
    #: How the error of a refused type change (text -> int) spells the two types in this pair's
    #: dialect, e.g. ``"text -> integer"``; None: only the column's name is checked.
    type_change_wording: ClassVar[str | None] = None
    #: Test name (or name[param]) -> why it does not apply to this pair (skipped with that reason).
    not_applicable: ClassVar[Mapping[str, str]] = {}

    @pytest.fixture(autouse=True)
    def _applies(self, request: pytest.FixtureRequest) -> None:
        name = getattr(request.node, "originalname", request.node.name)
        reason = self.not_applicable.get(request.node.name) or self.not_applicable.get(name)
        if reason:
            pytest.skip(f"not for this pair: {reason}")

    @pytest.fixture
    def runner_command(self) -> list[str]:
        raise NotImplementedError("a runner's acceptance test must provide runner_command")

    @pytest.fixture
    def source(self) -> AcceptanceSource:
        raise NotImplementedError("the pair class must provide the source fixture")

    @pytest.fixture
    def warehouse(self) -> AcceptanceWarehouse:
        raise NotImplementedError("the pair class must provide the warehouse fixture")

    @pytest.fixture
    def runner(
        self, runner_command: list[str], source: AcceptanceSource, warehouse: AcceptanceWarehouse
    ) -> RunnerProcess:
        return RunnerProcess(
            runner_command,
            env={"DATAKIT_SOURCE_URL": source.url, "DATAKIT_WAREHOUSE_URL": warehouse.url},
        )

    def extract(self, runner: RunnerProcess, table: str, *args: str, **kw: Any) -> RunnerOutput:
        return runner.run("extract", "--table", table, "--source-name", SRC, *args, **kw)

    @staticmethod
    def assert_same(
        source: AcceptanceSource,
        warehouse: AcceptanceWarehouse,
        table: str,
        columns: list[Col],
        target: str | None = None,
    ) -> None:
        """Bronze minus metadata holds exactly the source's rows, value by value."""
        names = [c.name for c in columns]
        types = [c.type for c in columns]
        want = neutral_rows(source.rows(table, names), types)
        got = neutral_rows(warehouse.rows(target or f"{SRC}__{table}", names), types)
        assert len(got) == len(want), f"bronze has {len(got)} rows, the source {len(want)}"
        for got_row, want_row in zip(got, want, strict=True):
            for name, g, w in zip(names, got_row, want_row, strict=True):
                assert g == w, f"column {name!r}: bronze {g!r} != source {w!r}"

    def _simple(self, source: AcceptanceSource, table: str, rows: list[tuple[Any, ...]]) -> None:
        source.create_table(table, [Col("id", "int", key=True), Col("v", "text")])
        source.insert(table, rows)

    # --- exact copies ---------------------------------------------------------------------------

    def test_full_refresh_copies_every_value_exactly(
        self, runner: RunnerProcess, source: AcceptanceSource, warehouse: AcceptanceWarehouse
    ) -> None:
        columns = [Col("id", "int", key=True), *(col for col, _ in self.exact_values)]
        source.create_table("ty", columns)
        values = [vals for _, vals in self.exact_values]
        source.insert("ty", [(i + 1, *(v[i] for v in values)) for i in range(3)])
        source.create_table("empty", [Col("id", "int", key=True), Col("v", "text")])
        entry = ok(self.extract(runner, source.ref("ty")))["tables"][0]
        assert entry["target"] == f"{BRONZE}.{SRC}__ty" and entry["rows"] == 3
        self.assert_same(source, warehouse, "ty", columns)
        assert list(warehouse.columns(f"{SRC}__ty"))[-2:] == list(META)
        assert ok(self.extract(runner, source.ref("empty")))["tables"][0]["rows"] == 0
        assert warehouse.count(f"{SRC}__empty") == 0

    def test_wide_table_with_350_columns(
        self, runner: RunnerProcess, source: AcceptanceSource, warehouse: AcceptanceWarehouse
    ) -> None:
        columns = [Col(f"c{i}", "int") for i in range(350)]
        source.create_table("wide", columns)
        source.insert("wide", [tuple(range(350)), tuple(range(1, 351))])
        ok(self.extract(runner, source.ref("wide")))
        self.assert_same(source, warehouse, "wide", columns)

    # --- modes ----------------------------------------------------------------------------------

    def test_full_refresh_replaces_every_row(
        self, runner: RunnerProcess, source: AcceptanceSource, warehouse: AcceptanceWarehouse
    ) -> None:
        self._simple(source, "t", [(1, "a"), (2, "b")])
        ok(self.extract(runner, source.ref("t")))
        source.delete("t", where="id", in_=[1])
        source.insert("t", [(3, "c")])
        ok(self.extract(runner, source.ref("t")))
        assert neutral_rows(warehouse.rows("src__t")) == [(2, "b"), (3, "c")]
        assert warehouse.loads("src__t") == [("full_refresh", "succeeded", 2)] * 2

    def test_append_rerun_of_a_run_id_replaces_its_rows(
        self, runner: RunnerProcess, source: AcceptanceSource, warehouse: AcceptanceWarehouse
    ) -> None:
        source.create_table("ev", [Col("id", "int"), Col("v", "text")])
        source.insert("ev", [(1, "a"), (2, "b")])
        append = ("--mode", "append")
        ok(self.extract(runner, source.ref("ev"), *append, "--run-id", "run-1"))
        ok(self.extract(runner, source.ref("ev"), *append, "--run-id", "run-1"))
        assert warehouse.count("src__ev") == 2
        ok(self.extract(runner, source.ref("ev"), *append, env={"DATAKIT_RUN_ID": "run-2"}))
        run_ids = Counter(row[0] for row in warehouse.rows("src__ev", ["_datakit_run_id"]))
        assert run_ids == {"run-1": 2, "run-2": 2}

    def test_incremental_merges_and_converges_to_the_source(
        self, runner: RunnerProcess, source: AcceptanceSource, warehouse: AcceptanceWarehouse
    ) -> None:
        columns = [
            Col("id", "int", key=True),
            Col("name", "text"),
            Col("updated_at", "timestamptz", nullable=False),
        ]
        source.create_table("cust", columns)
        source.insert("cust", ((i, f"n{i}", _T0 + timedelta(minutes=i)) for i in range(1, 1001)))
        args = (*_INCREMENTAL, "--cursor", "updated_at")
        first = ok(self.extract(runner, source.ref("cust"), *args))
        assert first["tables"][0]["rows"] == 1000
        source.update(
            "cust",
            {"name": "changed", "updated_at": datetime(2024, 2, 1, tzinfo=UTC)},
            where="id",
            in_=list(range(100, 1001, 100)),
        )
        newest = datetime(2024, 2, 2, tzinfo=UTC)
        source.insert("cust", ((i, "new", newest) for i in range(1001, 1011)))
        second = ok(self.extract(runner, source.ref("cust"), *args))["tables"][0]
        assert second["rows"] == 20, "only rows at or after the watermark are read"
        rerun = ok(self.extract(runner, source.ref("cust"), *args))
        assert rerun["tables"][0]["rows"] == 10, "the watermark row set is re-read, never skipped"
        self.assert_same(source, warehouse, "cust", columns)
        assert warehouse.watermark("src__cust") is not None
        # A row changed just below the watermark is found again within --lookback.
        source.update(
            "cust",
            {"name": "late", "updated_at": datetime(2024, 2, 1, 23, tzinfo=UTC)},
            where="id",
            in_=[5],
        )
        ok(self.extract(runner, source.ref("cust"), *args, "--lookback", "2 hours"))
        self.assert_same(source, warehouse, "cust", columns)

    def test_incremental_with_explicit_primary_key(
        self, runner: RunnerProcess, source: AcceptanceSource, warehouse: AcceptanceWarehouse
    ) -> None:
        columns = [Col("a", "int"), Col("b", "int"), Col("v", "text"), Col("ts", "int")]
        source.create_table("nk", columns)
        source.insert("nk", [(1, 1, "x", 1), (1, 2, "y", 1)])
        args = (*_INCREMENTAL, "--cursor", "ts", "--primary-key", "a,b")
        ok(self.extract(runner, source.ref("nk"), *args))
        source.update("nk", {"v": "z", "ts": 2}, where="b", in_=[2])
        ok(self.extract(runner, source.ref("nk"), *args))
        self.assert_same(source, warehouse, "nk", columns)

    # --- kills ----------------------------------------------------------------------------------

    def _kill_at(
        self, runner: RunnerProcess, point: KillPoint, args: tuple[str, ...], signum: int
    ) -> RunnerOutput | None:
        """Start *args*, wait for *point*, send *signum* (SIGKILL: to the whole group)."""
        t0 = time.monotonic()
        proc = runner.start(*args, new_session=True)
        try:
            wait_for_event(proc, point.event)
            time.sleep(point.delay)
            if signum == signal.SIGKILL:
                kill_group(proc)
                return None
            sent = time.monotonic()
            proc.send_signal(signum)
            out = RunnerProcess.finish(proc, t0, timeout=60)
            assert time.monotonic() - sent < 10, "the runner must stop within 10 s"
            return out
        finally:
            if proc.poll() is None:
                kill_group(proc)

    @pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["sigkill", "sigterm"])
    def test_killed_load_leaves_old_or_new_and_rerun_converges(
        self,
        runner: RunnerProcess,
        source: AcceptanceSource,
        warehouse: AcceptanceWarehouse,
        signum: int,
    ) -> None:
        self._simple(source, "k", [(1, "old")])
        args = ("extract", "--table", source.ref("k"), "--source-name", SRC)
        ok(runner.run(*args))
        source.delete("k", where="id")
        source.insert("k", ((i, "x" * 200) for i in range(1, self.kill_rows + 1)))
        points = self.kill_points if signum == signal.SIGKILL else self.kill_points[:1]
        for point in points:
            out = self._kill_at(runner, point, args, signum)
            if out is not None:
                assert out.exit_code == 143, out.stderr[-3000:]
                assert out.result is not None and out.result["error"]["kind"] == "terminated"
            count = warehouse.count("src__k")
            if point.before_publish or count == 1:
                assert neutral_rows(warehouse.rows("src__k")) == [(1, "old")], point
            else:
                assert count == self.kill_rows, f"{point}: {count} rows, neither old nor new"
        ok(runner.run(*args))
        assert warehouse.count("src__k") == self.kill_rows

    def test_incremental_killed_run_never_advances_the_watermark(
        self, runner: RunnerProcess, source: AcceptanceSource, warehouse: AcceptanceWarehouse
    ) -> None:
        columns = [Col("id", "int", key=True), Col("v", "text"), Col("seq", "bigint", False)]
        source.create_table("inc", columns)
        source.insert("inc", [(1, "a", 1)])
        args = ("extract", "--table", source.ref("inc"), "--source-name", SRC,
                *_INCREMENTAL, "--cursor", "seq")  # fmt: skip
        ok(runner.run(*args))
        before = warehouse.watermark("src__inc")
        assert before is not None and "1" in before
        source.insert("inc", ((i, "y" * 200, i) for i in range(2, self.kill_rows + 1)))
        for point in self.kill_points:
            self._kill_at(runner, point, args, signal.SIGKILL)
            assert warehouse.watermark("src__inc") == before, point
            if point.before_publish:
                assert warehouse.count("src__inc") == 1, point
        ok(runner.run(*args))
        assert warehouse.count("src__inc") == self.kill_rows
        after = warehouse.watermark("src__inc")
        assert after is not None and str(self.kill_rows) in after

    def test_incremental_converges_after_random_changes_reruns_and_kills(
        self, runner: RunnerProcess, source: AcceptanceSource, warehouse: AcceptanceWarehouse
    ) -> None:
        rng = random.Random(20241127)
        columns = [
            Col("id", "int", key=True),
            Col("v", "text"),
            Col("n", "decimal(20,6)"),
            Col("updated_at", "timestamptz", nullable=False),
        ]
        source.create_table("r", columns)
        source.insert(
            "r",
            (
                (i, f"v{i}", Decimal(i) / 3, _T0 + timedelta(milliseconds=i))
                for i in range(1, self.convergence_rows + 1)
            ),
        )
        args = ("extract", "--table", source.ref("r"), "--source-name", SRC,
                *_INCREMENTAL, "--cursor", "updated_at")  # fmt: skip
        clock = 1_000
        next_id = self.convergence_rows + 1
        for _ in range(12):
            op = rng.choice(["insert", "update", "same_instant", "run", "run", "kill"])
            if op == "insert":
                at = _T0 + timedelta(seconds=clock)
                source.insert(
                    "r", ((i, "new", Decimal(i), at) for i in range(next_id, next_id + 500))
                )
                next_id += 500
                clock += 1
            elif op in ("update", "same_instant"):
                # same_instant reuses the newest instant: rows at the watermark must not be lost.
                instant = clock if op == "update" else clock - 1
                values = {
                    "v": f"{rng.getrandbits(64):x}",
                    "n": Decimal(rng.randrange(10**9)) / 1000,
                    "updated_at": _T0 + timedelta(seconds=instant),
                }
                source.update("r", values, where="id", in_=rng.sample(range(1, next_id), 300))
                if op == "update":
                    clock += 1
            elif op == "run":
                ok(runner.run(*args))
            else:
                proc = runner.start(*args, new_session=True)
                time.sleep(rng.uniform(*self.random_kill_seconds))
                kill_group(proc)
        ok(runner.run(*args))
        self.assert_same(source, warehouse, "r", columns)

    # --- schema drift ---------------------------------------------------------------------------

    def test_schema_evolves_added_and_removed_columns(
        self, runner: RunnerProcess, source: AcceptanceSource, warehouse: AcceptanceWarehouse
    ) -> None:
        source.create_table("d", [Col("id", "int", key=True), Col("a", "int"), Col("gone", "text")])
        source.insert("d", [(1, 1, "g")])
        ok(self.extract(runner, source.ref("d")))
        source.drop_column("d", "gone")
        source.add_column("d", Col("added", "text"))
        source.insert("d", [(2, 2, "new")])
        changes = ok(self.extract(runner, source.ref("d")))["tables"][0]["schema_changes"]
        assert f"added added {warehouse.type_name('text')}" in changes, changes
        assert any(change.startswith("kept gone") for change in changes), changes
        rows = warehouse.rows("src__d", ["id", "a", "gone", "added"])
        assert neutral_rows(rows) == [(1, 1, None, None), (2, 2, None, "new")]

    def test_schema_evolves_widened_columns(
        self, runner: RunnerProcess, source: AcceptanceSource, warehouse: AcceptanceWarehouse
    ) -> None:
        source.create_table("w", [Col("id", "int", key=True), Col("a", "smallint")])
        source.insert("w", [(1, 1)])
        ok(self.extract(runner, source.ref("w")))
        source.change_type("w", "a", "bigint")
        source.insert("w", [(2, 9000000000)])
        changes = ok(self.extract(runner, source.ref("w")))["tables"][0]["schema_changes"]
        wide = f"widened a {warehouse.type_name('smallint')} -> {warehouse.type_name('bigint')}"
        assert wide in changes, changes
        assert neutral_rows(warehouse.rows("src__w")) == [(1, 1), (2, 9000000000)]

    def test_schema_change_fails_under_fail_policy(
        self, runner: RunnerProcess, source: AcceptanceSource, warehouse: AcceptanceWarehouse
    ) -> None:
        source.create_table("f", [Col("id", "int", key=True), Col("a", "int")])
        source.insert("f", [(1, 1)])
        fail = ("--on-schema-change", "fail")
        ok(self.extract(runner, source.ref("f"), *fail))
        source.add_column("f", Col("extra", "text"))
        source.insert("f", [(2, 2, "x")])
        out = self.extract(runner, source.ref("f"), *fail)
        assert out.exit_code == 5, out.stderr[-3000:]
        assert "'extra'" in out.error_message and "added" in out.error_message
        assert warehouse.count("src__f") == 1
        assert "extra" not in warehouse.columns("src__f")

    def test_unsafe_type_change_is_contract_error(
        self, runner: RunnerProcess, source: AcceptanceSource, warehouse: AcceptanceWarehouse
    ) -> None:
        source.create_table("u", [Col("id", "int", key=True), Col("a", "text")])
        source.insert("u", [(1, "1")])
        ok(self.extract(runner, source.ref("u")))
        source.change_type("u", "a", "int")
        out = self.extract(runner, source.ref("u"))
        assert out.exit_code == 5, out.stderr[-3000:]
        assert "'a'" in out.error_message, out.error_message
        if self.type_change_wording is not None:
            assert self.type_change_wording in out.error_message, out.error_message
        assert [status for _, status, _ in warehouse.loads("src__u")] == ["succeeded", "failed"]
        assert neutral_rows(warehouse.rows("src__u")) == [(1, "1")]

    # --- bad input and exit codes ---------------------------------------------------------------

    def test_unknown_table_suggests_close_names(
        self, runner: RunnerProcess, source: AcceptanceSource, warehouse: AcceptanceWarehouse
    ) -> None:
        source.create_table("types_builtin", [Col("id", "int")])
        out = self.extract(runner, source.ref("types_bultin"))
        assert out.exit_code == 3, out.stderr[-3000:]
        assert source.ref("types_bultin") in out.error_message
        assert source.ref("types_builtin") in out.error_message
        assert warehouse.tables() == []

    def test_unknown_cursor_column_is_config_error(
        self, runner: RunnerProcess, source: AcceptanceSource
    ) -> None:
        source.create_table("nc", [Col("id", "int"), Col("qty", "int")])
        out = self.extract(runner, source.ref("nc"), *_INCREMENTAL, "--cursor", "qtyy")
        assert out.exit_code == 3, out.stderr[-3000:]
        assert "'qtyy'" in out.error_message and "qty" in out.error_message

    def test_incremental_without_cursor_is_usage_error(self, runner: RunnerProcess) -> None:
        out = self.extract(runner, "x.y", *_INCREMENTAL)
        assert out.exit_code == 2
        assert "--cursor" in out.stderr

    @pytest.mark.parametrize(
        "argv",
        [["extract", "--tabel", "x"], ["extrakt"], ["extract", "--mode", "merge", "--table", "x"]],
    )
    def test_option_typo_is_usage_error(self, runner: RunnerProcess, argv: list[str]) -> None:
        out = runner.run(*argv)
        assert out.exit_code == 2
        assert "Traceback" not in out.stderr

    # --- the result line and the logs -----------------------------------------------------------

    def test_result_line_logs_and_xcom(
        self,
        runner: RunnerProcess,
        source: AcceptanceSource,
        warehouse: AcceptanceWarehouse,
        tmp_path: Path,
    ) -> None:
        self._simple(source, "l", [(1, "a"), (2, "b")])
        env = {
            "DATAKIT_TENANT": "acme",
            "DATAKIT_RUN_ID": "r-42",
            "DATAKIT_XCOM_DIR": str(tmp_path),
        }
        out = self.extract(runner, source.ref("l"), env=env)
        result = ok(out)
        assert len(out.stdout.strip().splitlines()) == 1, "stdout carries only the result"
        assert json.loads((tmp_path / "return.json").read_text()) == result
        (entry,) = result["tables"]
        assert (entry["target"], entry["rows"], entry["status"]) == (
            "bronze.src__l",
            2,
            "succeeded",
        )
        assert out.events, "events are logged on stderr"
        if self.stderr_is_json:
            for line in out.stderr.strip().splitlines():
                json.loads(line)
        for event in out.events:
            assert event["tenant"] == "acme" and event["run_id"] == "r-42", event
        committed = out.events_named("load_committed")[0]
        assert committed["table"] == "bronze.src__l" and committed["rows"] == 2
        for secret in _passwords(source.url, warehouse.url):
            assert secret not in out.stdout + out.stderr
        assert {row[0] for row in warehouse.rows("src__l", ["_datakit_run_id"])} == {"r-42"}


__all__ = [
    "EXACT_VALUES",
    "SPECIAL_FLOATS",
    "BronzeAcceptance",
    "KillPoint",
    "kill_group",
    "ok",
    "wait_for_event",
]
