"""The profile built from DATAKIT_WAREHOUSE_URL: right adapter, tenant schemas, no secret inside."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from datakit.errors import ConfigError
from datakit.secrets import Secret
from datakit.settings import DatabaseUrl
from datakit_runner_dbt.profile import (
    PASSWORD_VARIABLE,
    LayerSchemas,
    build_target,
    profile_environment,
)

PASSWORD = "s3cr3t-pw-Äx"


def _url(text: str) -> DatabaseUrl:
    return DatabaseUrl(secret=Secret(text), variable="DATAKIT_WAREHOUSE_URL")


def _target(text: str, tenant: str | None = "acme"):
    return build_target(_url(text), schemas=LayerSchemas.for_tenant(tenant), threads=3)


@pytest.mark.parametrize(
    ("tenant", "expected"),
    [("acme", ("acme_bronze", "acme_silver", "acme_gold")), (None, ("bronze", "silver", "gold"))],
    ids=["tenant", "no-tenant"],
)
def test_schemas_follow_the_tenant(tenant: str | None, expected: tuple[str, str, str]) -> None:
    schemas = LayerSchemas.for_tenant(tenant)

    assert (schemas.bronze, schemas.silver, schemas.gold) == expected
    assert schemas.as_vars()["datakit_silver_schema"] == expected[1]


def test_postgres_url_becomes_a_postgres_target_without_the_password() -> None:
    target = _target(f"postgresql://loader:{PASSWORD}@db.example:6543/dwh?sslmode=require")

    assert target.adapter_type == "postgres"
    assert target.output["host"] == "db.example"
    assert target.output["port"] == 6543
    assert target.output["dbname"] == "dwh"
    assert target.output["schema"] == "acme_silver"
    assert target.output["sslmode"] == "require"
    assert target.output["threads"] == 3
    assert PASSWORD not in target.profiles_yaml()
    assert PASSWORD_VARIABLE in target.output["password"]
    assert target.secret_env == {PASSWORD_VARIABLE: PASSWORD}
    assert target.plain_env["PGTZ"] == "UTC"
    assert "password" not in target.masked_summary()


def test_percent_encoded_password_is_decoded() -> None:
    target = _target("postgresql://loader:p%40ss%3Aword@db:5432/dwh")

    assert target.secret_env[PASSWORD_VARIABLE] == "p@ss:word"


def test_mssql_url_becomes_a_sqlserver_target() -> None:
    target = _target(
        f"mssql://etl:{PASSWORD}@sql.example:14330/dwh?driver=ODBC+Driver+17+for+SQL+Server"
        "&encrypt=no&trust_server_certificate=yes"
    )

    assert target.adapter_type == "sqlserver"
    assert target.output["server"] == "sql.example"
    assert target.output["port"] == 14330
    assert target.output["database"] == "dwh"
    assert target.output["driver"] == "ODBC Driver 17 for SQL Server"
    assert target.output["encrypt"] is False
    assert target.output["trust_cert"] is True
    assert target.output["schema"] == "acme_silver"
    assert PASSWORD not in target.profiles_yaml()


def test_mssql_trusted_connection_uses_windows_login() -> None:
    target = _target("mssql://sql.example/dwh?trusted_connection=yes")

    assert target.output["windows_login"] is True
    assert "password" not in target.output


def test_spark_session_url_passes_its_parameters_to_the_session() -> None:
    target = _target(
        "spark+session:///?spark.sql.warehouse.dir=%2Ftmp%2Fwh&spark.master=local%5B2%5D"
    )

    assert target.adapter_type == "spark"
    assert target.output["method"] == "session"
    assert target.output["server_side_parameters"] == {
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.warehouse.dir": "/tmp/wh",
        "spark.master": "local[2]",
    }
    assert target.output["schema"] == "acme_silver"


def test_spark_thrift_url_names_host_and_port() -> None:
    target = _target("spark+thrift://analyst@spark.example:10001")

    assert target.output["method"] == "thrift"
    assert (target.output["host"], target.output["port"]) == ("spark.example", 10001)
    assert target.output["user"] == "analyst"


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("mysql://u:p@h/db", "known: postgresql://"),
        ("postgresql://u:p@h:5432/", "must name user, host and database"),
        ("postgresql://u:p@h:5432/db?colour=blue", "unknown URL parameter(s) colour"),
        ("mssql://u:p@h/db?encrypt=maybe", "?encrypt=maybe must be yes or no"),
    ],
    ids=["scheme", "no-database", "unknown-parameter", "bad-flag"],
)
def test_bad_urls_are_configuration_errors_that_hide_the_password(url: str, needle: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _target(url)

    assert needle in caught.value.message
    assert caught.value.exit_code == 3
    assert ":p@" not in caught.value.message


def test_profile_environment_writes_a_private_file_and_restores_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASSWORD_VARIABLE, raising=False)
    monkeypatch.delenv("PGTZ", raising=False)
    target = _target(f"postgresql://loader:{PASSWORD}@db:5432/dwh")

    with profile_environment(target, tmp_path / "profiles") as folder:
        text = (folder / "profiles.yml").read_text(encoding="utf-8")
        assert os.environ[PASSWORD_VARIABLE] == PASSWORD
        assert (folder / "profiles.yml").stat().st_mode & 0o077 == 0
        profile = yaml.safe_load(text)

    assert PASSWORD not in text
    assert profile["datakit"]["target"] == "postgres"
    assert PASSWORD_VARIABLE not in os.environ
    assert "PGTZ" not in os.environ


@pytest.mark.parametrize(
    "text",
    [
        "loader:Pw-Ab@cd/ef@db.example/dwh",
        "postgresql://loader:Pw-Ab@cd/ef@db.example/dwh",
        "postgresql://loader:Pw-Ab%zzcdef@db.example/dwh",
        "mssql://etl:Pw-Ab cd#ef?gh@sql.example/dwh",
    ],
    ids=["no-scheme", "unencoded-at-slash", "bad-escape", "space-hash-query"],
)
def test_malformed_url_is_a_config_error_without_any_part_of_the_password(text: str) -> None:
    with pytest.raises(ConfigError) as info:
        _target(text)

    message = str(info.value)
    assert "DATAKIT_WAREHOUSE_URL" in message
    for piece in ("Pw-Ab", "cdef", "ef@db", "gh@sql"):
        assert piece not in message


@pytest.mark.parametrize("parameter", ["connect_timeout=soon", "connect_timeout=-1"])
def test_bad_timeout_parameter_is_a_config_error(parameter: str) -> None:
    with pytest.raises(ConfigError, match=r"\?connect_timeout must be a whole number"):
        _target(f"postgresql://loader:{PASSWORD}@db.example/dwh?{parameter}")


def test_postgres_sessions_run_without_jit_unless_the_caller_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """JIT compiled every day-2 statement for seconds (README, Benchmarks); PGOPTIONS turns it
    off, and options the caller already set come after, so they win."""
    monkeypatch.delenv("PGOPTIONS", raising=False)
    assert _target("postgresql://u:p@db/dwh").plain_env["PGOPTIONS"] == "-c jit=off"

    monkeypatch.setenv("PGOPTIONS", "-c jit=on -c work_mem=64MB")
    options = _target("postgresql://u:p@db/dwh").plain_env["PGOPTIONS"]
    assert options == "-c jit=off -c jit=on -c work_mem=64MB"
