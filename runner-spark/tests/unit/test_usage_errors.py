"""Bad warehouse URLs and options: one line naming the problem, the documented exit code, no JVM."""

from __future__ import annotations

import socket
import sys
import time

import pytest

from datakit.testing.runner_process import RunnerProcess
from datakit.testing.spark_cluster import free_port

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


def test_an_unreachable_spark_connect_server_fails_at_once_as_transient() -> None:
    """pyspark's Connect client retries a closed port for about ten minutes; the runner probes
    it first and exits 4 at once, naming the server but not the URL's token."""
    port = free_port()  # nothing listens there
    started = time.monotonic()
    out = RUNNER.run(
        "extract", "--table", "app.t",
        env={"DATAKIT_SOURCE_URL": SOURCE,
             "DATAKIT_WAREHOUSE_URL": f"sc://127.0.0.1:{port}/;token=tok-secret-123;use_ssl=true"},
        timeout=120,
    )  # fmt: skip

    assert out.exit_code == 4, out.stderr[-2000:]
    assert f"sc://127.0.0.1:{port}" in out.error_message, out.error_message
    assert time.monotonic() - started < 60
    assert "tok-secret-123" not in out.stdout + out.stderr
    assert "secret-pw" not in out.stdout + out.stderr


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "spark+session:///?spark.master=local%5B1%5D"
            "&spark.hadoop.javax.jdo.option.ConnectionPassword=meta-secret-9",
            "spark+session:///?spark.master=local[1]",
        ),
        ("sc://127.0.0.1:{port}/;token=tok-secret-123", "sc://127.0.0.1:{port}"),
    ],
    ids=["metastore-password", "connect-token"],
)
def test_errors_name_the_warehouse_without_its_secrets(url: str, shown: str) -> None:
    """Spark errors are prefixed with the warehouse's name: scheme, host and master only (a
    ``spark+session`` conf can be the metastore's password, an ``sc://`` URL carries a token)."""
    from datakit.secrets import Secret, mask_text
    from datakit.settings import DatabaseUrl
    from datakit_runner_spark.warehouse import SparkWarehouse

    with socket.socket() as listening:  # the Connect probe needs an open port
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]
        warehouse = SparkWarehouse(
            DatabaseUrl(Secret(url.format(port=port)), "DATAKIT_WAREHOUSE_URL")
        )

    assert warehouse._where == f"warehouse {shown.format(port=port)}"
    secret = "tok-secret-123" if "token" in url else "meta-secret-9"
    assert secret not in mask_text(f"Spark said: {secret}")
