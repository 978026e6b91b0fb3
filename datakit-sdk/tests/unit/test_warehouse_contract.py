"""The Warehouse/LoadSession contracts: Postgres fills them, and the Loader reads the capabilities."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest

from datakit import warehouse_contract
from datakit.contracts import Batch, Column, ReadRequest, Source, TableRef, TableSchema
from datakit.errors import ConfigError
from datakit.load.protocol import Loader
from datakit.load.request import LoadRequest
from datakit.typemaps import mapper_for
from datakit.warehouse_contract import (
    LoadSession,
    SupportsCopyProgress,
    SupportsLoadTimeIndex,
    SupportsPostLoadMaintenance,
    SupportsSwapPublish,
    Warehouse,
)
from datakit.warehouses.postgres.warehouse import PostgresLoadSession, PostgresWarehouse
from datakit.watermark import Watermark

CONTRACTS = [
    (Warehouse, PostgresWarehouse),
    (LoadSession, PostgresLoadSession),
    (SupportsPostLoadMaintenance, PostgresLoadSession),
    (SupportsCopyProgress, PostgresLoadSession),
    (SupportsLoadTimeIndex, PostgresLoadSession),
]


def _methods(protocol: type) -> list[str]:
    return [
        name
        for name, member in vars(protocol).items()
        if inspect.isfunction(member) and not name.startswith("_")
    ]


@pytest.mark.parametrize(("protocol", "implementation"), CONTRACTS)
def test_postgres_fills_every_method_with_the_same_signature(
    protocol: type, implementation: type
) -> None:
    """Same parameter names, kinds and defaults: the Loader calls them by keyword."""
    for name in _methods(protocol):
        wanted = inspect.signature(getattr(protocol, name))
        found = inspect.signature(getattr(implementation, name))
        shape = [(p.name, p.kind, p.default) for p in wanted.parameters.values()]
        assert [(p.name, p.kind, p.default) for p in found.parameters.values()] == shape, name


def test_every_contract_method_states_its_guarantee() -> None:
    for protocol, _ in CONTRACTS:
        for name in _methods(protocol):
            assert (getattr(protocol, name).__doc__ or "").strip(), f"{protocol.__name__}.{name}"


def test_the_loader_calls_nothing_outside_the_contract() -> None:
    """Every ``session.x``/``self.warehouse.x`` the Loader uses is declared by a contract."""
    import re

    from datakit.load import protocol

    text = inspect.getsource(protocol)
    declared = {
        name
        for proto in (
            LoadSession,
            SupportsPostLoadMaintenance,
            SupportsCopyProgress,
            SupportsSwapPublish,
            SupportsLoadTimeIndex,
        )
        for name in _methods(proto)
    }
    used = set(re.findall(r"\bsession\.(\w+)", text))
    assert used and used <= declared, used - declared
    on_warehouse = set(re.findall(r"self\.warehouse\.(\w+)", text))
    assert on_warehouse <= {*_methods(Warehouse), "engine", "capabilities"}, on_warehouse


def test_postgres_instances_are_warehouses() -> None:
    from datakit.secrets import Secret
    from datakit.settings import DatabaseUrl

    url = DatabaseUrl(Secret("postgresql://u@localhost:1/db"), "DATAKIT_WAREHOUSE_URL")
    assert isinstance(PostgresWarehouse(url), Warehouse)
    assert "analyze" not in _methods(LoadSession)
    assert warehouse_contract.__doc__ and "old-or-new" in warehouse_contract.__doc__


class _OneTable(Source):
    name = "memory"

    def __init__(self) -> None:
        self.reads = 0
        self.schema = TableSchema(TableRef("app", "t"), (Column("id", "integer"),), ("id",))

    def discover(self, schema: str | None = None) -> list[TableSchema]:
        return [self.schema]

    def describe(self, table: TableRef) -> TableSchema:
        self.reads += 1
        return self.schema

    def read_batches(self, request: ReadRequest) -> Iterator[Batch]:
        self.reads += 1
        yield Batch(format="rows", rows=[(1,)], row_count=1)


class _SwapOnlyWarehouse:
    """A warehouse without transactional DDL (Spark over files): every call is recorded."""

    engine = "files"
    capabilities = replace(PostgresWarehouse.capabilities, supports_transactional_ddl=False)

    def __init__(self, *, can_publish: bool = True) -> None:
        self.calls: list[str] = []
        self.can_publish = can_publish

    def __getattr__(self, name: str) -> Any:
        if name == "publish" and not self.can_publish:
            raise AttributeError(name)

        def record(*_args: object, **_kwargs: object) -> None:
            self.calls.append(name)

        return record

    @contextmanager
    def begin(self, target: TableRef, *, run_id: str) -> Iterator[Any]:
        self.calls.append("begin")
        yield self

    def write(self, columns: Any, batches: Any, *, to_stage: bool = False) -> int:
        self.calls.append("write")
        return sum(batch.row_count for batch in batches)

    def max_value(self, column: str, *, in_stage: bool = True) -> Watermark | None:
        self.calls.append("max_value")
        return Watermark("int", "1")

    def watermark_text(self, watermark: Watermark) -> str:
        return watermark.text


def _loader(source: Source, warehouse: Any, **request: Any) -> Loader:
    return Loader(
        source=source,
        warehouse=warehouse,
        mapper=mapper_for("postgres", "postgres"),
        request=LoadRequest(
            source_table=TableRef("app", "t"),
            target=TableRef("bronze", "t"),
            run_id="r1",
            **request,
        ),
    )


def test_a_warehouse_without_transactional_ddl_nor_publish_is_refused_before_any_data() -> None:
    source, warehouse = _OneTable(), _SwapOnlyWarehouse(can_publish=False)
    with pytest.raises(ConfigError, match="no transactional DDL"):
        _loader(source, warehouse).run()
    assert warehouse.calls == ["verify_target", "prepare_schema", "begin", "record_failure"]
    assert source.reads == 1  # describe only, no rows read


@pytest.mark.parametrize(
    ("mode", "data_calls"),
    [
        ("full_refresh", ["replace_all", "write"]),
        ("append", ["delete_run", "write"]),
        ("incremental", ["read_watermark", "create_stage", "write", "max_value", "merge_stage"]),
    ],
)
def test_without_transactional_ddl_data_is_published_before_watermark_and_load_log(
    mode: str, data_calls: list[str]
) -> None:
    """Stage, one atomic publish, then the watermark, then the log: a crash between any two
    leaves old-or-new and the watermark never runs ahead of the data."""
    source, warehouse = _OneTable(), _SwapOnlyWarehouse()
    extra = {"cursor": "id"} if mode == "incremental" else {}
    result = _loader(source, warehouse, mode=mode, **extra).run()
    assert result.status == "succeeded" and result.rows == 1
    after_ddl = warehouse.calls[warehouse.calls.index("existing_columns") + 2 :]
    tail = ["publish", "save_watermark"] if mode == "incremental" else ["publish"]
    expected = [*data_calls, "post_load_maintenance", *tail, "log_load", "commit"]
    assert after_ddl == expected
