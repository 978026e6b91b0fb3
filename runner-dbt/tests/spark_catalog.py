"""A local Spark catalog for the tests: land bronze from the sample source, or run queries.

runner-spark does this in production; here the tables are written the way its bronze looks (the
source's columns plus ``_datakit_loaded_at`` and ``_datakit_run_id``) so that the dbt project can
be tested on Spark without a JDBC driver. customers and products are full-refreshed; orders,
order_lines and payments behave like incremental loads: a row keeps its old ``_datakit_loaded_at``
unless its ``updated_at`` reached the previous load's watermark.

Run as its own process, because the local Derby metastore admits one JVM at a time and no
Spark session may outlive a step:

    python spark_catalog.py bronze CONF_JSON SCHEMA SOURCE_URL
    python spark_catalog.py query CONF_JSON QUERIES_JSON      (prints {name: rows} as JSON)
"""

from __future__ import annotations

import json
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

FULL_REFRESH = {"customers": "customer_id", "products": "product_id"}
INCREMENTAL = {"orders": "order_id", "order_lines": "order_line_id", "payments": "payment_id"}


def _spark_type(pg_type: str) -> Any:
    from pyspark.sql import types as T

    if pg_type in ("bigint", "integer"):
        return T.LongType() if pg_type == "bigint" else T.IntegerType()
    if pg_type.startswith("numeric"):
        precision, scale = pg_type[len("numeric(") : -1].split(",")
        return T.DecimalType(int(precision), int(scale))
    if pg_type == "boolean":
        return T.BooleanType()
    if pg_type == "date":
        return T.DateType()
    if pg_type.startswith("timestamp"):
        return T.TimestampType()
    return T.StringType()


def _session(conf: dict[str, str]) -> Any:
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in conf.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def run_queries(conf: dict[str, str], queries: dict[str, str]) -> None:
    spark = _session(conf)
    out = {
        name: [[_plain(value) for value in row] for row in spark.sql(sql).collect()]
        for name, sql in queries.items()
    }
    spark.stop()
    print(json.dumps(out))


def _plain(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def load_bronze(conf: dict[str, str], schema: str, source_url: str) -> None:
    import psycopg
    from pyspark.sql import types as T

    spark = _session(conf)
    loaded_at = datetime.now(UTC)
    run_id = uuid.uuid4().hex
    spark.sql(f"create database if not exists {schema}")
    with psycopg.connect(source_url) as conn:
        for table in (*FULL_REFRESH, *INCREMENTAL):
            key = FULL_REFRESH.get(table) or INCREMENTAL[table]
            columns = conn.execute(
                "select column_name, format_type(a.atttypid, a.atttypmod) from "
                "information_schema.columns c join pg_attribute a on a.attrelid = "
                "('shop.' || c.table_name)::regclass and a.attname = c.column_name "
                "where c.table_schema = 'shop' and c.table_name = %s order by c.ordinal_position",
                [table],
            ).fetchall()
            rows = conn.execute(
                f"select {', '.join(name for name, _ in columns)} from shop.{table}"
            ).fetchall()
            target = f"{schema}.shop__{table}"
            previous: dict[Any, datetime] = {}
            watermark = None
            if table in INCREMENTAL and spark.catalog.tableExists(target):
                old = spark.sql(
                    f"select {key}, _datakit_loaded_at, updated_at from {target}"
                ).collect()
                previous = {row[0]: row[1] for row in old}
                watermark = max((row[2] for row in old), default=None)
            names = [name for name, _ in columns]
            updated_index = names.index("updated_at")
            key_index = names.index(key)
            out = []
            for row in rows:
                stamp = loaded_at
                if watermark is not None and row[key_index] in previous:
                    updated = row[updated_index].astimezone(UTC).replace(tzinfo=None)
                    if updated < watermark:
                        stamp = previous[row[key_index]]
                out.append((*row, stamp, run_id))
            struct = T.StructType(
                [T.StructField(name, _spark_type(pg_type)) for name, pg_type in columns]
                + [
                    T.StructField("_datakit_loaded_at", T.TimestampType()),
                    T.StructField("_datakit_run_id", T.StringType()),
                ]
            )
            frame = spark.createDataFrame(out, struct)
            frame.write.mode("overwrite").format("parquet").saveAsTable(target)
    spark.stop()


if __name__ == "__main__":
    if sys.argv[1] == "bronze":
        load_bronze(json.loads(sys.argv[2]), sys.argv[3], sys.argv[4])
    else:
        run_queries(json.loads(sys.argv[2]), json.loads(sys.argv[3]))
