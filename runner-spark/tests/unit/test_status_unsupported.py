"""``datakit status`` on a Spark warehouse says it is not supported (exit 3), in one line.

The Spark warehouse plug-in has no ``history_reader`` hook (datakit.monitoring), so the status
command must refuse by name before opening any session, not fail inside a Postgres driver.
"""

from __future__ import annotations

import sys
from pathlib import Path

from datakit.testing.runner_process import RunnerProcess

DATAKIT = RunnerProcess([str(Path(sys.executable).with_name("datakit"))])


def test_status_on_a_spark_warehouse_is_not_supported_by_name() -> None:
    out = DATAKIT.run(
        "status", "--json",
        env={"DATAKIT_WAREHOUSE_URL": "spark+session:///?spark.master=local%5B1%5D"},
        timeout=120,
    )  # fmt: skip
    assert out.exit_code == 3, out.stderr[-2000:]
    assert "datakit status is not supported for the spark warehouse" in out.error_message
    assert "psycopg" not in out.stdout + out.stderr
