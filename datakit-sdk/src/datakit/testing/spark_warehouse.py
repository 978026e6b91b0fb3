"""A Spark catalog as the bronze side of the neutral acceptance suite, read in this process.

The runner under test is a subprocess with a JVM of its own; the tests read bronze back through
ONE Spark session in the test process, started once per test class (a JVM costs seconds). Two
JVMs cannot share Derby's embedded metastore (it locks its folder), so both use a Derby network
server (:func:`datakit.testing.spark_cluster.start_metastore`); before any runner starts, the
reading session creates every metastore table DataNucleus would otherwise create lazily (two
JVMs creating them at once wait on each other's locks for ever). Before each read the session
refreshes the table: the runner switched its location or added files since the last read.

Values come back as Python values the suite compares exactly: instants (``timestamp``) as UTC
datetimes and naive timestamps (``timestamp_ntz``) as naive datetimes, both through
``unix_micros`` (no local time zone, no calendar switch), decimals as ``Decimal``, binary as
bytes. pyspark is imported lazily: the SDK does not depend on it, runner-spark does.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from datakit.testing.acceptance.fixtures import BRONZE, META
from datakit.testing.spark_cluster import (
    BOOTSTRAP_SQL,
    Metastore,
    base_conf,
    start_metastore,
)

_EPOCH = datetime(1970, 1, 1)
_TYPES = {
    "smallint": "smallint",
    "int": "int",
    "bigint": "bigint",
    "double": "double",
    "bool": "boolean",
    "text": "string",
    "date": "date",
    "timestamp": "timestamp_ntz",
    "timestamptz": "timestamp",
    "bytes": "binary",
    "json": "string",
}
#: Parquet dates and timestamps before 1582 as written (proleptic Gregorian), as the runner does.
_READ_CONFS = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.datetimeRebaseModeInRead": "CORRECTED",
    "spark.sql.parquet.int96RebaseModeInRead": "CORRECTED",
}


def quote(*parts: str) -> str:
    """Spark SQL identifier quoting (backticks, a backtick inside doubled)."""
    return ".".join("`" + part.replace("`", "``") + "`" for part in parts)


@dataclass
class SparkCatalog:
    """A Hive catalog on a Derby network metastore, its reading session, the runner's URL."""

    root: Path
    metastore: Metastore
    session: Any

    @property
    def url(self) -> str:
        """``DATAKIT_WAREHOUSE_URL`` for the runner: local[2] on the shared metastore."""
        conf = {**base_conf(), **self.metastore.conf(), "spark.master": "local[2]"}
        return "spark+session:///?" + urlencode(conf)

    def reset(self) -> None:
        """Drop every database but ``default`` with its files: the next test starts empty."""
        for row in self.session.sql("SHOW DATABASES").collect():
            if row[0] != "default":
                self.session.sql(f"DROP DATABASE IF EXISTS {quote(row[0])} CASCADE")
        for folder in self.metastore.warehouse_dir.glob("*"):
            shutil.rmtree(folder, ignore_errors=True)
        self.session.catalog.clearCache()


@contextmanager
def spark_catalog(root: Path) -> Iterator[SparkCatalog]:
    """Start the metastore and the reading session; stop both afterwards (no JVM is left)."""
    from pyspark.sql import SparkSession

    metastore = start_metastore(root)
    session = None
    try:
        builder = SparkSession.builder.enableHiveSupport().appName("datakit-acceptance-reader")
        conf = {**base_conf(), **metastore.conf(), **_READ_CONFS, "spark.master": "local[1]"}
        for key, value in conf.items():
            builder = builder.config(key, value)
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        for statement in filter(None, (s.strip() for s in BOOTSTRAP_SQL.split(";"))):
            session.sql(statement)
        yield SparkCatalog(root, metastore, session)
    finally:
        if session is not None:
            session.stop()
        metastore.stop()


class SparkBronze:
    """Bronze tables and Datakit's bookkeeping in the Spark catalog, read as Python values."""

    def __init__(self, catalog: SparkCatalog) -> None:
        self.catalog = catalog
        self.url = catalog.url

    @property
    def _spark(self) -> Any:
        return self.catalog.session

    def type_name(self, neutral: str) -> str:
        return _TYPES.get(neutral, neutral)

    def _fresh(self, schema: str, table: str) -> str:
        name = quote(schema, table)
        self._spark.sql(f"REFRESH TABLE {name}")
        return name

    def columns(self, table: str, *, schema: str = BRONZE) -> dict[str, str]:
        fields = self._spark.table(self._fresh(schema, table)).schema.fields
        return {field.name: field.dataType.simpleString() for field in fields}

    def rows(
        self, table: str, columns: Sequence[str] | None = None, *, schema: str = BRONZE
    ) -> list[tuple[Any, ...]]:
        types = self.columns(table, schema=schema)
        names = list(columns or [name for name in types if name not in META])
        exprs = [
            f"unix_micros(CAST({quote(n)} AS timestamp))"
            if types[n] in ("timestamp", "timestamp_ntz")
            else quote(n)
            for n in names
        ]
        query = f"SELECT {', '.join(exprs)} FROM {quote(schema, table)}"
        return [
            tuple(_value(v, types[n]) for n, v in zip(names, row, strict=True))
            for row in self._spark.sql(query).collect()
        ]

    def count(self, table: str, *, schema: str = BRONZE) -> int:
        return int(self._spark.table(self._fresh(schema, table)).count())

    def tables(self, *, schema: str = BRONZE) -> list[str]:
        if not self._spark.catalog.databaseExists(schema):
            return []
        rows = self._spark.sql(f"SHOW TABLES IN {quote(schema)}").collect()
        return sorted(r.tableName for r in rows if not r.tableName.startswith("_datakit_"))

    def loads(self, table: str, *, schema: str = BRONZE) -> list[tuple[str, str, int | None]]:
        rows = self._spark.sql(
            f"SELECT mode, status, rows FROM {self._fresh(schema, '_datakit_loads')} "
            "WHERE table_name = :name ORDER BY finished_at, started_at",
            args={"name": table},
        ).collect()
        return [(r[0], r[1], r[2]) for r in rows]

    def watermark(self, table: str, *, schema: str = BRONZE) -> str | None:
        if not self._spark.catalog.tableExists(quote(schema, "_datakit_watermarks")):
            return None
        rows = self._spark.sql(
            f"SELECT watermark FROM {self._fresh(schema, '_datakit_watermarks')} "
            "WHERE table_name = :name ORDER BY updated_at DESC LIMIT 1",
            args={"name": table},
        ).collect()
        return str(rows[0][0]) if rows else None


def _value(value: Any, spark_type: str) -> Any:
    if value is None:
        return None
    if spark_type == "timestamp":
        return (_EPOCH + timedelta(microseconds=value)).replace(tzinfo=UTC)
    if spark_type == "timestamp_ntz":
        return _EPOCH + timedelta(microseconds=value)
    if isinstance(value, bytearray):
        return bytes(value)
    return value


__all__ = ["SparkBronze", "SparkCatalog", "quote", "spark_catalog"]
