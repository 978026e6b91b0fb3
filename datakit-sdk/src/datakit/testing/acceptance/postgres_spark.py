"""Acceptance suite for runners that load a Postgres source into a Spark-catalog bronze layer.

The neutral suite (:class:`~datakit.testing.acceptance.neutral.BronzeAcceptance`) with a
Postgres source and the Spark catalog of :mod:`datakit.testing.spark_warehouse` (a Derby network
metastore and one reading session per test class; every database is dropped after each test).
Every runner call starts a JVM (~10 s), so the kill and convergence tests use smaller tables
than the Postgres pair and kill at the runner's own events: during the JDBC read (bronze must
still be old) and at the switch of the table's location (old or new).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping
from typing import ClassVar

import pytest

from datakit.testing import pg
from datakit.testing.acceptance.fixtures import neutral_rows
from datakit.testing.acceptance.neutral import (
    EXACT_VALUES,
    SPECIAL_FLOATS,
    BronzeAcceptance,
    KillPoint,
    ok,
)
from datakit.testing.pg_acceptance import PostgresSource
from datakit.testing.runner_process import RunnerProcess
from datakit.testing.spark_warehouse import SparkBronze, SparkCatalog, spark_catalog


@pytest.mark.integration
class PostgresToSparkAcceptance(BronzeAcceptance):
    """Subclass in a runner's tests and provide the ``runner_command`` fixture."""

    exact_values = (*EXACT_VALUES, *SPECIAL_FLOATS)
    kill_points = (
        KillPoint("spark_jdbc_read", 0.0, before_publish=True),
        KillPoint("spark_switch", 0.0, before_publish=False),
    )
    kill_rows = 200_000
    convergence_rows = 20_000
    random_kill_seconds = (3.0, 12.0)
    not_applicable: ClassVar[Mapping[str, str]] = {
        "test_schema_evolves_widened_columns": (
            "Spark's Parquet tables cannot change a column's type in place; runner-spark "
            "refuses a widened column with exit 3 (documented in its README)"
        ),
    }

    # --- Spark-specific: partitioned reads, arrays, numerics beyond Spark's decimal ------------

    def test_partitioned_read_of_arrays_and_unbounded_numerics(
        self, runner: RunnerProcess, source_url: str, warehouse: SparkBronze
    ) -> None:
        """``--partitions 3`` splits the read on the key inside one snapshot; arrays land as
        ``array<...>``, ``numeric`` without a precision as exact text (Spark's decimal would
        round it)."""
        pg.execute(
            source_url,
            "CREATE TABLE public.parts (id bigint PRIMARY KEY, arr integer[], free numeric);"
            "INSERT INTO public.parts SELECT i, ARRAY[i, NULL, -i], i / 7.0 FROM generate_series(1, 3000) i;"
            "INSERT INTO public.parts VALUES (0, '{}', 12345678901234567890.123456789012345678901)",
        )
        out = self.extract(runner, "public.parts", "--partitions", "3")
        assert ok(out)["tables"][0]["rows"] == 3001
        (read,) = out.events_named("spark_jdbc_read")
        assert read["partitions"] == 3 and read["partition_column"] == "id" and read["one_snapshot"]
        want = pg.fetch(source_url, "SELECT id, arr, free::text FROM public.parts")
        assert neutral_rows(warehouse.rows("src__parts")) == neutral_rows(want)
        types = warehouse.columns("src__parts")
        assert (types["id"], types["arr"], types["free"]) == ("bigint", "array<int>", "string")

    @pytest.fixture(scope="class")
    @classmethod
    def spark(cls, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkCatalog]:
        if shutil.which("java") is None:
            pytest.skip("needs a Java runtime for Spark (apt: openjdk-17-jre-headless)")
        with spark_catalog(tmp_path_factory.mktemp("spark-acceptance")) as catalog:
            yield catalog

    @pytest.fixture
    def source(self, source_url: str) -> PostgresSource:
        return PostgresSource(source_url)

    @pytest.fixture
    def warehouse(self, spark: SparkCatalog) -> Iterator[SparkBronze]:
        yield SparkBronze(spark)
        spark.reset()


__all__ = ["PostgresToSparkAcceptance"]
