"""Spark as the bronze warehouse: Parquet tables in a Hive metastore, published by a swap.

Spark over files has no transactional DDL, so a load is a swap (the SDK's order for such
warehouses, see ``datakit.warehouse_contract``):

1. the new table is written as Parquet into a fresh folder ``<database folder>/_datakit_data/
   <table>/<version>`` that no reader knows (full refresh: the new rows; append: the table without
   rows of the same run id plus this run's rows; incremental: target rows whose key is not in
   the increment plus the increment: a rewrite of the table, not of single files);
2. :meth:`SparkLoadSession.publish` switches the external table to that folder with one
   ``ALTER TABLE ... SET LOCATION`` (one metastore ``alter_table``, atomic in the metastore's
   database) or, the first time, one ``CREATE TABLE ... LOCATION``; columns added by schema drift
   are added (NULL for the old rows) just before the switch;
3. the Loader then saves the watermark and logs the load (rows appended to
   ``_datakit_watermarks`` and ``_datakit_loads`` in the bronze schema; the latest row of a table
   wins);
4. after that, folders of the table other than the new one and the one it replaced are deleted
   (readers that started before the switch may still read the replaced one; it goes on the next
   successful load). Folders a killed load left behind go the same way.

A kill before the switch leaves the old table; during it, old or new; after it, the new table
with the old watermark, and the rerun re-reads that increment and merges it again (idempotent).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from datakit import cancel
from datakit.contracts import (
    LOADED_AT_COLUMN,
    LOADS_TABLE,
    RUN_ID_COLUMN,
    Batch,
    TableRef,
    WarehouseCapabilities,
)
from datakit.dialect import NEUTRAL
from datakit.errors import ConfigError, DatakitError, Terminated, TransientError
from datakit.load.guards import KeyViolations
from datakit.logging import get_logger
from datakit.naming import SourceIdentity, foreign_table_error
from datakit.secrets import mask_text
from datakit.settings import DatabaseUrl
from datakit.watermark import Watermark
from datakit_runner_spark.session import (
    display_url,
    get_session,
    probe_connect_server,
    register_url_secrets,
    spark_confs,
)

WATERMARKS_TABLE = "_datakit_watermarks"
DATA_FOLDER = "_datakit_data"
_SOURCE_PROPERTY = "datakit.source"
_log = get_logger()


def quote(*parts: str) -> str:
    """Spark SQL identifier quoting: backticks, a backtick inside doubled."""
    return ".".join("`" + part.replace("`", "``") + "`" for part in parts)


def _literal(text: str) -> str:
    """A Spark SQL string literal (for paths and properties that cannot be parameters)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _identity_text(source: SourceIdentity) -> str:
    return f"{source.source_name}:{source.table.schema}.{source.table.name}"


@contextmanager
def spark_errors(where: str) -> Iterator[None]:
    """Spark/JVM failures as Datakit errors: analysis errors are config (3), the rest transient.

    Once the process is stopping (SIGTERM) any failure is the stop's doing (its Spark jobs were
    cancelled, or the wait for them interrupted): :class:`Terminated` (exit 143), not an error.
    """
    try:
        yield
    except DatakitError:
        raise
    except Exception as exc:
        if cancel.stopping():
            raise Terminated(
                f"terminated: stop requested (SIGTERM); {where}: the running Spark jobs were "
                "cancelled and the load rolled back"
            ) from None
        name = type(exc).__name__
        text = mask_text(" ".join(str(exc).split()))[:500]
        if name in ("AnalysisException", "ParseException"):
            raise ConfigError(f"config error: {where}: {text}") from None
        if name.startswith("Py4J") or "Exception" in name:
            raise TransientError(f"transient error: {where}: {name}: {text}") from None
        raise


class SparkWarehouse:
    """Writes bronze tables, their watermarks and the load log into a Spark catalog."""

    engine = "spark"
    capabilities = WarehouseCapabilities(
        supports_transactional_ddl=False,
        supports_merge=False,
        max_identifier_length=128,
        batch_formats=("dataframe", "rows"),
    )

    def __init__(self, url: DatabaseUrl, **_options: Any) -> None:
        self.url = url
        register_url_secrets(url)
        if url.scheme == "sc":
            probe_connect_server(url)  # pyspark's client would retry for ten minutes
        else:
            spark_confs(url)  # a bad URL is a config error now, before any source is read
        self._where = f"warehouse {display_url(url)}"

    @property
    def spark(self) -> Any:
        with spark_errors(self._where):
            return get_session(self.url)

    def sql(self, statement: str, /, **args: Any) -> Any:
        """Run one Spark SQL statement; values go as named parameters (``:name``), never text."""
        with spark_errors(self._where):
            return self.spark.sql(statement, args=args or None)

    def check(self) -> dict[str, Any]:
        spark = self.spark
        return {
            "spark_version": spark.version,
            "master": spark.conf.get("spark.master", "connect"),
            "databases": len(self.sql("SHOW DATABASES").collect()),
        }

    def can_write_schema(self, schema: str) -> bool:
        return True

    def table_exists(self, target: TableRef) -> bool:
        with spark_errors(self._where):
            return bool(self.spark.catalog.tableExists(f"{quote(target.schema, target.name)}"))

    def table_source(self, target: TableRef) -> str | None:
        """The source identity a Datakit table holds ('' when the table is not Datakit's)."""
        rows = self.sql(f"SHOW TBLPROPERTIES {quote(target.schema, target.name)}").collect()
        props = {row[0]: row[1] for row in rows}
        return props.get(_SOURCE_PROPERTY, "")

    def verify_target(self, target: TableRef, source: SourceIdentity) -> None:
        if not self.table_exists(target):
            return
        held = self.table_source(target)
        if held != _identity_text(source):
            raise foreign_table_error(NEUTRAL.display(target), source, holds=held or None)

    def prepare_schema(self, schema: str) -> None:
        self.sql(f"CREATE DATABASE IF NOT EXISTS {quote(schema)}")
        self.sql(
            f"CREATE TABLE IF NOT EXISTS {quote(schema, WATERMARKS_TABLE)} (table_name string, "
            "cursor_column string, cursor_type string, watermark string, run_id string, "
            "updated_at timestamp) USING parquet"
        )
        self.sql(
            f"CREATE TABLE IF NOT EXISTS {quote(schema, LOADS_TABLE)} (run_id string, "
            "table_name string, source_table string, mode string, status string, rows bigint, "
            "watermark string, started_at timestamp, finished_at timestamp, error string) "
            "USING parquet"
        )

    def database_folder(self, schema: str) -> str:
        rows = self.sql(f"DESCRIBE DATABASE EXTENDED {quote(schema)}").collect()
        for row in rows:
            if str(row[0]).lower() == "location":
                return str(row[1]).rstrip("/")
        raise ConfigError(f"config error: {self._where}: database {schema} has no location")

    @contextmanager
    def begin(self, target: TableRef, *, run_id: str) -> Iterator[SparkLoadSession]:
        session = SparkLoadSession(self, target, run_id)
        try:
            yield session
        finally:
            session.close()

    def record_failure(
        self,
        *,
        target: TableRef,
        source_table: str,
        run_id: str,
        mode: str,
        started_at: datetime,
        error: str,
    ) -> None:
        """Append a failed load's row; best effort (a warning when it cannot be written)."""
        try:
            self._log_row(
                target, run_id, source_table, mode, "failed", None, None, started_at, error
            )
        except Exception as exc:
            _log.warning(
                "load_failure_not_recorded",
                table=str(target),
                reason=mask_text(" ".join(str(exc).split()))[:300],
            )

    def _log_row(
        self,
        target: TableRef,
        run_id: str,
        source_table: str,
        mode: str,
        status: str,
        rows: int | None,
        watermark: str | None,
        started_at: datetime,
        error: str | None,
    ) -> None:
        self.sql(
            f"INSERT INTO {quote(target.schema, LOADS_TABLE)} VALUES (:run_id, :table_name, "
            ":source_table, :mode, :status, CAST(:rows AS bigint), CAST(:watermark AS string), "
            "CAST(:started_at AS timestamp), current_timestamp(), CAST(:error AS string))",
            run_id=run_id,
            table_name=target.name,
            source_table=source_table,
            mode=mode,
            status=status,
            rows=rows,
            watermark=watermark,
            started_at=started_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
            error=error[:2000] if error else None,
        )


class SparkLoadSession:
    """One load of one bronze table: hooks stage, :meth:`publish` switches (see module doc)."""

    def __init__(self, warehouse: SparkWarehouse, target: TableRef, run_id: str) -> None:
        self.warehouse = warehouse
        self.target = target
        self.run_id = run_id
        self.loaded_at = datetime.now(UTC)
        self.source: SourceIdentity | None = None
        self.exists = warehouse.table_exists(target)
        self.columns: list[tuple[str, str]] = []
        self.added: list[tuple[str, str]] = []
        self.mode = "append"
        self.drop_run: str | None = None
        self.version = f"{self.loaded_at.strftime('%Y%m%dT%H%M%S%f')}-{uuid.uuid4().hex[:8]}"
        root = f"{warehouse.database_folder(target.schema)}/{DATA_FOLDER}/{target.name}"
        self.root = root
        self.new_location = f"{root}/{self.version}"
        self.stage_location = f"{root}/{self.version}-stage"
        self.old_location: str | None = None
        self.published = False
        self._stage: Any = None

    @property
    def spark(self) -> Any:
        return self.warehouse.spark

    def _table(self) -> str:
        return quote(self.target.schema, self.target.name)

    def claim(self, source: SourceIdentity, *, run_id: str) -> None:
        self.warehouse.verify_target(self.target, source)
        self.source = source

    def existing_columns(self) -> dict[str, str] | None:
        if not self.exists:
            return None
        with spark_errors(self.warehouse._where):
            schema = self.spark.table(self._table()).schema
        found = {field.name: field.dataType.simpleString() for field in schema.fields}
        self.columns = list(found.items())
        return found

    def create_table(self, columns: Sequence[tuple[str, str]]) -> None:
        self.columns = [*columns, (LOADED_AT_COLUMN, "timestamp"), (RUN_ID_COLUMN, "string")]

    def add_column(self, name: str, type_: str) -> None:
        self.added.append((name, type_))
        self.columns.append((name, type_))

    def widen_column(self, name: str, type_: str) -> None:
        raise ConfigError(
            f"config error: bronze table {self.target} column {name!r} would change type to "
            f"{type_}: Spark's Parquet tables cannot change a column's type in place (drop the "
            "table for a full refresh, or cast the column in the source)"
        )

    def replace_all(self) -> None:
        self.mode = "full_refresh"

    def delete_run(self, run_id: str) -> int:
        """Remember to leave out *run_id*'s rows from the new table; returns how many there are."""
        self.drop_run = run_id
        if not self.exists:
            return 0
        with spark_errors(self.warehouse._where):
            table = self.spark.table(self._table())
            return int(table.where(table[RUN_ID_COLUMN] == run_id).count())

    def create_stage(self) -> None:
        self.mode = "incremental"

    def _frame(self, columns: Sequence[str], batches: Iterable[Batch]) -> Any:
        """One DataFrame of the batches with bronze's types and the metadata columns."""
        from pyspark.sql import functions as F
        from pyspark.sql import types as T

        types = dict(self.columns)
        frames = []
        rows: list[tuple[Any, ...]] = []
        for batch in batches:
            if batch.format == "dataframe":
                frames.append(batch.frame)
            else:
                rows.extend(batch.rows)
        if rows or not frames:
            schema = T.StructType(
                [T.StructField(name, T._parse_datatype_string(types[name])) for name in columns]
            )
            frames.append(self.spark.createDataFrame(rows, schema))
        frame = frames[0]
        for more in frames[1:]:
            frame = frame.unionByName(more)
        given = set(columns)
        data = [(n, t) for n, t in self.columns if n not in (LOADED_AT_COLUMN, RUN_ID_COLUMN)]
        return frame.select(
            *[
                (F.col(quote(name)) if name in given else F.lit(None)).cast(type_).alias(name)
                for name, type_ in data
            ],
            F.lit(self.loaded_at.replace(tzinfo=None).isoformat(sep=" "))
            .cast("timestamp")
            .alias(LOADED_AT_COLUMN),
            F.lit(self.run_id).alias(RUN_ID_COLUMN),
        )

    def _write(self, frame: Any, location: str) -> int:
        with spark_errors(self.warehouse._where):
            frame.write.mode("error").parquet(location)
            return int(self.spark.read.parquet(location).count())

    def _current(self) -> Any:
        """The published table's rows with every planned column (NULL where it lacks one)."""
        from pyspark.sql import functions as F

        table = self.spark.table(self._table())
        have = set(table.columns)
        return table.select(
            *[
                (F.col(quote(name)) if name in have else F.lit(None)).cast(type_).alias(name)
                for name, type_ in self.columns
            ]
        )

    def write(
        self, columns: Sequence[str], batches: Iterable[Batch], *, to_stage: bool = False
    ) -> int:
        frame = self._frame(columns, batches)
        names = [name for name, _ in self.columns]
        if self.mode == "full_refresh":
            return self._write(frame.select(*[quote(n) for n in names]), self.new_location)
        rows = self._write(frame, self.stage_location)
        self._stage = self.spark.read.parquet(self.stage_location)
        if to_stage:
            return rows
        staged = self._stage.select(*[quote(n) for n in names])
        if self.exists:
            with spark_errors(self.warehouse._where):
                kept = self._current()
                if self.drop_run is not None:
                    kept = kept.where(kept[RUN_ID_COLUMN] != self.drop_run)
                staged = kept.unionByName(staged)
        self._write(staged, self.new_location)
        return rows

    def key_violations(self, primary_key: Sequence[str]) -> KeyViolations:
        from pyspark.sql import functions as F

        stage = self._stage
        with spark_errors(self.warehouse._where):
            nulls = stage.where(" OR ".join(f"{quote(k)} IS NULL" for k in primary_key)).count()
            groups = (
                stage.where(" AND ".join(f"{quote(k)} IS NOT NULL" for k in primary_key))
                .groupBy(*[quote(k) for k in primary_key])
                .count()
                .where(F.col("count") > 1)
                .agg(F.count("*"), F.sum("count"))
                .collect()[0]
            )
        return KeyViolations(
            null_rows=int(nulls),
            duplicate_keys=int(groups[0] or 0),
            duplicate_rows=int(groups[1] or 0),
        )

    def max_value(self, column: str, *, in_stage: bool = True) -> Watermark | None:
        types = dict(self.columns)
        type_ = types[column]
        frame = self._stage if in_stage else self.spark.table(self._table())
        ident = quote(column)
        if type_ in ("timestamp", "timestamp_ntz"):
            expr = f"date_format(max({ident}), \"yyyy-MM-dd'T'HH:mm:ss.SSSSSS\")"
        elif type_ in ("float", "double"):
            expr = (
                f"CASE WHEN max({ident}) = double('NaN') OR isnan(max({ident})) THEN 'NaN' "
                f"WHEN max({ident}) = double('Infinity') THEN 'infinity' "
                f"ELSE CAST(CAST(max({ident}) AS decimal(38,10)) AS string) END"
            )
        else:
            expr = f"CAST(max({ident}) AS string)"
        with spark_errors(self.warehouse._where):
            row = frame.selectExpr(expr).collect()[0]
        if row[0] is None:
            return None
        text = str(row[0])
        if type_ == "timestamp":
            return Watermark("timestamptz", text + "+00:00")
        if type_ == "timestamp_ntz":
            return Watermark("timestamp", text)
        if type_ == "date":
            return Watermark("date", text)
        if type_ in ("smallint", "int", "bigint"):
            return Watermark("int", text)
        if "." in text and type_ in ("float", "double"):
            text = text.rstrip("0").rstrip(".") or "0"
        return Watermark("decimal", text)

    def merge_stage(self, columns: Sequence[str], primary_key: Sequence[str]) -> None:
        names = [name for name, _ in self.columns]
        staged = self._stage.select(*[quote(n) for n in names])
        merged = staged
        if self.exists:
            with spark_errors(self.warehouse._where):
                current = self._current()
                kept = current.join(
                    staged.select(*[quote(k) for k in primary_key]),
                    on=list(primary_key),
                    how="left_anti",
                )
                merged = kept.select(*[quote(n) for n in names]).unionByName(staged)
        self._write(merged, self.new_location)

    def publish(self) -> None:
        assert self.source is not None
        table = self._table()
        identity = _literal(_identity_text(self.source))
        if not self.exists:
            defs = ", ".join(f"{quote(name)} {type_}" for name, type_ in self.columns)
            self.warehouse.sql(
                f"CREATE TABLE {table} ({defs}) USING parquet LOCATION "
                f"{_literal(self.new_location)} TBLPROPERTIES ({_literal(_SOURCE_PROPERTY)} = "
                f"{identity})"
            )
        else:
            rows = self.warehouse.sql(f"DESCRIBE FORMATTED {table}").collect()
            for row in rows:
                if str(row[0]).strip() == "Location":
                    self.old_location = str(row[1]).strip()
            if self.added:
                defs = ", ".join(f"{quote(name)} {type_}" for name, type_ in self.added)
                self.warehouse.sql(f"ALTER TABLE {table} ADD COLUMNS ({defs})")
            _log.info("spark_switch", table=str(self.target), location=self.new_location)
            self.warehouse.sql(f"ALTER TABLE {table} SET LOCATION {_literal(self.new_location)}")
        self.published = True
        with spark_errors(self.warehouse._where):
            self.spark.catalog.refreshTable(table)

    def read_watermark(self) -> tuple[str, Watermark] | None:
        rows = self.warehouse.sql(
            f"SELECT cursor_column, cursor_type, watermark FROM "
            f"{quote(self.target.schema, WATERMARKS_TABLE)} WHERE table_name = :name "
            "ORDER BY updated_at DESC LIMIT 1",
            name=self.target.name,
        ).collect()
        if not rows:
            return None
        column, kind, text = rows[0]
        return str(column), Watermark(kind, str(text))

    def save_watermark(self, *, cursor_column: str, watermark: Watermark, run_id: str) -> None:
        self.warehouse.sql(
            f"INSERT INTO {quote(self.target.schema, WATERMARKS_TABLE)} VALUES (:name, :cursor, "
            ":kind, :mark, :run_id, current_timestamp())",
            name=self.target.name,
            cursor=cursor_column,
            kind=watermark.kind,
            mark=watermark.text,
            run_id=run_id,
        )

    def watermark_text(self, watermark: Watermark) -> str:
        return watermark.text

    def log_load(
        self,
        *,
        run_id: str,
        source_table: str,
        mode: str,
        rows: int,
        watermark: str | None,
        started_at: datetime,
    ) -> None:
        self.warehouse._log_row(
            self.target, run_id, source_table, mode, "succeeded", rows, watermark, started_at, None
        )

    def commit(self) -> None:
        """Everything is published already; remove folders no reader can need any more."""
        if self.published:
            self._clean_up()

    def close(self) -> None:
        """Remove this session's stage (the published folder stays)."""
        self._delete(self.stage_location)
        if not self.published:
            self._delete(self.new_location)

    def _clean_up(self) -> None:
        keep = {self.new_location.rstrip("/"), (self.old_location or "").rstrip("/")}
        keep = {_local(path) for path in keep if path}
        root = _local(self.root)
        if root is None or not os.path.isdir(root):
            return
        for name in os.listdir(root):
            path = os.path.join(root, name)
            if path not in keep:
                self._delete(path)

    @staticmethod
    def _delete(location: str) -> None:
        import shutil

        path = _local(location)
        if path and os.path.exists(path):
            shutil.rmtree(path, ignore_errors=True)


def _local(location: str) -> str | None:
    """The local path of a ``file:`` location (clean-up of other file systems is not done)."""
    if location.startswith("file://"):
        return location[len("file://") :] or None
    if location.startswith("file:"):
        return location[len("file:") :] or None
    if location.startswith("/"):
        return location
    return None


__all__ = ["SparkLoadSession", "SparkWarehouse", "quote"]
