"""Alert messages and delivery without Airflow's scheduler: a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest

from datakit_orchestration.adapters._runtime import failure_for_exit_code
from datakit_orchestration.alerts import Incident, deliver, incident_from_failure, message, scrub
from datakit_orchestration.metrics import load_metrics
from datakit_orchestration.tenant import AlertsConfig, WebhookDestination

TOKEN = "T0KEN-abcdef123456"
PASSWORD = "pw-planted-9f8e7d"


class Recorder(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hook_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    Recorder.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/services/{TOKEN}"
    monkeypatch.setenv("ACME_HOOK", url)
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()


ALERTS = AlertsConfig(destinations=(WebhookDestination(env="ACME_HOOK"),))


def context(task_id: str, exception: Exception) -> dict[str, Any]:
    ti = SimpleNamespace(task_id=task_id, try_number=1, log_url="http://airflow/log?x=1")
    return {"ti": ti, "run_id": "scheduled__2024-01-02", "exception": exception}


def test_failing_dbt_tests_are_named_with_their_row_counts(hook_url: str) -> None:
    result = {
        "status": "failed",
        "error": {"message": "2 tests failed"},
        "failures": [
            {
                "name": "not_null_orders_id",
                "resource_type": "test",
                "status": "fail",
                "failures": 3,
            },
            {
                "name": "unique_customers_id",
                "resource_type": "test",
                "status": "fail",
                "failures": 1,
            },
        ],
    }
    exception = failure_for_exit_code("runner-dbt", 5, result)
    incident = incident_from_failure("acme", context("silver", exception), ALERTS)
    assert incident is not None and incident.event == "dbt_tests"
    assert deliver([incident, incident], ALERTS) == [incident.key]  # one message per incident
    [body] = Recorder.received
    assert (
        "not_null_orders_id (3 failing rows); unique_customers_id (1 failing rows)" in body["text"]
    )
    assert body["datakit"]["log_url"] == "http://airflow/log?x=1"


def test_planted_secrets_never_reach_a_message(hook_url: str) -> None:
    exception = RuntimeError(
        f"connect postgresql://acme_loader:{PASSWORD}@db:5432/w failed; hook {hook_url}"
    )
    incident = incident_from_failure("acme", context("bronze.erp__orders", exception), ALERTS)
    assert incident is not None
    deliver([incident], ALERTS, secrets=[PASSWORD])
    text = json.dumps(Recorder.received)
    assert Recorder.received and PASSWORD not in text and TOKEN not in text
    assert "postgresql://***@db" in text
    # and without being told the secret: URL credentials and tails are masked by shape
    assert PASSWORD not in json.dumps(message(incident)) and TOKEN not in scrub(hook_url)


def test_disabled_or_absent_destinations_warn_and_send_nothing(
    hook_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    incident = Incident(tenant="acme", event="stale", subject="erp__orders", run_id="r", what="x")
    caplog.set_level(logging.WARNING)
    assert deliver([incident], AlertsConfig(enabled=False, destinations=ALERTS.destinations)) == []
    monkeypatch.delenv("ACME_HOOK")
    assert deliver([incident], ALERTS) == []
    assert Recorder.received == []
    assert "alert destination webhook (env ACME_HOOK) unavailable" in caplog.text


def test_statsd_lines_from_a_result() -> None:
    from datetime import UTC, datetime

    result = {"tables": [{"target": "acme_bronze.erp__orders", "status": "succeeded", "rows": 7,
                          "seconds": 1.5, "watermark": "2024-01-01T00:00:00+00:00"}]}  # fmt: skip
    now = datetime(2024, 1, 1, 1, tzinfo=UTC)
    assert load_metrics("acme", result, task_table="erp__orders", failed=False, now=now) == [
        "datakit.load.acme.erp__orders.succeeded:1|c",
        "datakit.load.acme.erp__orders.rows:7|g",
        "datakit.load.acme.erp__orders.seconds:1500|ms",
        "datakit.load.acme.erp__orders.watermark_lag:3600|g",
    ]
    assert load_metrics("acme", None, task_table="erp__orders", failed=True, now=now) == [
        "datakit.load.acme.erp__orders.failed:1|c"
    ]


def test_email_goes_through_airflows_smtp_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """A real SMTP server on 127.0.0.1 (the standard library's), Airflow's [smtp] settings."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import asyncore
        import smtpd

    received: list[tuple[str, list[str], str]] = []

    class Server(smtpd.SMTPServer):
        def process_message(self, peer: Any, mailfrom: str, rcpttos: list[str], data: Any,
                            **kwargs: Any) -> None:  # fmt: skip
            received.append((mailfrom, rcpttos, data.decode() if isinstance(data, bytes) else data))

    server = Server(("127.0.0.1", 0), None)
    port = server.socket.getsockname()[1]
    thread = threading.Thread(target=asyncore.loop, kwargs={"timeout": 0.1}, daemon=True)
    thread.start()
    for key, value in {
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_STARTTLS": "False",
        "SMTP_SSL": "False", "SMTP_MAIL_FROM": "datakit@platform.example", "SMTP_RETRY_LIMIT": "0",
    }.items():  # fmt: skip
        monkeypatch.setenv(f"AIRFLOW__SMTP__{key}", value)
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", "smtp://127.0.0.1")
    try:
        from datakit_orchestration.tenant import EmailDestination

        alerts = AlertsConfig(destinations=(EmailDestination(to=("team@acme.example",)),))
        incident = Incident(
            tenant="acme", event="stale", subject="erp__orders", run_id="r1",
            what=f"planted postgresql://u:{PASSWORD}@h/db",
        )  # fmt: skip
        assert deliver([incident], alerts) == [incident.key]
    finally:
        server.close()
        thread.join(timeout=5)
    [(_sender, to, data)] = received
    assert to == ["team@acme.example"] and "erp__orders" in data and PASSWORD not in data
