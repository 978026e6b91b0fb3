"""The load protocol with a row-based source (how non-Postgres sources reach a Postgres warehouse)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from datakit.contracts import Batch, Column, ReadRequest, Source, TableRef, TableSchema
from datakit.errors import ConfigError, ContractError
from datakit.load.protocol import Loader
from datakit.load.request import LoadRequest
from datakit.secrets import Secret
from datakit.settings import DatabaseUrl
from datakit.testing import pg
from datakit.typemaps import mapper_for
from datakit.warehouses.postgres import PostgresWarehouse

pytestmark = pytest.mark.integration


class ListSource(Source):
    """An in-memory source: rows as tuples, read in batches, cursor filter applied in Python."""

    name = "memory"

    def __init__(
        self,
        rows: list[tuple[object, ...]],
        columns: tuple[Column, ...],
        key: tuple[str, ...] = ("id",),
    ):
        self.rows = rows
        self.schema = TableSchema(ref=TableRef("app", "items"), columns=columns, primary_key=key)

    def discover(self, schema: str | None = None) -> list[TableSchema]:
        return [self.schema]

    def describe(self, table: TableRef) -> TableSchema:
        if table != self.schema.ref:
            raise ConfigError(f"config error: no table {table}")
        return self.schema

    def read_batches(self, request: ReadRequest) -> Iterator[Batch]:
        names = [c.name for c in self.schema.columns]
        rows = self.rows
        if request.cursor is not None:
            index = names.index(request.cursor.column)
            rows = [r for r in rows if str(r[index]) >= request.cursor.lower_bound]
        for start in range(0, len(rows), request.batch_rows):
            chunk = rows[start : start + request.batch_rows]
            yield Batch(format="rows", rows=chunk, row_count=len(chunk))


COLUMNS = (
    Column("id", "integer", nullable=False),
    Column("name", "text"),
    Column("price", "numeric(12,2)"),
    Column("day", "date"),
    Column("seq", "integer"),
)


def load(url: str, source: Source, **options: object) -> object:
    request = LoadRequest(
        source_table=TableRef("app", "items"),
        target=TableRef("bronze", "mem__items"),
        run_id=str(options.pop("run_id", "r1")),
        batch_rows=2,
        **options,  # type: ignore[arg-type]
    )
    warehouse = PostgresWarehouse(DatabaseUrl(Secret(url), "DATAKIT_WAREHOUSE_URL"))
    return Loader(
        source=source,
        warehouse=warehouse,
        mapper=mapper_for("postgres", "postgres"),
        request=request,
    ).run()


def rows(url: str) -> list[tuple[object, ...]]:
    return pg.fetch(
        url,
        'SELECT id, name, price, day, seq FROM bronze."mem__items" ORDER BY id, _datakit_run_id',
    )


def test_rows_modes_end_to_end(pg_database: str) -> None:
    data = [(i, f"n{i}", Decimal(f"{i}.50"), date(2024, 1, i), i) for i in range(1, 6)]
    source = ListSource(data, COLUMNS)
    result = load(pg_database, source)
    assert result.rows == 5  # type: ignore[attr-defined]
    assert rows(pg_database) == data

    load(pg_database, source, mode="append", run_id="r2")
    load(pg_database, source, mode="append", run_id="r2")
    assert len(rows(pg_database)) == 10

    fresh = ListSource(data, COLUMNS)
    load(pg_database, fresh, mode="full_refresh")
    load(pg_database, fresh, mode="incremental", cursor="seq")
    assert pg.fetch(pg_database, "SELECT watermark FROM bronze._datakit_state") == [("5",)]
    data[4] = (5, "changed", Decimal("9.99"), date(2024, 1, 5), 5)
    load(pg_database, ListSource(data, COLUMNS), mode="incremental", cursor="seq")
    assert rows(pg_database) == data


def test_a_failing_batch_rolls_back_everything(pg_database: str) -> None:
    data = [(1, "a", Decimal("1"), date(2024, 1, 1), 1)]
    load(pg_database, ListSource(data, COLUMNS))
    bad = [
        (2, "b", Decimal("1"), date(2024, 1, 1), 2),
        (3, "c", Decimal("12345678901234"), date(2024, 1, 1), 3),
    ]
    with pytest.raises(ContractError, match="numeric field overflow"):
        load(pg_database, ListSource(bad, COLUMNS))
    assert rows(pg_database) == data
    statuses = pg.fetch(pg_database, "SELECT status FROM bronze._datakit_loads ORDER BY load_id")
    assert statuses == [("succeeded",), ("failed",)]
