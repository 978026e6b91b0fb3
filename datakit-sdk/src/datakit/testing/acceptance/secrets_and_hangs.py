"""Acceptance mixin: secrets never leak, and no hang outlives SIGTERM or a configured timeout.

Mixed into :class:`~datakit.testing.acceptance.postgres_postgres.PostgresToPostgresAcceptance`, so
every Postgres -> Postgres runner inherits it. The hangs are real: another session holds a lock
the runner needs (on the bronze table or on the source table), or the source is a view that
sleeps. Every wait is bounded, so a regression fails the test instead of hanging CI.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest

from datakit.testing import pg
from datakit.testing.runner_process import RunnerOutput, RunnerProcess

# How soon a terminated runner must be gone, and how long any wait in these tests may take.
STOP_SECONDS = 10.0
WAIT_SECONDS = 60.0
_SPLIT = re.compile(r"[@:/% #?]+")


def password_pieces(password: str) -> list[str]:
    """The password and its parts split on ``@ : / % space # ?`` of length 3 or more."""
    return [password, *(part for part in _SPLIT.split(password) if len(part) >= 3)]


def _wait_until(what: str, predicate: Callable[[], bool], timeout: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.1)


def _lock_waiters(url: str) -> int:
    """Sessions of *url*'s database waiting for a heavyweight lock right now."""
    return int(
        pg.scalar(
            url,
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
    )


def _sleepers(url: str) -> int:
    return int(
        pg.scalar(
            url,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event = 'PgSleep'",
        )
    )


def _other_sessions(url: str) -> int:
    """Sessions on *url*'s database other than this one (the runner's must all be gone)."""
    return int(
        pg.scalar(
            url,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
        )
    )


@contextmanager
def holding_lock(url: str, statement: str) -> Iterator[None]:
    """Run *statement* (a ``LOCK TABLE``) in a transaction kept open while the block runs."""
    conn = psycopg.connect(url)
    try:
        conn.execute(statement)
        yield
    finally:
        conn.close()


@contextmanager
def running(proc: subprocess.Popen[str]) -> Iterator[subprocess.Popen[str]]:
    """Never leave a runner behind, whatever the test asserts."""
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            with suppress(subprocess.TimeoutExpired):
                proc.communicate(timeout=10)


def _descendants(pid: int) -> list[int]:
    """Process ids below *pid* (Linux /proc), children first."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _target(result: dict[str, Any]) -> tuple[str, str]:
    schema, _, name = result["tables"][0]["target"].partition(".")
    return schema, name


class SecretsAndHangsAcceptance:
    """Tests for PostgresToPostgresAcceptance: malformed URLs, secret channels, hangs."""

    extract: Callable[..., RunnerOutput]

    # --- malformed URLs ------------------------------------------------------------------------

    @pytest.mark.parametrize(
        ("variable", "shape"),
        [
            ("DATAKIT_SOURCE_URL", "no-scheme"),
            ("DATAKIT_WAREHOUSE_URL", "unencoded"),
            ("DATAKIT_SOURCE_URL_FILE", "bad-escape"),
            ("DATAKIT_WAREHOUSE_URL_FILE", "space-hash-query"),
        ],
    )
    def test_malformed_url_exits_3_without_any_part_of_the_password(
        self, runner: RunnerProcess, tmp_path: Path, variable: str, shape: str
    ) -> None:
        password = {
            "no-scheme": "Qx7-Pw@lk9/zzTop:44",
            "unencoded": "Qx7-Pw@lk9/zzTop:44",
            "bad-escape": "Qx7-Pw%lk9%zzTop",
            "space-hash-query": "Qx7 Pw#lk9?zzTop",
        }[shape]
        url = f"postgresql://loader:{password}@127.0.0.1:5432/erp"
        if shape == "no-scheme":
            url = f"loader:{password}@127.0.0.1:5432/erp"
        value = url
        base = variable.removesuffix("_FILE")
        env: dict[str, str | None] = {}
        if variable.endswith("_FILE"):
            secret = tmp_path / "url"
            secret.write_text(url + "\n")
            value = str(secret)
            env[base] = None
        env[variable] = value
        xcom = tmp_path / "xcom"
        xcom.mkdir()
        env["DATAKIT_XCOM_DIR"] = str(xcom)
        for command in (["check"], ["extract", "--table", "public.t", "--source-name", "src"]):
            out = runner.run(*command, env=env, timeout=120)
            assert out.exit_code == 3, out.stderr[-2000:]
            assert variable in out.error_message
            seen = out.stdout + out.stderr + (xcom / "return.json").read_text()
            for piece in password_pieces(password):
                assert piece not in seen, f"{piece!r} leaked"

    def test_encoded_special_password_connects(
        self, runner: RunnerProcess, source_url: str, postgres_server: Any
    ) -> None:
        """The strict parser refuses only the malformed: encoded specials reach the server."""
        password = "p@ss:w/o%rd #?x"
        pg.execute(
            source_url,
            "DROP ROLE IF EXISTS datakit_special;"
            "CREATE ROLE datakit_special LOGIN PASSWORD 'p@ss:w/o%rd #?x';"
            "CREATE TABLE public.t (id int); INSERT INTO public.t VALUES (1), (2);"
            "GRANT SELECT ON public.t TO datakit_special",
        )
        try:
            url = postgres_server.url(
                source_url.rsplit("/", 1)[1], user="datakit_special", password=password
            )
            assert quote(password, safe="") in url
            out = runner.run("check", env={"DATAKIT_SOURCE_URL": url}, timeout=120)
            assert out.exit_code == 0, out.stderr[-2000:]
            # The load's reader (a psql child for runner-postgres) gets the password its own way.
            out = self.extract(runner, "public.t", env={"DATAKIT_SOURCE_URL": url}, timeout=120)
            assert out.exit_code == 0, out.stderr[-2000:]
            assert out.result is not None and out.result["tables"][0]["rows"] == 2
            assert password not in out.stdout + out.stderr
        finally:
            pg.execute(source_url, "DROP OWNED BY datakit_special; DROP ROLE datakit_special")

    # --- secret channels to child processes ----------------------------------------------------

    def test_child_processes_never_hold_the_password_in_their_environment(
        self, runner: RunnerProcess, source_url: str, tmp_path: Path
    ) -> None:
        """While the load runs, no process the runner started carries the source password in
        its environment or argv, and the private files it used are gone afterwards."""
        from datakit.testing.postgres import SUPERUSER_PASSWORD as password

        if password not in source_url:
            pytest.skip("the source URL does not carry the known test password")
        pg.execute(
            source_url,
            "CREATE VIEW public.slow AS SELECT 1 AS id, pg_sleep(60)::text AS v",
        )
        temp = tmp_path / "tmp"
        temp.mkdir()
        t0 = time.monotonic()
        env = {"TMPDIR": str(temp)}
        with running(runner.start("extract", "--table", "public.slow", "--source-name", "src",
                                  env=env)) as proc:  # fmt: skip
            _wait_until("the source query runs", lambda: _sleepers(source_url) > 0)
            children = _descendants(proc.pid)
            for pid in children:
                with suppress(OSError):
                    environ = Path(f"/proc/{pid}/environ").read_bytes()
                    argv = Path(f"/proc/{pid}/cmdline").read_bytes()
                    assert password.encode() not in environ + argv, f"child {pid} holds it"
                    assert b"PGPASSWORD=" not in environ
            private = [p for p in temp.rglob("*") if p.is_file()]
            for path in private:
                assert path.stat().st_mode & 0o077 == 0, f"{path} is readable by others"
            proc.send_signal(signal.SIGTERM)
            out = RunnerProcess.finish(proc, t0, timeout=30)
        assert out.exit_code == 143, out.stderr[-2000:]
        assert not [p for p in temp.rglob("*")], "private files must be removed"

    # --- hangs ---------------------------------------------------------------------------------

    def _loaded(self, runner: RunnerProcess, source_url: str, table: str) -> tuple[str, str]:
        pg.execute(
            source_url,
            f"CREATE TABLE public.{table} (id int PRIMARY KEY, v text);"
            f"INSERT INTO public.{table} SELECT i, 'old' FROM generate_series(1, 1000) i",
        )
        out = self.extract(runner, f"public.{table}", timeout=120)
        assert out.exit_code == 0, out.stderr[-2000:]
        assert out.result is not None
        pg.execute(source_url, f"UPDATE public.{table} SET v = 'new'")
        return _target(out.result)

    def _assert_bronze_old(self, warehouse_url: str, target: tuple[str, str]) -> None:
        from psycopg import sql

        rows = pg.fetch(
            warehouse_url,
            sql.SQL("SELECT v, count(*) FROM {} GROUP BY v").format(sql.Identifier(*target)),
        )
        assert rows == [("old", 1000)]

    def _terminate_while(
        self, runner: RunnerProcess, args: list[str], stalled: Callable[[], bool]
    ) -> tuple[RunnerOutput, float]:
        t0 = time.monotonic()
        with running(runner.start(*args)) as proc:
            _wait_until("the runner stalls", stalled)
            sent = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            out = RunnerProcess.finish(proc, t0, timeout=60)
        return out, time.monotonic() - sent

    @staticmethod
    def _command(kind: str, table: str, tmp_path: Path) -> list[str]:
        if kind == "extract":
            return ["extract", "--table", table, "--source-name", "src"]
        job = tmp_path / "job.yaml"
        job.write_text(f"source_name: src\ntables:\n  - {table}\n")
        return ["run", "--job", str(job)]

    @pytest.mark.parametrize("command", ["extract", "run"])
    def test_sigterm_ends_a_load_blocked_by_the_warehouse(
        self,
        runner: RunnerProcess,
        source_url: str,
        warehouse_url: str,
        tmp_path: Path,
        command: str,
    ) -> None:
        """The warehouse answers nothing the load needs: not the bronze table, not the load log
        (where a failed load is recorded). SIGTERM still ends the run within seconds."""
        target = self._loaded(runner, source_url, "wh_hang")
        lock = 'LOCK TABLE "{0}"."{1}", "{0}"."_datakit_loads" IN ACCESS EXCLUSIVE MODE'.format(
            *target
        )
        with holding_lock(warehouse_url, lock):
            out, seconds = self._terminate_while(
                runner,
                self._command(command, "public.wh_hang", tmp_path),
                lambda: _lock_waiters(warehouse_url) > 0,
            )
            assert seconds < STOP_SECONDS, f"stopped after {seconds:.1f} s"
            assert out.exit_code == 143, out.stderr[-2000:]
            assert out.result is not None
            assert "terminated" in json.dumps(out.result)
            # The failure row cannot be written either (its table is locked): a warning, in time.
            assert out.events_named("load_failure_not_recorded"), out.stderr[-2000:]
            _wait_until("the runner's sessions end", lambda: _other_sessions(warehouse_url) == 1)
        self._assert_bronze_old(warehouse_url, target)

    def test_sigterm_ends_a_load_blocked_by_the_source(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        target = self._loaded(runner, source_url, "src_hang")
        with holding_lock(source_url, "LOCK TABLE public.src_hang IN ACCESS EXCLUSIVE MODE"):
            out, seconds = self._terminate_while(
                runner,
                ["extract", "--table", "public.src_hang", "--source-name", "src"],
                lambda: _lock_waiters(source_url) > 0,
            )
            assert seconds < STOP_SECONDS, f"stopped after {seconds:.1f} s"
            assert out.exit_code == 143, out.stderr[-2000:]
            _wait_until("the runner's sessions end", lambda: _other_sessions(source_url) == 1)
        self._assert_bronze_old(warehouse_url, target)

    def test_sigterm_ends_a_load_from_a_source_that_never_answers(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        pg.execute(
            source_url, "CREATE VIEW public.sleepy AS SELECT 1 AS id, pg_sleep(300)::text AS v"
        )
        out, seconds = self._terminate_while(
            runner,
            ["extract", "--table", "public.sleepy", "--source-name", "src"],
            lambda: _sleepers(source_url) > 0,
        )
        assert seconds < STOP_SECONDS, f"stopped after {seconds:.1f} s"
        assert out.exit_code == 143, out.stderr[-2000:]
        _wait_until("the source query is cancelled", lambda: _sleepers(source_url) == 0, 30)

    @pytest.mark.parametrize("side", ["warehouse", "source"])
    def test_lock_timeout_ends_a_stalled_load_with_exit_4(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str, side: str
    ) -> None:
        target = self._loaded(runner, source_url, f"lock_{side}")
        url, lock = (
            (warehouse_url, 'LOCK TABLE "{}"."{}" IN ACCESS EXCLUSIVE MODE'.format(*target))
            if side == "warehouse"
            else (source_url, f"LOCK TABLE public.lock_{side} IN ACCESS EXCLUSIVE MODE")
        )
        with holding_lock(url, lock):
            out = self.extract(
                runner,
                f"public.lock_{side}",
                env={"DATAKIT_LOCK_TIMEOUT_SECONDS": "1"},
                timeout=STOP_SECONDS * 6,
            )
        assert out.exit_code == 4, out.stderr[-2000:]
        assert out.result is not None and out.result["error"]["kind"] == "transient"
        assert "lock" in out.error_message
        assert out.seconds < 30
        self._assert_bronze_old(warehouse_url, target)

    def test_statement_timeout_ends_a_slow_source_with_exit_4(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        pg.execute(
            source_url, "CREATE VIEW public.slow_t AS SELECT 1 AS id, pg_sleep(300)::text AS v"
        )
        out = self.extract(
            runner,
            "public.slow_t",
            env={"DATAKIT_STATEMENT_TIMEOUT_SECONDS": "1"},
            timeout=STOP_SECONDS * 6,
        )
        assert out.exit_code == 4, out.stderr[-2000:]
        assert "statement timeout" in out.error_message
        assert out.seconds < 30
        _wait_until("the source query is gone", lambda: _sleepers(source_url) == 0, 30)

    @pytest.mark.parametrize(
        ("variable", "value"),
        [
            ("DATAKIT_STATEMENT_TIMEOUT_SECONDS", "soon"),
            ("DATAKIT_LOCK_TIMEOUT_SECONDS", "-1"),
            ("DATAKIT_CONNECT_TIMEOUT_SECONDS", "0"),
        ],
    )
    def test_bad_timeout_setting_is_config_error(
        self, runner: RunnerProcess, variable: str, value: str
    ) -> None:
        out = runner.run("check", env={variable: value}, timeout=120)
        assert out.exit_code == 3, out.stderr[-2000:]
        assert variable in out.error_message


__all__ = ["SecretsAndHangsAcceptance", "holding_lock", "password_pieces"]
