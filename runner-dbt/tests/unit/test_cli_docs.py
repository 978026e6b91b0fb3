"""runner-dbt documents itself: help on every command and option, env in --help and README."""

from __future__ import annotations

from pathlib import Path

import datakit
from datakit.testing.cli_docs import (
    environment_read_by,
    missing_help,
    readme_gaps,
    undocumented_environment,
)
from datakit_runner_dbt.cli import build_cli

COMPONENT = Path(__file__).resolve().parents[2]
SDK = Path(datakit.__file__).resolve().parent
# The SDK modules runner-dbt's commands run (not the load protocol: runner-dbt loads nothing).
SDK_MODULES = ("cli/app.py", "settings.py", "logging.py", "result.py", "secrets.py")
# Read by the SDK's settings for every runner, never used by runner-dbt (it has no source).
NOT_USED = {"DATAKIT_SOURCE_URL"}


def _sources_the_cli_runs() -> list[Path]:
    return [*(SDK / name for name in SDK_MODULES), *(COMPONENT / "src").rglob("*.py")]


def test_every_command_and_option_has_help() -> None:
    assert missing_help(build_cli()) == []


def test_every_variable_the_cli_reads_is_in_some_help() -> None:
    read = environment_read_by(_sources_the_cli_runs()) - NOT_USED
    assert {"DATAKIT_WAREHOUSE_URL", "DATAKIT_DBT_PROJECTS_DIR", "DATAKIT_TENANT"} <= read
    assert undocumented_environment(build_cli(), read) == []


def test_readme_names_every_command_and_variable() -> None:
    assert readme_gaps(COMPONENT / "README.md", build_cli()) == []
