"""Alerts end to end: ``airflow dags test`` (local mode) against real Postgres and a real HTTP
server on 127.0.0.1 that records what it receives.

Day 1 is healthy: ``monitor`` and ``alerts`` run and nothing is sent. Day 2 has a failing
bronze task (a table the source lacks), a stale table and a load far below its usual row
count (history seeded in ``_datakit_loads``): exactly one message each, naming tenant, subject,
run id and the task log, and no password or webhook token in any of them. Day 3 (seeded history
removed, the source's orders given a status the staging model's ``accepted_values`` test
refuses) fails ``silver`` on its dbt tests: exactly one ``dbt_tests`` message naming the failing
test and its failing rows, and nothing else.
"""

from __future__ import annotations

import json
import socket
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import psycopg
import pytest
from psycopg import sql

from scripts.demo import DemoRun, runner_path
from tests.conftest import INCLUDE_DIR

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

TOKEN = "SECRETTOKEN" + uuid.uuid4().hex
ALERTS = """
alerts:
  destinations:
    - webhook: {connection: demo_alerts}
  events:
    volume: {fraction: 0.5, loads: 7}
"""


class Recorder(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append({"path": self.path, "body": json.loads(body)})
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    Recorder.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook/{TOKEN}", Recorder.received
    finally:
        server.shutdown()
        server.server_close()


def seed_history(warehouse_url: str) -> None:
    """Five earlier products loads of 100,000 rows and a table last loaded three days ago."""
    now = datetime.now(UTC)
    with psycopg.connect(warehouse_url) as conn:
        insert = sql.SQL(
            "INSERT INTO {} (run_id, table_name, source_table, mode, status, rows, started_at,"
            " finished_at) VALUES (%s, %s, %s, 'full_refresh', 'succeeded', %s, %s, %s)"
        ).format(sql.Identifier("demo_bronze", "_datakit_loads"))
        for day in range(10, 5, -1):
            at = now - timedelta(days=day)
            conn.execute(insert, (f"old-{day}", "shop__products", "shop.products", 100_000, at, at))
        at = now - timedelta(days=3)
        conn.execute(insert, ("old-legacy", "shop__legacy", "shop.legacy", 10, at, at))


def break_order_statuses(source_url: str, warehouse_url: str) -> None:
    """Two orders get a status stg_shop__orders' accepted_values test refuses (changed after
    the watermark, so the incremental load brings them); the seeded history and the missing
    table's failures are removed, so the dbt tests are the day's only incident."""
    with psycopg.connect(source_url) as conn:
        conn.execute(
            "UPDATE shop.orders SET status = 'lost', updated_at = (SELECT max(updated_at)"
            " FROM shop.orders) + interval '1 minute' WHERE order_id IN"
            " (SELECT order_id FROM shop.orders ORDER BY order_id LIMIT 2)"
        )
    with psycopg.connect(warehouse_url) as conn:
        conn.execute(
            sql.SQL(
                "DELETE FROM {} WHERE run_id LIKE 'old-%%' OR table_name = 'shop__nope'"
            ).format(sql.Identifier("demo_bronze", "_datakit_loads"))
        )


@pytest.fixture(scope="module")
def statsd() -> Iterator[tuple[int, list[str]]]:
    """A real UDP listener on 127.0.0.1 collecting StatsD lines."""
    packets: list[str] = []
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    stop = threading.Event()

    def listen() -> None:
        while not stop.is_set():
            try:
                packets.append(sock.recv(65535).decode())
            except TimeoutError:
                continue

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1], packets
    finally:
        stop.set()
        thread.join()
        sock.close()


@pytest.fixture(scope="module")
def scenario(
    postgres_server: Any,
    tmp_path_factory: pytest.TempPathFactory,
    webhook: tuple[str, list[dict[str, Any]]],
    statsd: tuple[int, list[str]],
) -> Iterator[dict[str, Any]]:
    from datakit.sample import load_sample, next_day

    path = runner_path()
    if not all(
        any((Path(folder) / command).exists() for folder in path.split(":"))
        for command in ("runner-postgres", "runner-dbt")
    ):
        pytest.skip("runner CLIs not installed (uv sync in their components)")
    url, received = webhook
    workdir = tmp_path_factory.mktemp("alerts")
    tenants = workdir / "tenants"
    tenants.mkdir()
    demo_file = tenants / "demo.yaml"
    demo_text = (INCLUDE_DIR / "tenants" / "demo.yaml").read_text()
    # The demo's own alerts block is replaced by this test's (same connection, volume rule).
    healthy = demo_text[: demo_text.index("\nalerts:\n")] + ALERTS
    demo_file.write_text(healthy)
    suffix = uuid.uuid4().hex[:8]
    source_url = postgres_server.create_database(f"alerts_src_{suffix}")
    warehouse_url = postgres_server.create_database(f"alerts_wh_{suffix}")
    demo = DemoRun(
        workdir=workdir,
        source_url=source_url,
        warehouse_url=warehouse_url,
        tenants_dir=tenants,
        runner_path=path,
        extra_connections={"demo_alerts": json.dumps({"conn_type": "http", "host": url})},
        execution_env={"DATAKIT_STATSD_HOST": "127.0.0.1", "DATAKIT_STATSD_PORT": str(statsd[0])},
    )
    try:
        load_sample(source_url, scale=0.05)
        demo.setup()
        day1 = demo.run_day("2024-01-01")
        after_day1 = list(received)
        metrics_day1 = list(statsd[1])
        seed_history(warehouse_url)
        next_day(source_url)
        demo_file.write_text(
            healthy.replace(
                "      - {name: shop.products, mode: full_refresh}\n",
                "      - {name: shop.products, mode: full_refresh}\n"
                "      - {name: shop.nope, mode: full_refresh}\n",
            )
        )
        day2 = demo.run_day("2024-01-02")
        after_day2 = list(received)
        demo_file.write_text(healthy)
        break_order_statuses(source_url, warehouse_url)
        day3 = demo.run_day("2024-01-03")
        yield {
            "demo": demo, "day1": day1, "day2": day2, "after_day1": after_day1,
            "day3": day3, "after_day2": after_day2,
            "received": list(received), "metrics_day1": metrics_day1, "secrets": [TOKEN, demo.tenant_password,
            postgres_server.password],
        }  # fmt: skip
    finally:
        with psycopg.connect(postgres_server.url(), autocommit=True) as conn:
            for name in (f"alerts_src_{suffix}", f"alerts_wh_{suffix}"):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_healthy_run_sends_nothing(scenario: dict[str, Any]) -> None:
    day1 = scenario["day1"]
    assert day1.state == "success", day1.output[-6000:]
    assert day1.tasks["monitor"][0] == "success" and day1.tasks["alerts"][0] == "success"
    assert scenario["after_day1"] == []


def test_each_incident_is_one_message(scenario: dict[str, Any]) -> None:
    day2 = scenario["day2"]
    assert day2.tasks["bronze.shop__nope"][0] == "failed", day2.output[-6000:]
    # alerts sends, then fails the run: it is the only leaf, so a failed load must not be green
    assert day2.tasks["alerts"][0] == "failed" and day2.state == "failed", day2.output[-6000:]
    # the failing task sent its own alert (callback); this task the stale and volume ones
    assert f"task(s) of run {day2.run_id} failed; alerts sent: 2" in day2.output
    day2_received = scenario["after_day2"][len(scenario["after_day1"]) :]
    messages = [r["body"]["datakit"] for r in day2_received]
    by_event = {(m["event"], m["subject"]): m for m in messages}
    assert sorted(by_event) == [
        ("stale", "shop__legacy"),
        ("task_failure", "bronze.shop__nope"),
        ("volume", "shop__products"),
    ], messages
    assert len(messages) == 3
    for m in messages:
        assert m["tenant"] == "demo" and "warehouse__demo" in m["log_url"]
        assert m["run_id"] == messages[0]["run_id"] and m["run_id"].startswith("manual__")
        assert m["key"] == f"demo:{m['subject']}:{m['event']}:{m['run_id']}"
    assert "exited with code 3" in by_event[("task_failure", "bronze.shop__nope")]["what"]
    assert "median 100000" in by_event[("volume", "shop__products")]["what"]


def test_failing_dbt_tests_are_one_message_naming_them(scenario: dict[str, Any]) -> None:
    day3 = scenario["day3"]
    assert day3.tasks["silver"][0] == "failed", day3.output[-6000:]
    assert day3.tasks["alerts"][0] == "failed" and day3.state == "failed", day3.output[-6000:]
    messages = [r["body"]["datakit"] for r in scenario["received"][len(scenario["after_day2"]) :]]
    assert [(m["event"], m["subject"]) for m in messages] == [("dbt_tests", "silver")], messages
    (message,) = messages
    assert message["run_id"] == day3.run_id and "warehouse__demo" in message["log_url"]
    assert "accepted_values_stg_shop__orders_status" in message["what"], message
    # accepted_values fails one row per refused value: the two orders share 'lost'
    assert "(1 failing rows)" in message["what"], message


def test_messages_are_slack_and_teams_compatible_and_hold_no_secret(
    scenario: dict[str, Any],
) -> None:
    received = scenario["received"]
    assert received
    for record in received:
        assert isinstance(record["body"]["text"], str) and record["body"]["text"].startswith(
            "[datakit] demo: "
        )
        text = json.dumps(record["body"])
        for secret in scenario["secrets"]:
            assert secret not in text


def test_every_extract_emits_statsd_metrics(scenario: dict[str, Any]) -> None:
    lines = scenario["metrics_day1"]
    for table in ("customers", "products", "orders", "order_lines", "payments"):
        base = f"datakit.load.demo.shop__{table}"
        assert f"{base}.succeeded:1|c" in lines, lines
        assert any(line.startswith(f"{base}.rows:") and line.endswith("|g") for line in lines)
        assert any(line.startswith(f"{base}.seconds:") and line.endswith("|ms") for line in lines)
    # incremental tables have a time watermark: its lag behind now (the sample is in 2024)
    lag = next(
        line for line in lines if line.startswith("datakit.load.demo.shop__orders.watermark_lag:")
    )
    assert float(lag.split(":")[1].split("|")[0]) > 86400
    for secret in scenario["secrets"]:
        assert not any(secret in line for line in lines)
