"""runner-spark faces the SDK's acceptance suite for the Postgres -> Spark pair.

The neutral suite (``datakit.testing.acceptance.neutral``) with a Postgres source and a Spark
catalog on a Derby network metastore, read back through one Spark session per class; see
``datakit.testing.acceptance.postgres_spark`` for the kill points, table sizes and the test that
does not apply to Spark (a widened column: Parquet tables cannot change a type in place).
"""

from __future__ import annotations

import json
import signal
import sys
import time

import pytest

from datakit.testing import acceptance_class, pg
from datakit.testing.acceptance.neutral import SRC, kill_group, ok, wait_for_event
from datakit.testing.pg_acceptance import PostgresSource
from datakit.testing.runner_process import RunnerProcess
from datakit.testing.spark_warehouse import SparkBronze

pytestmark = pytest.mark.spark

#: Rows of the table the SIGTERM test loads: enough that the Spark job runs well over 10 s.
_SIGTERM_ROWS = 1_000_000
#: A JDBC partition's query on the source (not Spark's ``WHERE 1=0`` schema probe).
_PARTITION_READS = (
    "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
    "AND query LIKE '%datakit_read%' AND query NOT LIKE '%1=0%' AND query NOT LIKE '%pg_stat%'"
)


class TestRunnerSpark(acceptance_class(source="postgres", warehouse="spark")):  # type: ignore[misc]
    @pytest.fixture
    def runner_command(self) -> list[str]:
        return [sys.executable, "-m", "datakit_runner_spark"]

    def test_sigterm_during_the_spark_job_stops_within_10_s(
        self, runner: RunnerProcess, source: PostgresSource, warehouse: SparkBronze
    ) -> None:
        """SIGTERM while the executors read the source: the runner cancels the Spark job,
        exits 143 with a ``terminated`` result within 10 s, and bronze keeps the old rows."""
        self._simple(source, "term", [(1, "old")])
        args = ("extract", "--table", source.ref("term"), "--source-name", SRC)
        ok(runner.run(*args))
        pg.execute(
            source.url,
            "TRUNCATE public.term; INSERT INTO public.term "
            f"SELECT i, repeat('x', 200) FROM generate_series(1, {_SIGTERM_ROWS}) i",
        )
        t0 = time.monotonic()
        proc = runner.start(*args, new_session=True)
        try:
            wait_for_event(proc, "spark_jdbc_read")
            deadline = time.monotonic() + 120
            while not pg.scalar(source.url, _PARTITION_READS):
                assert time.monotonic() < deadline, "the Spark job never read the source"
                time.sleep(0.2)
            time.sleep(1.0)  # well inside the job: its tasks are fetching rows
            sent = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            out = RunnerProcess.finish(proc, t0, timeout=120)
            stopped = time.monotonic() - sent
        finally:
            if proc.poll() is None:
                kill_group(proc)
        assert out.exit_code == 143, out.stderr[-3000:]
        assert out.result is not None and out.result["error"]["kind"] == "terminated", out.result
        assert stopped < 10, f"the runner took {stopped:.1f} s to stop after SIGTERM"
        print(f"SIGTERM to exit: {stopped:.1f} s")
        for line in out.stderr.splitlines():
            json.loads(line)  # py4j's report of the interrupted call is an event too
        assert warehouse.count("src__term") == 1, "bronze must still hold the old rows"
