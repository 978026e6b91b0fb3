"""runner-postgres faces the SDK's acceptance suite for the Postgres -> SQL Server pair.

``DATAKIT_WAREHOUSE_URL=mssql://...`` into a SQL Server testcontainer; skipped with the reason
(no Docker engine, no ODBC driver, image not pullable) where SQL Server cannot run.
"""

from __future__ import annotations

import sys

import pytest

from datakit.testing import acceptance_class


class TestRunnerPostgresIntoSqlServer(acceptance_class(source="postgres", warehouse="sqlserver")):  # type: ignore[misc]
    @pytest.fixture
    def runner_command(self) -> list[str]:
        return [sys.executable, "-m", "datakit_runner_postgres"]
