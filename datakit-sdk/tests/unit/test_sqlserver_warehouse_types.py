"""SQL Server bronze types offline: spelling from the catalog, watermarks from CONVERT, value binding."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest

from datakit.secrets import Secret
from datakit.settings import DatabaseUrl
from datakit.typemaps.postgres_sqlserver import MAPPER
from datakit.warehouse_contract import LoadSession, Warehouse
from datakit.warehouses.registry import load_warehouse
from datakit.warehouses.sqlserver import SqlServerWarehouse
from datakit.warehouses.sqlserver.types import (
    convert_style,
    index_key_fits,
    input_size,
    spell_type,
    to_json_array,
    value_adapter,
    watermark_from_text,
    watermark_kind,
)
from datakit.warehouses.sqlserver.warehouse import SqlServerLoadSession, row_adapter
from datakit.watermark import Watermark


@pytest.mark.parametrize(
    ("parts", "spelled"),
    [
        (("nvarchar", -1, None, None, None), "nvarchar(max)"),
        (("nvarchar", 20, None, None, None), "nvarchar(20)"),
        (("nchar", 5, None, None, None), "nchar(5)"),
        (("varbinary", -1, None, None, None), "varbinary(max)"),
        (("decimal", None, 12, 2, None), "decimal(12,2)"),
        (("datetime2", None, None, None, 6), "datetime2(6)"),
        (("datetimeoffset", None, None, None, 6), "datetimeoffset(6)"),
        (("time", None, None, None, 6), "time(6)"),
        (("float", None, 53, None, None), "float"),
        (("float", None, 24, None, None), "real"),
        (("real", None, 24, None, None), "real"),
        (("bigint", None, 19, 0, None), "bigint"),
        (("bit", None, None, None, None), "bit"),
        (("uniqueidentifier", None, None, None, None), "uniqueidentifier"),
        (("date", None, None, None, 0), "date"),
    ],
)
def test_catalog_types_are_spelled_as_the_type_map_spells_them(parts: tuple, spelled: str) -> None:
    assert spell_type(*parts) == spelled


def test_every_type_the_map_produces_reads_back_unchanged() -> None:
    """A reload of an unchanged table must plan no schema change: map output == catalog spelling."""
    from datakit.contracts import Column

    catalog = {
        "smallint": ("smallint", None, 5, 0, None),
        "int": ("int", None, 10, 0, None),
        "bigint": ("bigint", None, 19, 0, None),
        "decimal(12,2)": ("decimal", None, 12, 2, None),
        "decimal(23,4)": ("decimal", None, 23, 4, None),
        "real": ("real", None, 24, None, None),
        "float": ("float", None, 53, None, None),
        "bit": ("bit", None, None, None, None),
        "nvarchar(max)": ("nvarchar", -1, None, None, None),
        "nvarchar(20)": ("nvarchar", 20, None, None, None),
        "nchar(5)": ("nchar", 5, None, None, None),
        "nvarchar(63)": ("nvarchar", 63, None, None, None),
        "varbinary(max)": ("varbinary", -1, None, None, None),
        "uniqueidentifier": ("uniqueidentifier", None, None, None, None),
        "date": ("date", None, None, None, 0),
        "time(6)": ("time", None, None, None, 6),
        "datetime2(6)": ("datetime2", None, None, None, 6),
        "datetimeoffset(6)": ("datetimeoffset", None, None, None, 6),
    }
    sources = [
        "smallint", "integer", "bigint", "numeric(12,2)", "money", "real", "double precision",
        "boolean", "text", "character varying(20)", "character(5)", "bytea", "uuid", "date",
        "time without time zone", "timestamp without time zone", "timestamp with time zone",
    ]  # fmt: skip
    for source in sources:
        mapped = MAPPER.map_column(Column("c", source)).warehouse_type
        assert spell_type(*catalog[mapped]) == mapped, source


@pytest.mark.parametrize(
    ("type_", "text", "expected"),
    [
        ("bigint", "42", Watermark("int", "42")),
        ("decimal(12,2)", "-12.50", Watermark("decimal", "-12.50")),
        ("float", "1.2345678901234567e+002", Watermark("decimal", "123.45678901234567")),
        ("money", "12.3400", Watermark("decimal", "12.3400")),
        ("date", "2026-12-01", Watermark("date", "2026-12-01")),
        (
            "datetime2(6)",
            "2026-12-01T09:30:00.500000",
            Watermark("timestamp", "2026-12-01T09:30:00.5"),
        ),
        (
            "datetime2(7)",
            "2026-12-01T09:30:00.1234567",
            Watermark("timestamp", "2026-12-01T09:30:00.123456"),
        ),
        ("datetime2(0)", "2026-12-01T09:30:00", Watermark("timestamp", "2026-12-01T09:30:00")),
        ("datetime", "2026-12-01T09:30:00.997", Watermark("timestamp", "2026-12-01T09:30:00.997")),
        (
            "datetimeoffset(6)",
            "2026-12-01T09:30:00.1000000+01:00",
            Watermark("timestamptz", "2026-12-01T09:30:00.1+01:00"),
        ),
        (
            "datetimeoffset(6)",
            "2026-12-01T09:30:00Z",
            Watermark("timestamptz", "2026-12-01T09:30:00+00:00"),
        ),
    ],
)
def test_watermarks_from_convert_text(type_: str, text: str, expected: Watermark) -> None:
    kind = watermark_kind(type_)
    assert kind is not None
    assert watermark_from_text(kind, text) == expected


def test_convert_styles_print_exactly() -> None:
    assert convert_style("datetimeoffset(6)") == 126
    assert convert_style("date") == 126
    assert convert_style("float") == 3
    assert convert_style("money") == 2
    assert convert_style("decimal(12,2)") == 0
    assert convert_style("bigint") == 0
    assert watermark_kind("nvarchar(max)") is None
    assert watermark_kind("uniqueidentifier") is None


def test_arrays_become_json_with_exact_numbers() -> None:
    value = [[Decimal("1.10"), None], [Decimal("-2"), Decimal("3.000")]]
    assert to_json_array(value) == "[[1.10,null],[-2,3.000]]"
    assert to_json_array(['a"b', "é"]) == '["a\\"b","é"]'
    assert to_json_array([True, 1, 2.5]) == "[true,1,2.5]"
    assert to_json_array([date(2026, 1, 2)]) == '["2026-01-02"]'


def test_values_are_adapted_to_what_pyodbc_binds() -> None:
    aware = datetime(2026, 12, 1, 9, 30, 0, 500000, tzinfo=timezone(timedelta(hours=1)))
    assert value_adapter("datetimeoffset(6)")(aware) == "2026-12-01T09:30:00.500000+01:00"
    lmt = datetime(1850, 1, 1, 12, 0, tzinfo=timezone(timedelta(minutes=53, seconds=28)))
    assert value_adapter("datetimeoffset(6)")(lmt) == "1850-01-01T11:06:32+00:00"
    assert value_adapter("datetimeoffset(6)")(None) is None
    uid = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert value_adapter("uniqueidentifier")(uid) == "12345678-1234-5678-1234-567812345678"
    assert value_adapter("nvarchar(max)")([1, 2]) == "[1,2]"
    assert value_adapter("varbinary(max)")(memoryview(b"\x00\x01")) == b"\x00\x01"
    naive = datetime(2026, 12, 1, 9, 30, 0, 1)
    assert value_adapter("datetime2(6)")(naive) == "2026-12-01T09:30:00.000001"
    assert value_adapter("time(6)")(time(23, 59, 59, 999999)) == "23:59:59.999999"
    assert value_adapter("date")(date(1, 1, 1)) == "0001-01-01"
    assert value_adapter("decimal(12,2)")(Decimal("1.10")) == Decimal("1.10")
    assert value_adapter("nvarchar(max)")("é") == "é"
    adapt = row_adapter(["bigint", "datetimeoffset(6)"])
    assert adapt((1, datetime(2026, 1, 1, tzinfo=UTC))) == (1, "2026-01-01T00:00:00+00:00")


def test_the_warehouse_is_found_by_both_url_schemes_and_fills_the_contract() -> None:
    for scheme in ("mssql", "sqlserver"):
        url = DatabaseUrl(Secret(f"{scheme}://u:p@127.0.0.1:1/db"), "DATAKIT_WAREHOUSE_URL")
        warehouse = load_warehouse(url)
        assert isinstance(warehouse, SqlServerWarehouse)
        assert isinstance(warehouse, Warehouse)
    caps = SqlServerWarehouse.capabilities
    assert caps.supports_transactional_ddl is True
    assert caps.supports_merge is False  # DELETE + INSERT, on purpose
    assert caps.max_identifier_length == 128
    assert caps.batch_formats == ("rows",)
    session = SqlServerLoadSession(None, None, run_id="r", where="w")  # type: ignore[arg-type]
    assert isinstance(session, LoadSession)


@pytest.mark.parametrize(
    ("type_", "size"),
    [
        ("bigint", (-5, 0, 0)),
        ("int", (4, 0, 0)),
        ("bit", (-7, 0, 0)),
        ("decimal(12,2)", (3, 12, 2)),
        ("decimal(38,10)", (3, 38, 10)),
        ("float", (8, 0, 0)),
        ("real", (7, 0, 0)),
        ("nvarchar(max)", (-9, 0, 0)),
        ("nvarchar(20)", (-9, 20, 0)),
        ("nchar(5)", (-8, 5, 0)),
        ("varbinary(max)", (-3, 0, 0)),
        ("uniqueidentifier", (-9, 36, 0)),
        ("datetimeoffset(6)", (-9, 40, 0)),
        ("datetime2(6)", (-9, 40, 0)),
        ("date", (-9, 16, 0)),
        ("time(6)", (-9, 20, 0)),
    ],
)
def test_parameters_are_declared_not_described(type_: str, size: tuple[int, int, int]) -> None:
    """fast_executemany's describe fails on the # stage; every column's binding is declared."""
    assert input_size(type_) == size


def test_declared_odbc_codes_are_pyodbcs() -> None:
    pyodbc = pytest.importorskip("pyodbc", reason="needs pyodbc to compare its constants")
    from datakit.warehouses.sqlserver import types

    for name in ("SQL_WVARCHAR", "SQL_WCHAR", "SQL_VARBINARY", "SQL_BIGINT", "SQL_INTEGER",
                 "SQL_SMALLINT", "SQL_TINYINT", "SQL_BIT", "SQL_DECIMAL", "SQL_DOUBLE", "SQL_REAL"):  # fmt: skip
        assert getattr(types, name) == getattr(pyodbc, name), name


def test_the_merge_key_is_indexed_only_when_sql_server_can() -> None:
    assert index_key_fits(["bigint"])
    assert index_key_fits(["int", "nvarchar(400)", "datetimeoffset(6)"])
    assert not index_key_fits(["nvarchar(max)"])  # text keys: merged by scans
    assert not index_key_fits(["nvarchar(851)"])  # 1,702 bytes > 1,700
    assert not index_key_fits(["varbinary(max)"])


@pytest.mark.parametrize(
    ("protocol", "implementation"),
    [(Warehouse, SqlServerWarehouse), (LoadSession, SqlServerLoadSession)],
)
def test_sql_server_fills_every_method_with_the_same_signature(
    protocol: type, implementation: type
) -> None:
    """Same parameter names, kinds and defaults as the contract: the Loader calls by keyword."""
    import inspect

    names = [
        name
        for name, member in vars(protocol).items()
        if inspect.isfunction(member) and not name.startswith("_")
    ]
    assert names
    for name in names:
        wanted = inspect.signature(getattr(protocol, name)).parameters.values()
        found = inspect.signature(getattr(implementation, name)).parameters.values()
        assert [(p.name, p.kind, p.default) for p in found] == [
            (p.name, p.kind, p.default) for p in wanted
        ], name


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_a_float_sql_server_cannot_store_is_a_contract_error_naming_the_column(
    value: float,
) -> None:
    from datakit.errors import ContractError

    adapt = row_adapter(["bigint", "float"], ["id", "score"])
    assert adapt((1, 2.5)) == (1, 2.5)
    with pytest.raises(ContractError) as caught:
        adapt((1, value))
    assert caught.value.exit_code == 5
    assert "'score'" in caught.value.message and "float" in caught.value.message
