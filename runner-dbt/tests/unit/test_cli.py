"""The CLI without a warehouse: help, version, and errors that name what was wrong."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from datakit.cli.app import invoke
from datakit_runner_dbt import __version__
from datakit_runner_dbt.cli import DBT_VERBS, cli


def _last_json(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])


def test_help_lists_dbt_verbs_and_runner_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])

    assert result.exit_code == 0
    for command in (*DBT_VERBS, "check", "discover"):
        assert f"  {command} " in result.output


def test_help_is_fast_because_dbt_is_imported_lazily() -> None:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", "import sys, datakit_runner_dbt.cli; print('dbt' in sys.modules)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip

    assert result.stdout.strip() == "False"
    assert time.monotonic() - started < 10


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])

    assert result.output.strip() == f"runner-dbt {__version__}"


def test_missing_warehouse_url_is_exit_3_with_a_result_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DATAKIT_WAREHOUSE_URL", raising=False)
    monkeypatch.delenv("DATAKIT_WAREHOUSE_URL_FILE", raising=False)

    code = invoke(cli, ["build"])

    result = _last_json(capsys.readouterr().out)
    assert code == 3
    assert result["status"] == "failed"
    assert "DATAKIT_WAREHOUSE_URL is not set" in result["error"]["message"]


def test_bad_vars_are_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATAKIT_WAREHOUSE_URL", "postgresql://u:p@127.0.0.1:1/db")

    assert invoke(cli, ["build", "--vars", "[1, 2]"]) == 2
    assert invoke(cli, ["build", "--vars", "{not json"]) == 2


def test_unknown_project_lists_the_known_ones(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATAKIT_WAREHOUSE_URL", "postgresql://u:p@127.0.0.1:1/db")

    code = invoke(cli, ["build", "--project", "nope"])

    result = _last_json(capsys.readouterr().out)
    assert code == 2  # a bad option value: a usage error
    assert result["error"]["kind"] == "usage"
    assert "known: warehouse" in result["error"]["message"]


def test_unknown_url_scheme_is_exit_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATAKIT_WAREHOUSE_URL", "oracle://u:hunter22@h:1521/db")

    code = invoke(cli, ["run"])

    out = capsys.readouterr()
    assert code == 3
    assert "oracle://" in _last_json(out.out)["error"]["message"]
    assert "hunter22" not in out.out + out.err
