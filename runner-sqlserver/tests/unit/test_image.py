"""runner-sqlserver's image: the SDK's shared image checks (the built image where a container
engine answers, its install imitated on the host, the Dockerfile as text) applied to this runner."""

from __future__ import annotations

from pathlib import Path

import pytest

from datakit.testing.image_checks import *  # noqa: F403 - the shared tests are collected here
from datakit.testing.image_checks import ImageSpec


@pytest.fixture(scope="module")
def image_spec() -> ImageSpec:
    return ImageSpec(
        component_dir=Path(__file__).resolve().parents[2],
        cli="runner-sqlserver",
        distribution="runner_sqlserver",
        commands=("extract", "run", "check", "discover", "provision", "status"),
        own_distributions=("datakit_sdk", "runner_sqlserver"),
    )
