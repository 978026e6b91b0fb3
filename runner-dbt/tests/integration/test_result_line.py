"""The result line stays small and keeps the failures; offline compiles need no warehouse URL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import base_env, runner_dbt

pytestmark = pytest.mark.integration

FAILING_COLUMNS = 12  # more failing tests than the line keeps (10)
PROJECT_YML = """
name: many_failures
version: "1.0"
config-version: 2
profile: datakit
flags: {send_anonymous_usage_stats: false}
"""


@pytest.fixture
def projects(tmp_path: Path) -> Path:
    """A model whose 12 columns each repeat a value (and one NULL): 12 unique tests fail."""
    folder = tmp_path / "projects" / "many_failures"
    (folder / "models").mkdir(parents=True)
    (folder / "dbt_project.yml").write_text(PROJECT_YML, encoding="utf-8")
    columns = [f"c{i:02d}" for i in range(FAILING_COLUMNS)]
    row = ", ".join(f"1 as {name}" for name in columns)
    (folder / "models" / "dup.sql").write_text(
        f"select {row} union all select {row} union all select {row}", encoding="utf-8"
    )
    tests = "".join(f"      - name: {name}\n        data_tests: [unique]\n" for name in columns)
    (folder / "models" / "dup.yml").write_text(
        f"version: 2\nmodels:\n  - name: dup\n    columns:\n{tests}", encoding="utf-8"
    )
    return tmp_path / "projects"


def test_failures_stay_in_a_bounded_line_and_all_of_them_in_the_file(
    pg_database: str, projects: Path, tmp_path: Path
) -> None:
    env = base_env(DATAKIT_WAREHOUSE_URL=pg_database, DATAKIT_DBT_PROJECTS_DIR=str(projects))
    detail_file = tmp_path / "out" / "build.json"

    completed = runner_dbt(
        "build", "--project", "many_failures", "--result-file", str(detail_file), env=env
    )

    assert completed.code == 5, completed.describe()
    line = completed.stdout.strip().splitlines()[-1]
    assert len(line.encode()) < 8192, len(line.encode())
    result = completed.result
    assert result["counts"] == {"fail": FAILING_COLUMNS, "success": 1}
    assert "nodes" not in result
    assert len(result["failures"]) == 10 and result["failures_omitted"] == 2
    for failure in result["failures"]:
        assert failure["status"] == "fail" and failure["failures"] == 1  # one duplicated value
        assert failure["name"].startswith("unique_dup_c")
        assert len(failure["message"]) <= 500
    assert result["error"]["kind"] == "contract"
    assert result["result_file"] == str(detail_file.resolve())
    detail = json.loads(detail_file.read_text(encoding="utf-8"))
    assert detail["status"] == "failed" and detail["error"] == result["error"]
    assert len(detail["failures"]) == FAILING_COLUMNS
    assert len(detail["nodes"]) == FAILING_COLUMNS + 1


@pytest.mark.parametrize("target_type", [None, "postgres", "sqlserver", "spark"])
def test_offline_compile_needs_no_warehouse_url(target_type: str | None) -> None:
    env = base_env(DATAKIT_TENANT="acme")
    assert "DATAKIT_WAREHOUSE_URL" not in env
    args = ["--target-type", target_type] if target_type else []

    completed = runner_dbt("compile", "--offline", *args, env=env)

    assert completed.code == 0, completed.describe()
    assert completed.result["adapter"] == (target_type or "postgres")
    assert completed.result["offline"] is True
    assert set(completed.result["counts"]) == {"success"}
    assert completed.result["schemas"]["silver"] == "acme_silver"
