"""How catalog rows (sys.columns + sys.types) become columns: type spelling, alias and CLR types,
computed, period and column-set columns."""

from __future__ import annotations

import pytest

from datakit.contracts import Column
from datakit_runner_sqlserver.catalog import column_from_row, spell_type


@pytest.mark.parametrize(
    ("name", "max_length", "precision", "scale", "spelled"),
    [
        ("decimal", 9, 12, 2, "decimal(12,2)"),
        ("numeric", 17, 38, 10, "numeric(38,10)"),
        ("datetime2", 8, 27, 7, "datetime2(7)"),
        ("datetimeoffset", 10, 34, 3, "datetimeoffset(3)"),
        ("time", 5, 16, 7, "time(7)"),
        ("varchar", 50, 0, 0, "varchar(50)"),
        ("varchar", -1, 0, 0, "varchar(max)"),
        ("nvarchar", 100, 0, 0, "nvarchar(50)"),
        ("nvarchar", -1, 0, 0, "nvarchar(max)"),
        ("nchar", 10, 0, 0, "nchar(5)"),
        ("binary", 16, 0, 0, "binary(16)"),
        ("varbinary", -1, 0, 0, "varbinary(max)"),
        ("timestamp", 8, 0, 0, "rowversion"),
        ("int", 4, 10, 0, "int"),
        ("geography", -1, 0, 0, "geography"),
        ("float", 8, 53, 0, "float"),
    ],
)
def test_spell_type(name: str, max_length: int, precision: int, scale: int, spelled: str) -> None:
    assert spell_type(name, max_length, precision, scale) == spelled


def row(**over: object) -> tuple[object, ...]:
    base = {
        "object_id": 1,
        "name": "c",
        "type_name": "int",
        "type_schema": "sys",
        "is_user_defined": False,
        "is_assembly_type": False,
        "base_type_name": None,
        "max_length": 4,
        "precision": 10,
        "scale": 0,
        "is_nullable": True,
        "is_computed": False,
        "is_sparse": False,
        "is_column_set": False,
        "generated_always_type": 0,
    }
    base.update(over)
    return tuple(base.values())


def test_columns_from_catalog_rows() -> None:
    assert column_from_row(row()) == Column("c", "int")
    assert column_from_row(row(is_nullable=False, is_computed=True)) == Column(
        "c", "int", nullable=False, generated=True
    )
    # A temporal table's period column (GENERATED ALWAYS AS ROW START).
    period = column_from_row(row(type_name="datetime2", scale=7, generated_always_type=1))
    assert period == Column("c", "datetime2(7)", generated=True)
    alias = column_from_row(
        row(
            type_name="Price",
            type_schema="dbo",
            is_user_defined=True,
            base_type_name="decimal",
            precision=9,
            scale=2,
        )
    )
    assert alias == Column("c", "dbo.Price", type_kind="alias", base_type="decimal(9,2)")
    clr = column_from_row(
        row(type_name="Point", type_schema="geo", is_user_defined=True, is_assembly_type=True)
    )
    assert clr == Column("c", "geo.Point", type_kind="clr")
    # Built-in CLR types are base types.
    assert column_from_row(row(type_name="hierarchyid", is_assembly_type=True)) == Column(
        "c", "hierarchyid"
    )
    # A sparse table's column set repeats its sparse columns' values: left out.
    assert column_from_row(row(type_name="xml", is_column_set=True)) is None
    assert column_from_row(row(is_sparse=True)) == Column("c", "int")
