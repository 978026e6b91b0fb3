"""The Postgres -> Spark type map as a table: what lands typed, as text, or is refused by name."""

from __future__ import annotations

import pytest

from datakit.contracts import Column
from datakit.errors import ContractError
from datakit.plugins import load_plugin
from datakit_runner_spark.typemap import MAPPER

TABLE = [
    # (source type, type_kind, base_type, spark type, source cast)
    ("smallint", "base", None, "smallint", None),
    ("integer", "base", None, "int", None),
    ("bigint", "base", None, "bigint", None),
    ("real", "base", None, "float", None),
    ("double precision", "base", None, "double", None),
    ("numeric(38,10)", "base", None, "decimal(38,10)", None),
    ("numeric(12,2)", "base", None, "decimal(12,2)", None),
    ("numeric(5)", "base", None, "decimal(5,0)", None),
    ("numeric", "base", None, "string", "text"),
    ("boolean", "base", None, "boolean", None),
    ("text", "base", None, "string", None),
    ("character varying(20)", "base", None, "string", None),
    ("bytea", "base", None, "binary", None),
    ("date", "base", None, "date", "text"),
    ("timestamp without time zone", "base", None, "timestamp_ntz", "text"),
    ("timestamp(3) without time zone", "base", None, "timestamp_ntz", "text"),
    ("timestamp with time zone", "base", None, "timestamp", None),
    ("json", "base", None, "string", "text"),
    ("jsonb", "base", None, "string", "text"),
    ("uuid", "base", None, "string", "text"),
    ("time without time zone", "base", None, "string", "text"),
    ("integer[]", "base", None, "array<int>", None),
    ("numeric(10,2)[]", "base", None, "array<decimal(10,2)>", None),
    ("text[]", "base", None, "array<string>", None),
    ("mood", "enum", "text", "string", "text"),
    ("positive_int", "domain", "integer", "int", "integer"),
]


@pytest.mark.parametrize(("source", "kind", "base", "spark", "cast"), TABLE)
def test_type_map_table(
    source: str, kind: str, base: str | None, spark: str, cast: str | None
) -> None:
    mapping = MAPPER.map_column(Column("c", source, type_kind=kind, base_type=base))
    assert (mapping.warehouse_type, mapping.source_cast) == (spark, cast)


@pytest.mark.parametrize(
    ("source", "kind", "named"),
    [
        ("numeric(39,2)", "base", "38 digits"),
        ("interval", "base", "interval"),
        ("int4range", "range", "ranges"),
    ],
)
def test_refused_types_name_the_column_and_type(source: str, kind: str, named: str) -> None:
    with pytest.raises(ContractError) as caught:
        MAPPER.map_column(Column("bad_col", source, type_kind=kind))
    assert caught.value.exit_code == 5
    assert "'bad_col'" in caught.value.message and source in caught.value.message
    assert named in caught.value.message


def test_multi_dimensional_arrays_and_composites_land_as_text_with_a_warning() -> None:
    for column in (
        Column("m", "integer[][]", type_kind="base"),
        Column("c", "address", type_kind="composite"),
    ):
        mapping = MAPPER.map_column(column)
        assert (mapping.warehouse_type, mapping.source_cast, mapping.faithful) == (
            "string",
            "text",
            False,
        )


def test_registered_as_the_postgres_to_spark_entry_point() -> None:
    assert load_plugin("datakit.typemaps", "postgres_to_spark", what="type map") is MAPPER


def test_widening_only_where_every_value_is_kept() -> None:
    assert MAPPER.is_safe_widening("int", "bigint")
    assert MAPPER.is_safe_widening("float", "double")
    assert not MAPPER.is_safe_widening("bigint", "int")
    assert not MAPPER.is_safe_widening("string", "int")
