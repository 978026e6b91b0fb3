"""The sample source against a real Postgres: determinism, scale, exact money, daily changes, CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from structlog.testing import capture_logs

from datakit.cli.app import invoke
from datakit.cli.platform_tools import build_cli
from datakit.errors import ConfigError
from datakit.sample import current_day, load_sample, next_day, sample_size, table_counts

pytestmark = pytest.mark.integration

TABLES = {
    "customers": "customer_id",
    "products": "product_id",
    "orders": "order_id",
    "order_lines": "order_line_id",
    "payments": "payment_id",
    "_sample_state": "day",
}
DAY_2 = datetime(2024, 1, 2, tzinfo=UTC)
DAY_3 = DAY_2 + timedelta(days=1)


def connect(url: str) -> psycopg.Connection[Any]:
    conn = psycopg.connect(url, autocommit=True)
    conn.execute("SET TimeZone = 'UTC'")
    return conn


def fingerprints(url: str) -> dict[str, str]:
    """md5 of each table's text dump in primary-key order: equal fingerprints, equal bytes."""
    with connect(url) as conn:
        return {
            table: conn.execute(
                sql.SQL(
                    "SELECT md5(string_agg(t::text, E'\\n' ORDER BY t.{key})) FROM {table} t"
                ).format(key=sql.Identifier(key), table=sql.Identifier("shop", table))
            ).fetchone()[0]
            for table, key in TABLES.items()
        }


def rows(url: str, query: str, *params: Any) -> list[tuple[Any, ...]]:
    with connect(url) as conn:
        return conn.execute(query, params or None).fetchall()


def test_same_scale_gives_identical_bytes_on_every_run(pg_database: str, source_url: str) -> None:
    load_sample(pg_database, scale=0.1)
    first = fingerprints(pg_database)
    load_sample(pg_database, scale=0.1)  # replaces the schema in place
    load_sample(source_url, scale=0.1)  # and in another database
    assert fingerprints(pg_database) == first
    assert fingerprints(source_url) == first

    for url in (pg_database, source_url):
        next_day(url)
        next_day(url)
    assert fingerprints(pg_database) == fingerprints(source_url)
    assert fingerprints(pg_database) != first


def test_row_counts_follow_the_scale(pg_database: str) -> None:
    for scale in (0.05, 0.2):
        loaded = load_sample(pg_database, scale=scale)
        size = sample_size(scale)
        assert table_counts(pg_database) == loaded
        assert loaded["customers"] == size.customers
        assert loaded["products"] == size.products
        assert loaded["orders"] == size.orders
        assert loaded["order_lines"] == 3 * size.orders == size.order_lines
        # one payment per order, one order in ten paid in two parts
        assert size.orders < loaded["payments"] <= size.orders + size.orders // 10 + 1
        assert current_day(pg_database) == 1


def test_ids_are_dense_and_keys_hold(pg_database: str) -> None:
    load_sample(pg_database, scale=0.1)
    next_day(pg_database)
    for table, key in TABLES.items():
        if table in ("customers", "_sample_state"):  # customers: hard deletes leave gaps
            continue
        [(count, low, high)] = rows(
            pg_database, f"SELECT count(*), min({key}), max({key}) FROM shop.{table}"
        )
        assert (low, high) == (1, count), table
    [(lines_per_order,)] = rows(
        pg_database,
        "SELECT array_agg(DISTINCT n ORDER BY n) FROM"
        " (SELECT count(*) AS n FROM shop.order_lines GROUP BY order_id) x",
    )
    assert lines_per_order == [1, 2, 3, 4, 5]
    [(indexed,)] = rows(
        pg_database,
        "SELECT count(DISTINCT tablename) FROM pg_indexes"
        " WHERE schemaname = 'shop' AND indexdef LIKE '%(updated_at)%'",
    )
    assert indexed == 5


def test_money_reconciles_exactly(pg_database: str) -> None:
    load_sample(pg_database, scale=0.2)
    next_day(pg_database)
    next_day(pg_database)
    mismatches = rows(
        pg_database,
        """
        SELECT coalesce(l.order_id, p.order_id), l.total, p.total
        FROM (SELECT order_id, sum(amount) AS total FROM shop.order_lines GROUP BY order_id) l
        FULL JOIN (SELECT order_id, sum(amount) AS total FROM shop.payments GROUP BY order_id) p
            ON p.order_id = l.order_id
        WHERE l.total IS DISTINCT FROM p.total
        """,
    )
    assert mismatches == []
    [(bad_lines, split_orders, non_positive)] = rows(
        pg_database,
        """
        SELECT (SELECT count(*) FROM shop.order_lines WHERE amount <> quantity * unit_price),
               (SELECT count(*) FROM (SELECT order_id FROM shop.payments GROUP BY order_id
                                      HAVING count(*) = 2) s),
               (SELECT count(*) FROM shop.payments WHERE amount <= 0)
        """,
    )
    assert (bad_lines, non_positive) == (0, 0)
    assert split_orders > 0
    [(column_types,)] = rows(
        pg_database,
        "SELECT array_agg(table_name || '.' || column_name || ' ' || numeric_precision || ','"
        " || numeric_scale ORDER BY table_name, column_name) FROM information_schema.columns"
        " WHERE table_schema = 'shop' AND data_type = 'numeric' AND table_name <> '_sample_state'",
    )
    assert column_types == [
        "order_lines.amount 14,2",
        "order_lines.unit_price 12,2",
        "payments.amount 14,2",
        "products.unit_price 12,2",
    ]


def test_next_day_applies_a_days_changes_inside_that_day(pg_database: str) -> None:
    load_sample(pg_database, scale=0.5)
    customers_before = {
        row[0]: row[1:]
        for row in rows(
            pg_database, "SELECT customer_id, city, country, email, segment FROM shop.customers"
        )
    }
    without_orders = {
        row[0]
        for row in rows(
            pg_database,
            "SELECT customer_id FROM shop.customers c WHERE NOT EXISTS"
            " (SELECT 1 FROM shop.orders o WHERE o.customer_id = c.customer_id)",
        )
    }
    placed = {
        row[0]
        for row in rows(pg_database, "SELECT order_id FROM shop.orders WHERE status = 'placed'")
    }
    [(max_order,)] = rows(pg_database, "SELECT max(order_id) FROM shop.orders")
    prices_before = dict(rows(pg_database, "SELECT product_id, unit_price FROM shop.products"))
    counts_before = table_counts(pg_database)

    changes = next_day(pg_database)

    assert current_day(pg_database) == 2
    counts_after = table_counts(pg_database)
    for table, change in changes.items():
        assert counts_after[table] == counts_before[table] + change["inserted"] - change["deleted"]
        # every row touched today, and only those, carries today's updated_at
        [(touched, outside)] = rows(
            pg_database,
            "SELECT count(*) FILTER (WHERE updated_at >= %s),"
            f" count(*) FILTER (WHERE updated_at >= %s) FROM shop.{table}",
            DAY_2,
            DAY_3,
        )
        assert touched == change["inserted"] + change["updated"], table
        assert outside == 0, table

    # about 1% of customers updated, each in exactly one attribute group
    after = {
        row[0]: row[1:]
        for row in rows(
            pg_database, "SELECT customer_id, city, country, email, segment FROM shop.customers"
        )
    }
    changed = [
        cid for cid in customers_before.keys() & after.keys() if customers_before[cid] != after[cid]
    ]
    assert changes["customers"]["updated"] == len(changed) == round(0.01 * len(customers_before))
    for cid in changed:
        (old_city, old_country, old_email, old_segment) = customers_before[cid]
        (city, country, email, segment) = after[cid]
        assert [old_city != city, old_email != email, old_segment != segment].count(True) == 1
        assert old_city != city or old_country == country

    # hard deletes only of customers without orders, and new customers get new ids
    deleted = customers_before.keys() - after.keys()
    assert len(deleted) == changes["customers"]["deleted"] >= 1
    assert deleted <= without_orders
    inserted = after.keys() - customers_before.keys()
    assert len(inserted) == changes["customers"]["inserted"] >= 2
    assert min(inserted) > max(customers_before)

    # new orders are dated the new day, with lines and payments of that day
    new_orders = rows(
        pg_database,
        "SELECT o.order_id, o.order_date, o.status, o.ordered_at,"
        " (SELECT count(*) FROM shop.order_lines l WHERE l.order_id = o.order_id),"
        " (SELECT min(paid_at) FROM shop.payments p WHERE p.order_id = o.order_id),"
        " (SELECT max(paid_at) FROM shop.payments p WHERE p.order_id = o.order_id)"
        " FROM shop.orders o WHERE o.order_id > %s",
        max_order,
    )
    assert len(new_orders) == changes["orders"]["inserted"] >= 3
    for _, order_date, status, ordered_at, line_count, first_paid, last_paid in new_orders:
        assert (order_date, status) == (DAY_2.date(), "placed")
        assert DAY_2 <= ordered_at < first_paid <= last_paid < DAY_3
        assert 1 <= line_count <= 5

    # yesterday's placed orders shipped today
    statuses = dict(
        rows(
            pg_database,
            "SELECT order_id, status FROM shop.orders WHERE order_id = ANY(%s)",
            list(placed),
        )
    )
    assert placed and set(statuses.values()) == {"shipped"}

    # a few products repriced
    prices_after = dict(rows(pg_database, "SELECT product_id, unit_price FROM shop.products"))
    repriced = [pid for pid in prices_before if prices_before[pid] != prices_after[pid]]
    assert len(repriced) == changes["products"]["updated"] >= 2

    assert next_day(pg_database) != changes
    assert current_day(pg_database) == 3


def test_next_day_without_a_load_is_a_config_error(pg_database: str) -> None:
    with pytest.raises(ConfigError, match="sample load") as caught:
        next_day(pg_database)
    assert caught.value.exit_code == 3


def test_load_logs_each_table_with_rows_and_seconds(pg_database: str) -> None:
    with capture_logs() as logs:
        loaded = load_sample(pg_database, scale=0.01)
    events = {e["table"]: e for e in logs if e["event"] == "sample_table_loaded"}
    assert set(events) == set(loaded)
    for table, event in events.items():
        assert event["rows"] == loaded[table]
        assert event["seconds"] >= 0


@pytest.fixture
def source_env(pg_database: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.setenv("DATAKIT_SOURCE_URL", pg_database)
    monkeypatch.delenv("DATAKIT_SOURCE_URL_FILE", raising=False)
    monkeypatch.setenv("DATAKIT_XCOM_DIR", str(tmp_path / "no-xcom"))
    monkeypatch.setenv("DATAKIT_LOG_FORMAT", "json")
    return pg_database


def last_json_line(text: str) -> dict[str, Any]:
    return json.loads(text.strip().splitlines()[-1])


def test_cli_load_and_next_day(source_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert invoke(build_cli(), ["sample", "load", "--scale", "tiny"]) == 0
    result = last_json_line(capsys.readouterr().out)
    assert result["status"] == "ok"
    assert result["day"] == 1
    assert result["rows"] == table_counts(source_env)

    assert invoke(build_cli(), ["sample", "next-day"]) == 0
    result = last_json_line(capsys.readouterr().out)
    assert result["status"] == "ok"
    assert result["day"] == 2
    assert result["changes"]["orders"]["inserted"] >= 3


def test_cli_errors_carry_their_exit_code(
    source_env: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert invoke(build_cli(), ["sample", "load", "--scale", "lots"]) == 2
    result = last_json_line(capsys.readouterr().out)
    assert result["error"]["kind"] == "usage"
    assert "--scale" in result["error"]["message"]

    assert invoke(build_cli(), ["sample", "next-day"]) == 3
    assert "sample load" in last_json_line(capsys.readouterr().out)["error"]["message"]

    monkeypatch.delenv("DATAKIT_SOURCE_URL")
    assert invoke(build_cli(), ["sample", "load", "--scale", "tiny"]) == 3
    assert "DATAKIT_SOURCE_URL" in last_json_line(capsys.readouterr().out)["error"]["message"]


def test_console_script_in_a_real_process(source_env: str) -> None:
    script = Path(sys.executable).with_name("datakit")
    completed = subprocess.run(
        [str(script), "sample", "load", "--scale", "tiny"],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    result = last_json_line(completed.stdout)
    assert result["status"] == "ok"
    assert result["rows"]["order_lines"] == 300
    events = [
        json.loads(line)["event"] for line in completed.stderr.splitlines() if line.startswith("{")
    ]
    assert events.count("sample_table_loaded") == 5
    assert source_env.split("@")[0].split(":")[-1] not in completed.stderr  # the password
