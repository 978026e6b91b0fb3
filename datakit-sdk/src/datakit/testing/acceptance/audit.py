"""Acceptance: every load row says who ran it, when, with which runner, image and arguments.

Mixed into the Postgres bronze suite (``postgres_postgres``): the runner runs as a real
subprocess and the rows are read back from ``bronze._datakit_loads``. ``run_by`` is the
warehouse's ``current_user``; ``arguments`` is the command line after the program name with
every secret masked, including one pasted into an argument; old tables gain the columns.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from datakit.testing import pg
from datakit.testing.runner_process import RunnerProcess

IMAGE = "registry.localhost/datakit/runner-under-test:9.9.9@sha256:" + "ab" * 32
_AUDIT = "run_by, runner, image, arguments, status, finished_at"


def _password(url: str) -> str:
    password = urlsplit(url).password
    assert password, f"the test server's URL has no password: {url.split('@')[-1]}"
    return unquote(password)


@pytest.mark.integration
class AuditAcceptance:
    def _rows(self, warehouse_url: str) -> list[tuple[Any, ...]]:
        return pg.fetch(
            warehouse_url, f"SELECT {_AUDIT} FROM bronze._datakit_loads ORDER BY load_id"
        )

    def test_a_load_records_role_runner_image_and_arguments(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        pg.execute(source_url, "CREATE TABLE public.au (id int PRIMARY KEY, v text)")
        pg.execute(source_url, "INSERT INTO public.au VALUES (1, 'a')")
        args = ("extract", "--table", "public.au", "--source-name", "src")
        done = runner.run(*args, env={"DATAKIT_IMAGE": IMAGE})
        assert done.exit_code == 0, done.stderr[-3000:]
        ((role,),) = pg.fetch(warehouse_url, "SELECT current_user")
        ((run_by, name, image, arguments, status, finished_at),) = self._rows(warehouse_url)
        assert (run_by, image, status) == (role, IMAGE, "succeeded")
        # The runner and version are what `--version` says.
        assert name == runner.run("--version").stdout.strip()
        assert arguments == list(args)
        assert finished_at is not None
        # Outside a container (no DATAKIT_IMAGE) the image is not guessed.
        assert runner.run(*args).exit_code == 0
        assert self._rows(warehouse_url)[-1][2] is None

    def test_no_secret_reaches_the_audit_columns(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        """A password from the environment, even pasted into an argument, is stored masked."""
        secret = _password(warehouse_url)
        pg.execute(source_url, "CREATE TABLE public.au2 (id int PRIMARY KEY)")
        done = runner.run(
            "extract", "--table", "public.au2", "--source-name", "src",
            "--target-table", "au2", f"--run-id=pasted-{secret}",
            env={"DATAKIT_IMAGE": IMAGE},
        )  # fmt: skip
        assert done.exit_code == 0, done.stderr[-3000:]
        ((run_by, name, image, arguments, _, _),) = self._rows(warehouse_url)
        stored = json.dumps([run_by, name, image, arguments])
        assert secret not in stored
        assert "--run-id=pasted-***" in arguments

    def test_an_old_loads_table_gains_the_audit_columns(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        """A history written before the columns existed keeps its rows; they stay NULL."""
        pg.execute(
            warehouse_url,
            "CREATE SCHEMA IF NOT EXISTS bronze; CREATE TABLE bronze._datakit_loads ("
            " load_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, run_id text NOT NULL,"
            " table_name text NOT NULL, source_table text, mode text NOT NULL,"
            " status text NOT NULL, rows bigint, watermark text,"
            " started_at timestamptz NOT NULL,"
            " finished_at timestamptz NOT NULL DEFAULT clock_timestamp(), error text);"
            " INSERT INTO bronze._datakit_loads (run_id, table_name, source_table, mode,"
            " status, rows, started_at) VALUES"
            " ('old', 'src__au3', 'public.au3', 'full_refresh', 'succeeded', 1, now())",
        )
        pg.execute(source_url, "CREATE TABLE public.au3 (id int PRIMARY KEY)")
        done = runner.run("extract", "--table", "public.au3", "--source-name", "src")
        assert done.exit_code == 0, done.stderr[-3000:]
        old, new = self._rows(warehouse_url)
        assert old[:4] == (None, None, None, None)
        assert new[0] is not None and new[3] == [
            "extract", "--table", "public.au3", "--source-name", "src",
        ]  # fmt: skip


__all__ = ["IMAGE", "AuditAcceptance"]
