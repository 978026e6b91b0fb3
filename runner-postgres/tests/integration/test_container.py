"""The built image runs exactly like the local CLI: `docker run IMAGE extract --table ...` with the
connections as ``*_FILE`` secret mounts lands the same bronze table, prints the same result line
and exits with the same codes as ``runner-postgres extract`` on the host.

The image is the one ``make images`` builds (``runner_image`` fixture: ``images/build.py``, once
per session); the container runs on the host network and reaches the embedded test Postgres on
127.0.0.1. Skipped, with the reason, where no container engine answers.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import pytest

from datakit.testing import pg
from datakit.testing.containers import BuiltImage, Engine
from datakit.testing.runner_process import RunnerOutput, RunnerProcess, parse_output

pytestmark = [pytest.mark.integration, pytest.mark.container]

#: Result-line fields that differ between any two runs (ids and timings).
VOLATILE = {"run_id", "seconds", "rows_per_second"}
SOURCE_TABLE = """
CREATE TABLE public.orders (
    id bigint PRIMARY KEY, customer text, amount numeric(12, 2), tags text[],
    created_at timestamptz, payload jsonb, note text
);
INSERT INTO public.orders VALUES
    (1, 'ada', 12.50, '{a,b}', '2026-01-01 10:00:00+00', '{"k": 1}', 'tab\there'),
    (2, 'bob', NULL, NULL, NULL, NULL, 'line
break'),
    (3, 'Çé ü', -0.01, '{}', '2026-06-30 23:59:59.123456+00', '[]', '');
"""


def stable(result: dict[str, Any] | None) -> Any:
    """The result line without its volatile fields, recursively."""
    if isinstance(result, dict):
        return {key: stable(value) for key, value in result.items() if key not in VOLATILE}
    if isinstance(result, list):
        return [stable(item) for item in result]
    return result


def in_container(
    engine: Engine, image: BuiltImage, secrets: dict[str, str], *args: str
) -> RunnerOutput:
    started = time.monotonic()
    result = engine.run_container(image.ref, list(args), secret_files=secrets)
    return parse_output(result.returncode, result.stdout, result.stderr, time.monotonic() - started)


def on_host(secrets: dict[str, str], *args: str) -> RunnerOutput:
    return RunnerProcess([sys.executable, "-m", "datakit_runner_postgres"], env=secrets).run(*args)


def bronze(url: str, table: str) -> tuple[dict[str, str], list[tuple[str | None, ...]]]:
    """Column types and every row of a bronze table, load metadata included (same run => same
    values except the per-run columns, compared separately)."""
    types = pg.column_types(url, "bronze", table)
    data_columns = [name for name in types if not name.startswith("_")]
    return types, pg.text_rows(url, "bronze", table, data_columns)


def test_extract_in_the_container_equals_the_local_cli(
    container_engine: Engine,
    runner_image: BuiltImage,
    source_url: str,
    warehouse_url: str,
    pg_database: str,
) -> None:
    pg.execute(source_url, SOURCE_TABLE)
    args = ("extract", "--table", "public.orders", "--source-name", "shop")

    # Two warehouses (pg_database is a second fresh one): the same load, landed twice.
    local = on_host(
        {"DATAKIT_SOURCE_URL": source_url, "DATAKIT_WAREHOUSE_URL": warehouse_url}, *args
    )
    contained = in_container(
        container_engine,
        runner_image,
        {"DATAKIT_SOURCE_URL": source_url, "DATAKIT_WAREHOUSE_URL": pg_database},
        *args,
    )

    assert local.exit_code == 0, local.stderr
    assert contained.exit_code == 0, contained.stdout + contained.stderr
    assert stable(contained.result) == stable(local.result)
    assert contained.result is not None and contained.result["tables"][0]["rows"] == 3
    assert bronze(pg_database, "shop__orders") == bronze(warehouse_url, "shop__orders")
    # The URLs came as files: neither the password nor the URL is in the container's output.
    password = source_url.split("://", 1)[1].split("@", 1)[0].partition(":")[2]
    assert password and password not in contained.stdout + contained.stderr


def test_a_missing_table_exits_3_in_the_container_as_on_the_host(
    container_engine: Engine, runner_image: BuiltImage, source_url: str, warehouse_url: str
) -> None:
    secrets = {"DATAKIT_SOURCE_URL": source_url, "DATAKIT_WAREHOUSE_URL": warehouse_url}
    args = ("extract", "--table", "public.missing", "--source-name", "shop")

    local = on_host(secrets, *args)
    contained = in_container(container_engine, runner_image, secrets, *args)

    assert local.exit_code == 3, local.stderr
    assert contained.exit_code == 3, contained.stdout + contained.stderr
    assert stable(contained.result) == stable(local.result)
    assert not pg.table_exists(warehouse_url, "bronze", "shop__missing")


def test_a_usage_error_exits_2_in_the_container_as_on_the_host(
    container_engine: Engine, runner_image: BuiltImage
) -> None:
    local = on_host({}, "extract", "--no-such-option")
    contained = in_container(container_engine, runner_image, {}, "extract", "--no-such-option")

    assert local.exit_code == 2
    assert contained.exit_code == 2, contained.stdout + contained.stderr
    assert stable(contained.result) == stable(local.result)
