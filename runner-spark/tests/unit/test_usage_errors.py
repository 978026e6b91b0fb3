"""Bad warehouse URLs and options: one line naming the problem, the documented exit code, no JVM."""

from __future__ import annotations

import sys

import pytest

from datakit.testing.runner_process import RunnerProcess

RUNNER = RunnerProcess([sys.executable, "-m", "datakit_runner_spark"])
SOURCE = "postgresql://reader:secret-pw@127.0.0.1:1/shop"


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("spark+session:///?spark.master=local%5B1%5D&master=local", "?master="),
        ("spark+thrift://host:10000", "spark+thrift"),
    ],
)
def test_a_bad_warehouse_url_is_a_config_error_naming_it(url: str, named: str) -> None:
    out = RUNNER.run(
        "extract", "--table", "app.t",
        env={"DATAKIT_SOURCE_URL": SOURCE, "DATAKIT_WAREHOUSE_URL": url},
        timeout=120,
    )  # fmt: skip
    assert out.exit_code == 3, out.stderr[-2000:]
    assert named in out.error_message and "DATAKIT_WAREHOUSE_URL" in out.error_message
    assert "secret-pw" not in out.stdout + out.stderr


def test_partitions_must_be_a_positive_number() -> None:
    out = RUNNER.run("extract", "--table", "app.t", "--partitions", "0", timeout=60)
    assert out.exit_code == 2
    assert "--partitions" in out.stderr
