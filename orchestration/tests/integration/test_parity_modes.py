"""Parity, measured: the same two-day scenario in local, docker and pod modes.

One scenario per mode, each against its own source and warehouse databases on the same
Postgres server: seed, day 1 (provision -> bronze -> silver -> gold), the source's next-day
changes, day 2; then a bronze task for a table the source does not have. Asserted across the
three modes:

- bronze, silver and gold: the same tables, row counts and per-table checksums (md5 over the
  sorted rows of every column except the load metadata, ``_*`` columns such as
  ``_datakit_loaded_at``, ``_datakit_run_id`` and silver's ``_loaded_at``: they hold the time
  and the Airflow run id of the load), and with dates stamped by the run's clock counted as
  equal (see :func:`layer_fingerprint`);
- the result line of every task on both days (the XCom), without its run-specific fields
  (:data:`RUN_SPECIFIC`: the run id and the timings);
- the failing task: a missing table exits 3 (configuration error) in all three modes.

``local`` runs the runner CLIs of the sibling components; ``docker`` the images of this
checkout (``images/build.py``, reused by content hash) under DockerOperator through the engine's
Docker API (podman's socket here); ``pod`` the Kubernetes adapter's pod under ``podman kube
play``. Skipped, with the reason, where no container engine answers.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scripts import demo_modes
from scripts.demo import DemoRun, layer_tables, runner_path
from tests.conftest import INCLUDE_DIR

pytestmark = [
    pytest.mark.integration,
    pytest.mark.e2e,
    pytest.mark.container,
    # The first test also pays for the module's scenario: three modes, two days each, and the
    # image build when the checkout changed (measured: see the README's "Tests").
    pytest.mark.timeout(3600),
]

SCALE = 0.05  # 500 orders: the runners' start-up and the DAG's overhead dominate
MODES = ("local", "docker", "pod")
LAYERS = ("bronze", "silver", "gold")
DAYS = ("2024-01-01", "2024-01-02")
MISSING_TABLE = "no_such_table"
#: Result-line fields that differ between any two runs, whatever the mode (the demo's
#: ``monitor`` task reports times, ages and run ids of loads and builds).
RUN_SPECIFIC = frozenset({
    "run_id", "seconds", "rows_per_second", "elapsed_seconds", "last_load_at", "last_run_id",
    "age_seconds", "last_failure_at", "last_failure_run_id", "finished_at",
})  # fmt: skip


@dataclass
class ModeRun:
    mode: str
    seconds: float
    states: list[dict[str, str]]
    layers: dict[str, dict[str, tuple[int, str]]]
    results: dict[tuple[int, str], Any]
    failing: Any
    audited_images: dict[str, set[str | None]]


def _engine_or_skip() -> None:
    from datakit.testing.containers import detect_engine

    engine = detect_engine(INCLUDE_DIR.parent.parent)
    if engine is None:
        pytest.skip("no container engine answers (docker info, podman info): docker/pod modes")
    if engine.kind != "podman":
        pytest.skip(f"pod mode runs podman kube play; the engine here is {engine.kind}")


def layer_fingerprint(url: str, schema: str, since: datetime) -> dict[str, tuple[int, str]]:
    """Table -> (rows, md5 of its sorted rows without the ``_*`` load metadata columns).

    A date or timestamp later than *since* (the test's start, the data being of 2024) was
    stamped by the run's clock, not taken from the source: dbt closes the snapshot version of a
    hard-deleted customer at the snapshot's time. Such a value counts as ``run time``.
    """
    import psycopg
    from psycopg import sql

    result: dict[str, tuple[int, str]] = {}
    with psycopg.connect(url) as conn:
        for table in layer_tables(conn, schema):
            columns = conn.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = %s and table_name = %s and column_name not like '\\_%%' "
                "order by column_name",
                [schema, table],
            ).fetchall()
            values = [
                sql.SQL("case when {c} >= {t} then 'run time' else {c}::text end").format(
                    c=sql.Identifier(column), t=sql.Literal(since.replace(tzinfo=None))
                )
                if data_type.startswith(("timestamp", "date"))
                else sql.SQL("{}::text").format(sql.Identifier(column))
                for column, data_type in columns
            ]
            row_text = sql.SQL("row({})::text").format(sql.SQL(", ").join(values))
            query = sql.SQL(
                "select count(*), md5(coalesce(string_agg(r, E'\\n' order by r), '')) "
                "from (select {} as r from {}) as rows"
            ).format(row_text, sql.Identifier(schema, table))
            count, checksum = conn.execute(query).fetchone()  # type: ignore[misc]
            result[table] = (int(count), str(checksum))
    return result


def without_run_specific(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_run_specific(v) for k, v in value.items() if k not in RUN_SPECIFIC}
    if isinstance(value, list):
        return [without_run_specific(item) for item in value]
    return value


def task_results(demo: DemoRun) -> dict[tuple[int, str], Any]:
    """(day, task id) -> the task's XCom (its result line), day 1 and 2 by run order."""
    import sqlite3

    with sqlite3.connect(demo.airflow_home / "airflow.db") as db:
        runs = [row[0] for row in db.execute("select id from dag_run order by id")]
        rows = db.execute(
            "select dag_run_id, task_id, value from xcom where key = 'return_value'"
        ).fetchall()
    day_of = {run: day for day, run in enumerate(runs, start=1)}
    return {
        (day_of[run], task): json.loads(value) if isinstance(value, str) else value
        for run, task, value in rows
    }


def missing_table_tenants(folder: Path) -> Path:
    """The demo tenant file with one more table, one the source does not have."""
    folder.mkdir()
    text = (INCLUDE_DIR / "tenants" / "demo.yaml").read_text(encoding="utf-8")
    anchor = "      - {name: shop.products"
    assert anchor in text, "demo.yaml changed: update this test's anchor"
    extra = f"      - {{name: shop.{MISSING_TABLE}, mode: full_refresh}}\n"
    (folder / "demo.yaml").write_text(text.replace(anchor, extra + anchor, 1), encoding="utf-8")
    return folder


def drop_mode_state(server: Any, urls: tuple[str, ...]) -> None:
    """Drop the mode's databases and the tenant's role: roles belong to the whole server, and
    each mode must provision from scratch (its result line lists what it created)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(server.url(), autocommit=True) as conn:
        for url in urls:
            name = url.rsplit("/", 1)[1].split("?")[0]
            conn.execute(
                sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
            )
        conn.execute("drop role if exists demo_loader")


def audited_images(url: str) -> dict[str, set[str | None]]:
    """The images the load and build audits recorded (``DATAKIT_IMAGE`` of each task)."""
    import psycopg
    from psycopg import sql

    query = sql.SQL("select distinct image from {}")
    with psycopg.connect(url) as conn:
        return {
            table: {
                row[0] for row in conn.execute(query.format(sql.Identifier("demo_bronze", table)))
            }
            for table in ("_datakit_loads", "_datakit_builds")
        }


def run_mode(
    mode: str, server: Any, workdir: Path, images: dict[str, str], since: datetime
) -> ModeRun:
    from datakit.sample import load_sample, next_day

    started = time.monotonic()
    # Another test of the session (the end-to-end run, the demo) may have left the role behind.
    drop_mode_state(server, ())
    suffix = uuid.uuid4().hex[:8]
    source_url = server.create_database(f"parity_src_{mode}_{suffix}")
    warehouse_url = server.create_database(f"parity_wh_{mode}_{suffix}")
    execution = demo_modes.start(mode, workdir, images=images)
    try:
        demo = DemoRun(
            workdir=workdir,
            source_url=source_url,
            warehouse_url=warehouse_url,
            tenants_dir=INCLUDE_DIR / "tenants",
            runner_path=runner_path(),
            execution=mode,
            platform_file=execution.platform_file,
            execution_env=execution.env,
        )
        load_sample(source_url, scale=SCALE)
        demo.setup()
        states = []
        for number, day in enumerate(DAYS, start=1):
            if number == 2:
                next_day(source_url)
            result = demo.run_day(day)
            assert result.state == "success", f"{mode} day {number}:\n{result.output[-6000:]}"
            states.append({task: state for task, (state, _) in result.tasks.items()})
        layers = {
            layer: layer_fingerprint(demo.tenant_warehouse_url, f"demo_{layer}", since)
            for layer in LAYERS
        }
        results = task_results(demo)
        images_recorded = audited_images(demo.tenant_warehouse_url)
        demo.tenants_dir = missing_table_tenants(workdir / "tenants-missing-table")
        failing = demo.airflow(
            "tasks", "test", demo.dag_id, f"bronze.shop__{MISSING_TABLE}", "2024-01-03"
        )
    finally:
        execution.stop()
        drop_mode_state(server, (source_url, warehouse_url))
    return ModeRun(
        mode, time.monotonic() - started, states, layers, results, failing, images_recorded
    )


@pytest.fixture(scope="module")
def runs(
    postgres_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, ModeRun]]:
    _engine_or_skip()
    since = datetime.now(UTC) - timedelta(days=1)  # margin for the server's time zone
    started = time.monotonic()
    images = demo_modes.runner_images()  # once: docker and pod run the same images
    build_seconds = time.monotonic() - started
    done = {
        mode: run_mode(
            mode, postgres_server, tmp_path_factory.mktemp(f"parity-{mode}"), images, since
        )
        for mode in MODES
    }
    print(
        f"\nparity scenario: images {build_seconds:.0f} s; seconds per mode: "
        + ", ".join(f"{mode} {run.seconds:.0f}" for mode, run in done.items())
    )
    yield done


def test_every_task_succeeds_in_every_mode(runs: dict[str, ModeRun]) -> None:
    for run in runs.values():
        for day in run.states:
            assert set(day.values()) == {"success"}, (run.mode, day)
    assert runs["local"].states == runs["docker"].states == runs["pod"].states


@pytest.mark.parametrize("layer", LAYERS)
def test_layers_identical(runs: dict[str, ModeRun], layer: str) -> None:
    local = runs["local"].layers[layer]
    assert local, f"no {layer} table"
    assert all(rows > 0 for rows, _ in local.values()), local
    for mode in ("docker", "pod"):
        assert runs[mode].layers[layer] == local, mode


def test_result_lines_identical(runs: dict[str, ModeRun]) -> None:
    local = {key: without_run_specific(value) for key, value in runs["local"].results.items()}
    bronze = [key for key in local if key[1].startswith("bronze.")]
    assert len(bronze) == 10, sorted(local)
    assert all(local[key]["status"] == "succeeded" for key in bronze)
    for mode in ("docker", "pod"):
        other = {key: without_run_specific(value) for key, value in runs[mode].results.items()}
        assert other == local, mode


def test_the_audit_names_the_image_each_container_ran(runs: dict[str, ModeRun]) -> None:
    assert runs["local"].audited_images == {"_datakit_loads": {None}, "_datakit_builds": {None}}
    for mode in ("docker", "pod"):
        recorded = runs[mode].audited_images
        assert recorded["_datakit_loads"] and None not in recorded["_datakit_loads"], recorded
        assert recorded["_datakit_builds"] and None not in recorded["_datakit_builds"], recorded
        assert all("runner-postgres" in image for image in recorded["_datakit_loads"]), recorded
        assert all("runner-dbt" in image for image in recorded["_datakit_builds"]), recorded


def test_missing_table_exits_3_in_every_mode(runs: dict[str, ModeRun]) -> None:
    codes = {}
    for mode, run in runs.items():
        output = run.failing.stdout + run.failing.stderr
        # `airflow tasks test` exits 0 whatever the task did: the task's state says it failed.
        assert "new_state=failed" in output, output[-4000:]
        found = re.findall(r"exited with code (\d+)", output)
        assert found, f"{mode}: no exit code in the output\n{output[-4000:]}"
        codes[mode] = int(found[-1])
    assert codes == dict.fromkeys(MODES, 3)
