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


def test_every_build_is_recorded_with_its_tests_and_who_ran_it(
    pg_database: str, projects: Path
) -> None:
    """A row per build in bronze._datakit_builds: selection, status, tests, failing tests, the
    role (current_user), runner and version, image and arguments, with a pasted secret masked."""
    from urllib.parse import unquote, urlsplit

    from datakit.warehouses.postgres.builds import last_builds
    from tests.conftest import query

    secret = unquote(urlsplit(pg_database).password or "")
    assert secret, "the test server's URL has a password"
    image = "registry.localhost/datakit/runner-dbt:0.0.0-test"
    env = base_env(
        DATAKIT_WAREHOUSE_URL=pg_database,
        DATAKIT_DBT_PROJECTS_DIR=str(projects),
        DATAKIT_IMAGE=image,
        DATAKIT_RUN_ID="audit-run",
    )
    build_args = ("build", "--project", "many_failures", "--vars", json.dumps({"n": secret}))
    failed = runner_dbt(*build_args, env=env)
    assert failed.code == 5 and failed.result["build_recorded"] is True, failed.describe()
    passed = runner_dbt("run", "--project", "many_failures", "--select", "dup", env=env)
    assert passed.code == 0 and passed.result["build_recorded"] is True, passed.describe()
    version = runner_dbt("--version", env=env).stdout.strip()

    rows = query(
        pg_database,
        "select command, selection, status, tests_passed, tests_failed, counts, failures,"
        " run_by, runner, image, arguments, current_user, run_id from bronze._datakit_builds"
        " order by build_id",
    )
    assert len(rows) == 2
    build, run = rows
    assert build[:5] == ("build", "", "failed", 0, FAILING_COLUMNS)
    assert build[5] == {"fail": FAILING_COLUMNS, "success": 1}
    assert len(build[6]) == FAILING_COLUMNS
    assert all(f["resource_type"] == "test" and f["failures"] == 1 for f in build[6])
    assert build[7] == build[11] and build[8] == version and build[9] == image
    assert build[10][:4] == list(build_args[:4]) and build[10][4] == '{"n": "***"}'
    assert secret not in json.dumps([list(map(str, row)) for row in rows])
    assert run[:5] == ("run", "--select dup", "succeeded", 0, 0) and run[12] == "audit-run"

    latest = {b.selection: b for b in last_builds(pg_database, "bronze")}
    assert sorted(latest) == ["", "--select dup"]
    assert latest[""].tests_failed == FAILING_COLUMNS and latest[""].status == "failed"
