"""The bronze naming rule and Datakit's reserved namespace."""

from __future__ import annotations

import pytest

from datakit.contracts import TableRef
from datakit.errors import ConfigError
from datakit.naming import (
    SourceIdentity,
    bronze_table_name,
    check_bronze_table_name,
    check_load_log_owner,
    foreign_table_error,
    is_reserved,
    key_index_name,
    legacy_key_index_name,
    load_time_index_name,
)
from datakit.operations import ExtractOptions, bronze_target, check_job_targets


@pytest.mark.parametrize(
    ("source", "table", "source_type", "expected"),
    [
        ("erp", TableRef("public", "orders"), "postgres", "erp__orders"),
        ("erp", TableRef("sales", "orders"), "postgres", "erp__sales__orders"),
        ("erp", TableRef("archive", "orders"), "postgres", "erp__archive__orders"),
        ("shop", TableRef("shop", "orders"), "postgres", "shop__orders"),
        ("erp", TableRef("dbo", "orders"), "sqlserver", "erp__orders"),
        ("erp", TableRef("public", "orders"), "sqlserver", "erp__public__orders"),
        ("erp", TableRef("dbo", "orders"), "spark", "erp__dbo__orders"),
        (
            "src",
            TableRef("Sales Dept", 'Order "Lines"'),
            "postgres",
            'src__Sales Dept__Order "Lines"',
        ),
    ],
)
def test_schema_enters_the_name_unless_it_is_the_default(
    source: str, table: TableRef, source_type: str, expected: str
) -> None:
    assert bronze_table_name(source, table, source_type=source_type, max_length=63) == expected


def test_two_schemas_with_one_table_name_get_two_bronze_tables() -> None:
    names = {
        bronze_table_name("erp", TableRef(schema, "orders"), source_type="postgres", max_length=63)
        for schema in ("public", "sales", "archive")
    }
    assert len(names) == 3


def test_long_and_unicode_names_fit_63_bytes_and_stay_apart() -> None:
    long_schema = "ß" * 40
    first = bronze_table_name(
        "erp", TableRef(long_schema, "orders_2024"), source_type="postgres", max_length=63
    )
    second = bronze_table_name(
        "erp", TableRef(long_schema, "orders_2025"), source_type="postgres", max_length=63
    )
    assert first != second
    assert len(first.encode()) <= 63 and len(second.encode()) <= 63
    assert first.startswith("erp__ß")


@pytest.mark.parametrize("name", ["_datakit_state", "_datakit_loads", "_DATAKIT_x", "_datakit_"])
def test_reserved_names_are_refused(name: str) -> None:
    assert is_reserved(name)
    with pytest.raises(ConfigError, match=name):
        check_bronze_table_name(name)


def test_internal_names_cannot_be_bronze_table_names() -> None:
    # The old index name of bronze table kx was kx__datakit_key: a name a source table can have.
    assert legacy_key_index_name("kx", 63) == "kx__datakit_key"
    assert is_reserved(key_index_name("kx", 63))
    assert is_reserved(key_index_name("x" * 80, 63))
    assert len(key_index_name("ü" * 60, 63).encode()) <= 63
    assert key_index_name("a" * 70, 63) != key_index_name("a" * 71, 63)
    assert load_time_index_name("kx", 63) == "_datakit_loaded_kx"
    assert is_reserved(load_time_index_name("x" * 80, 63))
    assert load_time_index_name("x" * 80, 63) != key_index_name("x" * 80, 63)


def test_target_table_option_wins_but_not_over_reserved_names() -> None:
    options = ExtractOptions(table="sales.orders", target_table="Orders!", bronze_schema="b")
    assert bronze_target(
        options, source_type="postgres", source_name="erp", max_length=63
    ) == TableRef("b", "Orders!")
    with pytest.raises(ConfigError, match="'_datakit_state' is reserved"):
        bronze_target(
            ExtractOptions(table="sales.orders", target_table="_datakit_state"),
            source_type="postgres",
            source_name="erp",
            max_length=63,
        )
    with pytest.raises(ConfigError, match="--source-name '_datakit_x'"):
        bronze_target(
            ExtractOptions(table="orders"),
            source_type="postgres",
            source_name="_datakit_x",
            max_length=63,
        )


def test_job_entries_sharing_a_bronze_table_are_named_both() -> None:
    target = TableRef("bronze", "erp__orders")
    check_job_targets([("tables[0] erp:sales.orders", TableRef("bronze", "erp__sales__orders"))])
    with pytest.raises(ConfigError) as caught:
        check_job_targets(
            [
                ("tables[0] erp:sales.orders", target),
                ("tables[1] erp:public.items", TableRef("bronze", "erp__items")),
                ("tables[2] erp:archive.orders", target),
            ]
        )
    message = caught.value.message
    assert "tables[0] erp:sales.orders and tables[2] erp:archive.orders" in message
    assert "bronze.erp__orders" in message


def test_every_warehouse_words_a_foreign_table_the_same_way() -> None:
    source = SourceIdentity("shop", TableRef("public", "orders"))
    other = foreign_table_error("bronze.shop__orders", source, holds="crm:public.orders")
    assert str(other).startswith("config error: bronze table bronze.shop__orders holds crm:")
    unknown = foreign_table_error("bronze.shop__orders", source, holds=None)
    assert "was not created by Datakit" in str(unknown) and unknown.exit_code == 3
    check_load_log_owner("bronze.shop__orders", source, ["public.orders"])  # adopted: no error
    for logged, words in (([], "not created by Datakit"), (["public.x"], "public.x (its load")):
        with pytest.raises(ConfigError, match=words.replace("(", r"\(")):
            check_load_log_owner("bronze.shop__orders", source, logged)
