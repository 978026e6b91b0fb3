"""Orchestration names bronze tables exactly as the runners do (the SDK's naming rule).

DAG parsing must not import the SDK, so ``datakit_orchestration.naming`` is a copy; this test
(whose dev environment has the SDK) fails as soon as the two disagree on any case.
"""

from __future__ import annotations

import pytest

from datakit.dialect import dialect_for
from datakit.identifiers import fit_identifier as sdk_fit_identifier
from datakit.operations import ExtractOptions, bronze_target
from datakit.warehouses.postgres.warehouse import PostgresWarehouse
from datakit_orchestration import naming
from datakit_orchestration.platform import PlatformConfig
from datakit_orchestration.validation import load_tenants
from tests.conftest import EXAMPLE_TENANT_FILES

CASES = [
    ("erp", "postgres", "orders"),
    ("erp", "postgres", "public.orders"),
    ("erp", "postgres", "Public.Orders"),
    ("erp", "postgres", "sales.orders"),
    ("erp", "postgres", "archive.orders"),
    ("shop", "postgres", "shop.orders"),
    ("erp", "sqlserver", "dbo.customers"),
    ("erp", "sqlserver", "customers"),
    ("erp", "sqlserver", "public.customers"),
    ("erp", "sqlserver", "Sales.Customers"),
    ("erp", "sqlserver", "DBO.Customers"),
    ("lake", "spark", "raw.events"),
    ("lake", "spark", "events"),
    ("erp", "postgres", "sales." + "order_lines_" * 6),
    ("erp", "postgres", "s" * 63 + "." + "t" * 63),
    ("a" * 40, "postgres", "public." + "b" * 40),
    ("ünïcode", "postgres", "schéma.tâble"),
    ("erp", "postgres", "ß" * 30 + "." + "ü" * 30),
]


@pytest.mark.parametrize(("source", "source_type", "table"), CASES)
def test_orchestration_and_sdk_name_bronze_tables_alike(
    source: str, source_type: str, table: str
) -> None:
    limit = PostgresWarehouse.capabilities.max_identifier_length
    runner = bronze_target(
        ExtractOptions(table=table, source_name=source),
        source_type=naming.SOURCE_ENGINES[source_type],
        source_name=source,
        max_length=limit,
    )
    assert naming.bronze_table_name(source, source_type, table) == runner.name
    assert len(runner.name.encode()) <= limit


def test_the_copied_constants_and_shortening_match_the_sdk() -> None:
    for engine, schema in naming.DEFAULT_SCHEMAS.items():
        dialect = dialect_for(engine)
        assert dialect.default_schema == schema
        assert (dialect.fold("AbC") == "abc") == (engine in naming.LOWER_CASE_FOLDING)
    assert set(naming.SOURCE_ENGINES.values()) == set(naming.DEFAULT_SCHEMAS)
    postgres_limit = PostgresWarehouse.capabilities.max_identifier_length
    assert naming.MAX_IDENTIFIER_LENGTH["postgres"] == postgres_limit
    for name in ("short", "x" * 63, "x" * 64, "ü" * 40, "a_" * 50):
        for limit in (20, 63):
            assert naming.fit_identifier(name, limit) == sdk_fit_identifier(name, limit)


def test_every_example_tenant_table_gets_the_runners_name(platform: PlatformConfig) -> None:
    catalog = load_tenants(platform, EXAMPLE_TENANT_FILES)
    assert not catalog.problems
    tables = [table for tenant in catalog.tenants.values() for table in tenant.tables]
    assert tables
    for table in tables:
        options = ExtractOptions(table=table.name, source_name=table.source)
        expected = bronze_target(
            options,
            source_type=naming.SOURCE_ENGINES[table.source_type],
            source_name=table.source,
            max_length=63,
        )
        assert table.bronze_table == expected.name
