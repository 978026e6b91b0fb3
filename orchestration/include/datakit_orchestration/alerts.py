"""Alerts: incidents of a tenant's run, as one message each, to the tenant's destinations.

Four events (the tenant file's ``alerts.events``):

- ``task_failure``: a task failed for good (Airflow calls ``on_failure_callback`` only after the
  last retry; a retry calls ``on_retry_callback``, which we do not set);
- ``dbt_tests``: ``silver`` or ``gold`` failed with failing dbt tests (their names and failing
  row counts come from runner-dbt's result, carried on the task's exception);
- ``stale`` and ``volume``: the ``monitor`` task's ``status --json`` result (the SDK's rules over
  ``_datakit_loads``, see ``datakit.monitoring``), read by the ``alerts`` task. A table whose
  load failed in the same run is not also reported stale (its failure alert says more).

One message per incident: its key ``tenant:subject:event:run_id`` is sent once per delivery
batch and is in the message, so a receiver can drop repeats (a cleared and re-run task sends
again: that is a new attempt someone asked for). Messages are Slack- and Teams-compatible JSON
(``{"text": ...}``, plus a ``datakit`` object with the same facts as fields) and pass through
:func:`scrub` first: URL credentials and tails, and every secret value known to the sender
(the destination's own URL included), are replaced by ``***``.

A destination that cannot be resolved (connection, variable or file absent) or reached is one
warning in the task log, never a task failure: alerts must not break the pipeline they watch.
The ``alerts`` task fails (after sending) when any task of its run failed: it is the DAG's only
leaf, and Airflow marks a run failed only through a failed leaf.
"""

from __future__ import annotations

import json
import logging
import os
import re
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from datakit_orchestration.tenant import AlertsConfig, EmailDestination, WebhookDestination

log = logging.getLogger(__name__)

WEBHOOK_TIMEOUT_SECONDS = 10
_URL_CREDENTIALS = re.compile(r"(://)[^/@\s'\"]+@")
_URL_TAIL = re.compile(r"(https?://[^/?#\s'\"]+)[/?#][^\s'\"]*")


@dataclass(frozen=True, kw_only=True)
class Incident:
    """Something a tenant's team must hear about once."""

    tenant: str
    event: str  # task_failure | dbt_tests | stale | volume
    subject: str  # a task id, bronze table or dbt model
    run_id: str
    what: str
    log_url: str | None = None

    @property
    def key(self) -> str:
        return f"{self.tenant}:{self.subject}:{self.event}:{self.run_id}"


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """*text* without known secret values, URL passwords or URL paths and queries (tokens)."""
    for secret in sorted((s for s in secrets if s and len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, "***")
    return _URL_TAIL.sub(r"\1/***", _URL_CREDENTIALS.sub(r"\1***@", text))


def message(incident: Incident, secrets: Iterable[str] = ()) -> dict[str, Any]:
    """The JSON body: ``text`` for Slack/Teams, ``datakit`` for machines; scrubbed."""
    secrets = tuple(secrets)
    fields = {
        k: scrub(v, secrets) if isinstance(v, str) else v for k, v in asdict(incident).items()
    }
    fields["key"] = scrub(incident.key, secrets)
    text = (
        f"[datakit] {fields['tenant']}: {fields['event']} on {fields['subject']} "
        f"(run {fields['run_id']}): {fields['what']}"
    )
    if incident.log_url:
        # The log link is Airflow's own URL (no secret), kept whole so it stays clickable.
        fields["log_url"] = incident.log_url
        text += f"\nLog: {incident.log_url}"
    return {"text": text, "datakit": fields}


def webhook_url(
    destination: WebhookDestination, get_connection: Callable[[str], Any] | None = None
) -> str:
    """Resolve the URL at send time: the connection's host (or password) when it is an
    http(s) URL, the environment variable, or the file's first line."""
    if destination.connection is not None:
        if get_connection is None:
            from airflow.sdk import BaseHook

            get_connection = BaseHook.get_connection
        conn = get_connection(destination.connection)
        for value in (conn.host, conn.password):
            if isinstance(value, str) and value.startswith(("http://", "https://")):
                return value
        raise LookupError(
            f"connection {destination.connection!r} holds no http(s) URL in host or password"
        )
    if destination.env is not None:
        value = os.environ.get(destination.env, "").strip()
        if not value:
            raise LookupError(f"environment variable {destination.env} is not set")
        return value
    assert destination.file is not None
    try:
        return Path(destination.file).read_text(encoding="utf-8").strip().splitlines()[0]
    except (OSError, IndexError) as exc:
        raise LookupError(f"file {destination.file} is unreadable or empty") from exc


def post_json(url: str, body: Mapping[str, Any]) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
        response.read()


def send_email(to: Sequence[str], subject: str, text: str) -> None:
    """Through Airflow's own e-mail settings (``[email]``/``[smtp]``, ``smtp_default``)."""
    from airflow.utils.email import send_email as airflow_send_email

    airflow_send_email(list(to), subject, f"<pre>{text}</pre>")


def deliver(
    incidents: Iterable[Incident],
    alerts: AlertsConfig,
    *,
    secrets: Iterable[str] = (),
    get_connection: Callable[[str], Any] | None = None,
) -> list[str]:
    """Send each distinct incident once to every destination; the keys sent (for the log).

    With ``enabled: false`` nothing is sent and every incident is logged instead.
    """
    unique = {incident.key: incident for incident in incidents}
    if not unique:
        return []
    if not alerts.enabled:
        for incident in unique.values():
            log.warning("alerts disabled: not sent: %s", scrub(incident.key, secrets))
        return []
    sent = []
    for destination in alerts.destinations:
        try:
            url = (
                webhook_url(destination, get_connection)
                if isinstance(destination, WebhookDestination)
                else None
            )
        except Exception as exc:  # an absent destination is a warning, not a failure
            log.warning("alert destination %s unavailable: %s", destination.label, scrub(str(exc)))
            continue
        known = (*secrets, *((url,) if url else ()))
        for incident in unique.values():
            body = message(incident, known)
            try:
                if url is not None:
                    post_json(url, body)
                elif isinstance(destination, EmailDestination):
                    send_email(destination.to, body["text"].splitlines()[0], body["text"])
            except Exception as exc:  # likewise: never fail the task
                log.warning(
                    "alert %s to %s not delivered: %s",
                    body["datakit"]["key"],
                    destination.label,
                    scrub(str(exc), known),
                )
                continue
            sent.append(body["datakit"]["key"])
    return sent


def incidents_from_status(
    tenant: str,
    run_id: str,
    result: Mapping[str, Any] | None,
    alerts: AlertsConfig,
    log_url: str | None = None,
) -> list[Incident]:
    """Stale tables and low-volume loads from a ``status --json`` result."""
    incidents = []
    for table in (result or {}).get("tables", []):
        name = table["table"]
        # A table whose load failed in this very run already has its task_failure alert.
        failed_now = table.get("last_failure_run_id") == run_id
        if table.get("stale") and not failed_now:
            age = table.get("age_seconds")
            incidents.append(Incident(
                tenant=tenant, event="stale", subject=name, run_id=run_id, log_url=log_url,
                what=(f"no successful load for {age // 3600} h" if age is not None
                      else "never loaded successfully")
                + f" (freshness window {table['freshness_seconds'] // 3600} h;"
                f" last load {table.get('last_load_at') or 'none'})",
            ))  # fmt: skip
        if table.get("volume_anomaly"):
            incidents.append(Incident(
                tenant=tenant, event="volume", subject=name,
                run_id=table.get("last_run_id") or run_id, log_url=log_url,
                what=f"loaded {table['last_rows']} rows, below {alerts.volume_fraction:g} x the "
                f"median {table['volume_median']:g} of its last {alerts.volume_loads} loads",
            ))  # fmt: skip
    return incidents


def incident_from_failure(
    tenant: str, context: Mapping[str, Any], alerts: AlertsConfig
) -> Incident | None:
    """A failed task's incident: failing dbt tests when its result names them, else the failure."""
    ti = context["ti"]
    run_id = str(context.get("run_id") or getattr(ti, "run_id", ""))
    exception = context.get("exception")
    result = getattr(exception, "datakit_result", None) or {}
    log_url = getattr(ti, "log_url", None)
    tests = [f for f in result.get("failures", []) if f.get("resource_type") == "test"]
    if tests and alerts.dbt_tests:
        listed = "; ".join(f"{f['name']} ({f.get('failures') or 0} failing rows)" for f in tests)
        return Incident(tenant=tenant, event="dbt_tests", subject=ti.task_id, run_id=run_id,
                        what=f"{len(tests)} dbt tests failed: {listed}", log_url=log_url)  # fmt: skip
    if not alerts.task_failure:
        return None
    return Incident(
        tenant=tenant, event="task_failure", subject=ti.task_id, run_id=run_id, log_url=log_url,
        what=f"failed after {getattr(ti, 'try_number', '?')} tries: {exception}",
    )  # fmt: skip


def failure_callback(tenant: str, alerts: AlertsConfig) -> Callable[[Mapping[str, Any]], None]:
    """``on_failure_callback`` for the tenant's tasks (runs after the last retry only)."""

    def callback(context: Mapping[str, Any]) -> None:
        incident = incident_from_failure(tenant, context, alerts)
        if incident is not None:
            deliver([incident], alerts)

    return callback


def check_callable(tenant: str, alerts: AlertsConfig) -> Callable[..., list[str]]:
    """The ``alerts`` task: read ``monitor``'s status result, send stale/volume incidents."""

    def check(**context: Any) -> list[str]:
        ti = context["ti"]
        result = ti.xcom_pull(task_ids="monitor")
        if result is None:
            log.warning("no status result from task monitor: nothing to judge")
        incidents = incidents_from_status(
            tenant, str(context["run_id"]), result, alerts, getattr(ti, "log_url", None)
        )
        log.info("%d incidents: %s", len(incidents), [i.key for i in incidents])
        sent = deliver(incidents, alerts)
        failed = failed_task_count(ti, str(context["run_id"]))
        if failed:
            from airflow.sdk.exceptions import AirflowFailException

            # This task is the DAG's only leaf and runs whatever happened (all_done); Airflow
            # judges a run by its leaves, so without this a failed load would show a green run.
            raise AirflowFailException(
                f"{failed} task(s) of run {context['run_id']} failed; alerts sent: {len(sent)}"
            )
        return sent

    return check


def failed_task_count(ti: Any, run_id: str) -> int:
    """Failed or upstream-failed tasks of this run (Airflow 3's task SDK asks the API server)."""
    count = getattr(ti, "get_ti_count", None)
    if count is None:
        return 0
    return int(count(dag_id=ti.dag_id, run_ids=[run_id], states=["failed", "upstream_failed"]))


__all__ = [
    "Incident",
    "check_callable",
    "deliver",
    "failure_callback",
    "incident_from_failure",
    "incidents_from_status",
    "message",
    "scrub",
    "webhook_url",
]
