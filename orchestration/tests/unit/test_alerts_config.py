"""The tenant file's ``alerts`` block: schema, semantic rules (file:line errors) and defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from datakit_orchestration.adapters import MODES, adapter_for
from datakit_orchestration.dag import build_tenant_dag
from datakit_orchestration.platform import PlatformConfig
from datakit_orchestration.tasks import monitor_argv
from datakit_orchestration.tenant import EmailDestination, WebhookDestination
from datakit_orchestration.validation import check_tenant_text
from tests.unit.test_validation import VALID, problems_of

ALERTS = """\
alerts:
  destinations:
    - webhook: {connection: acme_alerts}
    - webhook: {env: ACME_ALERTS_WEBHOOK}
    - email: {to: [data@acme.example]}
  events:
    freshness: {default: 2 days, tables: {erp__orders: 6 hours}}
    volume: {fraction: 0.25, loads: 5}
    dbt_tests: false
"""


def test_alerts_block_is_valid_and_gets_defaults(platform: PlatformConfig) -> None:
    tenant, problems = check_tenant_text(VALID + ALERTS, Path("/t/acme.yaml"), platform)
    assert problems == []
    assert tenant is not None and tenant.alerts is not None
    alerts = tenant.alerts
    assert alerts.enabled and alerts.task_failure and not alerts.dbt_tests
    assert alerts.destinations == (
        WebhookDestination(connection="acme_alerts"),
        WebhookDestination(env="ACME_ALERTS_WEBHOOK"),
        EmailDestination(to=("data@acme.example",)),
    )
    assert alerts.freshness("erp__orders") == "6 hours"
    assert alerts.freshness("erp__customers") == "2 days"
    assert (alerts.volume_fraction, alerts.volume_loads) == (0.25, 5)


def test_no_alerts_block_means_no_alerts(platform: PlatformConfig) -> None:
    tenant, _ = check_tenant_text(VALID, Path("/t/acme.yaml"), platform)
    assert tenant is not None and tenant.alerts is None


def test_an_inline_webhook_url_is_refused_without_echoing_it(platform: PlatformConfig) -> None:
    secret = "https://hooks.slack.example/services/T000/B000/SECRETTOKEN"
    text = VALID + f"alerts:\n  destinations:\n    - webhook: {{url: '{secret}'}}\n"
    problems = problems_of(text, platform)
    assert problems and all(p.startswith("18 alerts.destinations[0]") for p in problems), problems
    assert not any("SECRETTOKEN" in p for p in problems)
    text = VALID + f"alerts:\n  destinations:\n    - webhook: {{connection: '{secret}'}}\n"
    problems = problems_of(text, platform)
    assert problems and not any("SECRETTOKEN" in p for p in problems), problems


def test_webhook_connection_must_be_the_tenants_own(platform: PlatformConfig) -> None:
    text = VALID + "alerts:\n  destinations:\n    - webhook: {connection: globex_alerts}\n"
    assert problems_of(text, platform) == [
        "18 alerts.destinations[0].webhook.connection: 'globex_alerts' is not this tenant's: "
        "a tenant may only use connections named 'acme_...'"
    ]


def test_freshness_names_a_bronze_table_of_the_tenant(platform: PlatformConfig) -> None:
    text = VALID + (
        "alerts:\n  destinations: [{email: {to: [a@b.example]}}]\n"
        "  events: {freshness: {tables: {erp__nope: 2 hours}}}\n"
    )
    assert problems_of(text, platform) == [
        "18 alerts.events.freshness.tables.erp__nope: 'erp__nope' is not one of this tenant's "
        "bronze tables (app__products, erp__customers, erp__orders)"
    ]


def test_bad_values_are_located(platform: PlatformConfig) -> None:
    text = VALID + (
        "alerts:\n"
        "  destinations: [{email: {to: [not-an-address]}}, {webhook: {env: A, file: /b}}]\n"
        "  events: {freshness: {default: soon}, volume: {fraction: 2, loads: 1}}\n"
    )
    problems = problems_of(text, platform)
    paths = sorted(p.split(":")[0] for p in problems)
    assert paths == [
        "17 alerts.destinations[0].email.to[0]",
        "17 alerts.destinations[1].webhook",
        "18 alerts.events.freshness.default",
        "18 alerts.events.volume.fraction",
        "18 alerts.events.volume.loads",
    ], problems
    assert (
        "17 alerts.destinations[0].email.to[0]: 'not-an-address' is not allowed: an e-mail address"
        in problems
    )


@pytest.mark.parametrize("mode", MODES)
def test_dag_shape_with_alerts(mode: str, platform: PlatformConfig) -> None:
    """monitor (status --json) and alerts after gold, both all_done; callbacks on every task."""
    from airflow.serialization.serialized_objects import DagSerialization

    tenant, _ = check_tenant_text(VALID + ALERTS, Path("/t/acme.yaml"), platform)
    assert tenant is not None
    dag = build_tenant_dag(tenant, platform, adapter_for(mode, platform=platform))
    assert [t.task_id for t in dag.tasks][-2:] == ["monitor", "alerts"]
    monitor, alerts = dag.get_task("monitor"), dag.get_task("alerts")
    assert monitor.upstream_task_ids == {"gold"} and alerts.upstream_task_ids == {"monitor"}
    assert monitor.trigger_rule == alerts.trigger_rule == "all_done"
    assert not monitor.on_failure_callback and not alerts.on_failure_callback
    assert dag.get_task("silver").on_failure_callback is not None
    assert len(dag.get_task("bronze.erp__orders").on_failure_callback) == 2  # alert + metrics
    argv = monitor_argv(tenant)
    assert argv == (
        "status", "--schema", "acme_bronze", "--json", "--freshness", "2 days",
        "--table-freshness", "erp__orders=6 hours", "--volume-fraction", "0.25",
        "--volume-loads", "5",
    )  # fmt: skip
    assert '"monitor"' in str(DagSerialization.to_dict(dag)).replace("'", '"')  # it serializes
