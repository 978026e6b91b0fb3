"""The JVM's own output as the runner's JSON log events: stderr carries nothing else.

pyspark starts Spark's JVM (``spark-submit``) as a child that inherits the runner's stderr and
stdout, so log4j's lines, the JVM's warnings and Spark's banners would come between the
runner's JSON events (and on stdout, before the result line an orchestrator reads). The runner
launches that JVM itself (:func:`launch_gateway`) with both streams on a pipe of its own; a
daemon thread relays every line as the event ``spark_jvm`` of the SDK's logger:

- at the log4j level of the line (ERROR/FATAL -> error, WARN -> warning, INFO -> info,
  DEBUG/TRACE -> debug); a stack trace goes into the event of the line that logged it
  (:class:`JvmLines`); Spark's start-up banners at debug; other lines at info (error/warning
  when they start so);
- filtered like every event by the level the user asked for (debug only with ``--debug``);
- masked like every event (the SDK's logger masks registered secrets and URL passwords), so a
  JDBC URL or password the JVM quotes shows as ``***``.

Python's own log records (py4j, pyspark) and warnings go the same way
(:func:`route_python_logging`): unconfigured, Python prints them as plain text on stderr.
"""

from __future__ import annotations

import atexit
import contextvars
import json
import logging
import os
import re
import select
import subprocess
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from datakit import cancel
from datakit.logging import get_logger

EVENT = "spark_jvm"
#: Spark's log4j pattern ``%d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex``.
_LOG4J = re.compile(
    r"^\d{2}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} (?P<level>TRACE|DEBUG|INFO|WARN|ERROR|FATAL) "
    r"(?P<logger>[^:\s]+): ?(?P<message>.*)$"
)
_LEVELS = {
    "TRACE": "debug",
    "DEBUG": "debug",
    "INFO": "info",
    "WARN": "warning",
    "WARNING": "warning",
    "ERROR": "error",
    "FATAL": "error",
}
#: Lines of a stack trace or of a multi-line message (they keep the level of their event).
_CONTINUATION = re.compile(
    r"^(\s|Caused by:|Suppressed:|\.\.\. \d+ more|[\w$.]+(Exception|Error)\b)"
)
#: What every JVM start prints and nobody needs (shown with ``--debug``).
_BANNERS = (
    "Using Spark's default log4j profile",
    "Setting default log level to",
    "To adjust logging level use",
    "WARNING: Using incubator modules",
)
#: A stack trace's first lines kept in its event (``trace_lines`` says how many it had).
TRACE_LINES = 30
#: Seconds without output after which the pending event is emitted.
QUIET_SECONDS = 0.2
#: The first line of a trace printed without a log line (``java.lang.X: message``).
_EXCEPTION = re.compile(r"^[\w$.]+(Exception|Error)\b")
#: Seconds the runner waits at its exit for the JVM to end (then kills it); after SIGTERM less,
#: so the whole stop stays within the 10 s an orchestrator allows.
JVM_EXIT_SECONDS = 30.0
JVM_EXIT_SECONDS_STOPPING = 4.0
#: Seconds to wait for the JVM's last lines when its start failed (they say why).
_DRAIN_SECONDS = 2.0


def parse(line: str) -> tuple[str | None, dict[str, str]]:
    """The log level and fields of one JVM output line; level None: a line of the event
    before it (a stack trace's, or the rest of a multi-line message)."""
    match = _LOG4J.match(line)
    if match:
        return _LEVELS[match["level"]], {"logger": match["logger"], "message": match["message"]}
    if line.startswith("{"):
        structured = _structured(line)
        if structured is not None:
            return structured
    if line.startswith(_BANNERS):
        return "debug", {"message": line}
    if _CONTINUATION.match(line):
        return None, {"message": line}
    if line.startswith(("Exception", "Error", "ERROR")):
        return "error", {"message": line}
    if line.startswith(("WARN", "Warning")):
        return "warning", {"message": line}
    return "info", {"message": line}


def _structured(line: str) -> tuple[str, dict[str, str]] | None:
    """A line of Spark's JSON log layout (``spark.log.structuredLogging.enabled``)."""
    try:
        value = json.loads(line)
    except ValueError:
        return None
    if not isinstance(value, dict) or "level" not in value or "msg" not in value:
        return None
    fields = {"message": str(value["msg"])}
    if value.get("logger"):
        fields["logger"] = str(value["logger"]).rsplit(".", 1)[-1]
    if isinstance(value.get("exception"), dict):
        fields["exception"] = " ".join(
            str(value["exception"].get(k, "")) for k in ("class", "msg")
        ).strip()
    return _LEVELS.get(str(value["level"]).upper(), "info"), fields


Emit = Callable[[str, dict[str, Any]], None]


def _emit_event(level: str, fields: dict[str, Any]) -> None:
    # The logger of the moment: a module-level one would keep the set-up of its import time.
    getattr(get_logger(), level)(EVENT, **fields)


class JvmLines:
    """Turns the JVM's output lines into events: a log line with its stack trace is one event.

    A stack trace comes as many lines after the one that logged it; one event per line would
    bury the runner's own events. The event gets the trace's exception, its ``Caused by``
    lines, and the first :data:`TRACE_LINES` lines of the trace.
    """

    def __init__(self, emit: Emit = _emit_event) -> None:
        self._emit = emit
        self._pending: tuple[str, dict[str, Any], list[str]] | None = None

    def feed(self, line: str) -> None:
        """Take one line (without its newline); emits the event before it once it is complete."""
        if not line.strip():
            return
        level, fields = parse(line)
        if level is None and self._belongs_to_pending(line):
            assert self._pending is not None
            self._pending[2].append(line)
            return
        self.flush()
        if level is None:  # a trace without a log line, e.g. printStackTrace()
            level = "error" if _EXCEPTION.match(line) else "info"
        self._pending = (level, fields, [])

    def _belongs_to_pending(self, line: str) -> bool:
        """A trace line goes with the pending event; a trace's first line (``java.lang.X: ...``)
        only with a log line that has no trace yet (log4j prints the exception right after)."""
        if self._pending is None:
            return False
        if not _EXCEPTION.match(line):
            return True
        _level, fields, trace = self._pending
        return "logger" in fields and not trace

    def flush(self) -> None:
        """Emit the pending event (the JVM went quiet, or its output ended)."""
        if self._pending is None:
            return
        level, fields, trace = self._pending
        self._pending = None
        if trace:
            headers = [line.strip() for line in trace if not line[:1].isspace()]
            if headers:
                fields["exception"] = headers[0]
            caused = [line for line in headers if line.startswith("Caused by:")]
            if caused:
                fields["caused_by"] = caused
            fields["trace"] = "\n".join(trace[:TRACE_LINES])
            fields["trace_lines"] = len(trace)
        self._emit(level, fields)


def relay(fd: int, lines: JvmLines | None = None) -> None:
    """Relay the JVM's output on *fd* as events until it ends (the JVM exited).

    An event is emitted when the next one starts, or after :data:`QUIET_SECONDS` without
    output (so the last one of a burst is not held back).
    """
    lines = lines or JvmLines()
    rest = b""
    while True:
        if not select.select([fd], [], [], QUIET_SECONDS)[0]:
            lines.flush()
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        *complete, rest = (rest + chunk).split(b"\n")
        for raw in complete:
            lines.feed(raw.decode("utf-8", "replace").rstrip("\r"))
    if rest:
        lines.feed(rest.decode("utf-8", "replace").rstrip("\r"))
    lines.flush()


def _relay_quietly(fd: int) -> None:
    # A failure here must not end the load, and there is nowhere else to report it.
    try:
        relay(fd)
    except Exception:
        pass
    finally:
        os.close(fd)


def launch_gateway(conf: Any) -> Any:
    """pyspark's ``launch_gateway(conf)`` with the JVM's stdout and stderr relayed as events.

    The pipe exists before the JVM starts and its reader runs already, so the JVM never blocks
    on a full pipe while pyspark waits for it to come up.
    """
    from pyspark.java_gateway import launch_gateway as pyspark_launch_gateway

    read_fd, write_fd = os.pipe()
    context = contextvars.copy_context()  # events carry the run's tenant and run id
    reader = threading.Thread(
        target=context.run, args=(_relay_quietly, read_fd), name="spark-jvm-log", daemon=True
    )
    reader.start()
    try:
        gateway = pyspark_launch_gateway(
            conf=conf, popen_kwargs={"stdout": write_fd, "stderr": write_fd}
        )
        atexit.register(_end_jvm, gateway.proc, reader)
        return gateway
    except Exception:
        os.close(write_fd)
        write_fd = -1
        if not cancel.stopping():
            reader.join(_DRAIN_SECONDS)  # the JVM ended: its last lines say why
        raise
    finally:
        if write_fd >= 0:
            os.close(write_fd)


def _end_jvm(proc: subprocess.Popen[bytes], reader: threading.Thread) -> None:
    """At the runner's exit, end its JVM and wait for it, for a bounded time.

    The JVM exits when its stdin closes; its shutdown hooks stop the SparkContext (a cluster's
    master sees the application finish, scratch folders go). Waiting here means the runner's
    exit is the end of all its work, as before, when the JVM held the runner's stdout and stderr
    open until it ended; a JVM that does not end in time is killed, so none outlives the runner.
    """
    if proc.poll() is None:
        with suppress(OSError):
            if proc.stdin is not None:
                proc.stdin.close()
        timeout = JVM_EXIT_SECONDS_STOPPING if cancel.stopping() else JVM_EXIT_SECONDS
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    reader.join(_DRAIN_SECONDS)  # the JVM's last lines


class _ToEvents(logging.Handler):
    """A Python logging handler that writes each record as an event of the SDK's logger.

    py4j's records are debug events: its "Exception while sending command" (logged on the root
    logger, with a traceback) accompanies a Py4J error the runner reports anyway, e.g. a Spark
    call interrupted by SIGTERM.
    """

    def emit(self, record: logging.LogRecord) -> None:
        try:
            from_py4j = record.name.startswith("py4j") or _PY4J_PATH in record.pathname
            level = "debug" if from_py4j else _LEVELS.get(record.levelname, "info")
            event = "python_warning" if record.name == "py.warnings" else "python_log"
            fields = {"logger": record.name, "message": record.getMessage()}
            if record.exc_info and record.exc_info[1] is not None:
                error = record.exc_info[1]
                fields["exception"] = f"{type(error).__name__}: {error}"
            getattr(get_logger(), level)(event, **fields)
        except Exception:
            pass  # logging must not fail the load; handleError would print a traceback


_PY4J_PATH = f"{os.sep}py4j{os.sep}"
_routed = False


def route_python_logging() -> None:
    """Send Python's log records (py4j, pyspark, any library) and warnings to the SDK's logger.

    Without a handler Python prints warnings and errors as plain text on stderr, and py4j's
    module-level ``logging.exception`` would even install one (``basicConfig``). The root
    logger's level stays (warnings and up).
    """
    global _routed
    if _routed:
        return
    _routed = True
    logging.captureWarnings(True)
    logging.getLogger().addHandler(_ToEvents())


__all__ = ["EVENT", "JvmLines", "launch_gateway", "parse", "relay", "route_python_logging"]
