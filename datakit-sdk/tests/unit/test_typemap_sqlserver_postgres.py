"""The SQL Server -> Postgres type map against the documented SQL Server type list."""

from __future__ import annotations

import pytest

from datakit.contracts import Column
from datakit.errors import ContractError
from datakit.typemaps.sqlserver_postgres import DATETIMEOFFSET_CAST, MAPPER, SQL_VARIANT_CAST

# (SQL Server type as the catalog spells it, bronze type, source cast, faithful)
TABLE = [
    ("bit", "boolean", None, True),
    ("tinyint", "smallint", None, True),
    ("smallint", "smallint", None, True),
    ("int", "integer", None, True),
    ("bigint", "bigint", None, True),
    ("decimal(12,2)", "numeric(12,2)", None, True),
    ("numeric(38,10)", "numeric(38,10)", None, True),
    ("decimal", "numeric(18,0)", None, True),
    ("numeric(12)", "numeric(12,0)", None, True),
    ("money", "numeric(19,4)", None, True),
    ("smallmoney", "numeric(10,4)", None, True),
    ("real", "real", None, True),
    ("float(24)", "real", None, True),
    ("float", "double precision", None, True),
    ("float(53)", "double precision", None, True),
    ("date", "date", None, True),
    ("time(0)", "time(0)", None, True),
    ("time(6)", "time(6)", None, True),
    ("time(7)", "time(6)", None, False),
    ("datetime", "timestamp(3)", None, True),
    ("smalldatetime", "timestamp(0)", None, True),
    ("datetime2(0)", "timestamp(0)", None, True),
    ("datetime2(3)", "timestamp(3)", None, True),
    ("datetime2(7)", "timestamp(6)", None, False),
    ("datetimeoffset(3)", "timestamptz(3)", DATETIMEOFFSET_CAST, True),
    ("datetimeoffset(7)", "timestamptz(6)", DATETIMEOFFSET_CAST, False),
    ("char(10)", "text", None, True),
    ("varchar(50)", "text", None, True),
    ("varchar(max)", "text", None, True),
    ("nchar(5)", "text", None, True),
    ("nvarchar(200)", "text", None, True),
    ("nvarchar(max)", "text", None, True),
    ("text", "text", None, True),
    ("ntext", "text", None, True),
    ("sysname", "text", None, True),
    ("binary(16)", "bytea", None, True),
    ("varbinary(100)", "bytea", None, True),
    ("varbinary(max)", "bytea", None, True),
    ("image", "bytea", None, True),
    ("uniqueidentifier", "uuid", None, True),
    ("xml", "xml", "tsql:CAST({} AS nvarchar(max))", True),
    ("hierarchyid", "text", "tsql:CAST({} AS nvarchar(4000))", True),
    (
        "geography",
        "text",
        "tsql:CASE WHEN {} IS NULL THEN NULL ELSE CONCAT(N'SRID=', {}.STSrid, N';', {}.ToString()) END",
        True,
    ),
    (
        "geometry",
        "text",
        "tsql:CASE WHEN {} IS NULL THEN NULL ELSE CONCAT(N'SRID=', {}.STSrid, N';', {}.ToString()) END",
        True,
    ),
    ("rowversion", "bigint", "tsql:CAST({} AS bigint)", True),
    ("timestamp", "bigint", "tsql:CAST({} AS bigint)", True),
    ("sql_variant", "text", SQL_VARIANT_CAST, False),
    ("json", "jsonb", "tsql:CAST({} AS nvarchar(max))", True),
]


@pytest.mark.parametrize(("source", "bronze", "cast", "faithful"), TABLE)
def test_type_table(source: str, bronze: str, cast: str | None, faithful: bool) -> None:
    mapping = MAPPER.map_column(Column("c", source))
    assert (mapping.warehouse_type, mapping.source_cast, mapping.faithful) == (
        bronze,
        cast,
        faithful,
    )
    assert faithful or mapping.note


def test_alias_types_map_as_their_base() -> None:
    column = Column("amount", "dbo.Amount", type_kind="alias", base_type="decimal(9,2)")
    assert MAPPER.map_column(column).warehouse_type == "numeric(9,2)"
    assert MAPPER.cursor_kind(column) == "number"


@pytest.mark.parametrize(
    ("column", "named"),
    [
        (Column("v", "vector(3)"), "vector(3)"),
        (Column("p", "dbo.Point", type_kind="clr"), "dbo.Point"),
        (Column("t", "cursor"), "cursor"),
    ],
)
def test_refused_types_are_named(column: Column, named: str) -> None:
    with pytest.raises(ContractError) as caught:
        MAPPER.map_column(column)
    assert named in str(caught.value) and repr(column.name) in str(caught.value)


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("int", "number"),
        ("bigint", "number"),
        ("decimal(12,2)", "number"),
        ("rowversion", "number"),
        ("timestamp", "number"),
        ("datetime2(7)", "time"),
        ("datetime", "time"),
        ("datetimeoffset(7)", "time"),
        ("date", "time"),
        ("float", None),
        ("time(7)", None),
        ("nvarchar(50)", None),
        ("uniqueidentifier", None),
    ],
)
def test_cursor_kinds(source: str, kind: str | None) -> None:
    assert MAPPER.cursor_kind(Column("c", source)) == kind


def test_registered_by_entry_point() -> None:
    from datakit.typemaps import mapper_for

    assert mapper_for("sqlserver", "postgres") is MAPPER


def test_widening_on_bronze_types() -> None:
    assert MAPPER.is_safe_widening("smallint", "integer")
    assert MAPPER.is_safe_widening("timestamp(3)", "timestamp(6)")
    assert not MAPPER.is_safe_widening("bigint", "integer")
    assert MAPPER.source_casts_to_warehouse_types is False
