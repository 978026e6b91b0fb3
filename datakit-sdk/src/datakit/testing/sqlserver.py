"""A real SQL Server for tests marked ``sqlserver``: a testcontainer, or a visible skip reason.

SQL Server cannot run on the development machines (no image can be pulled there, no package
provides the server); GitHub's runners have Docker. :func:`unavailable_reason` says, in one
line that pytest prints with ``-rs``, what is missing: pyodbc, an ODBC driver, a Docker engine,
or the image. Tests call :func:`sqlserver_or_skip` and never fail for want of a server.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import pytest

from datakit.testing.acceptance.fixtures import BRONZE, META, Col
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
        conn = self._connect(database, user, password)
        try:
            cursor = conn.cursor()
            cursor.execute(sql, *params)
            while cursor.description is None:
                if not cursor.nextset():
                    return []
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            conn.close()

    def _connect(self, database: str, user: str = "sa", password: str | None = None) -> Any:
        from datakit.engines.sqlserver.connection import connect
        from datakit.secrets import Secret
        from datakit.settings import DatabaseUrl

        url = DatabaseUrl(
            Secret(self.url(database, user=user, password=password)), "DATAKIT_TEST_SQLSERVER"
        )
        return connect(url, role="test", autocommit=True)

    def execute_many(self, sql: str, rows: Iterable[Sequence[Any]], *, database: str) -> None:
        """Run *sql* once per row of parameters (pyodbc's fast_executemany), in chunks."""
        conn = self._connect(database)
        try:
            cursor = conn.cursor()
            cursor.fast_executemany = True
            chunk: list[Sequence[Any]] = []
            for row in rows:
                chunk.append(row)
                if len(chunk) == 10_000:
                    cursor.executemany(sql, chunk)
                    chunk = []
            if chunk:
                cursor.executemany(sql, chunk)
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


_DECIMAL = re.compile(r"decimal\((\d+),\s*(\d+)\)")
_ISO = re.compile(
    r"(?P<head>[^.Z+-]+-\d\d-\d\dT[\d:]+)(?:\.(?P<fraction>\d+))?(?P<offset>Z|[+-]\d\d:\d\d)?"
)
_TYPES = {
    "smallint": "smallint",
    "int": "int",
    "bigint": "bigint",
    "double": "float",
    "bool": "bit",
    "text": "nvarchar(max)",
    "date": "date",
    "timestamp": "datetime2(6)",
    "timestamptz": "datetimeoffset(6)",
    "bytes": "varbinary(max)",
    "json": "nvarchar(max)",
}


def sqlserver_type(neutral: str) -> str:
    """The SQL Server type of a neutral column type (as the runners report it)."""
    match = _DECIMAL.fullmatch(neutral)
    return f"decimal({match[1]},{match[2]})" if match else _TYPES[neutral]


def _q(name: str) -> str:
    return "[" + name.replace("]", "]]") + "]"


def _param(value: Any, neutral: str) -> Any:
    """A Python value as a pyodbc parameter: JSON as text, instants as ISO text with offset
    (pyodbc has no datetimeoffset parameter; SQL Server converts the text exactly)."""
    if value is None:
        return None
    if neutral == "json":
        return json.dumps(value)
    if neutral == "timestamptz":
        return value.isoformat(sep=" ")
    return value


def _select(name: str, type_: str) -> str:
    """A column in a SELECT: datetimeoffset as ISO text (pyodbc cannot fetch it)."""
    if type_.startswith("datetimeoffset"):
        return f"CONVERT(varchar(40), {_q(name)}, 127)"
    return _q(name)


def _value(value: Any, type_: str) -> Any:
    """A fetched value; datetimeoffset's ISO text (7 fraction digits) as an aware datetime."""
    if value is not None and type_.startswith("datetimeoffset"):
        match = _ISO.fullmatch(value)
        assert match, f"not ISO 8601: {value!r}"
        fraction = (match["fraction"] or "")[:6].ljust(6, "0")
        offset = "+00:00" if match["offset"] in ("Z", "") else match["offset"]
        return datetime.fromisoformat(f"{match['head']}.{fraction}{offset}")
    return value


class SqlServerSource:
    """The neutral suite's source tables in one SQL Server database's ``dbo`` schema."""

    def __init__(self, server: SqlServer, database: str) -> None:
        self.server = server
        self.database = database
        self.url = server.url(database)
        self._types: dict[str, dict[str, str]] = {}

    def ref(self, table: str) -> str:
        return f"dbo.{table}"

    def type_name(self, neutral: str) -> str:
        return sqlserver_type(neutral)

    def _run(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.server.execute(sql, params, database=self.database)

    def create_table(self, table: str, columns: Sequence[Col]) -> None:
        defs = [
            f"{_q(c.name)} {sqlserver_type(c.type)}{' NULL' if c.nullable and not c.key else ' NOT NULL'}"
            for c in columns
        ]
        keys = [_q(c.name) for c in columns if c.key]
        if keys:
            defs.append(f"PRIMARY KEY ({', '.join(keys)})")
        self._run(f"CREATE TABLE dbo.{_q(table)} ({', '.join(defs)})")
        self._types[table] = {c.name: c.type for c in columns}

    def insert(self, table: str, rows: Iterable[Sequence[Any]]) -> None:
        types = list(self._types[table].values())
        names = ", ".join(_q(n) for n in self._types[table])
        marks = ", ".join("?" for _ in types)
        self.server.execute_many(
            f"INSERT INTO dbo.{_q(table)} ({names}) VALUES ({marks})",
            ([_param(v, t) for v, t in zip(row, types, strict=True)] for row in rows),
            database=self.database,
        )

    def update(
        self, table: str, values: Mapping[str, Any], *, where: str, in_: Sequence[Any]
    ) -> None:
        types = self._types[table]
        sets = ", ".join(f"{_q(name)} = ?" for name in values)
        marks = ", ".join("?" for _ in in_)
        params = [_param(v, types[k]) for k, v in values.items()]
        self._run(
            f"UPDATE dbo.{_q(table)} SET {sets} WHERE {_q(where)} IN ({marks})",
            [*params, *in_],
        )

    def delete(self, table: str, *, where: str, in_: Sequence[Any] | None = None) -> None:
        if in_ is None:
            self._run(f"DELETE FROM dbo.{_q(table)}")
            return
        marks = ", ".join("?" for _ in in_)
        self._run(f"DELETE FROM dbo.{_q(table)} WHERE {_q(where)} IN ({marks})", list(in_))

    def add_column(self, table: str, column: Col) -> None:
        self._run(
            f"ALTER TABLE dbo.{_q(table)} ADD {_q(column.name)} {sqlserver_type(column.type)}"
        )
        self._types[table][column.name] = column.type

    def drop_column(self, table: str, name: str) -> None:
        self._run(f"ALTER TABLE dbo.{_q(table)} DROP COLUMN {_q(name)}")
        del self._types[table][name]

    def change_type(self, table: str, name: str, neutral: str) -> None:
        self._run(f"ALTER TABLE dbo.{_q(table)} ALTER COLUMN {_q(name)} {sqlserver_type(neutral)}")
        self._types[table][name] = neutral

    def rows(self, table: str, columns: Sequence[str] | None = None) -> list[tuple[Any, ...]]:
        types = {n: sqlserver_type(t) for n, t in self._types[table].items()}
        names = list(columns or types)
        sql = f"SELECT {', '.join(_select(n, types[n]) for n in names)} FROM dbo.{_q(table)}"
        return [
            tuple(_value(v, types[n]) for n, v in zip(names, row, strict=True))
            for row in self._run(sql)
        ]


class SqlServerBronze:
    """Bronze tables and Datakit's bookkeeping in a SQL Server database, read as values."""

    def __init__(self, server: SqlServer, database: str) -> None:
        self.server = server
        self.database = database
        self.url = server.url(database)

    def type_name(self, neutral: str) -> str:
        return sqlserver_type(neutral)

    def _run(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.server.execute(sql, params, database=self.database)

    def columns(self, table: str, *, schema: str = BRONZE) -> dict[str, str]:
        rows = self._run(
            "SELECT c.name, TYPE_NAME(c.user_type_id) FROM sys.columns c "
            "WHERE c.object_id = OBJECT_ID(?) ORDER BY c.column_id",
            [f"{_q(schema)}.{_q(table)}"],
        )
        return {name: type_ for name, type_ in rows}

    def rows(
        self, table: str, columns: Sequence[str] | None = None, *, schema: str = BRONZE
    ) -> list[tuple[Any, ...]]:
        types = self.columns(table, schema=schema)
        names = list(columns or [n for n in types if n not in META])
        sql = (
            f"SELECT {', '.join(_select(n, types[n]) for n in names)} FROM {_q(schema)}.{_q(table)}"
        )
        return [
            tuple(_value(v, types[n]) for n, v in zip(names, row, strict=True))
            for row in self._run(sql)
        ]

    def count(self, table: str, *, schema: str = BRONZE) -> int:
        return int(self._run(f"SELECT COUNT_BIG(*) FROM {_q(schema)}.{_q(table)}")[0][0])

    def tables(self, *, schema: str = BRONZE) -> list[str]:
        rows = self._run(
            "SELECT t.name FROM sys.tables t WHERE SCHEMA_NAME(t.schema_id) = ? "
            "AND t.name NOT LIKE '[_]datakit[_]%' ORDER BY t.name",
            [schema],
        )
        return [row[0] for row in rows]

    def loads(self, table: str, *, schema: str = BRONZE) -> list[tuple[str, str, int | None]]:
        rows = self._run(
            f"SELECT mode, status, rows FROM {_q(schema)}._datakit_loads "
            "WHERE table_name = ? ORDER BY load_id",
            [table],
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def watermark(self, table: str, *, schema: str = BRONZE) -> str | None:
        if not self._run("SELECT OBJECT_ID(?)", [f"{_q(schema)}._datakit_state"])[0][0]:
            return None
        rows = self._run(
            f"SELECT watermark FROM {_q(schema)}._datakit_state WHERE table_name = ?", [table]
        )
        return str(rows[0][0]) if rows and rows[0][0] is not None else None


__all__ = [
    "IMAGE",
    "SqlServer",
    "SqlServerBronze",
    "SqlServerSource",
    "sqlserver_or_skip",
    "sqlserver_type",
    "unavailable_reason",
]
