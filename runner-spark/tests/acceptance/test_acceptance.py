"""runner-spark faces the SDK's acceptance suite for the Postgres -> Spark pair.

The neutral suite (``datakit.testing.acceptance.neutral``) with a Postgres source and a Spark
catalog on a Derby network metastore, read back through one Spark session per class; see
``datakit.testing.acceptance.postgres_spark`` for the kill points, table sizes and the test that
does not apply to Spark (a widened column: Parquet tables cannot change a type in place).
"""

from __future__ import annotations

import sys

import pytest

from datakit.testing import acceptance_class

pytestmark = pytest.mark.spark


class TestRunnerSpark(acceptance_class(source="postgres", warehouse="spark")):  # type: ignore[misc]
    @pytest.fixture
    def runner_command(self) -> list[str]:
        return [sys.executable, "-m", "datakit_runner_spark"]
