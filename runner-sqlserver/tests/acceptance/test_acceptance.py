"""runner-sqlserver against the SDK's SQL Server -> Postgres acceptance suite (marked ``sqlserver``).

Needs a Docker engine for the SQL Server testcontainer: skipped here with the reason, run by the
GitHub workflow's ``sqlserver`` job.
"""

from __future__ import annotations

import sys

import pytest

from datakit.testing import acceptance_class


class TestRunnerSqlServer(acceptance_class(source="sqlserver", warehouse="postgres")):  # type: ignore[misc]
    @pytest.fixture
    def runner_command(self) -> list[str]:
        return [sys.executable, "-m", "datakit_runner_sqlserver"]
