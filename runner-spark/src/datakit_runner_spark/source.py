"""Postgres as a source for Spark: the SDK's catalog source, read in parallel by Spark JDBC.

The catalog, cursor checks and the read's ``SELECT`` are the SDK's
(:class:`datakit.sources.postgres.PostgresCatalogSource`); this class only hands the warehouse
one lazy DataFrame (batch format ``dataframe``) instead of Python rows, so the rows go from
Postgres to the executors and on to Parquet without passing through the driver.

Partitions: the read is split into ``--partitions N`` ranges (default: the cluster's default
parallelism) on one column whose bounds the runner asks the source for: the first primary-key
column that is an integer, date or timestamp, else the first such column, else one partition.

Consistency: the runner's own source connection opens a ``REPEATABLE READ READ ONLY``
transaction and exports its snapshot (``pg_export_snapshot()``); every partition's JDBC
connection adopts it (``SET TRANSACTION SNAPSHOT``) before it reads, and the bounds are read in
that snapshot too. So all partitions see one snapshot and a full refresh equals the source at one
instant, however long the read. Where exporting is refused (a hot standby before Postgres 10,
some poolers) the read goes on with one snapshot per partition and says so in a warning event.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg import sql

from datakit.contracts import Batch, BatchFormat, Column, ReadRequest
from datakit.logging import get_logger
from datakit.sources.postgres import PostgresCatalogSource
from datakit.typemaps.postgres_postgres import parse_type
from datakit.warehouses.postgres import translate_errors
from datakit_runner_spark import options
from datakit_runner_spark.session import active_session, default_parallelism
from datakit_runner_spark.warehouse import spark_errors

_log = get_logger()
_PARTITION_TYPES = {
    "smallint",
    "integer",
    "bigint",
    "date",
    "timestamp",
    "timestamp without time zone",
    "timestamp with time zone",
}
_FETCH_ROWS = 10_000


def partition_column(columns: tuple[Column, ...], primary_key: tuple[str, ...]) -> str | None:
    """The column to split the read on: the first key column of a splittable type, else the
    first splittable column (integers, dates, timestamps), else None (one partition)."""
    splittable = [
        c.name
        for c in columns
        if c.type_kind in ("base", "domain")
        and parse_type(c.base_type or c.type).name in _PARTITION_TYPES
        and not parse_type(c.base_type or c.type).array_dims
    ]
    for name in primary_key:
        if name in splittable:
            return name
    return splittable[0] if splittable else None


class SparkPostgresSource(PostgresCatalogSource):
    """A Postgres database read by Spark JDBC partitions inside one exported snapshot."""

    name = "postgres"
    batch_formats: tuple[BatchFormat, ...] = ("dataframe", "rows")

    def read_batches(self, request: ReadRequest) -> Iterator[Batch]:
        if request.batch_format != "dataframe":
            yield from super().read_batches(request)
            return
        spark = active_session()
        query = self.select_query(request)
        with translate_errors(self.where):
            query_text = query.as_string(self.conn)
            snapshot = self._export_snapshot()
        init = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
        if snapshot:
            init += f"; SET TRANSACTION SNAPSHOT '{snapshot}'"
        reader = (
            spark.read.format("jdbc")
            .option("url", self._jdbc_url())
            .option("driver", "org.postgresql.Driver")
            .option("dbtable", f"({query_text}) AS datakit_read")
            .option("fetchsize", str(_FETCH_ROWS))
            .option("sessionInitStatement", init)
            .option("preferTimestampNTZ", "true")
        )
        for key, value in self._jdbc_credentials().items():
            reader = reader.option(key, value)
        # Only columns read as they are can be split on (a cast one reaches Spark as text).
        uncast = {s.name for s in request.columns if s.cast_to is None}
        column = partition_column(
            tuple(c for c in request.table.columns if c.name in uncast), request.table.primary_key
        )
        wanted = options.partitions() or default_parallelism(spark)
        bounds = self._bounds(query, column) if column and wanted > 1 else None
        if column and bounds is not None:
            reader = (
                reader.option("partitionColumn", column)
                .option("lowerBound", bounds[0])
                .option("upperBound", bounds[1])
                .option("numPartitions", str(wanted))
            )
        _log.info(
            "spark_jdbc_read",
            partitions=wanted if bounds else 1,
            partition_column=column if bounds else None,
            one_snapshot=bool(snapshot),
        )
        with spark_errors(self.where):
            frame = reader.load()  # Spark reads the schema here, on the driver
        yield Batch(format="dataframe", frame=frame)

    def _export_snapshot(self) -> str | None:
        """Export the load's snapshot for the partitions; None (with a warning) if refused."""
        # Not in a savepoint: Postgres exports snapshots of top-level transactions only.
        try:
            row = self.conn.execute("SELECT pg_export_snapshot()").fetchone()
        except psycopg.Error as exc:
            self.close()  # the load's transaction is aborted; the bounds read opens a new one
            _log.warning(
                "snapshot_not_exported",
                reason=" ".join(str(exc).split())[:200],
                note="each partition reads its own snapshot",
            )
            return None
        return str(row[0]) if row else None

    def _bounds(self, query: sql.Composed, column: str) -> tuple[str, str] | None:
        """(min, max) of *column* in the read, as text Spark parses; None when the read is empty."""
        stmt = sql.SQL("SELECT min({c})::text, max({c})::text FROM ({q}) AS datakit_bounds").format(
            c=sql.Identifier(column), q=query
        )
        with translate_errors(self.where):
            row = self.conn.execute(stmt).fetchone()
        if row is None or row[0] is None:
            return None
        low, high = str(row[0]), str(row[1])
        if low == high:
            return None
        return low, high

    def _jdbc_url(self) -> str:
        """``jdbc:postgresql://host:port/db`` (libpq options pgjdbc knows are passed on; the
        password never goes into the URL, it is a separate connection property)."""
        parts = self.url.parts
        host = parts.host or "localhost"
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        port = f":{parts.port}" if parts.port else ""
        from urllib.parse import quote, urlencode

        params = {k: v for k, v in parts.query if k in ("sslmode", "sslrootcert", "options")}
        tail = f"?{urlencode(params)}" if params else ""
        return f"jdbc:postgresql://{host}{port}/{quote(parts.database or '')}{tail}"

    def _jdbc_credentials(self) -> dict[str, Any]:
        parts = self.url.parts
        found: dict[str, Any] = {}
        if parts.username:
            found["user"] = parts.username
        if parts.password is not None:
            found["password"] = parts.password.reveal()
        return found


__all__ = ["SparkPostgresSource", "partition_column"]
