"""runner-dbt's image: the SDK's shared image checks (the built image where a container engine
answers, its install imitated on the host, the Dockerfile as text), plus what only this image has:
the dbt projects inside the package, every adapter, and an offline compile from the clean install."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from datakit.testing.containers import BuiltImage, Engine
from datakit.testing.image_checks import *  # noqa: F403 - the shared tests are collected here
from datakit.testing.image_checks import ImageSpec, Installed, output, run


@pytest.fixture(scope="module")
def image_spec() -> ImageSpec:
    return ImageSpec(
        component_dir=Path(__file__).resolve().parents[2],
        cli="runner-dbt",
        distribution="runner_dbt",
        extras="sqlserver,spark",
        # Published as sdists only: images/wheels.sh builds their wheels at the locked versions
        # (pyhive, thrift and pure-sasl: dbt-spark's thrift method, the spark+thrift URL).
        sdist_only=("pyspark", "pyhive", "thrift", "pure-sasl"),
        commands=("build", "run", "test", "snapshot", "seed", "compile", "ls", "check", "discover"),
        own_distributions=("datakit_sdk", "runner_dbt"),
        # The dbt projects' data tests are part of the product, not test code.
        product_prefixes=(("datakit_runner_dbt", "projects"),),
    )


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


def test_the_build_record_writer_is_installed(installed: Installed) -> None:
    """psycopg 3 writes _datakit_builds (dbt brings only psycopg2): an image without it failed
    every build with ModuleNotFoundError before the dependency on datakit-sdk[postgres]."""
    code = "import psycopg, datakit.warehouses.postgres.builds"
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


@pytest.mark.container
def test_image_holds_the_thrift_methods_client(
    container_engine: Engine, runner_image: BuiltImage
) -> None:
    """spark+thrift:// needs PyHive with thrift-sasl and pure-sasl; an image whose PyHive wheel
    was built with the base's setuptools (extra spelled hive_pure_sasl) lacked the two sasl
    packages until runner-dbt named them itself."""
    code = "import pyhive.hive, thrift_sasl, puresasl, dbt.adapters.spark.connections"
    done = container_engine.run_container(runner_image.ref, ["-c", code], entrypoint="python")

    assert done.returncode == 0, done.stderr[-2000:]
