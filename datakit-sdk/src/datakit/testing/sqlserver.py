"""A real SQL Server for tests marked ``sqlserver``: a testcontainer, or a visible skip reason.

SQL Server cannot run on the development machines (no image can be pulled there, no package
provides the server); GitHub's runners have Docker. :func:`unavailable_reason` says, in one
line that pytest prints with ``-rs``, what is missing: pyodbc, an ODBC driver, a Docker engine,
or the image. Tests call :func:`sqlserver_or_skip` and never fail for want of a server.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest

from datakit.testing.postgres import docker_available

IMAGE = os.environ.get("DATAKIT_TEST_SQLSERVER_IMAGE", "mcr.microsoft.com/mssql/server:2022-latest")
SA_PASSWORD = "Datakit-Test-Pw-1"
#: The ODBC drivers the tests accept, best first (full names: runner-dbt's profile takes only those).
_DRIVERS = ("ODBC Driver 18 for SQL Server", "FreeTDS")


def _driver() -> str | None:
    try:
        import pyodbc
    except ImportError:
        return None
    installed = set(pyodbc.drivers())
    return next((name for name in _DRIVERS if name in installed), None)


def unavailable_reason() -> str | None:
    """Why no SQL Server can be started here (``None``: one can be tried)."""
    try:
        import pyodbc  # noqa: F401
    except ImportError:
        return "needs pyodbc (datakit-sdk[sqlserver]) in this environment"
    if _driver() is None:
        return "needs an ODBC driver for SQL Server (msodbcsql18 or FreeTDS's tdsodbc)"
    if not docker_available():
        return "needs a Docker engine (SQL Server runs in a testcontainer); none answers here"
    try:
        import testcontainers.mssql  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        return "needs testcontainers[mssql]"
    return None


@dataclass(frozen=True)
class SqlServer:
    """A running SQL Server reachable as ``sa``."""

    host: str
    port: int
    password: str
    driver: str

    def url(
        self, database: str = "master", *, user: str = "sa", password: str | None = None
    ) -> str:
        secret = quote(password if password is not None else self.password, safe="")
        return (
            f"mssql://{quote(user, safe='')}:{secret}@{self.host}:{self.port}/{database}"
            f"?driver={quote(self.driver, safe='')}&encrypt=yes&trust_server_certificate=yes"
        )

    def execute(
        self,
        sql: str,
        params: Sequence[Any] = (),
        *,
        database: str = "master",
        user: str = "sa",
        password: str | None = None,
    ) -> list[tuple[Any, ...]]:
        """Run one batch as *user* (``sa``), autocommit; the rows of its first result set."""
        from datakit.engines.sqlserver.connection import connect
        from datakit.secrets import Secret
        from datakit.settings import DatabaseUrl

        url = DatabaseUrl(
            Secret(self.url(database, user=user, password=password)), "DATAKIT_TEST_SQLSERVER"
        )
        conn = connect(url, role="test", autocommit=True)
        try:
            cursor = conn.cursor()
            cursor.execute(sql, *params)
            while cursor.description is None:
                if not cursor.nextset():
                    return []
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            conn.close()

    def create_database(self, prefix: str = "dk") -> str:
        """A fresh database (READ_COMMITTED_SNAPSHOT off, the server's default); its name."""
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        self.execute(f"CREATE DATABASE [{name}]")
        return name


@contextlib.contextmanager
def sqlserver_or_skip() -> Iterator[SqlServer]:
    """Start SQL Server in a testcontainer for the block, or skip the test saying why."""
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    from testcontainers.mssql import SqlServerContainer  # type: ignore[import-untyped]

    driver = _driver()
    assert driver is not None
    container = SqlServerContainer(IMAGE, password=SA_PASSWORD)
    try:
        container.start()
    except Exception as exc:  # image pull or start failure: not the code under test
        pytest.skip(
            f"cannot start {IMAGE}: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
        )
    try:
        yield SqlServer(
            host=container.get_container_host_ip(),
            port=int(container.get_exposed_port(1433)),
            password=SA_PASSWORD,
            driver=driver,
        )
    finally:
        container.stop()


__all__ = ["IMAGE", "SqlServer", "sqlserver_or_skip", "unavailable_reason"]
