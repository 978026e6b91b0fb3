"""Connecting with psycopg, and the one place psycopg errors become exit codes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from datakit import cancel
from datakit.errors import (
    ConfigError,
    ContractError,
    DatakitError,
    Terminated,
    TransientError,
    UsageError,
)
from datakit.secrets import mask_text
from datakit.settings import DatabaseUrl
from datakit.timeouts import Timeouts

APPLICATION_NAME = "datakit"
# libpq's dead-peer detection: first probe after 30 s idle, then every 10 s, give up after 3
# misses; unacknowledged writes give up after 60 s. Not configurable: they only find dead
# connections.
KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
    "tcp_user_timeout": 60_000,
}
_SESSION_OPTIONS = (
    "-c DateStyle=ISO,YMD -c IntervalStyle=postgres -c extra_float_digits=3 -c jit=off"
)

# SQLSTATE classes and codes that a retry may not see again.
_TRANSIENT_CLASSES = ("08", "53", "57", "58", "40")
_TRANSIENT_CODES = {"55P03", "55006"}  # lock not available, object in use
_CONFIG_CODES = {"28000", "28P01", "3D000", "3F000", "42P01", "42703", "42501", "42704", "42883"}
# Object not in prerequisite state (e.g. reading an unpopulated materialized view): until someone
# acts (REFRESH), every retry fails the same way, so it is configuration, not transient.
_CONFIG_CODES |= {"55000"}
_CONTRACT_CLASSES = ("22", "23")

_AUTH_HINTS = ("password authentication failed", "no pg_hba.conf entry", "role", "does not exist")
_UNREACHABLE_HINTS = (
    "connection refused",
    "could not connect",
    "timeout expired",
    "could not translate host name",
    "no route to host",
    "network is unreachable",
    "server closed the connection",
    "connection timed out",
    "name or service not known",
    "temporary failure in name resolution",
)


def conninfo(url: DatabaseUrl) -> str:
    """The libpq keyword connection string for *url* (SQLAlchemy's ``+driver`` suffix is dropped).

    Keywords, not the URL: libpq never parses the URL again, so a libpq parse error can never
    quote a piece of the password (the SDK's strict parser has taken the URL apart already).
    """
    parts = url.parts
    scheme = parts.scheme.split("+", 1)[0]
    if scheme not in ("postgresql", "postgres"):
        raise ConfigError(
            f"config error: {url.variable} must be a postgresql:// URL, got {parts.scheme}:// ({url.masked})"
        )
    query = dict(parts.query)
    if not parts.host and "host" not in query:
        raise ConfigError(f"config error: {url.variable} has no host ({url.masked})")
    if not parts.database.strip("/"):
        raise ConfigError(f"config error: {url.variable} names no database ({url.masked})")
    keywords: dict[str, Any] = {
        "host": parts.host,
        "port": parts.port,
        "user": parts.username,
        "password": parts.password.reveal() if parts.password is not None else None,
        "dbname": parts.database,
    }
    keywords.update(query)
    try:
        return make_conninfo("", **{k: v for k, v in keywords.items() if v is not None})
    except psycopg.ProgrammingError as exc:
        # libpq names the unknown keyword (a query parameter name), never a value.
        raise ConfigError(
            f"config error: {url.variable}: {str(exc).strip()} (a URL query parameter)"
        ) from None


def session_parameters(info: str, timeouts: Timeouts | None = None) -> dict[str, Any]:
    """libpq keywords every Datakit session adds to *info*: timeouts, keepalives, fixed formats.

    Keywords *info* already sets (a URL's ``?connect_timeout=``, ``?keepalives=``) win; its
    ``options`` are appended to ours, so a user's ``-c`` setting overrides the default. Shared by
    psycopg connections and the ``psql`` reader child, so both behave the same.
    """
    timeouts = timeouts or Timeouts.from_env()
    given = conninfo_to_dict(info)
    # Fixed text forms, so watermarks written by one server parse the same on another; no JIT: a
    # load's statements are simple and compiling them costs more than it saves.
    options = f"{_SESSION_OPTIONS} {timeouts.server_options()} {given.get('options') or ''}"
    params: dict[str, Any] = {
        "connect_timeout": timeouts.connect_seconds,
        "application_name": APPLICATION_NAME,
        **KEEPALIVES,
    }
    params = {key: value for key, value in params.items() if key not in given}
    params["options"] = options.strip()
    return params


def connect(
    url: DatabaseUrl,
    *,
    role: str,
    autocommit: bool = False,
    when_stopping: bool = False,
    **kwargs: Any,
) -> psycopg.Connection[Any]:
    """Open a connection, translating failures into exit-code errors that name *role*'s variable.

    Every session gets the configured timeouts (:mod:`datakit.timeouts`) and TCP keepalives, and
    is tracked for cancellation on SIGTERM. Once the process is stopping no new connection is
    opened, except with *when_stopping* (writing the failure row).
    """
    if not when_stopping:
        cancel.check_cancelled()
    try:
        timeouts = Timeouts.from_env()
    except ConfigError as exc:
        raise ConfigError(f"config error: {exc.message}") from None
    info = conninfo(url)
    params = {**session_parameters(info, timeouts), **kwargs}
    with translate_errors(f"{role} {url.masked}", when_stopping=when_stopping):
        conn = psycopg.connect(info, autocommit=autocommit, **params)
    cancel.track(conn)
    return conn


def classify(exc: BaseException, where: str) -> DatakitError:
    """Map a psycopg exception to the error class whose exit code says whether to retry."""
    text = mask_text(" ".join(str(exc).split()))
    sqlstate = getattr(exc, "sqlstate", None) or ""
    if isinstance(exc, pg_errors.QueryCanceled) and "statement timeout" not in text:
        if cancel.stopping():
            return Terminated(
                f"terminated: {where}: the query was cancelled; the load was rolled back"
            )
        return TransientError(
            f"transient error: {where}: {text} (cancelled by the server or an administrator; "
            "retry may help)"
        )
    if sqlstate in _CONFIG_CODES:
        return ConfigError(f"config error: {where}: {text}")
    if sqlstate.startswith(_CONTRACT_CLASSES):
        return ContractError(f"contract violation: {where}: {text}")
    if sqlstate.startswith(_TRANSIENT_CLASSES) or sqlstate in _TRANSIENT_CODES:
        return TransientError(f"transient error: {where}: {text} (retry may help)")
    if isinstance(exc, psycopg.OperationalError) and not sqlstate:
        lowered = text.lower()
        if "password authentication failed" in lowered:
            return ConfigError(
                f"config error: {where}: authentication failed (check user and password)"
            )
        if any(hint in lowered for hint in _UNREACHABLE_HINTS):
            return TransientError(f"unreachable: {where}: {text} (check host/port; retry may help)")
        if any(hint in lowered for hint in _AUTH_HINTS):
            return ConfigError(f"config error: {where}: {text}")
        return TransientError(f"unreachable: {where}: {text}")
    if isinstance(exc, psycopg.ProgrammingError) and "invalid dsn" in text.lower():
        return ConfigError(f"config error: {where}: invalid connection URL ({text})")
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return ConfigError(f"config error: {where}: {text}")
    if isinstance(exc, psycopg.OperationalError):
        return TransientError(f"transient error: {where}: {text}")
    if isinstance(exc, psycopg.DataError):
        return ContractError(f"contract violation: {where}: {text}")
    return DatakitError(f"internal error: {where}: {type(exc).__name__}: {text}")


@contextmanager
def translate_errors(where: str, *, when_stopping: bool = False) -> Iterator[None]:
    """Re-raise psycopg errors as Datakit errors (``raise ... from exc``) naming *where*.

    Entering it once the process is stopping raises :class:`Terminated` (unless *when_stopping*):
    a worker between two statements when SIGTERM came must not start the next one.
    """
    if not when_stopping:
        cancel.check_cancelled()
    try:
        yield
    except (DatakitError, UsageError):
        raise
    except psycopg.Error as exc:
        raise classify(exc, where) from exc


__all__ = ["classify", "connect", "conninfo", "session_parameters", "translate_errors"]
