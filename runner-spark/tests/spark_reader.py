"""Read bronze tables back from a Spark catalog as typed JSON values, in a process of its own.

A local Derby metastore admits one JVM at a time, so the tests never hold a Spark session while
the runner runs; they read bronze through this script between runs:

    python spark_reader.py CONF_JSON QUERIES_JSON   (prints {name: rows} as one JSON line)

Values are encoded so that a test can compare them with the source exactly: decimals as normalised plain strings,
dates/timestamps as ISO text (timestamps in UTC), bytes as hex, floats as repr text (NaN, inf).
"""

from __future__ import annotations

import json
import sys
from typing import Any


def plain(value: Any) -> Any:
    """One value as exact JSON (see module docstring)."""
    from datetime import date, datetime
    from decimal import Decimal

    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return bytes(value).hex()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def main(conf: dict[str, str], queries: dict[str, str]) -> None:
    import os

    os.environ["TZ"] = "UTC"
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in {**conf, "spark.sql.session.timeZone": "UTC"}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    out = {}
    for name, query in queries.items():
        out[name] = [[plain(v) for v in row] for row in spark.sql(query).collect()]
    spark.stop()
    print(json.dumps(out))


if __name__ == "__main__":
    main(json.loads(sys.argv[1]), json.loads(sys.argv[2]))
