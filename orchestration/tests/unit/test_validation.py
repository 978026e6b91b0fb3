"""Tenant validation: every problem at once, each as ``file:line path: message``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from datakit_orchestration.errors import TenantConfigError
from datakit_orchestration.platform import PlatformConfig
from datakit_orchestration.validation import check_tenant_text, load_tenants
from tests.conftest import EXAMPLE_TENANT_FILES, INCLUDE_DIR, PROJECT_DIR

VALID = """\
tenant: acme
schedule: "0 2 * * *"
warehouse: {type: postgres, connection: acme_warehouse}
sources:
  erp:
    type: sqlserver
    connection: acme_erp
    tables:
      - {name: dbo.customers, mode: incremental, cursor: modified_at, primary_key: [customer_id]}
      - {name: dbo.orders, mode: append}
  app:
    type: postgres
    connection: acme_app
    tables: [public.products]
transform: {project: warehouse, silver: "tag:silver", gold: "tag:gold"}
"""


def problems_of(text: str, platform: PlatformConfig, name: str = "acme.yaml") -> list[str]:
    file = Path("/tenants") / name
    tenant, problems = check_tenant_text(text, file, platform)
    assert (tenant is None) == bool(problems)
    return [f"{p.line} {p.path}: {p.message}" for p in problems]


def test_the_design_example_is_valid_and_gets_defaults(platform: PlatformConfig) -> None:
    tenant, problems = check_tenant_text(VALID, Path("/t/acme.yaml"), platform)
    assert problems == []
    assert tenant is not None
    assert tenant.dag_id == "warehouse__acme"
    assert [t.bronze_table for t in tenant.tables] == [
        "erp__customers",
        "erp__orders",
        "app__products",
    ]
    other_schema = VALID.replace("{name: dbo.orders, mode: append}", "{name: sales.customers}")
    tenant, problems = check_tenant_text(other_schema, Path("/t/acme.yaml"), platform)
    assert problems == [] and tenant is not None
    assert [t.bronze_table for t in tenant.tables][:2] == [
        "erp__customers",
        "erp__sales__customers",
    ]
    products = tenant.tables[2]
    assert (products.mode, products.cursor, products.primary_key) == ("full_refresh", None, ())
    assert tenant.schema("bronze") == "acme_bronze"
    assert tenant.pool_slots == platform.defaults.pool_slots
    assert tenant.queue == platform.defaults.queue
    assert tenant.retries == platform.defaults.retries


@pytest.mark.parametrize("file", EXAMPLE_TENANT_FILES, ids=lambda f: f.name)
def test_example_tenants_are_valid(file: Path, platform: PlatformConfig) -> None:
    tenant, problems = check_tenant_text(file.read_text(), file, platform)
    assert [str(p) for p in problems] == []
    assert tenant is not None and tenant.tenant == file.stem


def test_at_least_two_example_tenants_with_different_sources_and_tables(
    platform: PlatformConfig,
) -> None:
    catalog = load_tenants(platform)
    assert not catalog.problems
    assert {"demo", "acme", "globex"} <= set(catalog.tenants)
    shapes = {
        (
            frozenset(source.type for source in tenant.sources),
            frozenset(table.name for table in tenant.tables),
        )
        for tenant in catalog.tenants.values()
    }
    assert len(shapes) == len(catalog.tenants)


def test_incremental_without_cursor(platform: PlatformConfig) -> None:
    text = VALID.replace("mode: incremental, cursor: modified_at,", "mode: incremental,")
    assert problems_of(text, platform) == [
        "9 sources.erp.tables[0].cursor: required for mode incremental"
    ]


def test_cursor_outside_incremental(platform: PlatformConfig) -> None:
    text = VALID.replace(
        "{name: dbo.orders, mode: append}", "{name: dbo.orders, mode: append, cursor: x}"
    )
    assert problems_of(text, platform) == [
        "10 sources.erp.tables[1].cursor: only used with mode incremental (mode is append)"
    ]


def test_only_own_connections(platform: PlatformConfig) -> None:
    text = VALID.replace("connection: acme_erp", "connection: globex_erp")
    assert problems_of(text, platform) == [
        "7 sources.erp.connection: 'globex_erp' is not this tenant's: a tenant may only use "
        "connections named 'acme_...'"
    ]


def test_tenant_id_must_match_the_file_name(platform: PlatformConfig) -> None:
    assert problems_of(VALID, platform, name="acme2.yaml")[0] == (
        "1 tenant: 'acme' must equal the file name 'acme2'"
    )


def test_unsafe_identifiers(platform: PlatformConfig) -> None:
    text = VALID.replace("  app:\n", "  App Data:\n").replace(
        "tables: [public.products]", "tables: ['public.products; drop table x']"
    )
    assert problems_of(text, platform) == [
        "11 sources.App Data: name not allowed: a safe identifier: lower-case letters, digits "
        "and _, starting with a letter",
        "14 sources.App Data.tables[0]: 'public.products; drop table x' is not allowed: "
        "schema.table (or table): letters, digits and _ in each part",
    ]


def test_source_type_needs_a_runner_that_writes_the_warehouse(platform: PlatformConfig) -> None:
    text = VALID.replace(
        "type: postgres, connection: acme_warehouse", "type: spark, connection: acme_warehouse"
    )
    assert problems_of(text, platform) == [
        "6 sources.erp.type: runner-sqlserver cannot load into a spark warehouse "
        "(it writes: sqlserver, postgres)",
        "12 sources.app.type: runner-postgres cannot load into a spark warehouse "
        "(it writes: postgres)",
    ]


def test_unknown_source_type(platform: PlatformConfig) -> None:
    text = VALID.replace("type: sqlserver", "type: oracle")
    assert problems_of(text, platform) == [
        "6 sources.erp.type: 'oracle' is not one of: postgres, sqlserver, spark"
    ]


@pytest.mark.parametrize("schedule", ["0 2 * * *", "@daily", "*/15 * * * *", None])
def test_valid_schedules(schedule: str | None, platform: PlatformConfig) -> None:
    value = "null" if schedule is None else f'"{schedule}"'
    assert problems_of(VALID.replace('"0 2 * * *"', value), platform) == []


@pytest.mark.parametrize("schedule", ["every day", "@sometimes", "61 * * * *", "0 2 * *"])
def test_invalid_schedules(schedule: str, platform: PlatformConfig) -> None:
    found = problems_of(VALID.replace("0 2 * * *", schedule), platform)
    assert len(found) == 1
    assert found[0].startswith(
        f"2 schedule: {schedule!r} is neither a cron expression nor a preset"
    )


def test_two_tables_into_one_bronze_table(platform: PlatformConfig) -> None:
    # customers is dbo.customers: dbo is a SQL Server source's default schema.
    text = VALID.replace("{name: dbo.orders, mode: append}", "{name: customers}")
    assert problems_of(text, platform) == [
        "10 sources.erp.tables[1].name: loads into bronze table 'erp__customers' like "
        "sources.erp.tables[0]"
    ]


def test_unknown_fields_and_queues(platform: PlatformConfig) -> None:
    text = VALID.replace("  app:\n", "  app:\n    queue: huge\n    colour: red\n")
    assert problems_of(text, platform) == [
        "12 sources.app.queue: unknown queue 'huge' (platform queues: default, large)",
        "13 sources.app.colour: unknown field (expected one of: connection, endpoint, queue, "
        "resources, tables, type)",
    ]


def test_missing_required_fields_point_at_their_parent(platform: PlatformConfig) -> None:
    text = "tenant: acme\nsources:\n  erp:\n    type: postgres\n    tables: [a.b]\n"
    assert problems_of(text, platform) == [
        "1 warehouse: required",
        "3 sources.erp.connection: required",
    ]


def test_yaml_errors_have_lines(platform: PlatformConfig) -> None:
    assert problems_of("tenant: acme\nsources: [\n  - a\nwarehouse: 1\n", platform) == [
        "3 (file): invalid YAML: did not find expected node content"
    ]
    assert problems_of("tenant: acme\ntenant: acme\n", platform) == [
        "2 (file): duplicate key 'tenant' (first on line 1)"
    ]
    assert problems_of("- just\n- a list\n", platform) == [
        "1 (file): expected a mapping with tenant, warehouse, sources"
    ]


def test_every_problem_is_reported_at_once(platform: PlatformConfig) -> None:
    text = (
        VALID.replace("connection: acme_erp", "connection: other_erp")
        .replace("mode: incremental, cursor: modified_at,", "mode: incremental,")
        .replace('"0 2 * * *"', '"nope"')
    )
    assert len(problems_of(text, platform)) == 3


def test_broken_file_does_not_hide_the_others(tmp_path: Path, platform: PlatformConfig) -> None:
    (tmp_path / "acme.yaml").write_text(VALID)
    (tmp_path / "broken.yaml").write_text(
        VALID.replace("acme", "broken").replace("type: sqlserver", "type: 1")
    )
    catalog = load_tenants(platform, [tmp_path])
    assert list(catalog.tenants) == ["acme"]
    assert [str(p) for p in catalog.all_problems] == [
        f"{tmp_path / 'broken.yaml'}:6 sources.erp.type: 1 is not one of: postgres, sqlserver, spark"
    ]
    error = TenantConfigError(catalog.all_problems)
    assert "broken.yaml:6 sources.erp.type" in str(error)
    assert str(error).startswith("tenant configuration error: 1 problem in ")


def run_cli(*args: str | Path, cwd: Path = PROJECT_DIR) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "datakit_orchestration.validate", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def test_cli_accepts_the_examples() -> None:
    result = run_cli()
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert "ok: " in result.stderr and "demo" in result.stderr


def test_cli_lists_every_problem_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "acme.yaml").write_text(VALID)
    (tmp_path / "beta.yaml").write_text(
        VALID.replace("tenant: acme", "tenant: beta").replace("cursor: modified_at,", "")
    )
    (tmp_path / "gamma.yaml").write_text("tenant: gamma\n  oops: [\n")
    result = run_cli(tmp_path, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "beta.yaml:3 warehouse.connection: 'acme_warehouse' is not this tenant's: a tenant may "
        "only use connections named 'beta_...'",
        "beta.yaml:7 sources.erp.connection: 'acme_erp' is not this tenant's: a tenant may only "
        "use connections named 'beta_...'",
        "beta.yaml:9 sources.erp.tables[0].cursor: required for mode incremental",
        "beta.yaml:13 sources.app.connection: 'acme_app' is not this tenant's: a tenant may only "
        "use connections named 'beta_...'",
        "gamma.yaml:2 (file): invalid YAML: mapping values are not allowed in this context",
    ]
    assert result.stderr.strip() == "5 problems in 2 of 3 tenant files"


def test_cli_usage_error() -> None:
    result = run_cli("/no/such/folder")
    assert result.returncode == 2
    assert "no such file or folder: /no/such/folder" in result.stderr


def test_the_published_schema_works_with_a_standard_validator() -> None:
    """Editors and other tools use the schema without our code: check-jsonschema must agree."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--schemafile",
            str(INCLUDE_DIR / "tenant.schema.json"),
            *map(str, EXAMPLE_TENANT_FILES),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "schema_name", ["tenant.schema.json", "platform.schema.json", "deployments.schema.json"]
)
def test_published_schemas_are_valid_draft_2020_12(schema_name: str) -> None:
    import json

    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(json.loads((INCLUDE_DIR / schema_name).read_text()))


@pytest.mark.parametrize(
    "schema_name", ["tenant.schema.json", "platform.schema.json", "deployments.schema.json"]
)
def test_generated_validators_are_current(schema_name: str) -> None:
    """Regenerate with `python -m datakit_orchestration._generate` after a schema change."""
    from datakit_orchestration._schema import (
        GENERATED_DIR,
        generate_validator_code,
        generated_module_name,
    )

    schema_file = INCLUDE_DIR / schema_name
    generated = GENERATED_DIR / f"{generated_module_name(schema_file)}.py"
    assert generated.read_text() == generate_validator_code(schema_file)


@pytest.mark.parametrize(
    "schema_name", ["tenant.schema.json", "platform.schema.json", "deployments.schema.json"]
)
def test_generated_validators_name_the_generator_that_exists(schema_name: str) -> None:
    """The header's `python -m MODULE` must be a module with a main (it said `_schema` once)."""
    import importlib
    import re

    from datakit_orchestration._schema import GENERATED_DIR, generated_module_name

    schema_file = INCLUDE_DIR / schema_name
    header = (GENERATED_DIR / f"{generated_module_name(schema_file)}.py").read_text()
    named = re.search(r"`python -m ([\w.]+)`", header.splitlines()[0])
    assert named is not None, header.splitlines()[0]
    module = importlib.import_module(named[1])
    assert callable(getattr(module, "main", None)), f"{named[1]} has no main()"
    assert 'if __name__ == "__main__"' in Path(module.__file__ or "").read_text()


CASES = [
    VALID,
    VALID.replace("type: sqlserver", "type: oracle"),
    VALID.replace("tables: [public.products]", "tables: []"),
    VALID.replace("tables: [public.products]", "tables: [42]"),
    VALID.replace("tables: [public.products]", "tables: ['a b']"),
    VALID.replace("  app:\n", "  App:\n"),
    VALID.replace("mode: append}", "mode: append, primary_key: []}"),
    VALID.replace("mode: append}", "mode: append, lookback: 2 fortnights}"),
    VALID.replace("mode: append}", "mode: append, resources: {cpu: lots}}"),
    VALID + "pool: {slots: 0}\n",
    VALID + "colour: red\n",
    VALID + "schedule: 5\n",
]


@pytest.mark.parametrize("text", CASES, ids=range(len(CASES)))
def test_fast_and_reporting_validators_agree(text: str) -> None:
    """fastjsonschema decides "valid?" at parse time; jsonschema explains. They must agree."""
    import yaml

    from datakit_orchestration._schema import is_valid, validator_for
    from datakit_orchestration.paths import TENANT_SCHEMA_FILE

    data = yaml.safe_load(text)
    errors = list(validator_for(TENANT_SCHEMA_FILE).iter_errors(data))
    assert is_valid(TENANT_SCHEMA_FILE, data) == (not errors)
