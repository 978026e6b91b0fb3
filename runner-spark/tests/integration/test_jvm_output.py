"""A real Spark JVM started by the runner's session: its output is JSON events on stderr, never
on stdout, masked; and a conf named like a secret is not on the JVM's command line.

The program below opens the session exactly as a runner command does (``get_session``), then
makes the JVM write on its own streams: a log4j ERROR quoting the metastore password, a line
on its stdout, a stack trace (``Thread.dumpStack``), plus a Python warning.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.spark]

SECRET = "metastore-pw-7f3a"
PROGRAM = """
import json, os, warnings
from datakit.logging import bind_run, configure_logging
from datakit.secrets import Secret
from datakit.settings import DatabaseUrl
from datakit_runner_spark.session import get_session, register_url_secrets

configure_logging(log_format="json")
bind_run(tenant="acme", run_id="r-1")
url = DatabaseUrl(Secret(os.environ["DATAKIT_WAREHOUSE_URL"]), "DATAKIT_WAREHOUSE_URL")
register_url_secrets(url)
spark = get_session(url)
jvm = spark.sparkContext._jvm
jvm.org.apache.log4j.LogManager.getLogger("datakit.check").error(
    "the metastore password is " + os.environ["SECRET"]
)
jvm.java.lang.System.out.println("a line on the JVM's stdout")
jvm.java.lang.Thread.dumpStack()
warnings.warn("a Python warning")
from pyspark import SparkContext
with open(f"/proc/{SparkContext._gateway.proc.pid}/cmdline", "rb") as f:
    argv = f.read().decode().split(chr(0))
print(json.dumps({"argv": argv, "x": spark.sql("SELECT 1 AS x").collect()[0][0]}))
"""


def test_jvm_output_is_json_events_and_secrets_stay_off_its_command_line(tmp_path: Path) -> None:
    if shutil.which("java") is None:
        pytest.skip("needs a Java runtime for Spark (apt: openjdk-17-jre-headless)")
    url = (
        "spark+session:///?spark.master=local%5B1%5D"
        f"&spark.sql.warehouse.dir={tmp_path}/warehouse"
        f"&spark.hadoop.javax.jdo.option.ConnectionPassword={SECRET}"
    )
    env = {**os.environ, "DATAKIT_WAREHOUSE_URL": url, "SECRET": SECRET}
    proc = subprocess.run(
        [sys.executable, "-c", PROGRAM],
        env=env,
        cwd=tmp_path,  # Derby's metastore_db and derby.log land here
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    (line,) = proc.stdout.splitlines()  # the JVM's stdout line is not here
    result = json.loads(line)
    assert result["x"] == 1
    assert "spark.sql.session.timeZone=UTC" in result["argv"]
    assert not [arg for arg in result["argv"] if SECRET in arg]

    events = [json.loads(line) for line in proc.stderr.splitlines()]  # every line is JSON
    assert SECRET not in proc.stderr
    jvm = [e for e in events if e["event"] == "spark_jvm"]
    assert all(e["tenant"] == "acme" and e["run_id"] == "r-1" for e in events)
    by_message = {e["message"]: e for e in jvm}
    assert by_message["the metastore password is ***"]["level"] == "error"
    assert by_message["a line on the JVM's stdout"]["level"] == "info"
    (trace,) = [e for e in jvm if e["message"] == "java.lang.Exception: Stack trace"]
    assert trace["level"] == "error" and trace["trace_lines"] > 1
    assert [e["level"] for e in events if e["event"] == "python_warning"] == ["warning"]
    assert not [e for e in jvm if e["level"] == "debug"], "banners show only with --debug"
