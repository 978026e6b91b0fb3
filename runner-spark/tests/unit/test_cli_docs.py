"""runner-spark documents itself: help on every command and option; every command and every
variable its --help names is in the README."""

from __future__ import annotations

from pathlib import Path

from datakit.testing.cli_docs import missing_help, readme_gaps
from datakit_runner_spark import cli

COMPONENT = Path(__file__).resolve().parents[2]


def test_every_command_and_option_has_help() -> None:
    assert missing_help(cli.build_cli()) == []


def test_readme_names_every_command_and_variable() -> None:
    assert readme_gaps(COMPONENT / "README.md", cli.build_cli()) == []
