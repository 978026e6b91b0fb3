"""Watermarks in ``_datakit_state``: typed rows, and rows an older SDK saved (migration on read)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from datakit.contracts import Batch, Column, ReadRequest, Source, TableRef, TableSchema
from datakit.load.protocol import Loader, LoadResult
from datakit.load.request import LoadRequest
from datakit.secrets import Secret
from datakit.settings import DatabaseUrl
from datakit.testing import pg
from datakit.typemaps import mapper_for
from datakit.warehouses.postgres import PostgresWarehouse
from datakit.watermark import Watermark

pytestmark = pytest.mark.integration

T0 = datetime(2024, 2, 1, tzinfo=UTC)
COLUMNS = (Column("id", "integer", nullable=False), Column("at", "timestamp with time zone"))


class TimedSource(Source):
    """Rows (id, at); the cursor filter compares real instants parsed from the watermark."""

    name = "memory"

    def __init__(self, rows: list[tuple[int, datetime]]) -> None:
        self.rows = rows
        self.seen: list[Watermark] = []
        self.schema = TableSchema(TableRef("app", "ev"), COLUMNS, ("id",))

    def discover(self, schema: str | None = None) -> list[TableSchema]:
        return [self.schema]

    def describe(self, table: TableRef) -> TableSchema:
        return self.schema

    def read_batches(self, request: ReadRequest) -> Iterator[Batch]:
        rows = self.rows
        if request.cursor is not None:
            self.seen.append(request.cursor.watermark)
            bound = datetime.fromisoformat(request.cursor.watermark.text)
            rows = [r for r in rows if r[1] >= bound]
        yield Batch(format="rows", rows=rows, row_count=len(rows))


def _load(url: str, source: Source) -> LoadResult:
    request = LoadRequest(
        source_table=TableRef("app", "ev"),
        target=TableRef("bronze", "mem__ev"),
        run_id="r1",
        mode="incremental",
        cursor="at",
    )
    warehouse = PostgresWarehouse(DatabaseUrl(Secret(url), "DATAKIT_WAREHOUSE_URL"))
    return Loader(
        source=source,
        warehouse=warehouse,
        mapper=mapper_for("postgres", "postgres"),
        request=request,
    ).run()


def test_typed_watermark_is_saved_and_handed_to_the_source(pg_database: str) -> None:
    rows = [(i, T0 + timedelta(hours=i)) for i in range(5)]
    first = _load(pg_database, TimedSource(rows))
    assert first.watermark == "2024-02-01 04:00:00+00"  # the result line reads as before
    assert pg.fetch(pg_database, "SELECT cursor_type, watermark FROM bronze._datakit_state") == [
        ("timestamptz", "2024-02-01 04:00:00+00")
    ]
    source = TimedSource(rows)
    assert _load(pg_database, source).rows == 1
    assert source.seen == [Watermark("timestamptz", "2024-02-01T04:00:00+00:00")]


def test_a_state_row_saved_by_an_older_sdk_is_read(pg_database: str) -> None:
    rows = [(i, T0 + timedelta(hours=i)) for i in range(5)]
    _load(pg_database, TimedSource(rows[:1]))
    # What the SDK saved before typed watermarks: the source's type name, Postgres text in a
    # session whose TimeZone was not UTC.
    pg.execute(
        pg_database,
        "UPDATE bronze._datakit_state SET cursor_type = 'timestamp with time zone',"
        " watermark = '2024-02-01 05:30:00+02:30'",
    )
    source = TimedSource(rows)
    result = _load(pg_database, source)
    assert source.seen == [Watermark("timestamptz", "2024-02-01T05:30:00+02:30")]
    assert result.rows == 2  # 03:00 and 04:00 UTC
    assert pg.fetch(pg_database, "SELECT cursor_type, watermark FROM bronze._datakit_state") == [
        ("timestamptz", "2024-02-01 04:00:00+00")
    ]
