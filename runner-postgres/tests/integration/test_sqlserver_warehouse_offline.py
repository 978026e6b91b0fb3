"""``DATAKIT_WAREHOUSE_URL=mssql://...`` without a SQL Server: real runs, FreeTDS, a closed port.

What can be proven here without a server: the SQL Server warehouse is found by its URL scheme,
its connection goes through pyodbc and the ODBC driver, and an unreachable server is exit 4 in
one line that names the warehouse and never the password, with no traceback.
"""

from __future__ import annotations

import sys

import pytest

from datakit.testing import pg
from datakit.testing.postgres import free_port
from datakit.testing.runner_process import RunnerProcess

pytestmark = pytest.mark.integration
SECRET = "Wh-Secret-Pw-77"


@pytest.fixture
def runner(source_url: str) -> RunnerProcess:
    pytest.importorskip("pyodbc", reason="needs pyodbc (datakit-sdk[sqlserver])")
    import pyodbc

    if "FreeTDS" not in pyodbc.drivers():
        pytest.skip("needs FreeTDS's ODBC driver (Debian tdsodbc)")
    pg.execute(
        source_url, "CREATE TABLE public.t (id int PRIMARY KEY); INSERT INTO public.t VALUES (1)"
    )
    url = f"mssql://sa:{SECRET}@127.0.0.1:{free_port()}/wh?driver=freetds&login_timeout=3"
    return RunnerProcess(
        [sys.executable, "-m", "datakit_runner_postgres"],
        env={"DATAKIT_SOURCE_URL": source_url, "DATAKIT_WAREHOUSE_URL": url},
    )


@pytest.mark.parametrize(
    "argv",
    [["check"], ["extract", "--table", "public.t"], ["provision", "--tenant", "acme"]],
    ids=["check", "extract", "provision"],
)
def test_unreachable_sql_server_warehouse_is_transient_without_the_password(
    runner: RunnerProcess, argv: list[str]
) -> None:
    tenant_password = "Tenant-Secret-Pw-5"
    out = runner.run(*argv, env={"DATAKIT_TENANT_PASSWORD": tenant_password}, timeout=60)
    assert tenant_password not in out.stdout + out.stderr
    assert out.exit_code == 4, out.stdout + out.stderr
    assert out.result is not None and out.result["error"]["kind"] == "transient"
    assert "warehouse mssql://sa:***@127.0.0.1" in out.error_message
    assert SECRET not in out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    assert len(out.stdout.strip().splitlines()) == 1
