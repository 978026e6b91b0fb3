"""What ``discover`` says about SQL Server tables, from catalog-shaped schemas (no server): bronze
types from the sqlserver_to_postgres map, cursor suggestions, cursor notes and key notes."""

from __future__ import annotations

from datakit.contracts import Column, TableRef, TableSchema
from datakit.discovery import describe_tables

ORDERS = TableSchema(
    ref=TableRef("sales", "orders"),
    columns=(
        Column("id", "int", nullable=False),
        Column("updated_at", "datetime2(7)", nullable=False),
        Column("changed_on", "smalldatetime"),
        Column("last_update_text", "nvarchar(30)"),
        Column("rv", "rowversion", nullable=False),
    ),
    primary_key=("id",),
)


def test_discover_describes_sqlserver_tables() -> None:
    (table,) = describe_tables(
        [ORDERS, TableSchema(TableRef("dbo", "log"), (Column("x", "int"),))],
        source_type="sqlserver",
        warehouse_engine="postgres",
    )[:1]
    assert table["suggested_cursors"] == ["updated_at", "changed_on", "id"]
    assert [c["bronze_type"] for c in table["columns"]] == [
        "integer",
        "timestamp(6)",
        "timestamp(0)",
        "text",
        "bigint",
    ]
    assert "cannot be a cursor" in table["cursor_notes"]["last_update_text"][0]
    assert "nullable" in table["cursor_notes"]["changed_on"][0]
    assert table["notes"] == []


def test_a_table_without_key_says_so() -> None:
    (table,) = describe_tables(
        [TableSchema(TableRef("dbo", "log"), (Column("x", "int"),))],
        source_type="sqlserver",
        warehouse_engine="postgres",
    )
    assert "no primary key" in table["notes"][0]


def test_a_refused_type_is_a_note_not_a_failed_discover() -> None:
    table = TableSchema(
        TableRef("dbo", "shapes"),
        (Column("id", "int"), Column("p", "geo.Point", type_kind="clr")),
        primary_key=("id",),
    )
    (described,) = describe_tables([table], source_type="sqlserver", warehouse_engine="postgres")
    assert [c["bronze_type"] for c in described["columns"]] == ["integer", None]
    assert len(described["notes"]) == 1 and "geo.Point" in described["notes"][0]
