"""The Postgres -> Postgres type map, value by value."""

from __future__ import annotations

import pytest

from datakit.contracts import Column
from datakit.errors import ConfigError
from datakit.typemaps import mapper_for
from datakit.typemaps.postgres_postgres import MAPPER, parse_type

BUILTIN = [
    "smallint",
    "integer",
    "bigint",
    "numeric",
    "numeric(12,2)",
    "real",
    "double precision",
    "money",
    "text",
    "character varying(20)",
    "character(5)",
    '"char"',
    "name",
    "bytea",
    "boolean",
    "date",
    "time without time zone",
    "time(3) without time zone",
    "time with time zone",
    "timestamp without time zone",
    "timestamp(0) without time zone",
    "timestamp with time zone",
    "interval",
    "uuid",
    "inet",
    "cidr",
    "macaddr",
    "macaddr8",
    "json",
    "jsonb",
    "jsonpath",
    "bit(8)",
    "bit varying(16)",
    "int4range",
    "int8range",
    "numrange",
    "daterange",
    "tsrange",
    "tstzrange",
    "int4multirange",
    "tsvector",
    "tsquery",
    "point",
    "line",
    "lseg",
    "box",
    "path",
    "polygon",
    "circle",
    "oid",
    "pg_lsn",
    "integer[]",
    "text[]",
    "numeric[]",
    "timestamp with time zone[]",
]


@pytest.mark.parametrize("type_", BUILTIN)
def test_builtin_types_map_to_themselves_without_cast(type_: str) -> None:
    mapping = MAPPER.map_column(Column("c", type_))
    assert (mapping.warehouse_type, mapping.source_cast, mapping.faithful) == (type_, None, True)


def test_xml_travels_as_text_but_stays_xml() -> None:
    mapping = MAPPER.map_column(Column("c", "xml"))
    assert (mapping.warehouse_type, mapping.source_cast, mapping.faithful) == ("xml", "text", True)


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        (Column("c", "mood", type_kind="enum", base_type="text"), ("text", "text", True)),
        (
            Column("c", "positive_money", type_kind="domain", base_type="numeric(10,2)"),
            ("numeric(10,2)", "numeric(10,2)", True),
        ),
        (Column("c", "mood[]", type_kind="array", base_type="text[]"), ("text[]", "text[]", True)),
        (Column("c", "pair", type_kind="composite"), ("text", "text", False)),
        (Column("c", "citext", type_kind="other"), ("text", "text", False)),
        (Column("c", "floatrange", type_kind="range"), ("text", "text", False)),
    ],
    ids=["enum", "domain", "enum-array", "composite", "extension-type", "user-range"],
)
def test_user_defined_types(column: Column, expected: tuple[str, str, bool]) -> None:
    mapping = MAPPER.map_column(column)
    assert (mapping.warehouse_type, mapping.source_cast, mapping.faithful) == expected


@pytest.mark.parametrize(
    ("old", "new", "safe"),
    [
        ("smallint", "integer", True),
        ("integer", "bigint", True),
        ("bigint", "integer", False),
        ("integer", "numeric", True),
        ("bigint", "numeric(18,0)", False),
        ("bigint", "numeric(19,0)", True),
        ("real", "double precision", True),
        ("double precision", "real", False),
        ("numeric(10,2)", "numeric(12,2)", True),
        ("numeric(10,2)", "numeric(12,4)", True),
        ("numeric(10,2)", "numeric(10,4)", False),
        ("numeric(10,2)", "numeric", True),
        ("numeric", "numeric(10,2)", False),
        ("character varying(10)", "character varying(20)", True),
        ("character varying(20)", "character varying(10)", False),
        ("character varying(10)", "text", True),
        ("character varying", "text", True),
        ("text", "integer", False),
        ("timestamp(0) without time zone", "timestamp(3) without time zone", True),
        ("timestamp(3) without time zone", "timestamp without time zone", True),
        ("timestamp without time zone", "timestamp with time zone", False),
        ("integer[]", "bigint[]", True),
        ("integer[]", "bigint", False),
    ],
)
def test_safe_widenings(old: str, new: str, safe: bool) -> None:
    assert MAPPER.is_safe_widening(old, new) is safe


def test_parse_type() -> None:
    parsed = parse_type("timestamp(3) with time zone[]")
    assert (parsed.name, parsed.args, parsed.array_dims) == ("timestamp with time zone", (3,), 1)
    assert parse_type("numeric(12,2)").args == (12, 2)


def test_unknown_pair_names_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="postgres->postgres"):
        mapper_for("oracle", "postgres")
