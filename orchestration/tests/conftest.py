"""Shared test setup: an isolated Airflow home per test session, and the example tenants.

Airflow reads ``AIRFLOW_HOME`` and its config when first imported, so the variables are set
here, before any test module imports Airflow. Each session gets its own folder: other engineers
run tests on the same machine at the same time.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
INCLUDE_DIR = PROJECT_DIR / "include"
DAGS_DIR = PROJECT_DIR / "dags"
EXAMPLE_TENANT_FILES = sorted((INCLUDE_DIR / "tenants").glob("*.yaml"))

_AIRFLOW_HOME = tempfile.mkdtemp(prefix="datakit-orch-airflow-")
atexit.register(shutil.rmtree, _AIRFLOW_HOME, ignore_errors=True)
os.environ["AIRFLOW_HOME"] = _AIRFLOW_HOME
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(DAGS_DIR)
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_AIRFLOW_HOME}/airflow.db"
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "False")
os.environ.pop("DATAKIT_TENANTS_DIR", None)
os.environ.pop("DATAKIT_PLATFORM_FILE", None)
os.environ.pop("DATAKIT_EXECUTION", None)


@pytest.fixture(scope="session")
def platform():  # type: ignore[no-untyped-def]
    from datakit_orchestration.platform import load_platform

    return load_platform()


@pytest.fixture
def airflow_home() -> Path:
    return Path(_AIRFLOW_HOME)


def pytest_configure(config: pytest.Config) -> None:
    # tests/integration/test_parity_modes.py: local, docker and pod modes of one scenario.
    config.addinivalue_line(
        "markers",
        "container: needs a container engine (docker or podman); skipped, with the reason, "
        "where none answers",
    )
