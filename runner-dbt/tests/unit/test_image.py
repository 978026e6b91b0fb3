"""runner-dbt's image: the SDK's shared image checks (install without Docker, Dockerfile as text,
a real build where an engine answers), plus what only this image has: the dbt projects inside the
package, every adapter, and an offline compile from the clean install."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from datakit.testing.image_checks import *  # noqa: F403 - the shared tests are collected here
from datakit.testing.image_checks import ImageSpec, Installed, build_wheels, output, run


@pytest.fixture(scope="module")
def image_spec() -> ImageSpec:
    return ImageSpec(
        component_dir=Path(__file__).resolve().parents[2],
        cli="runner-dbt",
        image_name="registry.localhost/analytics/runner-dbt",
        commands=("build", "run", "test", "snapshot", "seed", "compile", "ls", "check", "discover"),
        own_distributions=("datakit_sdk", "runner_dbt"),
        # The dbt projects' data tests are part of the product, not test code.
        product_prefixes=(("datakit_runner_dbt", "projects"),),
    )


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory, image_spec: ImageSpec) -> Path:
    """The Dockerfile's wheel folder: both wheels, the lock's constraints, pyspark's wheel."""
    out_dir = tmp_path_factory.mktemp("wheels")
    uv = build_wheels(image_spec, out_dir)
    constraints = out_dir / "constraints.txt"
    steps = [
        [uv, "export", "--frozen", "--no-dev", "--all-extras", "--no-hashes",
         "--no-emit-project", "--no-emit-package", "datakit-sdk", "-o", str(constraints)],
        # The pip cache is allowed here (not in the image): pyspark's sdist is ~450 MB.
        [sys.executable, "-m", "pip", "wheel", "--disable-pip-version-check", "--no-deps",
         "--no-binary", "pyspark", "--constraint", str(constraints), "--wheel-dir",
         str(out_dir), "pyspark"],
    ]  # fmt: skip
    for step in steps:
        result = run(
            step, cwd=image_spec.component_dir, timeout_seconds=image_spec.build_timeout_seconds
        )
        if result.returncode != 0:
            pytest.fail(f"{step[1]} failed\n{output(result)}")
    return out_dir


def test_projects_ship_inside_the_package(installed: Installed) -> None:
    site_packages = next(installed.venv.glob("lib/python3*/site-packages"))
    project = site_packages / "datakit_runner_dbt" / "projects" / "warehouse"

    assert (project / "dbt_project.yml").is_file()
    assert (project / "models" / "gold" / "fct_orders.sql").is_file()
    assert not (project / "target").exists(), "no build output from a developer's tree"


def test_every_adapter_is_installed(installed: Installed) -> None:
    code = (
        "import dbt.adapters.postgres, dbt.adapters.sqlserver, dbt.adapters.spark.session, "
        "pyspark, pyodbc; print(pyspark.__version__)"
    )
    result = run([str(installed.venv / "bin" / "python"), "-c", code], env=installed.env)

    # pyodbc needs libodbc (unixodbc), which the image installs with apt; the host may lack it.
    if result.returncode != 0 and "libodbc" in result.stderr:
        code = code.replace(", pyodbc", "")
        result = run([str(installed.venv / "bin" / "python"), "-c", code], env=installed.env)
    assert result.returncode == 0, output(result)


def test_installed_cli_compiles_the_project_offline_for_sqlserver(installed: Installed) -> None:
    """Profile, adapters and the packaged project work together from a clean install."""
    env = {**installed.env, "DATAKIT_WAREHOUSE_URL": "mssql://sa:pw-123@127.0.0.1:1/dwh"}
    result = run(
        [str(installed.venv / "bin" / installed.cli_name), "compile", "--offline", "--select", "tag:gold"],
        cwd=installed.home, env=env, timeout_seconds=300,
    )  # fmt: skip

    assert result.returncode == 0, output(result)
    assert json.loads(result.stdout.strip().splitlines()[-1])["status"] == "succeeded"
