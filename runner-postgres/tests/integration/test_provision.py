"""Tenant isolation: a tenant's loader role reaches its own schemas and nothing else."""

from __future__ import annotations

import sys
from typing import Any

import psycopg
import pytest

from datakit.testing import pg
from datakit.testing.runner_process import RunnerProcess

pytestmark = pytest.mark.integration
PASSWORDS = {"alpha": "Alpha-Pw-1", "beta": "Beta-Pw-2"}


@pytest.fixture
def admin(warehouse_url: str) -> RunnerProcess:
    return RunnerProcess(
        [sys.executable, "-m", "datakit_runner_postgres"],
        env={"DATAKIT_WAREHOUSE_URL": warehouse_url},
    )


def provision(admin: RunnerProcess, tenant: str) -> dict[str, Any]:
    out = admin.run(
        "provision", "--tenant", tenant, env={"DATAKIT_TENANT_PASSWORD": PASSWORDS[tenant]}
    )
    assert out.exit_code == 0, out.stderr
    assert PASSWORDS[tenant] not in out.stdout + out.stderr
    assert out.result is not None
    return out.result


def tenant_url(postgres_server: Any, warehouse_url: str, tenant: str) -> str:
    return postgres_server.url(
        warehouse_url.rsplit("/", 1)[1], user=f"{tenant}_loader", password=PASSWORDS[tenant]
    )


def test_tenants_cannot_reach_each_other(
    admin: RunnerProcess, postgres_server: Any, source_url: str, warehouse_url: str
) -> None:
    first = provision(admin, "alpha")
    assert first["created"] == [
        "role alpha_loader",
        "schema alpha_bronze",
        "schema alpha_silver",
        "schema alpha_gold",
    ]
    assert provision(admin, "alpha")["created"] == [], "provisioning is idempotent"
    provision(admin, "beta")

    pg.execute(
        source_url,
        "CREATE TABLE public.items (id int PRIMARY KEY); INSERT INTO public.items VALUES (1), (2)",
    )
    for tenant in ("alpha", "beta"):
        runner = RunnerProcess(
            [sys.executable, "-m", "datakit_runner_postgres"],
            env={
                "DATAKIT_SOURCE_URL": source_url,
                "DATAKIT_WAREHOUSE_URL": tenant_url(postgres_server, warehouse_url, tenant),
            },
        )
        out = runner.run(
            "extract",
            "--table",
            "public.items",
            "--source-name",
            "app",
            "--bronze-schema",
            f"{tenant}_bronze",
        )
        assert out.exit_code == 0, out.stderr
        denied = runner.run(
            "check", "--bronze-schema", "beta_bronze" if tenant == "alpha" else "alpha_bronze"
        )
        assert denied.exit_code == 3 and "cannot create or write" in denied.error_message

    alpha = tenant_url(postgres_server, warehouse_url, "alpha")
    with psycopg.connect(alpha, autocommit=True) as conn:
        assert conn.execute('SELECT count(*) FROM alpha_bronze."app__items"').fetchone() == (2,)
        conn.execute("CREATE TABLE alpha_silver.mine (id int)")
        for statement in (
            'SELECT * FROM beta_bronze."app__items"',
            "CREATE TABLE beta_silver.intruder (id int)",
            'DELETE FROM beta_bronze."app__items"',
            "CREATE SCHEMA gamma_bronze",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


def test_provision_needs_a_password_and_a_valid_tenant(admin: RunnerProcess) -> None:
    out = admin.run("provision", "--tenant", "alpha")
    assert out.exit_code == 3 and "DATAKIT_TENANT_PASSWORD" in out.error_message
    bad = admin.run("provision", "--tenant", "Bad-Name", env={"DATAKIT_TENANT_PASSWORD": "x"})
    assert bad.exit_code == 2


def test_password_never_reaches_the_server_log(
    admin: RunnerProcess, postgres_server: Any, warehouse_url: str
) -> None:
    """With every DDL statement logged, the log shows the role's DDL but not its password."""
    if not postgres_server.log_text() and postgres_server.kind != "embedded":
        pytest.skip("this server's log cannot be read")
    database = warehouse_url.rsplit("/", 1)[1]
    pg.execute(warehouse_url, f"ALTER DATABASE \"{database}\" SET log_statement = 'ddl'")
    password = "Gamma-Log-Pw-7"
    for attempt in range(2):  # CREATE ROLE, then ALTER ROLE
        out = admin.run("provision", "--tenant", "gamma", env={"DATAKIT_TENANT_PASSWORD": password})
        assert out.exit_code == 0, out.stderr
        with psycopg.connect(
            postgres_server.url(database, user="gamma_loader", password=password)
        ) as conn:
            assert conn.execute("SELECT current_user").fetchone() == ("gamma_loader",)
        assert attempt == 1 or 'CREATE ROLE "gamma_loader"' in postgres_server.log_text()
    log = postgres_server.log_text()
    assert 'ALTER ROLE "gamma_loader"' in log, "log_statement = ddl must have logged the DDL"
    assert password not in log
    assert "SCRAM-SHA-256$4096:" in log
