"""The SDK's click scaffold maps every failure to its documented exit code and one result line."""

from __future__ import annotations

import json

import click
import pytest

from datakit.cli.app import invoke, runner_group
from datakit.errors import ConfigError, ContractError, TransientError, UsageError


def make_group() -> click.Group:
    group = runner_group(name="demo-runner", version="9.9.9", help="demo")

    @group.command()
    @click.option(
        "--fail", type=click.Choice(["config", "transient", "contract", "usage", "bug", "none"])
    )
    def work(fail: str) -> None:
        errors = {
            "config": ConfigError("config error: DATAKIT_X is not set"),
            "transient": TransientError("unreachable: db"),
            "contract": ContractError("contract violation: column 'a'"),
            "usage": UsageError("usage error: --x"),
            "bug": RuntimeError("boom postgresql://u:pw123@h/db"),
        }
        if fail in errors:
            raise errors[fail]
        click.echo(json.dumps({"status": "succeeded"}))

    return group


@pytest.mark.parametrize(
    ("fail", "code", "kind"),
    [
        ("none", 0, None),
        ("config", 3, "config"),
        ("transient", 4, "transient"),
        ("contract", 5, "contract"),
        ("usage", 2, "usage"),
        ("bug", 1, "internal"),
    ],
)
def test_exit_codes(
    fail: str, code: int, kind: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke(make_group(), ["work", "--fail", fail]) == code
    out, err = capsys.readouterr()
    result = json.loads(out.strip().splitlines()[-1])
    if kind is None:
        assert result == {"status": "succeeded"}
    else:
        assert result["status"] == "failed" and result["error"]["kind"] == kind
        assert "Traceback" not in err
        assert "pw123" not in out + err


def test_option_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert invoke(make_group(), ["work", "--fail", "nope"]) == 2
    assert invoke(make_group(), ["wrok"]) == 2


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert invoke(make_group(), ["--version"]) == 0
    assert capsys.readouterr().out.strip() == "demo-runner 9.9.9"


@pytest.mark.parametrize("fail", ["config", "bug"])
def test_debug_shows_the_traceback_without_touching_the_environment(
    fail: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--debug`` reaches the error handler through click's context object, not os.environ."""
    import os

    monkeypatch.delenv("DATAKIT_DEBUG", raising=False)
    assert invoke(make_group(), ["--debug", "work", "--fail", fail]) != 0
    assert "Traceback" in capsys.readouterr().err
    assert "DATAKIT_DEBUG" not in os.environ
    # The next command of the same process has no --debug: no traceback.
    assert invoke(make_group(), ["work", "--fail", fail]) != 0
    assert "Traceback" not in capsys.readouterr().err
