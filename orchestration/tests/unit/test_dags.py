"""DAG integrity: one test id per tenant file, in every execution mode.

Each example tenant must import cleanly through the real ``dags/`` folder, carry its tags,
retries with backoff and its own pool, have the provision -> bronze -> silver -> gold shape with
an Asset per bronze table, serialize the way the DAG processor stores it, and never look up a
connection while parsing.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from datakit_orchestration.adapters import MODES
from datakit_orchestration.dag import build_dags
from datakit_orchestration.platform import PlatformConfig
from datakit_orchestration.validation import load_tenants
from tests.conftest import DAGS_DIR, EXAMPLE_TENANT_FILES


@pytest.fixture(scope="module")
def dagbag() -> Any:
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR), safe_mode=True)


@pytest.fixture(scope="module")
def dags_by_mode() -> dict[str, dict[str, Any]]:
    return {mode: build_dags({"DATAKIT_EXECUTION": mode}) for mode in MODES}


def test_dags_folder_imports_without_errors(dagbag: Any) -> None:
    assert dagbag.import_errors == {}
    assert sorted(dagbag.dag_ids) == sorted(f"warehouse__{f.stem}" for f in EXAMPLE_TENANT_FILES)


@pytest.mark.parametrize("tenant_file", EXAMPLE_TENANT_FILES, ids=lambda f: f.name)
def test_tenant_dag_integrity(
    tenant_file: Path,
    dagbag: Any,
    dags_by_mode: dict[str, dict[str, Any]],
    platform: PlatformConfig,
) -> None:
    from airflow.serialization.serialized_objects import DagSerialization

    tenant = load_tenants(platform, [tenant_file]).tenants[tenant_file.stem]
    dag_id = f"warehouse__{tenant.tenant}"
    assert dag_id in dagbag.dags, "imports cleanly through dags/"
    pool = f"datakit_{tenant.tenant}"

    for mode, dags in dags_by_mode.items():
        dag = dags[dag_id]
        assert set(dag.tags) == {"datakit", f"tenant:{tenant.tenant}", f"execution:{mode}"}
        assert dag.catchup is False
        assert dag.max_active_runs == 1

        ids = [task.task_id for task in dag.tasks]
        bronze = [f"bronze.{table.bronze_table}" for table in tenant.tables]
        alerting = ["monitor", "alerts"] if tenant.alerts is not None else []
        assert ids == ["provision", *bronze, "silver", "gold", *alerting]
        for task in dag.tasks:
            assert task.pool == pool, task.task_id
            # alerts never retries: a second attempt would send its messages again
            assert task.retries == (0 if task.task_id == "alerts" else tenant.retries)
            assert task.retry_exponential_backoff == 2.0
            assert task.max_retry_delay is not None
            assert task.execution_timeout is not None
            assert task.owner == tenant.owner

        # provision -> every bronze task (parallel) -> silver -> gold
        assert dag.get_task("provision").downstream_task_ids == set(bronze)
        for task_id in bronze:
            task = dag.get_task(task_id)
            assert task.upstream_task_ids == {"provision"}
            assert task.downstream_task_ids == {"silver"}
            (asset,) = task.outlets
            assert asset.name == f"{tenant.tenant}_bronze.{task_id.removeprefix('bronze.')}"
        silver = dag.get_task("silver")
        assert {a.name for a in silver.inlets} == {
            f"{tenant.tenant}_bronze.{table.bronze_table}" for table in tenant.tables
        }
        assert silver.downstream_task_ids == {"gold"}
        assert dag.get_task("gold").downstream_task_ids == set(alerting[:1])
        assert [a.name for a in dag.get_task("gold").outlets] == [f"{tenant.tenant}_gold"]

        # What the DAG processor stores: must serialize, and keep no secret.
        serialized = DagSerialization.to_dict(dag)
        assert dag_id in str(serialized)
        assert "password" not in str(serialized).lower().replace("datakit_tenant_password", "")


def test_pools_and_queues_follow_the_tenant_files(
    dags_by_mode: dict[str, dict[str, Any]],
) -> None:
    dags = dags_by_mode["local"]
    acme = dags["warehouse__acme"]
    assert acme.get_task("bronze.erp__invoices").queue == "large"
    assert acme.get_task("bronze.erp__orders").queue == "default"
    globex = dags["warehouse__globex"]
    assert globex.get_task("gold").queue == "large"
    assert globex.get_task("silver").retries == 5
    pools = {task.pool for dag in dags.values() for task in dag.tasks}
    assert pools == {f"datakit_{f.stem}" for f in EXAMPLE_TENANT_FILES}, "no shared pool"


def test_no_connection_is_read_while_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow.sdk import BaseHook

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a connection was looked up at parse time")

    monkeypatch.setattr(BaseHook, "get_connection", refuse)
    for mode in MODES:
        assert build_dags({"DATAKIT_EXECUTION": mode})


def test_tenant_files_are_read_once_per_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: Counter[str] = Counter()
    original = Path.read_text

    def counting_read_text(self: Path, *args: Any, **kwargs: Any) -> str:
        reads[self.name] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", counting_read_text)
    build_dags({"DATAKIT_EXECUTION": "local"})
    assert {f.name: reads[f.name] for f in EXAMPLE_TENANT_FILES} == {
        f.name: 1 for f in EXAMPLE_TENANT_FILES
    }
    assert reads["platform.yaml"] == 1


def test_broken_tenant_only_drops_its_own_dag(tmp_path: Path) -> None:
    from datakit_orchestration.dag import raise_for_broken_tenants
    from datakit_orchestration.errors import TenantConfigError

    for file in EXAMPLE_TENANT_FILES:
        (tmp_path / file.name).write_text(file.read_text())
    (tmp_path / "broken.yaml").write_text("tenant: broken\nwarehouse: {}\n")
    dags = build_dags({"DATAKIT_EXECUTION": "local"}, tenants_dir=tmp_path)
    assert sorted(dags) == sorted(f"warehouse__{f.stem}" for f in EXAMPLE_TENANT_FILES)
    with pytest.raises(TenantConfigError) as raised:
        raise_for_broken_tenants(tenants_dir=tmp_path)
    assert f"{tmp_path / 'broken.yaml'}:2 warehouse.type: required" in str(raised.value)
    assert f"{tmp_path / 'broken.yaml'}:1 sources: required" in str(raised.value)
