"""Exit codes and result JSON through the real CLI, with tiny projects that fail on purpose."""

from __future__ import annotations

from pathlib import Path

import pytest

from datakit.testing.postgres import SUPERUSER_PASSWORD, free_port
from tests.conftest import base_env, runner_dbt

pytestmark = pytest.mark.integration

PROJECT_YML = """
name: {name}
version: "1.0"
config-version: 2
profile: datakit
flags: {{send_anonymous_usage_stats: false}}
"""


def _project(root: Path, name: str, files: dict[str, str]) -> Path:
    folder = root / name
    (folder / "models").mkdir(parents=True)
    (folder / "dbt_project.yml").write_text(PROJECT_YML.format(name=name), encoding="utf-8")
    for relative, text in files.items():
        (folder / relative).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def projects(tmp_path: Path) -> Path:
    root = tmp_path / "projects"
    _project(root, "failing", {
        "models/one.sql": "select 1 as id union all select 1 as id",
        "models/one.yml": "version: 2\nmodels:\n  - name: one\n    columns:\n"
                          "      - name: id\n        data_tests: [unique, not_null]\n",
    })  # fmt: skip
    _project(root, "broken", {"models/bad.sql": "select * from {{ ref('does_not_exist') }}"})
    _project(root, "sqlerror", {"models/bad.sql": "select * from no_such_table_anywhere"})
    return root


def test_failing_dbt_tests_exit_5_and_list_the_failures(pg_database: str, projects: Path) -> None:
    env = base_env(DATAKIT_WAREHOUSE_URL=pg_database, DATAKIT_DBT_PROJECTS_DIR=str(projects))

    completed = runner_dbt("build", "--project", "failing", env=env)

    assert completed.code == 5, completed.describe()
    result = completed.result
    assert result["status"] == "failed"
    assert result["error"]["exit_code"] == 5
    assert result["error"]["kind"] == "contract"
    assert result["counts"] == {"fail": 1, "pass": 1, "success": 1}
    (failure,) = result["failures"]
    assert failure["name"] == "unique_one_id"
    assert failure["status"] == "fail"
    assert failure["failures"] == 1
    assert "unique_one_id" in result["error"]["message"]


def test_compilation_error_exits_3(pg_database: str, projects: Path) -> None:
    env = base_env(DATAKIT_WAREHOUSE_URL=pg_database, DATAKIT_DBT_PROJECTS_DIR=str(projects))

    completed = runner_dbt("run", "--project", "broken", env=env)

    assert completed.code == 3, completed.describe()
    assert completed.result["error"]["kind"] == "config"
    assert "does_not_exist" in completed.result["error"]["message"]


def test_a_model_failing_in_the_warehouse_exits_3_naming_it(
    pg_database: str, projects: Path
) -> None:
    env = base_env(DATAKIT_WAREHOUSE_URL=pg_database, DATAKIT_DBT_PROJECTS_DIR=str(projects))

    completed = runner_dbt("run", "--project", "sqlerror", env=env)

    assert completed.code == 3, completed.describe()
    assert "model bad failed" in completed.result["error"]["message"]
    assert completed.result["failures"][0]["status"] == "error"


def test_unreachable_warehouse_exits_4(projects: Path) -> None:
    url = f"postgresql://postgres:{SUPERUSER_PASSWORD}@127.0.0.1:{free_port()}/nowhere"
    env = base_env(DATAKIT_WAREHOUSE_URL=url, DATAKIT_DBT_PROJECTS_DIR=str(projects))

    built = runner_dbt("build", "--project", "failing", env=env)
    checked = runner_dbt("check", "--project", "failing", env=env)

    assert built.code == 4, built.describe()
    assert checked.code == 4, checked.describe()
    for completed in (built, checked):
        assert SUPERUSER_PASSWORD not in completed.stdout + completed.stderr


def test_wrong_password_is_a_configuration_error(pg_database: str, projects: Path) -> None:
    url = pg_database.replace(SUPERUSER_PASSWORD, "not-the-password")
    env = base_env(DATAKIT_WAREHOUSE_URL=url, DATAKIT_DBT_PROJECTS_DIR=str(projects))

    completed = runner_dbt("check", "--project", "failing", env=env)

    assert completed.code == 3, completed.describe()
    assert "password authentication failed" in completed.result["error"]["message"]
    assert "not-the-password" not in completed.stdout + completed.stderr


def test_url_from_a_secret_file(pg_database: str, projects: Path, tmp_path: Path) -> None:
    secret = tmp_path / "warehouse_url"
    secret.write_text(pg_database + "\n", encoding="utf-8")
    env = base_env(DATAKIT_WAREHOUSE_URL_FILE=str(secret), DATAKIT_DBT_PROJECTS_DIR=str(projects))

    completed = runner_dbt("check", "--project", "failing", env=env)

    assert completed.code == 0, completed.describe()
    assert SUPERUSER_PASSWORD not in completed.stdout + completed.stderr


@pytest.mark.parametrize(
    ("variable", "url"),
    [
        ("DATAKIT_WAREHOUSE_URL", "postgres:Xq9-Pw@Lk/Zz7 9@127.0.0.1/db"),
        ("DATAKIT_WAREHOUSE_URL", "postgresql://postgres:Xq9-Pw@Lk/Zz7 9@127.0.0.1/db"),
        ("DATAKIT_WAREHOUSE_URL_FILE", "postgresql://postgres:Xq9-Pw%Lk#Zz7?9@127.0.0.1/db"),
    ],
    ids=["no-scheme", "unencoded", "file-bad-escape"],
)
def test_malformed_url_exits_3_without_any_part_of_the_password(
    projects: Path, tmp_path: Path, variable: str, url: str
) -> None:
    value = url
    if variable.endswith("_FILE"):
        secret = tmp_path / "warehouse_url"
        secret.write_text(url + "\n", encoding="utf-8")
        value = str(secret)
    xcom = tmp_path / "xcom"
    xcom.mkdir()
    env = base_env(DATAKIT_DBT_PROJECTS_DIR=str(projects), DATAKIT_XCOM_DIR=str(xcom))
    env.pop("DATAKIT_WAREHOUSE_URL", None)
    env[variable] = value

    completed = runner_dbt("check", "--project", "failing", env=env)

    assert completed.code == 3, completed.describe()
    assert variable in completed.result["error"]["message"]
    seen = completed.stdout + completed.stderr + (xcom / "return.json").read_text()
    for piece in ("Xq9-Pw", "Zz7", "Lk/Zz7", "Xq9-Pw%Lk"):
        assert piece not in seen
