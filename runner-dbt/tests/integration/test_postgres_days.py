"""Day 1 and day 2 of the sample shop on Postgres: bronze by runner-postgres, then runner-dbt.

The scenario runs once per module (it is the expensive part); each test then checks one promise
of the issue: every dbt test passes, SCD2 history is right for changed, unchanged and deleted
customers, gold reconciles with the source to the cent per day, and day 2 only rebuilds what
changed.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from datakit.sample import load_sample, next_day
from datakit.testing.postgres import SUPERUSER_PASSWORD, PostgresServer
from tests.conftest import (
    SOURCE_CUSTOMERS,
    SOURCE_DAILY_TOTALS,
    Completed,
    base_env,
    load_bronze_postgres,
    query,
    runner_dbt,
)

pytestmark = pytest.mark.integration

TENANT = "acme"
TENANT_PASSWORD = "rdbt-tenant-pw"
SCALE = 0.1  # 1,000 orders, ~3,000 order lines: seconds per build


@dataclass
class Scenario:
    source_url: str
    warehouse_url: str
    day1: Completed
    day2: Completed
    customers_day1: dict[int, tuple[Any, ...]]
    customers_day2: dict[int, tuple[Any, ...]]
    bronze_day2: Completed
    #: The warehouse as its owner (the builds run as the tenant's role, `warehouse_url`).
    admin_url: str = ""


def nodes_of(completed: Completed) -> list[dict[str, Any]]:
    """Per-node results: in the line with --result-detail, else in the --result-file."""
    if "nodes" in completed.result:
        return list(completed.result["nodes"])
    detail = json.loads(Path(completed.result["result_file"]).read_text(encoding="utf-8"))
    return list(detail["nodes"])


@pytest.fixture(scope="module")
def scenario(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Scenario]:
    tmp_path = tmp_path_factory.mktemp("pg-days")
    suffix = uuid.uuid4().hex[:8]
    source_db, warehouse_db = f"rdbt_src_{suffix}", f"rdbt_wh_{suffix}"
    source_url = postgres_server.create_database(source_db)
    admin_url = postgres_server.create_database(warehouse_db)
    # As in production (`provision`): the tenant's role owns its three schemas and has no CREATE
    # on the database, so a build that tries to create a schema fails here as it would there.
    role = f"rdbt_tenant_{suffix}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{TENANT_PASSWORD}'")
        for layer in ("bronze", "silver", "gold"):
            conn.execute(f"CREATE SCHEMA {TENANT}_{layer} AUTHORIZATION {role}")
    warehouse_url = postgres_server.url(warehouse_db, user=role, password=TENANT_PASSWORD)
    env = base_env(DATAKIT_WAREHOUSE_URL=warehouse_url, DATAKIT_TENANT=TENANT)
    try:
        load_sample(source_url, scale=SCALE)
        load_bronze_postgres(
            tmp_path, source_url=source_url, warehouse_url=warehouse_url,
            bronze_schema=f"{TENANT}_bronze",
        )  # fmt: skip
        # Day 1 keeps the per-node detail in a file, day 2 in the result line itself.
        day1 = runner_dbt("build", "--result-file", str(tmp_path / "day1.json"), env=env)
        customers_day1 = {row[0]: row[1:] for row in query(source_url, SOURCE_CUSTOMERS)}

        next_day(source_url)
        bronze_day2 = load_bronze_postgres(
            tmp_path, source_url=source_url, warehouse_url=warehouse_url,
            bronze_schema=f"{TENANT}_bronze",
        )  # fmt: skip
        day2 = runner_dbt("build", "--result-detail", env=env)
        customers_day2 = {row[0]: row[1:] for row in query(source_url, SOURCE_CUSTOMERS)}
        yield Scenario(
            source_url,
            warehouse_url,
            day1,
            day2,
            customers_day1,
            customers_day2,
            bronze_day2,
            admin_url,
        )
    finally:
        with psycopg.connect(postgres_server.url(), autocommit=True) as conn:
            for name in (source_db, warehouse_db):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f"DROP ROLE IF EXISTS {role}")


@pytest.mark.parametrize("day", ["day1", "day2"])
def test_build_succeeds_and_every_dbt_test_passes(scenario: Scenario, day: str) -> None:
    completed: Completed = getattr(scenario, day)

    assert completed.code == 0, completed.describe()
    result = completed.result
    assert result["status"] == "succeeded"
    assert result["command"] == "build"
    assert result["tenant"] == TENANT
    assert result["schemas"] == {
        "bronze": "acme_bronze", "silver": "acme_silver", "gold": "acme_gold",
    }  # fmt: skip
    assert set(result["counts"]) <= {"success", "pass"}, result["counts"]
    assert result["counts"]["pass"] >= 80  # data tests
    assert result["failures"] == []
    names = {node["name"] for node in nodes_of(completed)}
    for model in ("dim_customer", "dim_product", "dim_date", "fct_orders", "fct_order_lines",
                  "fct_payments", "mart_daily_revenue", "customers_snapshot"):  # fmt: skip
        assert model in names


def test_result_line_is_small_and_the_detail_is_in_the_file(scenario: Scenario) -> None:
    """The line was ~25 KB (every node); counts and failures stay, nodes go to --result-file."""
    line = scenario.day1.stdout.strip().splitlines()[-1]
    assert len(line.encode()) < 4096, len(line.encode())
    assert "nodes" not in scenario.day1.result
    assert scenario.day1.result["counts"]["pass"] >= 80 and scenario.day1.result["failures"] == []
    detail = json.loads(Path(scenario.day1.result["result_file"]).read_text(encoding="utf-8"))
    assert detail["status"] == "succeeded" and detail["counts"] == scenario.day1.result["counts"]
    assert len(detail["nodes"]) == sum(detail["counts"].values())
    assert len(scenario.day2.stdout.strip().splitlines()[-1].encode()) > 4096  # --result-detail


def test_result_is_the_last_stdout_line_and_logs_are_json(scenario: Scenario) -> None:
    import json

    stdout_lines = scenario.day1.stdout.strip().splitlines()
    assert len(stdout_lines) == 1, "stdout carries only the result line"
    events = [json.loads(line) for line in scenario.day1.stderr.strip().splitlines()]
    finished = [e for e in events if e["event"] == "node_finished"]
    assert finished and all(e["tenant"] == TENANT for e in finished)
    assert SUPERUSER_PASSWORD not in scenario.day1.stderr + scenario.day1.stdout


def test_snapshot_history_follows_the_source(scenario: Scenario) -> None:
    before, after = scenario.customers_day1, scenario.customers_day2
    changed = {key for key in before.keys() & after.keys() if before[key] != after[key]}
    deleted = before.keys() - after.keys()
    added = after.keys() - before.keys()
    unchanged = (before.keys() & after.keys()) - changed
    assert changed and deleted and added, "the sample's day 2 changes, deletes and adds customers"

    rows = query(
        scenario.warehouse_url,
        "select customer_id, valid_from, valid_to from acme_silver.customers_snapshot "
        "order by customer_id, valid_from",
    )
    versions: dict[int, list[tuple[Any, Any]]] = {}
    for customer_id, valid_from, valid_to in rows:
        versions.setdefault(customer_id, []).append((valid_from, valid_to))

    for key in changed:
        (first_from, first_to), (second_from, second_to) = versions[key]
        assert first_to == second_from, f"customer {key}: intervals must touch"
        assert second_to is None
        assert first_from < first_to
    for key in unchanged | added:
        assert len(versions[key]) == 1 and versions[key][0][1] is None, key
    for key in deleted:
        assert len(versions[key]) == 1, key
        assert versions[key][0][1] is not None, f"deleted customer {key} must be closed"

    current = {
        row[0]
        for row in query(scenario.warehouse_url, "select customer_id from acme_silver.customers")
    }
    assert current == set(after)
    current_dim = query(
        scenario.warehouse_url,
        "select count(*), count(distinct customer_id) from acme_gold.dim_customer "
        "where is_current = 1",
    )[0]
    assert current_dim == (len(after), len(after))


def test_gold_reconciles_with_the_source_to_the_cent_per_day(scenario: Scenario) -> None:
    source = query(scenario.source_url, SOURCE_DAILY_TOTALS)
    mart = query(
        scenario.warehouse_url,
        "select order_date, order_count, order_line_count, revenue "
        "from acme_gold.mart_daily_revenue order by order_date",
    )
    facts = query(
        scenario.warehouse_url,
        "select l.order_date, count(distinct l.order_id), count(*), sum(l.amount) "
        "from acme_gold.fct_order_lines as l group by l.order_date order by l.order_date",
    )

    assert mart == source
    assert facts == source
    totals = query(
        scenario.warehouse_url,
        "select count(*), sum(order_amount), sum(paid_amount) from acme_gold.fct_orders",
    )[0]
    source_totals = query(
        scenario.source_url,
        "select (select count(*) from shop.orders), (select sum(amount) from shop.order_lines), "
        "(select sum(amount) from shop.payments)",
    )[0]
    assert totals == source_totals
    assert isinstance(totals[1], Decimal)


def test_day2_rebuilds_only_the_changed_orders(scenario: Scenario) -> None:
    changed_lines = query(
        scenario.source_url,
        "select count(*) from shop.order_lines where order_id in "
        "(select order_id from shop.orders where updated_at >= '2024-01-02')",
    )[0][0]
    total_lines = query(scenario.source_url, "select count(*) from shop.order_lines")[0][0]
    inserted = {
        node["name"]: node["rows_affected"]
        for node in nodes_of(scenario.day2)
        if node["name"].startswith("fct_")
    }

    # Bronze re-reads the rows at its watermark (a late commit is never skipped), so a few
    # unchanged orders ride along with the day's changes.
    assert 0 < inserted["fct_order_lines"] <= changed_lines + 20, inserted
    assert inserted["fct_order_lines"] < total_lines / 5
    assert 0 < inserted["fct_orders"] < total_lines / 10


def test_facts_point_at_the_customer_version_valid_when_ordered(scenario: Scenario) -> None:
    mismatched = query(
        scenario.warehouse_url,
        """
        select count(*) from acme_gold.fct_orders as f
        join acme_gold.dim_customer as d on d.customer_key = f.customer_key
        where not (f.ordered_at >= d.effective_from and f.ordered_at < d.effective_to)
           or d.customer_id <> f.customer_id
        """,
    )[0][0]
    history_orders = query(
        scenario.warehouse_url,
        """
        select count(*) from acme_gold.fct_orders as f
        join acme_gold.dim_customer as d on d.customer_key = f.customer_key
        where d.is_current = 0
        """,
    )[0][0]

    assert mismatched == 0
    assert history_orders > 0, "orders of changed customers keep pointing at the old version"


def test_a_rerun_without_new_bronze_changes_nothing(scenario: Scenario) -> None:
    env = base_env(DATAKIT_WAREHOUSE_URL=scenario.warehouse_url, DATAKIT_TENANT=TENANT)
    before = query(
        scenario.warehouse_url, "select count(*), sum(amount) from acme_gold.fct_order_lines"
    )
    versions = query(scenario.warehouse_url, "select count(*) from acme_silver.customers_snapshot")

    again = runner_dbt("build", "-s", "tag:gold", "-s", "customers_snapshot", env=env)

    assert again.code == 0, again.describe()
    assert (
        query(scenario.warehouse_url, "select count(*), sum(amount) from acme_gold.fct_order_lines")
        == before
    )
    assert (
        query(scenario.warehouse_url, "select count(*) from acme_silver.customers_snapshot")
        == versions
    )


def _table_stats(url: str, table: str, columns: str) -> tuple[int, ...]:
    """*columns* of pg_stat_user_tables for *table* (schema.name), as the statistics have them.

    A closed session's counters reach the statistics shortly after it ends: read until two
    reads half a second apart agree (at most a few seconds).
    """
    schema, name = table.split(".")
    sql = f"select {columns} from pg_stat_user_tables where schemaname = %s and relname = %s"
    previous: tuple[int, ...] | None = None
    deadline = time.monotonic() + 5
    while True:
        current = tuple(int(value or 0) for value in query(url, sql, [schema, name])[0])
        if current == previous or time.monotonic() > deadline:
            return current
        previous = current
        time.sleep(0.5)


def _scans(url: str, table: str) -> tuple[int, ...]:
    """(sequential, index) scans of *table* so far."""
    return _table_stats(url, table, "seq_scan, idx_scan")


def test_day2_fact_tests_read_the_latest_build_through_the_index(scenario: Scenario) -> None:
    """The facts' tests read the latest build's rows through the _built_at index, never the
    whole fact: compared with a subquery, _built_at was estimated from statistics that know
    day 1's value (or a few), as a large share of the table, and every test scanned it all."""
    env = base_env(DATAKIT_WAREHOUSE_URL=scenario.warehouse_url, DATAKIT_TENANT=TENANT)
    before = _scans(scenario.warehouse_url, "acme_gold.fct_order_lines")

    completed = runner_dbt("test", "--select", "fct_order_lines", env=env)

    assert completed.code == 0, completed.describe()
    assert completed.result["counts"]["pass"] >= 8  # every test of the fact ran
    after = _scans(scenario.warehouse_url, "acme_gold.fct_order_lines")
    assert after[1] >= before[1] + 8, (before, after)
    assert after[0] == before[0], f"sequential scans of the fact: {before} -> {after}"


def test_check_discover_and_ls_against_the_built_warehouse(scenario: Scenario) -> None:
    env = base_env(DATAKIT_WAREHOUSE_URL=scenario.warehouse_url, DATAKIT_TENANT=TENANT)

    check = runner_dbt("check", env=env)
    discover = runner_dbt("discover", env=env)
    listed = runner_dbt("ls", "--select", "tag:gold", env=env)

    assert check.code == 0, check.describe()
    assert check.result["connection"] == "ok"
    assert len(check.result["bronze_sources"]) == 5
    assert discover.code == 0, discover.describe()
    models = {m["name"]: m for m in discover.result["models"]}
    assert models["dim_customer"]["tags"] == ["gold"]
    assert models["dim_customer"]["schema"] == "acme_gold"
    assert models["stg_shop__orders"]["schema"] == "acme_silver"
    assert {s["name"] for s in discover.result["snapshots"]} == {
        "customers_snapshot", "products_snapshot",
    }  # fmt: skip
    assert any(t["attached_node"] == "model.warehouse.fct_orders" for t in discover.result["tests"])
    assert all(m["description"] for m in discover.result["models"]), "docs on every model"
    assert listed.code == 0, listed.describe()
    assert {n["name"] for n in listed.result["nodes"] if n["resource_type"] == "model"} >= {
        "dim_customer", "fct_orders", "mart_daily_revenue",
    }  # fmt: skip


def test_check_names_missing_bronze_tables(scenario: Scenario) -> None:
    # As the owner: the tenant's role may not create another tenant's schemas.
    env = base_env(DATAKIT_WAREHOUSE_URL=scenario.admin_url, DATAKIT_TENANT="globex")

    check = runner_dbt("check", env=env)

    assert check.code == 3, check.describe()
    assert "globex_bronze.shop__orders" in check.result["error"]["message"]


SCOPED_MODELS = {
    "model.warehouse.stg_shop__orders", "model.warehouse.stg_shop__order_lines",
    "model.warehouse.stg_shop__payments", "model.warehouse.orders",
    "model.warehouse.order_lines", "model.warehouse.payments",
}  # fmt: skip
LINES = f"{TENANT}_bronze.shop__order_lines"


def _duplicate_a_line(url: str, *, new_load: bool) -> int:
    """Copy one bronze order line: with its old load time (a row tested before) or a new one."""
    line_id = query(url, f"select min(order_line_id) from {LINES}")[0][0]
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            f"insert into {LINES} select * from {LINES} where order_line_id = %s", [line_id]
        )
        if new_load:
            conn.execute(
                f"update {LINES} set _datakit_loaded_at = clock_timestamp() "
                f"where ctid = (select max(ctid) from {LINES} where order_line_id = %s)",
                [line_id],
            )
    return int(line_id)


def _remove_duplicate(url: str, line_id: int) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            f"delete from {LINES} where order_line_id = %s "
            f"and ctid <> (select min(ctid) from {LINES} where order_line_id = %s)",
            [line_id, line_id],
        )


def _failed_tests(completed: Completed) -> set[str]:
    return {f["name"] for f in completed.result.get("failures", [])}


def test_day2_tests_of_the_bronze_sized_views_read_only_rows_loaded_since_they_passed(
    scenario: Scenario,
) -> None:
    """The watermark each view's tests passed at is kept in silver; a row loaded before it is
    not read again by the daily build's tests (it was tested), and datakit_test_all_rows does."""
    url = scenario.warehouse_url
    passed = query(
        url,
        "select node_id, max(loaded_through) from acme_silver._datakit_test_state "
        "where status = 'passed' group by node_id",
    )
    newest_orders = query(url, "select max(_datakit_loaded_at) from acme_bronze.shop__orders")[0][0]
    assert {node for node, _ in passed} == SCOPED_MODELS
    watermark = datetime.fromisoformat(dict(passed)["model.warehouse.stg_shop__orders"])
    assert watermark == newest_orders

    env = base_env(DATAKIT_WAREHOUSE_URL=url, DATAKIT_TENANT=TENANT)
    line_id = _duplicate_a_line(url, new_load=False)
    try:
        scoped = runner_dbt("test", "-s", "stg_shop__order_lines", env=env)
        every_row = runner_dbt(
            "test", "-s", "stg_shop__order_lines", "--vars", '{"datakit_test_all_rows": true}',
            env=env,
        )  # fmt: skip
    finally:
        _remove_duplicate(url, line_id)

    assert scoped.code == 0, scoped.describe()
    assert every_row.code == 5, every_row.describe()
    assert _failed_tests(every_row) == {"unique_stg_shop__order_lines_order_line_id"}


def test_a_bad_new_row_fails_every_run_until_fixed_and_a_lost_state_tests_every_row(
    scenario: Scenario,
) -> None:
    url = scenario.warehouse_url
    env = base_env(DATAKIT_WAREHOUSE_URL=url, DATAKIT_TENANT=TENANT)
    unique = {"unique_stg_shop__order_lines_order_line_id"}

    line_id = _duplicate_a_line(url, new_load=True)
    try:
        first = runner_dbt("test", "-s", "stg_shop__order_lines", env=env)
        second = runner_dbt("test", "-s", "stg_shop__order_lines", env=env)
    finally:
        _remove_duplicate(url, line_id)
    fixed = runner_dbt("test", "-s", "stg_shop__order_lines", env=env)

    assert first.code == 5 and _failed_tests(first) == unique, first.describe()
    assert second.code == 5 and _failed_tests(second) == unique, "a failed run records nothing"
    assert fixed.code == 0, fixed.describe()

    # A lost state (the table dropped) is a full test: an old duplicate is found again.
    line_id = _duplicate_a_line(url, new_load=False)
    try:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("drop table acme_silver._datakit_test_state")
        lost = runner_dbt("test", "-s", "stg_shop__order_lines", env=env)
    finally:
        _remove_duplicate(url, line_id)

    assert lost.code == 5 and _failed_tests(lost) == unique, lost.describe()


@contextmanager
def _autovacuum_paused(server: PostgresServer) -> Iterator[None]:
    """No autovacuum worker starts in the block (the session's own server): an autoanalyze
    would reset the counter a test reads, at a moment no test chooses."""

    def set_autovacuum(statement: str) -> None:
        with psycopg.connect(server.url(), autocommit=True) as conn:
            conn.execute(statement)
            conn.execute("select pg_reload_conf()")

    set_autovacuum("alter system set autovacuum = off")
    try:
        yield
    finally:
        set_autovacuum("alter system reset autovacuum")


def test_a_build_that_changes_few_rows_does_not_analyze_again_what_the_last_one_analyzed(
    scenario: Scenario, postgres_server: PostgresServer
) -> None:
    """The statistics a build takes inside its transaction are fresh, although Postgres then
    counts that transaction's rows as changed since them: the next build, changing nothing,
    must not analyze the table again (it did, for every fact, on each first day-2 build)."""
    url = scenario.warehouse_url
    env = base_env(DATAKIT_WAREHOUSE_URL=url, DATAKIT_TENANT=TENANT)
    with _autovacuum_paused(postgres_server):
        rebuilt = runner_dbt("run", "-s", "fct_payments", "--full-refresh", env=env)
        assert rebuilt.code == 0, rebuilt.describe()
        analyzed, changed = _table_stats(
            url, "acme_gold.fct_payments", "analyze_count, n_mod_since_analyze"
        )
        rows = query(url, "select count(*) from acme_gold.fct_payments")[0][0]
        assert analyzed == 1, "a new table is analyzed by the build that creates it"
        assert changed == rows, "Postgres counts the build's own rows as changed since its ANALYZE"

        again = runner_dbt("run", "-s", "fct_payments", env=env)

    assert again.code == 0, again.describe()
    assert _table_stats(url, "acme_gold.fct_payments", "analyze_count") == (1,)


def test_a_run_does_not_analyze_a_bronze_table_its_load_just_analyzed(
    scenario: Scenario, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    """A bronze load analyzes inside its own transaction, so Postgres then counts its rows as
    changed: the run's start must see that the statistics are newer than the newest loaded rows
    and leave them (it analyzed every full-refresh bronze table again, every day). Rows that
    changed after the statistics, a tenth of the table or more, are still analyzed."""
    url = scenario.warehouse_url
    env = base_env(DATAKIT_WAREHOUSE_URL=url, DATAKIT_TENANT=TENANT)
    customers = "acme_bronze.shop__customers"
    with _autovacuum_paused(postgres_server):
        load_bronze_postgres(
            tmp_path, source_url=scenario.source_url, warehouse_url=url,
            bronze_schema=f"{TENANT}_bronze",
        )  # fmt: skip
        analyzed, changed = _table_stats(url, customers, "analyze_count, n_mod_since_analyze")
        rows = query(url, f"select count(*) from {customers}")[0][0]
        assert changed >= rows, "the full refresh's own rows count as changed since its ANALYZE"

        fresh = runner_dbt("run", "-s", "stg_shop__customers", env=env)
        assert fresh.code == 0, fresh.describe()
        assert _table_stats(url, customers, "analyze_count") == (analyzed,)

        # The same rows written again after the statistics (a load that did not analyze).
        with psycopg.connect(scenario.admin_url, autocommit=True) as conn:
            conn.execute(f"update {customers} set _datakit_loaded_at = clock_timestamp()")
        stale = runner_dbt("run", "-s", "stg_shop__customers", env=env)

    assert stale.code == 0, stale.describe()
    assert _table_stats(url, customers, "analyze_count") == (analyzed + 1,)
