"""The JVM's output lines as JSON events: levels, stack traces as one event, masking, filtering.

The relay reads a real pipe and writes through the SDK's configured logger, as in the runner;
``tests/integration/test_jvm_output.py`` does the same with a real JVM.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

import pytest

from datakit.logging import configure_logging
from datakit.secrets import register_secrets
from datakit_runner_spark.jvm_logs import JvmLines, parse, relay

WARN = "26/12/02 22:18:34 WARN Utils: Set SPARK_LOCAL_IP if you need to bind to another address"
TRACE = [
    "26/12/02 22:34:49 ERROR Utils: Aborting task",
    "org.apache.spark.TaskKilledException: Stage cancelled: Job 0 cancelled",
    "\tat org.apache.spark.TaskContextImpl.killTaskIfInterrupted(TaskContextImpl.scala:454)",
    "\tat java.base/java.lang.Thread.run(Thread.java:840)",
    "Caused by: java.io.IOException: Broken pipe",
    "\t... 3 more",
]


@pytest.mark.parametrize(
    ("line", "level", "fields"),
    [
        (WARN, "warning", {"logger": "Utils", "message": WARN.split("Utils: ")[1]}),
        ("26/12/02 22:18:34 ERROR Executor: boom", "error", {"logger": "Executor"}),
        ("26/12/02 22:18:34 FATAL RetryingHMSHandler: x", "error", {"message": "x"}),
        ("26/12/02 22:18:34 INFO SparkContext: Running Spark", "info", {}),
        ("26/12/02 22:18:34 DEBUG Client: detail", "debug", {}),
        ("Using Spark's default log4j profile: org/apache/spark/x.properties", "debug", {}),
        ("WARNING: Using incubator modules: jdk.incubator.vector", "debug", {}),
        ('Setting default log level to "WARN".', "debug", {}),
        ('Exception in thread "main" java.lang.OutOfMemoryError', "error", {}),
        ("Error: Could not find or load main class x", "error", {}),
        ("WARNING: An illegal reflective access operation has occurred", "warning", {}),
        ("something the JVM printed", "info", {"message": "something the JVM printed"}),
        (
            '{"ts":"t","level":"WARN","msg":"m","logger":"org.apache.spark.X"}',
            "warning",
            {"message": "m", "logger": "X"},
        ),
        ("\tat org.apache.spark.Foo.bar(Foo.scala:1)", None, {}),
        ("Caused by: java.io.IOException: x", None, {}),
    ],
)
def test_parse_gives_the_log4j_level(line: str, level: str | None, fields: dict[str, str]) -> None:
    got_level, got = parse(line)
    assert got_level == level
    assert fields.items() <= got.items()


def test_a_stack_trace_is_one_event_with_its_log_line() -> None:
    events: list[tuple[str, dict[str, Any]]] = []
    lines = JvmLines(lambda level, fields: events.append((level, fields)))
    for line in [*TRACE, WARN]:
        lines.feed(line)
    lines.flush()
    assert [level for level, _ in events] == ["error", "warning"]
    error = events[0][1]
    assert error["message"] == "Aborting task" and error["logger"] == "Utils"
    assert error["exception"].startswith("org.apache.spark.TaskKilledException")
    assert error["caused_by"] == ["Caused by: java.io.IOException: Broken pipe"]
    assert error["trace_lines"] == 5 and error["trace"].count("\n") == 4


def test_a_trace_without_a_log_line_is_an_error_event_of_its_own() -> None:
    events: list[tuple[str, dict[str, Any]]] = []
    lines = JvmLines(lambda level, fields: events.append((level, fields)))
    for line in ["a line the JVM printed", *TRACE[1:4], *TRACE[1:3]]:
        lines.feed(line)
    lines.flush()
    assert [(level, fields.get("trace_lines")) for level, fields in events] == [
        ("info", None),
        ("error", 2),
        ("error", 1),
    ]
    assert events[1][1]["message"].startswith("org.apache.spark.TaskKilled")


def _relay_through_a_pipe(text: bytes) -> None:
    read_fd, write_fd = os.pipe()
    reader = threading.Thread(target=relay, args=(read_fd,))
    reader.start()
    try:
        # In two writes that split a line: the relay joins it again.
        os.write(write_fd, text[:40])
        os.write(write_fd, text[40:])
    finally:
        os.close(write_fd)
    reader.join(10)
    os.close(read_fd)
    assert not reader.is_alive()


@pytest.mark.parametrize("debug", [False, True])
def test_relay_writes_masked_json_events_at_the_asked_level(
    capsys: pytest.CaptureFixture[str], debug: bool
) -> None:
    register_secrets(("s3cr3t-pw",))
    configure_logging(log_format="json", debug=debug)
    capsys.readouterr()
    text = "\n".join(
        [
            WARN,
            "26/12/02 22:18:35 ERROR JdbcUtils: cannot connect to "
            "jdbc:postgresql://db:5432/shop?user=reader&password=s3cr3t-pw",
            "26/12/02 22:18:35 DEBUG Client: using token s3cr3t-pw",
            *TRACE,
            "no newline at the end",
        ]
    ).encode()
    _relay_through_a_pipe(text)
    err = capsys.readouterr().err
    events = [json.loads(line) for line in err.splitlines()]  # every line is JSON
    assert "s3cr3t-pw" not in err
    assert {e["event"] for e in events} == {"spark_jvm"}
    levels = [e["level"] for e in events]
    expected = ["warning", "error", "debug", "error", "info"]
    assert levels == (expected if debug else [lv for lv in expected if lv != "debug"])
    assert "password=***" in events[1]["message"]
