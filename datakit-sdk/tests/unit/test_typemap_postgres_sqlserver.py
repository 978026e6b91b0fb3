"""The Postgres -> SQL Server type map, as a table: every built-in type lands exactly or is refused."""

from __future__ import annotations

import pytest

from datakit.contracts import Column
from datakit.errors import ContractError
from datakit.typemaps import mapper_for
from datakit.typemaps.postgres_sqlserver import MAPPER


def _postgres_builtins() -> list[str]:
    """The Postgres -> Postgres map's type list (its test module), so the two cannot drift."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "_pg_typemap_test", Path(__file__).with_name("test_typemap.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.BUILTIN)


BUILTIN = _postgres_builtins()

# Postgres type -> (SQL Server type, what the source sends it as, faithful)
EXPECTED: dict[str, tuple[str, str | None, bool]] = {
    "smallint": ("smallint", None, True),
    "integer": ("int", None, True),
    "bigint": ("bigint", None, True),
    "numeric": ("nvarchar(max)", "text", False),
    "numeric(12,2)": ("decimal(12,2)", None, True),
    "real": ("real", None, True),
    "double precision": ("float", None, True),
    "money": ("decimal(23,4)", "numeric", True),
    "text": ("nvarchar(max)", None, True),
    "character varying(20)": ("nvarchar(20)", None, True),
    "character(5)": ("nchar(5)", None, True),
    '"char"': ("nvarchar(max)", "text", False),
    "name": ("nvarchar(max)", "text", False),
    "bytea": ("varbinary(max)", None, True),
    "boolean": ("bit", None, True),
    "date": ("date", None, True),
    "time without time zone": ("time(6)", None, True),
    "time(3) without time zone": ("time(6)", None, True),
    "timestamp without time zone": ("datetime2(6)", None, True),
    "timestamp(0) without time zone": ("datetime2(6)", None, True),
    "timestamp with time zone": ("datetimeoffset(6)", None, True),
    "uuid": ("uniqueidentifier", None, True),
    "json": ("nvarchar(max)", "text", True),
    "jsonb": ("nvarchar(max)", "text", True),
    "xml": ("nvarchar(max)", "text", True),
    "integer[]": ("nvarchar(max)", "integer[]", True),
    "text[]": ("nvarchar(max)", "text[]", True),
    "numeric[]": ("nvarchar(max)", "numeric[]", True),
    "timestamp with time zone[]": ("nvarchar(max)", "timestamp with time zone[]", True),
}
REFUSED = {
    "interval": "no interval type",
    "time with time zone": "no time type with an offset",
    "numeric(39,0)": "precision 39 > 38",
    "numeric(5,-2)": "scale -2 outside",
}
# Kept as their exact text form, with a warning (no SQL Server type of the same meaning).
AS_TEXT = {
    "inet", "cidr", "macaddr", "macaddr8", "jsonpath", "bit(8)", "bit varying(16)",
    "int4range", "int8range", "numrange", "daterange", "tsrange", "tstzrange",
    "int4multirange", "tsvector", "tsquery", "point", "line", "lseg", "box", "path",
    "polygon", "circle", "oid", "pg_lsn",
}  # fmt: skip


def test_the_table_covers_every_type_the_postgres_map_knows() -> None:
    known = set(EXPECTED) | set(REFUSED) | AS_TEXT
    assert set(BUILTIN) - known == set()


@pytest.mark.parametrize("type_", sorted(EXPECTED))
def test_mapped_types(type_: str) -> None:
    kind = "array" if type_.endswith("[]") else "base"
    column = Column("c", type_, type_kind=kind, base_type=type_ if kind == "array" else None)
    mapping = MAPPER.map_column(column)
    assert (mapping.warehouse_type, mapping.source_cast, mapping.faithful) == EXPECTED[type_]


@pytest.mark.parametrize("type_", sorted(AS_TEXT))
def test_types_without_a_counterpart_keep_their_text_with_a_warning(type_: str) -> None:
    mapping = MAPPER.map_column(Column("c", type_))
    assert (mapping.warehouse_type, mapping.source_cast, mapping.faithful) == (
        "nvarchar(max)",
        "text",
        False,
    )
    assert mapping.note


@pytest.mark.parametrize(("type_", "why"), sorted(REFUSED.items()))
def test_types_that_cannot_land_exactly_are_refused_by_name(type_: str, why: str) -> None:
    with pytest.raises(ContractError) as caught:
        MAPPER.map_column(Column("paid_for", type_))
    assert caught.value.exit_code == 5
    assert "'paid_for'" in caught.value.message and type_ in caught.value.message
    assert why in caught.value.message


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        (Column("c", "mood", type_kind="enum", base_type="text"), ("nvarchar(63)", "text")),
        (
            Column("c", "positive_money", type_kind="domain", base_type="numeric(10,2)"),
            ("decimal(10,2)", "numeric(10,2)"),
        ),
        (Column("c", "mood[]", type_kind="array", base_type="text[]"), ("nvarchar(max)", "text[]")),
        (Column("c", "pair", type_kind="composite"), ("nvarchar(max)", "text")),
    ],
    ids=["enum", "domain", "enum-array", "composite"],
)
def test_user_defined_types(column: Column, expected: tuple[str, str]) -> None:
    mapping = MAPPER.map_column(column)
    assert (mapping.warehouse_type, mapping.source_cast) == expected


def test_user_ranges_are_refused() -> None:
    with pytest.raises(ContractError, match="floatrange"):
        MAPPER.map_column(Column("c", "floatrange", type_kind="range"))


def test_long_varchar_becomes_nvarchar_max() -> None:
    assert MAPPER.map_column(Column("c", "character varying(4001)")).warehouse_type == (
        "nvarchar(max)"
    )
    assert MAPPER.map_column(Column("c", "character varying")).warehouse_type == "nvarchar(max)"


@pytest.mark.parametrize(
    ("type_", "kind"),
    [
        ("integer", "number"),
        ("numeric(38,2)", "number"),
        ("numeric", None),
        ("double precision", "number"),
        ("timestamp with time zone", "time"),
        ("date", "time"),
        ("text", None),
        ("uuid", None),
        ("integer[]", None),
    ],
)
def test_cursor_kinds(type_: str, kind: str | None) -> None:
    assert MAPPER.cursor_kind(Column("c", type_)) == kind


@pytest.mark.parametrize(
    ("old", "new", "safe"),
    [
        ("smallint", "int", True),
        ("int", "bigint", True),
        ("bigint", "int", False),
        ("int", "decimal(10,0)", True),
        ("bigint", "decimal(18,0)", False),
        ("real", "float", True),
        ("float", "real", False),
        ("decimal(10,2)", "decimal(12,2)", True),
        ("decimal(10,2)", "decimal(10,4)", False),
        ("nvarchar(10)", "nvarchar(20)", True),
        ("nvarchar(20)", "nvarchar(10)", False),
        ("nvarchar(10)", "nvarchar(max)", True),
        ("nvarchar(max)", "nvarchar(10)", False),
        ("nchar(5)", "nvarchar(10)", False),
        ("datetime2(3)", "datetime2(6)", True),
        ("datetime2(6)", "datetimeoffset(6)", False),
        ("nvarchar(max)", "int", False),
    ],
)
def test_safe_widenings(old: str, new: str, safe: bool) -> None:
    assert MAPPER.is_safe_widening(old, new) is safe


def test_registered_by_entry_point() -> None:
    assert mapper_for("postgres", "sqlserver") is MAPPER


def test_a_source_narrower_than_bronze_is_read_as_mapped_not_cast_to_a_sql_server_type() -> None:
    """bronze nvarchar(20)/bigint, source back to varchar(5)/smallint: no T-SQL type sent to Postgres."""
    from datakit.load.schema_drift import plan_schema

    columns = [Column("a", "smallint"), Column("s", "character varying(5)"), Column("j", "jsonb")]
    mapped = [
        (c.name, MAPPER.map_column(c).warehouse_type, MAPPER.map_column(c).source_cast)
        for c in columns
    ]
    bronze = {"a": "bigint", "s": "nvarchar(20)", "j": "nvarchar(max)"}
    plan = plan_schema(
        table="public.d",
        source_columns=mapped,
        bronze_columns=bronze,
        mapper=MAPPER,
        policy="evolve",
    )
    assert plan.changes() == []
    assert plan.read_as == {"a": None, "s": None, "j": "text"}
