"""The dbt profile, built from ``DATAKIT_WAREHOUSE_URL``: nobody writes a profiles.yml by hand.

The URL's scheme picks the adapter:

==========================================  =========================================
``postgresql://user:pw@host:5432/db``       dbt-postgres (``postgres://`` also works)
``mssql://user:pw@host:1433/db?driver=..``  dbt-sqlserver (``sqlserver://``, ``mssql+pyodbc://``)
``spark+session:///?spark.conf=value``      dbt-spark, an in-process Spark session
``spark+thrift://user@host:10000``          dbt-spark, a Thrift server
==========================================  =========================================

The password never reaches the profile file or argv: the file says
``{{ env_var('DBT_ENV_SECRET_DATAKIT_WAREHOUSE_PASSWORD') }}`` and the value lives only in this
process' environment while dbt runs. dbt scrubs ``DBT_ENV_SECRET_*`` values from its own
output, and the SDK's log processor masks them in ours.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from datakit.errors import ConfigError
from datakit.settings import DatabaseUrl

AdapterType = Literal["postgres", "sqlserver", "spark"]
PROFILE_NAME = "datakit"
PASSWORD_VARIABLE = "DBT_ENV_SECRET_DATAKIT_WAREHOUSE_PASSWORD"
DEFAULT_SQLSERVER_DRIVER = "ODBC Driver 18 for SQL Server"

_SCHEMES: dict[str, AdapterType] = {
    "postgresql": "postgres",
    "postgres": "postgres",
    "postgresql+psycopg": "postgres",
    "postgresql+psycopg2": "postgres",
    "mssql": "sqlserver",
    "sqlserver": "sqlserver",
    "mssql+pyodbc": "sqlserver",
    "spark+session": "spark",
    "spark+thrift": "spark",
}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class LayerSchemas:
    """The schemas dbt reads (bronze) and writes (silver, gold) for one tenant."""

    bronze: str
    silver: str
    gold: str

    @classmethod
    def for_tenant(cls, tenant: str | None) -> LayerSchemas:
        """``<tenant>_bronze`` / ``_silver`` / ``_gold``; plain layer names without a tenant."""
        prefix = f"{tenant}_" if tenant else ""
        return cls(bronze=f"{prefix}bronze", silver=f"{prefix}silver", gold=f"{prefix}gold")

    def as_vars(self) -> dict[str, str]:
        """The project vars that generate_schema_name and the sources read."""
        return {
            "datakit_bronze_schema": self.bronze,
            "datakit_silver_schema": self.silver,
            "datakit_gold_schema": self.gold,
        }


@dataclass(frozen=True)
class WarehouseTarget:
    """One dbt target: its profile output (no secret inside) and the secret env it needs."""

    adapter_type: AdapterType
    output: dict[str, Any]
    secret_env: Mapping[str, str] = field(default_factory=dict, repr=False)
    plain_env: Mapping[str, str] = field(default_factory=dict)

    @property
    def target_name(self) -> str:
        return self.adapter_type

    def profiles_yaml(self) -> str:
        profile = {
            PROFILE_NAME: {"target": self.target_name, "outputs": {self.target_name: self.output}}
        }
        return yaml.safe_dump(profile, sort_keys=True)

    def masked_summary(self) -> dict[str, Any]:
        """What the logs may say about the target (no password, no token)."""
        hidden = {"password", "token"}
        return {k: v for k, v in self.output.items() if k not in hidden}


def adapter_for(url: DatabaseUrl) -> AdapterType:
    """The adapter a URL's scheme selects; an unknown scheme lists the known ones."""
    adapter = _SCHEMES.get(url.scheme)
    if adapter is None:
        known = ", ".join(f"{scheme}://" for scheme in _SCHEMES)
        raise ConfigError(
            f"config error: {url.variable} has scheme {url.scheme}:// which runner-dbt cannot "
            f"use (known: {known})"
        )
    return adapter


def build_target(url: DatabaseUrl, *, schemas: LayerSchemas, threads: int) -> WarehouseTarget:
    """The dbt target for *url*; its default schema is the tenant's silver schema."""
    adapter = adapter_for(url)
    # The SDK's strict parser: a malformed URL is refused without quoting any part of it.
    parts = url.parts
    query = dict(parts.query)
    password = parts.password.reveal() if parts.password is not None else None
    user = parts.username
    secret_env = {PASSWORD_VARIABLE: password} if password else {}
    password_ref = "{{ env_var('" + PASSWORD_VARIABLE + "') }}" if password else None
    port = parts.port
    database = parts.database

    if adapter == "postgres":
        if not parts.host or not database or not user:
            raise ConfigError(
                f"config error: {url.variable} must name user, host and database: {url.masked}"
            )
        output: dict[str, Any] = {
            "type": "postgres",
            "host": parts.host,
            "port": port or 5432,
            "user": user,
            "password": password_ref or "",
            "dbname": database,
            "schema": schemas.silver,
            "threads": threads,
            "connect_timeout": _seconds(url, query.pop("connect_timeout", "10"), "connect_timeout"),
            "retries": 1,
        }
        for key in ("sslmode", "sslcert", "sslkey", "sslrootcert", "role", "search_path"):
            if key in query:
                output[key] = query.pop(key)
        _refuse_unknown(url, query)
        # libpq reads PGTZ: every session runs in UTC, so timestamptz -> timestamp is stable.
        return WarehouseTarget(adapter, output, secret_env, {"PGTZ": "UTC", **_postgres_options()})

    if adapter == "sqlserver":
        if not parts.host or not database:
            raise ConfigError(
                f"config error: {url.variable} must name host and database: {url.masked}"
            )
        output = {
            "type": "sqlserver",
            "driver": query.pop("driver", DEFAULT_SQLSERVER_DRIVER),
            "server": parts.host,
            "port": port or 1433,
            "database": database,
            "schema": schemas.silver,
            "threads": threads,
            "encrypt": _flag(url, query.pop("encrypt", "true"), "encrypt"),
            "trust_cert": _flag(
                url,
                query.pop("trust_server_certificate", query.pop("trust_cert", "false")),
                "trust_server_certificate",
            ),
            "retries": 1,
        }
        if _flag(url, query.pop("trusted_connection", "false"), "trusted_connection"):
            output["windows_login"] = True
        else:
            output["authentication"] = query.pop("authentication", "sql")
            if user:
                output["user"] = user
            if password_ref:
                output["password"] = password_ref
        if "login_timeout" in query:
            output["login_timeout"] = _seconds(url, query.pop("login_timeout"), "login_timeout")
        _refuse_unknown(url, query)
        return WarehouseTarget(adapter, output, secret_env)

    # spark
    output = {"type": "spark", "schema": schemas.silver, "threads": threads}
    if url.scheme == "spark+session":
        params = {"spark.sql.session.timeZone": "UTC", **query}
        output.update({"method": "session", "host": "localhost", "server_side_parameters": params})
        return WarehouseTarget(adapter, output, {})
    if not parts.host:
        raise ConfigError(f"config error: {url.variable} must name the Thrift host: {url.masked}")
    output.update({"method": "thrift", "host": parts.host, "port": port or 10000})
    if user:
        output["user"] = user
    if password_ref:
        output["password"] = password_ref
        output["auth"] = query.pop("auth", "LDAP")
    if "auth" in query:
        output["auth"] = query.pop("auth")
    if "kerberos_service_name" in query:
        output["kerberos_service_name"] = query.pop("kerberos_service_name")
    _refuse_unknown(url, query)
    return WarehouseTarget(adapter, output, secret_env)


def _flag(url: DatabaseUrl, value: str, name: str) -> bool:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(f"config error: {url.variable}: ?{name}={value} must be yes or no")


def _seconds(url: DatabaseUrl, value: str, name: str) -> int:
    """A whole number of seconds from a URL parameter (a config error, not a crash, if not)."""
    try:
        seconds = int(value.strip())
    except ValueError:
        seconds = -1
    if seconds < 0:
        raise ConfigError(
            f"config error: {url.variable}: ?{name} must be a whole number of seconds"
        )
    return seconds


def _refuse_unknown(url: DatabaseUrl, query: Mapping[str, str]) -> None:
    if query:
        names = ", ".join(sorted(query))
        raise ConfigError(f"config error: {url.variable}: unknown URL parameter(s) {names}")


def _postgres_options() -> dict[str, str]:
    """libpq's ``PGOPTIONS`` for every dbt session: JIT compilation off, then the caller's own.

    A daily build is a hundred statements over a few thousand rows each, but their estimated
    costs (joins over bronze-sized tables) pass Postgres' ``jit_above_cost``, so each paid up to
    seconds of LLVM compilation for milliseconds of execution: 4.1 s of a 4.3 s fact build in
    the day-2 profile (runner-dbt README, Benchmarks). Options already in ``PGOPTIONS`` come
    after and win (``-c jit=on`` turns it back on); a ``search_path`` in the URL replaces
    ``PGOPTIONS`` altogether (dbt-postgres passes its own options then).
    """
    existing = os.environ.get("PGOPTIONS", "").strip()
    return {"PGOPTIONS": f"-c jit=off {existing}".strip()}


@contextmanager
def profile_environment(target: WarehouseTarget, profiles_dir: Path) -> Iterator[Path]:
    """Write the secret-free profile to *profiles_dir* and expose the secrets while dbt runs.

    The environment is restored afterwards, so nothing leaks into a later command of the same
    process (tests run many commands in one process).
    """
    profiles_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = profiles_dir / "profiles.yml"
    path.write_text(target.profiles_yaml(), encoding="utf-8")
    path.chmod(0o600)
    added = {**target.plain_env, **target.secret_env}
    previous = {name: os.environ.get(name) for name in added}
    os.environ.update(added)
    try:
        yield profiles_dir
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


__all__ = [
    "PASSWORD_VARIABLE",
    "PROFILE_NAME",
    "AdapterType",
    "LayerSchemas",
    "WarehouseTarget",
    "adapter_for",
    "build_target",
    "profile_environment",
]
