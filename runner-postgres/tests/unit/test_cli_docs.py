"""runner-postgres documents itself: help on every command and option, env in --help and README."""

from __future__ import annotations

from pathlib import Path

import datakit
from datakit.testing.cli_docs import (
    environment_read_by,
    missing_help,
    readme_gaps,
    undocumented_environment,
)
from datakit_runner_postgres import cli

COMPONENT = Path(__file__).resolve().parents[2]
SDK = Path(datakit.__file__).resolve().parent


def _sources_the_cli_runs() -> list[Path]:
    """The runner's package and the SDK modules it imports (not the test kit, not `sample`).

    ``cli/environment.py`` is left out: it is the table of every variable, not code that reads
    one.
    """
    sdk = [
        path
        for path in SDK.rglob("*.py")
        if not {"testing", "sample"} & set(path.relative_to(SDK).parts)
        and path.relative_to(SDK).parts != ("cli", "environment.py")
    ]
    return [*sdk, *(COMPONENT / "src").rglob("*.py")]


def test_every_command_and_option_has_help() -> None:
    assert missing_help(cli.build_cli()) == []


def test_every_variable_the_cli_reads_is_in_some_help() -> None:
    read = environment_read_by(_sources_the_cli_runs())
    assert {"DATAKIT_TENANT_PASSWORD", "DATAKIT_SOURCE_URL", "DATAKIT_PG_READER"} <= read
    assert undocumented_environment(cli.build_cli(), read) == []


def test_readme_names_every_command_and_variable() -> None:
    assert readme_gaps(COMPONENT / "README.md", cli.build_cli()) == []
