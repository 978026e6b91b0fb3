"""The SQL Server warehouse's load-history reader for ``datakit status`` (``history_reader``).

The same questions as the Postgres reader, in T-SQL over ``[<schema>].[_datakit_loads]`` (the
SQL Server warehouse's own layout, :func:`datakit.warehouses.sqlserver.tsql.create_loads_table`).
Decisions: times are read as UTC ``datetime2`` (``SWITCHOFFSET``) and marked UTC here, so no
driver converter for ``datetimeoffset`` is needed; the reads run with ``READ COMMITTED`` and
``autocommit`` (a running load's uncommitted row is not shown, and nothing is held after the
read); ``_datakit_builds`` is written only to Postgres warehouses (runner-dbt), so a SQL Server
warehouse reports no builds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from datakit.contracts import LOADS_TABLE
from datakit.engines.sqlserver.identifiers import quote_qualified
from datakit.monitoring import LastBuild, Load, LoadPoint
from datakit.settings import DatabaseUrl

SCHEMAS_SQL = (
    "SELECT TABLE_SCHEMA FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = ? ORDER BY TABLE_SCHEMA"
)


def _newest_per_table(schema: str, where: str = "") -> str:
    """``FROM`` the newest ``?`` rows of each table of *schema*'s load log (*where* first)."""
    loads = quote_qualified(schema, LOADS_TABLE)
    return (
        " FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY [table_name] ORDER BY [finished_at]"
        f" DESC, [load_id] DESC) AS [n] FROM {loads}{where}) AS [recent] WHERE [n] <= ?"
    )


_FINISHED_UTC = "CAST(SWITCHOFFSET([finished_at], '+00:00') AS datetime2(6))"


def history_sql(schema: str) -> str:
    """The newest ``?`` loads of each table of *schema*, newest first (one parameter)."""
    return (
        f"SELECT [table_name], [run_id], [status], [rows], {_FINISHED_UTC}, [error]"
        f"{_newest_per_table(schema)} ORDER BY [table_name], [finished_at] DESC, [load_id] DESC"
    )


def series_sql(schema: str) -> str:
    """The newest ``?`` successful loads of each table of *schema*, oldest first."""
    succeeded = _newest_per_table(schema, " WHERE [status] = N'succeeded'")
    return (
        f"SELECT [table_name], {_FINISHED_UTC}, COALESCE([rows], 0),"
        " DATEDIFF_BIG(microsecond, [started_at], [finished_at])"
        f"{succeeded}"
        " ORDER BY [table_name], [finished_at], [load_id]"
    )


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def loads_from_rows(rows: Iterable[Sequence[Any]]) -> dict[str, list[Load]]:
    """:func:`history_sql`'s rows as each table's loads (order kept)."""
    history: dict[str, list[Load]] = {}
    for table, run_id, status, rows_, finished_at, error in rows:
        history.setdefault(str(table), []).append(
            Load(
                run_id=str(run_id),
                status=str(status),
                rows=None if rows_ is None else int(rows_),
                finished_at=_utc(finished_at),
                error=error,
            )
        )
    return history


def points_from_rows(rows: Iterable[Sequence[Any]]) -> dict[str, list[LoadPoint]]:
    """:func:`series_sql`'s rows as each table's chart points (negative durations as 0)."""
    series: dict[str, list[LoadPoint]] = {}
    for table, finished_at, rows_, microseconds in rows:
        series.setdefault(str(table), []).append(
            LoadPoint(
                finished_at=_utc(finished_at),
                rows=int(rows_),
                seconds=max(int(microseconds or 0), 0) / 1_000_000,
            )
        )
    return series


class SqlServerHistory:
    """:class:`~datakit.monitoring.HistoryReader` over one SQL Server warehouse."""

    def __init__(self, url: DatabaseUrl) -> None:
        self._url = url

    def _rows(self, query: str, *params: Any) -> list[Sequence[Any]]:
        from datakit.engines.sqlserver.connection import connect
        from datakit.engines.sqlserver.errors import translate_errors

        conn = connect(self._url, role="warehouse", autocommit=True)
        try:
            with translate_errors(f"warehouse {self._url.masked}"):
                return list(conn.cursor().execute(query, *params).fetchall())
        finally:
            conn.close()

    def bronze_schemas(self) -> list[str]:
        return [str(row[0]) for row in self._rows(SCHEMAS_SQL, LOADS_TABLE)]

    def read_history(self, schema: str, *, per_table: int) -> dict[str, list[Load]]:
        return loads_from_rows(self._rows(history_sql(schema), per_table))

    def read_series(self, schema: str, *, per_table: int) -> dict[str, list[LoadPoint]]:
        return points_from_rows(self._rows(series_sql(schema), per_table))

    def last_builds(self, schema: str) -> list[LastBuild]:
        return []


__all__ = [
    "SCHEMAS_SQL",
    "SqlServerHistory",
    "history_sql",
    "loads_from_rows",
    "points_from_rows",
    "series_sql",
]
