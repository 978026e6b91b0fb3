"""The project on the sqlserver target: compiled offline here; a real run where Docker answers.

Offline: ``runner-dbt compile --offline`` opens no connection (the URL points at a port where
nothing listens, so any attempt would fail the test), the project's is_incremental() answers
"no" and dbt's introspective queries are off, so every model, snapshot and test compiles with
dbt-sqlserver's macros exactly as for a first build.
"""

from __future__ import annotations

import pytest

from datakit.testing.postgres import docker_available, free_port
from tests.conftest import base_env, runner_dbt

PASSWORD = "Sql-Server-pw-1"


def test_whole_project_compiles_offline_for_sqlserver() -> None:
    url = f"mssql://sa:{PASSWORD}@127.0.0.1:{free_port()}/warehouse?trust_server_certificate=yes"
    env = base_env(DATAKIT_WAREHOUSE_URL=url, DATAKIT_TENANT="acme")

    completed = runner_dbt("compile", "--offline", "--result-detail", env=env)

    assert completed.code == 0, completed.describe()
    result = completed.result
    assert result["adapter"] == "sqlserver"
    assert result["offline"] is True
    assert set(result["counts"]) == {"success"}
    kinds = {node["resource_type"] for node in result["nodes"]}
    assert kinds == {"model", "snapshot", "test", "operation"}  # operation: on-run-start
    assert len([n for n in result["nodes"] if n["resource_type"] == "model"]) == 17
    assert PASSWORD not in completed.stdout + completed.stderr


def test_offline_compile_uses_sql_server_sql(tmp_path) -> None:
    """The compiled SQL is T-SQL: hashbytes for keys, datetime2 literals, datepart for dates."""
    from datakit.logging import get_logger
    from datakit.secrets import Secret
    from datakit.settings import DatabaseUrl
    from datakit_runner_dbt.profile import LayerSchemas, build_target
    from datakit_runner_dbt.projects import resolve_project
    from datakit_runner_dbt.runner import DbtRequest, run_dbt

    url = DatabaseUrl(
        secret=Secret(f"mssql://sa:{PASSWORD}@127.0.0.1:{free_port()}/warehouse"),
        variable="DATAKIT_WAREHOUSE_URL",
    )
    schemas = LayerSchemas.for_tenant("acme")
    target = build_target(url, schemas=schemas, threads=2)
    request = DbtRequest(
        command="compile",
        project_dir=resolve_project("warehouse"),
        select=("dim_customer", "dim_date"),
        user_vars={"datakit_offline_compile": True},
        extra_args=("--no-introspect", "--no-populate-cache"),
    )

    outcome = run_dbt(request, target=target, schemas=schemas, logger=get_logger())

    assert outcome.success, outcome.exception
    compiled = {r.node.name: r.node.compiled_code for r in outcome.result.results}
    assert "hashbytes('md5'" in compiled["dim_customer"]
    assert "DATETIME2" in compiled["dim_customer"].upper()
    assert '"acme_silver"."customers_snapshot"' in compiled["dim_customer"]
    assert "datepart(year" in compiled["dim_date"]


@pytest.mark.docker
@pytest.mark.sqlserver
def test_day1_build_on_a_real_sql_server() -> None:
    if not docker_available():
        pytest.skip("needs a Docker engine (SQL Server runs in a testcontainer); none answers here")
    pytest.importorskip("testcontainers.mssql", reason="needs testcontainers[mssql]")
    from testcontainers.mssql import SqlServerContainer

    with SqlServerContainer("mcr.microsoft.com/mssql/server:2022-latest") as server:
        host, port = server.get_container_host_ip(), server.get_exposed_port(1433)
        url = f"mssql://sa:{server.password}@{host}:{port}/master?trust_server_certificate=yes"
        env = base_env(DATAKIT_WAREHOUSE_URL=url)
        checked = runner_dbt("check", env=env)
        # Bronze on SQL Server comes from runner-sqlserver; without it the check names the
        # missing sources, which proves connection, profile and schemas work end to end.
        assert checked.code in (0, 3), checked.describe()
        assert checked.result["connection"] == "ok"
