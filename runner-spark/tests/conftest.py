"""Fixtures shared by runner-spark's tests.

The acceptance suite (``tests/acceptance``) brings its own: the SDK's ``postgres_to_spark`` pair
(``datakit.testing.acceptance.postgres_spark``) starts a Derby network metastore and one reading
Spark session per class. ``tests/cluster`` has its conftest; ``tests/unit/test_image.py`` reads
bronze with ``tests/spark_reader.py`` in a process of its own.
"""

from __future__ import annotations

from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent
