"""The tenant file's ``alerts`` block: schema, semantic rules (file:line errors) and defaults."""

from __future__ import annotations

from pathlib import Path

from datakit_orchestration.platform import PlatformConfig
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
