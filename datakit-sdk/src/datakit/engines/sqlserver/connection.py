"""Connecting to SQL Server over pyodbc: URL -> ODBC string, Kerberos ticket, timeouts, errors.

The one module of the engine that imports pyodbc (``datakit-sdk[sqlserver]``), lazily, so a
missing driver manager is a one-line configuration error rather than an import traceback.
"""

from __future__ import annotations

from typing import Any

from datakit import cancel
from datakit.engines.sqlserver.errors import translate_errors
from datakit.engines.sqlserver.kerberos import obtain_ticket
from datakit.engines.sqlserver.odbc import build_connection_string
from datakit.errors import ConfigError
from datakit.settings import DatabaseUrl
from datakit.timeouts import Timeouts


def import_pyodbc() -> Any:
    """pyodbc, or a ConfigError saying what to install (the wheel or unixODBC's libodbc)."""
    try:
        import pyodbc
    except ImportError as exc:
        raise ConfigError(
            "config error: SQL Server needs pyodbc and unixODBC (pip install "
            f"'datakit-sdk[sqlserver]'; apt-get install unixodbc): {exc}"
        ) from None
    return pyodbc


def connect(url: DatabaseUrl, *, role: str, autocommit: bool = False) -> Any:
    """An open pyodbc connection for *url*; failures become exit-code errors naming *role*.

    Login timeout: the URL's ``?login_timeout=``, else ``DATAKIT_CONNECT_TIMEOUT_SECONDS``. Lock
    waits end after ``DATAKIT_LOCK_TIMEOUT_SECONDS`` (``SET LOCK_TIMEOUT``); statements after
    ``DATAKIT_STATEMENT_TIMEOUT_SECONDS`` (the ODBC query timeout); 0 means no limit for both.
    """
    cancel.check_cancelled()
    target = build_connection_string(url)
    try:
        timeouts = Timeouts.from_env()
    except ConfigError as exc:
        raise ConfigError(f"config error: {exc.message}") from None
    if target.trusted:
        obtain_ticket()
    pyodbc = import_pyodbc()
    where = f"{role} {url.masked}"
    with translate_errors(where):
        conn = pyodbc.connect(
            target.secret.reveal(),
            autocommit=autocommit,
            timeout=target.login_timeout or timeouts.connect_seconds,
        )
        lock_ms = round(timeouts.lock_seconds * 1000) or -1
        conn.execute(f"SET LOCK_TIMEOUT {int(lock_ms)}")
        conn.timeout = round(timeouts.statement_seconds)
    return conn


__all__ = ["connect", "import_pyodbc"]
