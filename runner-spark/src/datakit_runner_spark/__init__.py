"""runner-spark: copies Postgres source tables into a Spark bronze layer (Parquet, Hive metastore)."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
