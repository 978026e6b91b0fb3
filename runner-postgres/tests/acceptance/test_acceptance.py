"""runner-postgres faces the SDK's acceptance suite for the Postgres -> Postgres pair."""

from __future__ import annotations

import sys

import pytest

from datakit.testing import acceptance_class


class TestRunnerPostgres(acceptance_class(source="postgres", warehouse="postgres")):  # type: ignore[misc]
    @pytest.fixture
    def runner_command(self) -> list[str]:
        return [sys.executable, "-m", "datakit_runner_postgres"]
