"""The Postgres warehouse's load-history reader for ``datakit status`` (``history_reader`` hook).

Reads ``<schema>._datakit_loads`` and ``_datakit_builds`` with plain ``SELECT``s (no lock a load
waits for); the verdicts are :mod:`datakit.monitoring`'s, the same for every engine.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from datakit.contracts import LOADS_TABLE
from datakit.monitoring import LastBuild, Load, LoadPoint
from datakit.settings import DatabaseUrl

_SCHEMAS = (
    "SELECT table_schema FROM information_schema.tables WHERE table_name = %s ORDER BY table_schema"
)
_HISTORY = (
    "SELECT table_name, run_id, status, rows, finished_at, error FROM ("
    " SELECT *, row_number() OVER (PARTITION BY table_name ORDER BY finished_at DESC,"
    " load_id DESC) AS n FROM {}) AS recent WHERE n <= %s"
    " ORDER BY table_name, finished_at DESC, load_id DESC"
)
_SERIES = (
    "SELECT table_name, finished_at, rows, seconds FROM ("
    " SELECT table_name, finished_at, coalesce(rows, 0) AS rows,"
    " greatest(extract(epoch FROM finished_at - started_at), 0)::float8 AS seconds,"
    " load_id, row_number() OVER (PARTITION BY table_name ORDER BY finished_at DESC,"
    " load_id DESC) AS n FROM {} WHERE status = 'succeeded') AS recent WHERE n <= %s"
    " ORDER BY table_name, finished_at, load_id"
)


class PostgresHistory:
    """:class:`~datakit.monitoring.HistoryReader` over one Postgres warehouse."""

    def __init__(self, url: DatabaseUrl) -> None:
        self._url = url.secret.reveal()

    def _rows(self, query: Any, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with psycopg.connect(self._url) as conn:
            return conn.execute(query, params).fetchall()

    def bronze_schemas(self) -> list[str]:
        return [row[0] for row in self._rows(_SCHEMAS, (LOADS_TABLE,))]

    def read_history(self, schema: str, *, per_table: int) -> dict[str, list[Load]]:
        query = sql.SQL(_HISTORY).format(sql.Identifier(schema, LOADS_TABLE))
        history: dict[str, list[Load]] = {}
        for table, run_id, status, rows, finished_at, error in self._rows(query, (per_table,)):
            history.setdefault(table, []).append(
                Load(run_id=run_id, status=status, rows=rows, finished_at=finished_at, error=error)
            )
        return history

    def read_series(self, schema: str, *, per_table: int) -> dict[str, list[LoadPoint]]:
        query = sql.SQL(_SERIES).format(sql.Identifier(schema, LOADS_TABLE))
        series: dict[str, list[LoadPoint]] = {}
        for table, finished_at, rows, seconds in self._rows(query, (per_table,)):
            series.setdefault(table, []).append(
                LoadPoint(finished_at=finished_at, rows=int(rows), seconds=float(seconds or 0))
            )
        return series

    def last_builds(self, schema: str) -> list[LastBuild]:
        from datakit.warehouses.postgres.builds import last_builds

        return last_builds(self._url, schema)


__all__ = ["PostgresHistory"]
