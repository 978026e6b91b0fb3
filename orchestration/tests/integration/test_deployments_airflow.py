"""Two deployments from one DAG folder: each real Airflow lists only its tenants' DAGs and Assets.

Like ``test_import_errors.py``: the Airflow CLI parses ``dags/`` into an isolated SQLite metadata
database per deployment (``dags reserialize`` fills a DagBag as the DAG processor does), then reads
DAGs, import errors and Assets back. The shared deployment holds a broken tenant file whose
connection URL carries a password: it is an import error there and absent from the other.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.airflow_cli import airflow_env, last_json, run_airflow
from tests.conftest import DAGS_DIR, EXAMPLE_TENANT_FILES, INCLUDE_DIR

pytestmark = pytest.mark.integration

SECRET = "initech-Secret-31337"
BROKEN = f"""\
tenant: initech
warehouse: {{type: postgres, connection: initech_warehouse}}
sources:
  erp:
    type: postgres
    connection: "postgresql://loader:{SECRET}@db/erp"
    tables: [public.orders]
"""


def _parse(tmp_path: Path, tenants: Path, deployments: Path, deployment: str) -> dict[str, str]:
    home = tmp_path / f"airflow-{deployment}"
    home.mkdir()
    env = airflow_env(
        home,
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS_DIR),
        DATAKIT_TENANTS_DIR=str(tenants),
        DATAKIT_DEPLOYMENTS_FILE=str(deployments),
        DATAKIT_DEPLOYMENT=deployment,
        DATAKIT_EXECUTION="local",
    )
    return run_airflow(
        [
            ["db", "migrate"],
            ["dags", "reserialize"],
            ["dags", "list-import-errors", "-o", "json"],
            ["dags", "list", "-o", "json"],
            ["assets", "list", "-o", "json"],
        ],
        env,
    )


def test_each_deployment_lists_only_its_tenants_and_errors(tmp_path: Path) -> None:
    tenants = tmp_path / "tenants"
    tenants.mkdir()
    for file in EXAMPLE_TENANT_FILES:
        shutil.copy(file, tenants)
    (tenants / "initech.yaml").write_text(BROKEN)
    deployments = tmp_path / "deployments.yaml"
    deployments.write_text(
        (INCLUDE_DIR / "deployments.yaml")
        .read_text()
        .replace("tenants: [demo, globex]", "tenants: [demo, globex, initech]")
    )

    shared = _parse(tmp_path, tenants, deployments, "shared")
    acme = _parse(tmp_path, tenants, deployments, "acme")

    def dag_ids(out: dict[str, str]) -> set[str]:
        return {dag["dag_id"] for dag in last_json(out["dags list -o json"])}  # type: ignore[union-attr]

    def asset_names(out: dict[str, str]) -> set[str]:
        return {asset["name"] for asset in last_json(out["assets list -o json"])}  # type: ignore[union-attr]

    assert dag_ids(shared) == {"warehouse__demo", "warehouse__globex"}
    assert dag_ids(acme) == {"warehouse__acme"}
    assert asset_names(acme) and all(name.startswith("acme_") for name in asset_names(acme))
    assert not {name for name in asset_names(shared) if name.startswith("acme_")}

    (error,) = last_json(shared["dags list-import-errors -o json"])  # type: ignore[misc]
    assert error["filepath"] == "tenant_config_errors.py"
    assert f"{tenants / 'initech.yaml'}:6 sources.erp.connection:" in error["error"]
    assert "'postgresql://loader:***@db/***' is not allowed" in error["error"]
    assert not any(SECRET in text for text in shared.values())
    assert last_json(acme["dags list-import-errors -o json"]) == []
    assert not any("initech" in text for text in acme.values())
    assert not any(SECRET in text for text in acme.values())
