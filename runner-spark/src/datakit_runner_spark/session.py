"""One Spark session per runner process, built from ``DATAKIT_WAREHOUSE_URL``.

``spark+session:///?<confs>``: every query parameter is a Spark conf, exactly as runner-dbt's
``spark`` target reads the same URL (``spark.master``, ``spark.sql.warehouse.dir``, the Hive
metastore's ``spark.hadoop.javax.jdo.option.*``), with Hive support enabled. ``sc://host:port``:
a Spark Connect client. Either way the session time zone is fixed to UTC (timestamps land as
instants, whatever the machine's zone) and Parquet writes dates and timestamps before 1582 in
the proleptic Gregorian calendar, unchanged (``CORRECTED``), so old dates round-trip exactly.

The session is process-wide: the warehouse creates it, the source's JDBC reads run in it, and
it ends with the process (the JVM costs seconds to start, so nothing restarts it per table).
"""

from __future__ import annotations

import functools
import os
import re
import socket
import threading
from contextlib import ExitStack
from typing import Any

from datakit import cancel
from datakit.errors import ConfigError, TransientError
from datakit.secrets import register_secrets
from datakit.settings import DatabaseUrl
from datakit.timeouts import Timeouts
from datakit_runner_spark.jvm_logs import launch_gateway, route_python_logging

#: Debian's libpostgresql-jdbc-java; added to ``spark.jars`` when no driver is configured.
POSTGRES_JDBC_JAR = "/usr/share/java/postgresql.jar"
FIXED_CONFS = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.datetimeRebaseModeInWrite": "CORRECTED",
    "spark.sql.parquet.int96RebaseModeInWrite": "CORRECTED",
    "spark.sql.parquet.datetimeRebaseModeInRead": "CORRECTED",
    "spark.sql.parquet.int96RebaseModeInRead": "CORRECTED",
}
#: Spark Connect's port when ``sc://host`` names none (Spark's own default).
CONNECT_DEFAULT_PORT = 15002
#: ``sc://`` parameters (``sc://host:port/;token=...;user_id=...``) that are secrets.
_CONNECT_SECRET_PARAMS = ("token",)
#: Spark confs whose values are secrets (masked in logs and errors).
_SECRET_CONF = re.compile(r"password|secret|token|credential", re.I)
_lock = threading.Lock()
_session: Any = None
#: Holds the session's SIGTERM callback (``datakit.cancel.on_cancel``) for the process' life.
_lifetime = ExitStack()


def connect_params(url: DatabaseUrl) -> dict[str, str]:
    """The ``;key=value`` parameters after an ``sc://host:port/`` (Spark Connect's URL form)."""
    path = url.secret.reveal().split("://", 1)[-1].partition("/")[2]
    found = {}
    for item in path.split(";"):
        key, sep, value = item.partition("=")
        if sep and key:
            found[key] = value
    return found


def display_url(url: DatabaseUrl) -> str:
    """The warehouse URL as logs and errors show it: scheme, host and master, never a conf.

    A ``spark+session`` URL carries confs that may be secrets (the metastore's
    ``...ConnectionPassword``), an ``sc://`` URL a ``;token=``: neither is shown.
    """
    parts = url.parts
    if parts.scheme == "sc":
        return f"sc://{parts.host or 'localhost'}:{parts.port or CONNECT_DEFAULT_PORT}"
    master = dict(parts.query).get("spark.master", "local[*]")
    return f"{parts.scheme}:///?spark.master={master}"


def register_url_secrets(url: DatabaseUrl) -> None:
    """Mask the URL's secrets wherever a log line or error message might quote them: an
    ``sc://`` URL's ``;token=``, and ``spark+session`` confs named like a secret (the
    metastore's ``...ConnectionPassword``, an S3 ``...secret.key``)."""
    if url.scheme == "sc":
        params = connect_params(url)
        values = [params[key] for key in _CONNECT_SECRET_PARAMS if params.get(key)]
    else:
        values = [v for k, v in url.parts.query if _SECRET_CONF.search(k) and v]
    register_secrets(tuple(values))


def probe_connect_server(url: DatabaseUrl, timeout_seconds: float | None = None) -> None:
    """Fail at once (exit 4) when the Spark Connect server's port does not accept.

    pyspark's Connect client retries an unreachable server for about ten minutes (its default
    retry policy) before it raises; a runner should fail fast with a transient error and leave
    retrying to the orchestrator. *timeout_seconds* defaults to ``DATAKIT_CONNECT_TIMEOUT_SECONDS``.
    """
    parts = url.parts
    host, port = parts.host or "localhost", parts.port or CONNECT_DEFAULT_PORT
    timeout = Timeouts.from_env().connect_seconds if timeout_seconds is None else timeout_seconds
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise TransientError(
            f"transient error: {url.variable}: the Spark Connect server sc://{host}:{port} "
            f"does not answer ({reason})"
        ) from None


def spark_confs(url: DatabaseUrl) -> dict[str, str]:
    """The Spark confs a ``spark+session`` URL names, plus the fixed ones (UTC, calendar)."""
    parts = url.parts
    if parts.scheme != "spark+session":
        raise ConfigError(
            f"config error: {url.variable} has scheme {parts.scheme!r}; runner-spark takes "
            "spark+session:///?<spark confs> or sc://host:port"
        )
    confs = dict(parts.query)
    for key in confs:
        if not key.startswith("spark."):
            raise ConfigError(
                f"config error: {url.variable}: ?{key}= is not a Spark conf (they start with spark.)"
            )
    if "spark.jars" not in confs and os.path.exists(POSTGRES_JDBC_JAR):
        confs["spark.jars"] = POSTGRES_JDBC_JAR
    confs.setdefault("spark.master", "local[*]")
    confs.setdefault("spark.ui.enabled", "false")
    # stderr carries the runner's JSON log events: no progress bars between them.
    confs.setdefault("spark.ui.showConsoleProgress", "false")
    return {**confs, **FIXED_CONFS}


def get_session(url: DatabaseUrl) -> Any:
    """The process's Spark session, created on first use from *url*.

    For the session's lifetime a SIGTERM cancels its running Spark jobs
    (:func:`_cancel_running_jobs`).
    """
    global _session
    with _lock:
        if _session is not None:
            return _session
        route_python_logging()  # before pyspark's import, which may warn
        from pyspark.sql import SparkSession

        if url.scheme == "sc":
            builder = SparkSession.builder.remote(url.secret.reveal())
            for key, value in FIXED_CONFS.items():
                builder = builder.config(key, value)
            _session = builder.getOrCreate()
        else:
            _session = _classic_session(spark_confs(url))
            _session.sparkContext.setLogLevel("ERROR")
        for key, value in FIXED_CONFS.items():
            _session.conf.set(key, value)
        stop = functools.partial(_cancel_running_jobs, _session, connect=url.scheme == "sc")
        _lifetime.enter_context(cancel.on_cancel(stop))
        return _session


def launch_confs(confs: dict[str, str]) -> dict[str, str]:
    """The confs that go on the JVM's command line: every one but those named like a secret.

    pyspark passes a new JVM's confs to ``spark-submit`` as ``--conf key=value`` arguments,
    which any local user sees in ``ps``; a secret (the metastore's ``...ConnectionPassword``)
    is set on the SparkContext through py4j instead. Confs read at the JVM's start
    (``spark.jars``, ``spark.driver.memory``, ``spark.driver.extraClassPath``) stay there.
    """
    return {key: value for key, value in confs.items() if not _SECRET_CONF.search(key)}


def _classic_session(confs: dict[str, str]) -> Any:
    """A Hive-enabled session on a JVM this runner launched (its output relayed as events)."""
    from pyspark import SparkConf, SparkContext
    from pyspark.sql import SparkSession

    confs = {**confs, "spark.sql.catalogImplementation": "hive"}
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in confs.items():
        builder = builder.config(key, value)
    if SparkSession.getActiveSession() is None:
        gateway = launch_gateway(SparkConf(loadDefaults=False).setAll(launch_confs(confs).items()))
        # The builder's getOrCreate() below reuses this context (one per process).
        SparkContext(gateway=gateway, conf=SparkConf(loadDefaults=False).setAll(confs.items()))
    return builder.getOrCreate()


def _cancel_running_jobs(session: Any, *, connect: bool) -> None:
    """Cancel *session*'s running Spark work (called on SIGTERM, from a thread of its own).

    The action the runner waits on then fails at once instead of running to its end, and the
    SDK's termination path (exit 143, the load rolled back) follows. py4j serves each Python
    thread on a connection of its own, so this call is not queued behind the waiting one; a
    Spark Connect server is asked to interrupt the session's operations.
    """
    if connect:
        session.interruptAll()
    else:
        session.sparkContext.cancelAllJobs()


def active_session() -> Any:
    """The session the warehouse opened (the source's DataFrame reads run in it)."""
    if _session is None:
        raise ConfigError(
            "config error: no Spark session is open (the dataframe batch format needs the Spark "
            "warehouse)"
        )
    return _session


def default_parallelism(spark: Any) -> int:
    """The cluster's default parallelism (cores), 2 when it cannot be asked (Spark Connect)."""
    try:
        return max(int(spark.sparkContext.defaultParallelism), 1)
    except Exception:
        value = spark.conf.get("spark.default.parallelism", None)
        return max(int(value), 1) if value else 2


__all__ = [
    "CONNECT_DEFAULT_PORT",
    "FIXED_CONFS",
    "POSTGRES_JDBC_JAR",
    "active_session",
    "connect_params",
    "default_parallelism",
    "display_url",
    "get_session",
    "probe_connect_server",
    "register_url_secrets",
    "spark_confs",
]
