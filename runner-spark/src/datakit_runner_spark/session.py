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

import os
import re
import socket
import threading
from typing import Any

from datakit.errors import ConfigError, TransientError
from datakit.secrets import register_secrets
from datakit.settings import DatabaseUrl
from datakit.timeouts import Timeouts

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
    """The process's Spark session, created on first use from *url*."""
    global _session
    with _lock:
        if _session is not None:
            return _session
        from pyspark.sql import SparkSession

        if url.scheme == "sc":
            builder = SparkSession.builder.remote(url.secret.reveal())
            for key, value in FIXED_CONFS.items():
                builder = builder.config(key, value)
        else:
            builder = SparkSession.builder.enableHiveSupport()
            for key, value in spark_confs(url).items():
                builder = builder.config(key, value)
        _session = builder.getOrCreate()
        if url.scheme != "sc":
            _session.sparkContext.setLogLevel("ERROR")
        for key, value in FIXED_CONFS.items():
            _session.conf.set(key, value)
        return _session


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
