"""The ``datakit`` CLI documents itself: help on every command and option, env in README."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

import datakit
from datakit.cli.app import runner_group
from datakit.cli.platform_tools import build_cli
from datakit.testing.cli_docs import (
    environment_read_by,
    missing_help,
    readme_gaps,
    undocumented_environment,
)

SDK = Path(datakit.__file__).resolve().parent
README = SDK.parents[1] / "README.md"
# What `datakit sample` runs: the scaffold, settings, logging, result and the sample package.
SOURCES = [
    *(
        SDK / name
        for name in (
            "cli/app.py",
            "cli/platform_tools.py",
            "settings.py",
            "logging.py",
            "result.py",
        )
    ),
    *(SDK / "sample").glob("*.py"),
]


def test_every_command_and_option_has_help() -> None:
    assert missing_help(build_cli()) == []


def test_every_variable_the_cli_reads_is_in_some_help() -> None:
    read = environment_read_by(SOURCES)
    assert {"DATAKIT_SOURCE_URL", "DATAKIT_LOG_FORMAT"} <= read
    assert undocumented_environment(build_cli(), read) == []


def test_readme_names_every_command_and_variable() -> None:
    assert readme_gaps(README, build_cli()) == []


def test_the_checks_find_an_option_without_help() -> None:
    """The walker itself: an undocumented option or command, and an unnamed variable, show up."""
    group = runner_group(name="demo", version="0", help="demo")

    @group.command()
    @click.option("--mode", type=click.Choice(["a", "b"]))
    def extract(mode: str) -> None:
        pass

    problems = missing_help(group)
    assert "command 'extract' has no help" in problems
    assert "extract: --mode has no help" in problems
    assert undocumented_environment(group, {"DATAKIT_SOURCE_URL"}) == ["DATAKIT_SOURCE_URL"]


@pytest.mark.parametrize("command", [["sample", "load"], ["sample", "next-day"]])
def test_help_names_the_environment(command: list[str]) -> None:
    from click.testing import CliRunner

    output = CliRunner().invoke(build_cli(), [*command, "--help"]).output
    assert "DATAKIT_SOURCE_URL" in output and "DATAKIT_SOURCE_URL_FILE" in output
