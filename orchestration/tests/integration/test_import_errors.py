"""A broken tenant file in a real Airflow: an import error naming it, the other DAGs intact.

Runs the Airflow CLI against an isolated SQLite metadata database: ``dags reserialize`` parses
the ``dags/`` folder like the DAG processor and stores DAGs and import errors;
``dags list-import-errors`` and ``dags list`` read them back.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.airflow_cli import airflow_env, last_json, run_airflow
from tests.conftest import DAGS_DIR, EXAMPLE_TENANT_FILES

pytestmark = pytest.mark.integration

BROKEN = """\
tenant: broken
warehouse: {type: postgres, connection: broken_warehouse}
sources:
  erp:
    type: postgres
    connection: acme_erp
    tables:
      - {name: public.orders, mode: incremental}
"""


def test_broken_tenant_is_an_import_error_and_hides_nothing(tmp_path: Path) -> None:
    tenants = tmp_path / "tenants"
    tenants.mkdir()
    for file in EXAMPLE_TENANT_FILES:
        shutil.copy(file, tenants)
    (tenants / "broken.yaml").write_text(BROKEN)
    home = tmp_path / "airflow"
    home.mkdir()
    env = airflow_env(
        home,
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS_DIR),
        DATAKIT_TENANTS_DIR=str(tenants),
        DATAKIT_EXECUTION="local",
    )
    out = run_airflow(
        [
            ["db", "migrate"],
            ["dags", "reserialize"],
            ["dags", "list-import-errors", "-o", "json"],
            ["dags", "list", "-o", "json"],
        ],
        env,
    )

    (error,) = last_json(out["dags list-import-errors -o json"])  # type: ignore[misc]
    assert error["filepath"] == "tenant_config_errors.py"
    message = error["error"]
    assert "tenant configuration error: 2 problems in" in message
    assert f"{tenants / 'broken.yaml'}:6 sources.erp.connection: 'acme_erp' is not this " in message
    assert (
        f"{tenants / 'broken.yaml'}:8 sources.erp.tables[0].cursor: required for mode incremental"
        in message
    )

    listed = {dag["dag_id"] for dag in last_json(out["dags list -o json"])}  # type: ignore[union-attr]
    expected = {f"warehouse__{file.stem}" for file in EXAMPLE_TENANT_FILES}
    assert listed == expected
    with sqlite3.connect(home / "airflow.db") as db:
        rows = db.execute("SELECT dag_id, is_stale, has_import_errors FROM dag").fetchall()
    assert sorted(rows) == [(dag_id, 0, 0) for dag_id in sorted(expected)]

    # Fixing the file clears the error on the next parse.
    (tenants / "broken.yaml").unlink()
    out = run_airflow([["dags", "reserialize"], ["dags", "list-import-errors", "-o", "json"]], env)
    assert last_json(out["dags list-import-errors -o json"]) == []
