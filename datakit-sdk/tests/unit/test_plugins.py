"""Plug-ins by entry point: the built-ins are found that way, and so is a new package's plug-in."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from datakit import plugins
from datakit.errors import ConfigError
from datakit.plugins import registered
from datakit.secrets import Secret
from datakit.settings import DatabaseUrl
from datakit.testing import acceptance_class
from datakit.testing.acceptance.postgres_postgres import PostgresToPostgresAcceptance
from datakit.typemaps import mapper_for
from datakit.typemaps.postgres_postgres import MAPPER
from datakit.warehouses.postgres import PostgresWarehouse
from datakit.warehouses.registry import warehouse_class


def test_the_sdk_registers_its_built_ins_as_entry_points() -> None:
    assert "postgres" in registered("datakit.warehouses")
    assert "postgres_to_postgres" in registered("datakit.typemaps")
    assert "postgres_to_postgres" in registered("datakit.acceptance")
    assert mapper_for("postgres", "postgres") is MAPPER
    assert acceptance_class(source="postgres", warehouse="postgres") is PostgresToPostgresAcceptance
    url = DatabaseUrl(Secret("postgresql://u@h/db"), "DATAKIT_WAREHOUSE_URL")
    assert warehouse_class(url) is PostgresWarehouse


def test_provisioning_belongs_to_the_engine() -> None:
    assert callable(getattr(PostgresWarehouse, "provision_tenant", None))


def test_unknown_pairs_name_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"no type map for oracle->postgres .*postgres->postgres"):
        mapper_for("oracle", "postgres")
    with pytest.raises(ValueError, match=r"no acceptance suite for oracle->postgres"):
        acceptance_class(source="oracle", warehouse="postgres")


def test_a_new_package_adds_a_type_map_without_editing_the_sdk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An installed distribution's entry points (a real dist-info on sys.path) are found."""
    (tmp_path / "oracle_plugin.py").write_text("MAPPER = object()\nclass Suite: pass\n")
    info = tmp_path / "datakit_oracle-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: datakit-oracle\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[datakit.typemaps]\noracle_to_postgres = oracle_plugin:MAPPER\n\n"
        "[datakit.acceptance]\noracle_to_postgres = oracle_plugin:Suite\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    import oracle_plugin  # type: ignore[import-not-found]

    assert mapper_for("oracle", "postgres") is oracle_plugin.MAPPER
    assert acceptance_class(source="oracle", warehouse="postgres") is oracle_plugin.Suite
    monkeypatch.delitem(sys.modules, "oracle_plugin")


def test_installed_entry_points_are_read_once_per_sys_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading every installed package's metadata is a measurable part of a runner's start; the
    groups a run asks for (warehouse, type map, dialect) share one read."""
    reads: list[int] = []
    real = plugins.entry_points

    def counted() -> object:
        reads.append(1)
        return real()

    monkeypatch.setattr(plugins, "entry_points", counted)
    plugins._installed_entry_points.cache_clear()
    monkeypatch.syspath_prepend("/nonexistent-datakit-test-path")
    for group in ("datakit.warehouses", "datakit.typemaps", "datakit.dialects"):
        assert plugins.registered(group)  # type: ignore[arg-type]
    assert len(reads) == 1
