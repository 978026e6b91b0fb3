"""The platform file: validated like tenant files, and the naming helpers every adapter shares."""

from __future__ import annotations

from pathlib import Path

import pytest

from datakit_orchestration.errors import PlatformConfigError
from datakit_orchestration.platform import PlatformConfig, Resources, load_platform
from tests.conftest import INCLUDE_DIR


def test_names(platform: PlatformConfig) -> None:
    assert platform.image(platform.runners["postgres"]) == (
        "registry.localhost/datakit/runner-postgres:0.1.0"
    )
    assert platform.image(platform.transform.runner) == (
        "registry.localhost/datakit/runner-dbt:0.1.0"
    )
    assert platform.pool_name("acme") == "datakit_acme"
    assert platform.namespace("big_co") == "datakit-big-co"
    assert platform.secret_name("big_co_warehouse") == "big-co-warehouse"
    assert platform.provisioning["postgres"].admin_conn_id == "datakit_warehouse_admin"
    assert set(platform.pod_templates) == {"default", "large"}
    assert all(path.is_file() for path in platform.pod_templates.values())


@pytest.mark.parametrize(
    ("cpu", "memory", "cores", "size"),
    [
        ("500m", "512Mi", 0.5, 512 * 1024**2),
        ("2", "4Gi", 2.0, 4 * 1024**3),
        ("0.25", "64Ki", 0.25, 65536),
    ],
)
def test_resources(cpu: str, memory: str, cores: float, size: int) -> None:
    resources = Resources(cpu=cpu, memory=memory)
    assert (resources.cpu_cores, resources.memory_bytes) == (cores, size)


def test_broken_platform_file_lists_every_problem(tmp_path: Path) -> None:
    text = (INCLUDE_DIR / "platform.yaml").read_text()
    text = text.replace("queue: default", "queue: nowhere").replace(
        "pod_template: pod_templates/large.yaml", "pod_template: missing.yaml"
    )
    file = tmp_path / "platform.yaml"
    file.write_text(text)
    (tmp_path / "pod_templates").mkdir()
    (tmp_path / "pod_templates" / "default.yaml").write_text("kind: Pod\n")
    with pytest.raises(PlatformConfigError) as raised:
        load_platform(file)
    messages = [f"{p.path}: {p.message}" for p in raised.value.problems]
    assert messages == [
        "defaults.queue: unknown queue (queues: default, large)",
        f"queues.large.pod_template: no such file: {tmp_path / 'missing.yaml'}",
    ]


def test_platform_schema_problems(tmp_path: Path) -> None:
    file = tmp_path / "platform.yaml"
    file.write_text((INCLUDE_DIR / "platform.yaml").read_text().replace("registry: ", "registri: "))
    with pytest.raises(PlatformConfigError) as raised:
        load_platform(file)
    assert [f"{p.line} {p.path}: {p.message}" for p in raised.value.problems] == [
        "5 registri: unknown field (expected one of: defaults, docker, kubernetes, local, "
        "pool_name, provisioning, queues, registry, runners, transform)",
        "5 registry: required",
    ]
