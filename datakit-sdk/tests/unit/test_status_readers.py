"""``datakit status`` reads history through the warehouse engine's hook (offline parts).

The Postgres reader runs for real in ``tests/integration/test_status.py``; SQL Server's T-SQL and
row handling are checked here without a server (none runs on this machine), and an engine
without a reader is refused by name in runner-spark's ``tests/unit/test_status_unsupported.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from datakit.monitoring import HistoryReader, Rules, judge
from datakit.secrets import Secret
from datakit.settings import DatabaseUrl
from datakit.warehouses.postgres import PostgresWarehouse
from datakit.warehouses.sqlserver import SqlServerWarehouse
from datakit.warehouses.sqlserver.history import (
    history_sql,
    loads_from_rows,
    points_from_rows,
    series_sql,
)


def _url(text: str) -> DatabaseUrl:
    return DatabaseUrl(secret=Secret(text), variable="DATAKIT_WAREHOUSE_URL")


def test_both_sql_warehouses_offer_a_history_reader_without_connecting() -> None:
    postgres = PostgresWarehouse.history_reader(_url("postgresql://u:p@127.0.0.1:1/db"))
    sqlserver = SqlServerWarehouse.history_reader(_url("mssql://u:p@127.0.0.1:1/db"))
    assert isinstance(postgres, HistoryReader) and isinstance(sqlserver, HistoryReader)


def test_sqlserver_history_is_tsql_with_bracketed_names() -> None:
    query = history_sql("acme]bronze")
    assert "FROM [acme]]bronze].[_datakit_loads]" in query
    assert "ROW_NUMBER() OVER (PARTITION BY [table_name]" in query and "[n] <= ?" in query
    assert "SWITCHOFFSET([finished_at], '+00:00')" in query
    assert "::" not in query and "%s" not in query
    series = series_sql("b")
    assert "[status] = N'succeeded'" in series and "DATEDIFF_BIG(microsecond" in series


def test_sqlserver_rows_become_the_same_verdicts() -> None:
    finished = datetime(2026, 12, 1, 8, 0)  # datetime2 read back: UTC, no tzinfo
    history = loads_from_rows(
        [
            ("shop__orders", "r3", "failed", None, datetime(2026, 12, 2, 8, 0), "boom"),
            ("shop__orders", "r2", "succeeded", 10, finished, None),
        ]
    )
    loads = history["shop__orders"]
    assert loads[1].finished_at == finished.replace(tzinfo=UTC) and loads[0].rows is None
    verdict = judge("b", "shop__orders", loads, Rules(), datetime(2026, 12, 2, 9, tzinfo=UTC))
    assert verdict.last_run_id == "r2" and verdict.last_failure_error == "boom"
    assert not verdict.stale and verdict.age_seconds == 25 * 3600


def test_sqlserver_series_in_seconds_never_negative() -> None:
    points = points_from_rows(
        [("t", datetime(2026, 12, 1), 5, 2_500_000), ("t", datetime(2026, 12, 2), 0, -7)]
    )["t"]
    assert [(p.rows, p.seconds) for p in points] == [(5, 2.5), (0, 0.0)]
    assert points[0].finished_at.tzinfo is UTC
