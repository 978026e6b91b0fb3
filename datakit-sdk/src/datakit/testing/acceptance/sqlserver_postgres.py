"""Acceptance suite for runners that load a SQL Server source into a Postgres bronze layer.

Real processes against real servers: the source is a SQL Server testcontainer
(``mcr.microsoft.com/mssql/server:2022-latest``, :mod:`datakit.testing.sqlserver`), one fresh
database per test with ``ALLOW_SNAPSHOT_ISOLATION ON`` unless a test says otherwise; the
warehouse the suite's embedded Postgres (``warehouse_url``). Where no Docker engine answers, or
pyodbc / an ODBC driver / the image is missing, every test is skipped with that reason
(``pytest -rs`` prints it). Marked ``sqlserver`` (and ``integration``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from datakit.testing import pg
from datakit.testing.acceptance.neutral import BronzeAcceptance, KillPoint, ok
from datakit.testing.pg_acceptance import PostgresBronze
from datakit.testing.runner_process import RunnerProcess
from datakit.testing.sqlserver import SqlServer, SqlServerSource, sqlserver_or_skip

BRONZE = "bronze"

TYPED_TABLE = """
CREATE TABLE dbo.typed (
    id int NOT NULL PRIMARY KEY,
    c_bit bit, c_tinyint tinyint, c_smallint smallint, c_bigint bigint,
    c_decimal decimal(12, 2), c_numeric numeric(38, 10), c_money money, c_smallmoney smallmoney,
    c_real real, c_float float,
    c_date date, c_time time(3), c_datetime datetime, c_smalldatetime smalldatetime,
    c_datetime2 datetime2(6), c_dto datetimeoffset(3),
    c_char char(5), c_varchar varchar(20), c_nvarchar nvarchar(50), c_nvarcharmax nvarchar(max),
    c_text text, c_ntext ntext,
    c_binary binary(4), c_varbinary varbinary(10), c_varbinarymax varbinary(max), c_image image,
    c_guid uniqueidentifier, c_xml xml, c_hier hierarchyid, c_geo geography, c_geom geometry,
    c_variant sql_variant, c_rv rowversion,
    c_total AS (c_decimal * 2),
    c_sparse int SPARSE NULL
);
INSERT INTO dbo.typed (id, c_bit, c_tinyint, c_smallint, c_bigint, c_decimal, c_numeric, c_money,
    c_smallmoney, c_real, c_float, c_date, c_time, c_datetime, c_smalldatetime, c_datetime2,
    c_dto, c_char, c_varchar, c_nvarchar, c_nvarcharmax, c_text, c_ntext, c_binary, c_varbinary,
    c_varbinarymax, c_image, c_guid, c_xml, c_hier, c_geo, c_geom, c_variant, c_sparse)
VALUES
 (1, 1, 255, -32768, 9223372036854775807, 1234567890.12, 12345678901234567890.0123456789,
  922337203685477.5807, -214748.3648, 1.5, 0.1, '0001-01-01', '23:59:59.999',
  '2026-12-02T10:11:12.997', '2026-12-02T10:11:00', '2026-12-02T10:11:12.123456',
  '2026-12-02T10:11:12.123+05:30', 'ab', 'plain', N'Çé ü 漢字', REPLICATE(N'x', 5000), 'old text',
  N'old ntext', 0x01020304, 0xDEADBEEF, 0x00, 0xFF, 'B7E2A8A4-1D4E-4C2E-9B7F-1A2B3C4D5E6F',
  N'<a b="1">x</a>', hierarchyid::Parse('/1/3/'), geography::Point(47.5, 8.5, 4326),
  geometry::STGeomFromText('LINESTRING (0 0, 1 1)', 0), CAST(42 AS int), 7),
 (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL);
"""

#: Bronze's text of row 1, column by column (what the type map documents).
TYPED_ROW_1 = {
    "c_bit": "true",
    "c_tinyint": "255",
    "c_smallint": "-32768",
    "c_bigint": "9223372036854775807",
    "c_decimal": "1234567890.12",
    "c_numeric": "12345678901234567890.0123456789",
    "c_money": "922337203685477.5807",
    "c_smallmoney": "-214748.3648",
    "c_real": "1.5",
    "c_float": "0.1",
    "c_date": "0001-01-01",
    "c_time": "23:59:59.999",
    "c_datetime": "2026-12-02 10:11:12.997",
    "c_smalldatetime": "2026-12-02 10:11:00",
    "c_datetime2": "2026-12-02 10:11:12.123456",
    "c_char": "ab   ",
    "c_varchar": "plain",
    "c_nvarchar": "Çé ü 漢字",
    "c_nvarcharmax": "x" * 5000,
    "c_text": "old text",
    "c_ntext": "old ntext",
    "c_binary": "\\x01020304",
    "c_varbinary": "\\xdeadbeef",
    "c_varbinarymax": "\\x00",
    "c_image": "\\xff",
    "c_guid": "b7e2a8a4-1d4e-4c2e-9b7f-1a2b3c4d5e6f",
    "c_xml": '<a b="1">x</a>',
    "c_hier": "/1/3/",
    "c_geo": "SRID=4326;POINT (8.5 47.5)",
    "c_geom": "SRID=0;LINESTRING (0 0, 1 1)",
    "c_variant": "42",
    "c_total": "2469135780.24",
    "c_sparse": "7",
}


@pytest.mark.integration
@pytest.mark.sqlserver
class SqlServerToPostgresAcceptance(BronzeAcceptance):
    """The neutral suite from SQL Server, plus the SQL Server-specific tests below. Subclass in
    a runner's tests and provide the ``runner_command`` fixture."""

    kill_rows = 500_000
    kill_points = (KillPoint("extract_started", 1.0),)

    @pytest.fixture(scope="class")
    @classmethod
    def sqlserver(cls) -> Iterator[SqlServer]:
        with sqlserver_or_skip() as server:
            yield server

    @pytest.fixture
    def source_db(self, sqlserver: SqlServer) -> str:
        name = sqlserver.create_database("src")
        sqlserver.execute(f"ALTER DATABASE [{name}] SET ALLOW_SNAPSHOT_ISOLATION ON")
        return name

    @pytest.fixture
    def source(self, sqlserver: SqlServer, source_db: str) -> SqlServerSource:
        return SqlServerSource(sqlserver, source_db)

    @pytest.fixture
    def warehouse(self, warehouse_url: str) -> PostgresBronze:
        return PostgresBronze(warehouse_url)

    @staticmethod
    def same_rows(
        sqlserver: SqlServer, db: str, table: str, warehouse_url: str, target: str, key: str
    ) -> None:
        """Bronze holds the source's rows: same keys, same values of every plain column."""
        columns = [
            row[0]
            for row in sqlserver.execute(
                "SELECT c.name FROM sys.columns c WHERE c.object_id = OBJECT_ID(?) "
                "AND TYPE_NAME(c.user_type_id) IN ('int', 'bigint', 'nvarchar', 'varchar') "
                "ORDER BY c.column_id",
                (table,),
                database=db,
            )
        ]
        quoted = ", ".join(f"CAST([{c}] AS nvarchar(4000))" for c in columns)
        want = sorted(
            tuple(row) for row in sqlserver.execute(f"SELECT {quoted} FROM {table}", database=db)
        )
        got = sorted(pg.text_rows(warehouse_url, BRONZE, target, columns))
        assert got == want, f"bronze {target} differs from {table} (key {key})"

    # --- check and discover -------------------------------------------------------------------

    def test_check_reports_snapshot_isolation(
        self, runner: RunnerProcess, sqlserver: SqlServer, source_db: str
    ) -> None:
        empty = runner.run("check")
        assert empty.exit_code == 3 and "can read no table" in empty.error_message
        sqlserver.execute("CREATE TABLE dbo.t (id int)", database=source_db)
        result = ok(runner.run("check"))
        assert result["source"]["isolation"] == "snapshot"
        assert result["source"]["readable_tables"] == 1
        assert result["warehouse"]["can_write_bronze_schema"] is True

    def test_check_without_snapshot_isolation_says_read_committed(
        self, runner: RunnerProcess, sqlserver: SqlServer, source_db: str
    ) -> None:
        sqlserver.execute(
            f"ALTER DATABASE [{source_db}] SET ALLOW_SNAPSHOT_ISOLATION OFF;"
            f"CREATE TABLE [{source_db}].dbo.t (id int)"
        )
        assert ok(runner.run("check"))["source"]["isolation"] == "read committed"

    def test_wrong_password_is_config_error_without_the_password(
        self, runner: RunnerProcess, sqlserver: SqlServer, source_db: str
    ) -> None:
        bad = sqlserver.url(source_db, password="Wr0ng-Secret;Pw")
        out = runner.run("check", env={"DATAKIT_SOURCE_URL": bad})
        assert out.exit_code == 3, out.stderr
        assert "login failed" in out.error_message
        assert "Wr0ng-Secret" not in out.stdout + out.stderr

    def test_discover_lists_schemas_keys_and_bronze_types(
        self, runner: RunnerProcess, sqlserver: SqlServer, source_db: str
    ) -> None:
        sqlserver.execute(
            "EXEC('CREATE SCHEMA sales'); "
            "CREATE TABLE sales.orders (id bigint PRIMARY KEY, updated_at datetime2(7) NOT NULL, "
            "note nvarchar(max), rv rowversion)",
            database=source_db,
        )
        result = ok(runner.run("discover"))
        (table,) = [t for t in result["tables"] if t["name"] == "orders"]
        assert table["schema"] == "sales" and table["primary_key"] == ["id"]
        types = {c["name"]: (c["type"], c["bronze_type"]) for c in table["columns"]}
        assert types == {
            "id": ("bigint", "bigint"),
            "updated_at": ("datetime2(7)", "timestamp(6)"),
            "note": ("nvarchar(max)", "text"),
            "rv": ("rowversion", "bigint"),
        }

    # --- values -------------------------------------------------------------------------------

    def test_full_refresh_lands_every_type_as_documented(
        self, runner: RunnerProcess, sqlserver: SqlServer, source_db: str, warehouse_url: str
    ) -> None:
        sqlserver.execute(TYPED_TABLE, database=source_db)
        result = ok(self.extract(runner, "dbo.typed"))
        assert result["tables"][0]["rows"] == 2
        columns = list(TYPED_ROW_1)
        rows = dict(
            (row[0], row[1:])
            for row in pg.text_rows(warehouse_url, BRONZE, "src__typed", ["id", *columns])
        )
        assert dict(zip(columns, rows["1"], strict=True)) == TYPED_ROW_1
        assert set(rows["2"]) == {None}  # NULLs stay NULL
        # datetimeoffset keeps the instant (read in UTC, whatever the session's time zone).
        dto = pg.scalar(
            warehouse_url,
            "SELECT (c_dto AT TIME ZONE 'UTC')::text FROM bronze.src__typed WHERE id = 1",
        )
        assert dto == "2026-12-02 04:41:12.123"
        assert "c_rv" in pg.column_types(warehouse_url, BRONZE, "src__typed")

    def test_identifiers_with_brackets_spaces_unicode_and_reserved_words(
        self, runner: RunnerProcess, sqlserver: SqlServer, source_db: str, warehouse_url: str
    ) -> None:
        sqlserver.execute(
            "EXEC('CREATE SCHEMA [Sales Data]'); "
            "CREATE TABLE [Sales Data].[Order]]s ü] ([select] int PRIMARY KEY, [with space] "
            "nvarchar(10), [Ünïcode] int); "
            "INSERT INTO [Sales Data].[Order]]s ü] VALUES (1, N'a', 2), (2, N'b', 3)",
            database=source_db,
        )
        out = self.extract(runner, "Sales Data.Order]s ü", "--target-table", "odd_names")
        assert ok(out)["tables"][0]["rows"] == 2
        assert pg.text_rows(
            warehouse_url, BRONZE, "odd_names", ["select", "with space", "Ünïcode"]
        ) == [("1", "a", "2"), ("2", "b", "3")]

    def test_table_without_key_loads_in_full_and_refuses_incremental(
        self, runner: RunnerProcess, sqlserver: SqlServer, source_db: str
    ) -> None:
        sqlserver.execute(
            "CREATE TABLE dbo.nokey (a int, b datetime2); INSERT INTO dbo.nokey VALUES (1, "
            "'2026-01-01'), (1, '2026-01-01')",
            database=source_db,
        )
        assert ok(self.extract(runner, "dbo.nokey"))["tables"][0]["rows"] == 2
        refused = self.extract(runner, "dbo.nokey", "--mode", "incremental", "--cursor", "b")
        assert refused.exit_code in (2, 3) and "key" in refused.error_message

    def test_temporal_table_reads_current_rows(
        self, runner: RunnerProcess, sqlserver: SqlServer, source_db: str, warehouse_url: str
    ) -> None:
        sqlserver.execute(
            "CREATE TABLE dbo.prices (id int PRIMARY KEY, price int, "
            "valid_from datetime2 GENERATED ALWAYS AS ROW START HIDDEN NOT NULL, "
            "valid_to datetime2 GENERATED ALWAYS AS ROW END HIDDEN NOT NULL, "
            "PERIOD FOR SYSTEM_TIME (valid_from, valid_to)) "
            "WITH (SYSTEM_VERSIONING = ON (HISTORY_TABLE = dbo.prices_history)); "
            "INSERT INTO dbo.prices (id, price) VALUES (1, 10), (2, 20); "
            "UPDATE dbo.prices SET price = 11 WHERE id = 1",
            database=source_db,
        )
        ok(self.extract(runner, "dbo.prices"))
        assert pg.text_rows(warehouse_url, BRONZE, "src__prices", ["id", "price"]) == [
            ("1", "11"),
            ("2", "20"),
        ]
        ok(self.extract(runner, "dbo.prices_history"))
        assert pg.count(warehouse_url, BRONZE, "src__prices_history") == 1

    # --- incremental --------------------------------------------------------------------------

    @pytest.mark.parametrize(
        ("cursor", "column_type", "bump"),
        [
            ("updated_at", "datetime2(7)", "updated_at = SYSDATETIME()"),
            ("rv", "rowversion", "name = name"),
        ],
        ids=["datetime2", "rowversion"],
    )
    def test_incremental_merges_and_converges_to_the_source(
        self,
        runner: RunnerProcess,
        sqlserver: SqlServer,
        source_db: str,
        warehouse_url: str,
        cursor: str,
        column_type: str,
        bump: str,
    ) -> None:
        # Distinct cursor values from 2000 on (rowversion: one per row by itself), so the
        # second run reads the changed rows and the watermark row, not the whole table.
        extra = "" if cursor == "rv" else " NOT NULL DEFAULT SYSDATETIME()"
        stamp = "" if cursor == "rv" else ", DATEADD(second, n, '2000-01-01')"
        sqlserver.execute(
            f"CREATE TABLE dbo.cust (id int PRIMARY KEY, name nvarchar(20), "
            f"{cursor} {column_type}{extra}); "
            f"INSERT INTO dbo.cust (id, name{'' if cursor == 'rv' else ', updated_at'}) "
            f"SELECT n, N'n'{stamp} FROM (SELECT TOP (1000) "
            "ROW_NUMBER() OVER (ORDER BY (SELECT NULL)) AS n FROM sys.all_objects a "
            "CROSS JOIN sys.all_objects b) AS numbers",
            database=source_db,
        )
        args = ("--mode", "incremental", "--cursor", cursor)
        first = ok(self.extract(runner, "dbo.cust", *args))
        assert first["tables"][0]["rows"] == 1000
        sqlserver.execute(
            f"UPDATE dbo.cust SET name = N'changed', {bump} WHERE id % 100 = 0; "
            "INSERT INTO dbo.cust (id, name) VALUES (1001, N'new'), (1002, N'new')",
            database=source_db,
        )
        second = ok(self.extract(runner, "dbo.cust", *args))
        assert 12 <= second["tables"][0]["rows"] < 1000
        lookback = "2 hours" if cursor == "updated_at" else "5"
        ok(self.extract(runner, "dbo.cust", *args, "--lookback", lookback))
        self.same_rows(sqlserver, source_db, "dbo.cust", warehouse_url, "src__cust", "id")


__all__ = ["TYPED_ROW_1", "TYPED_TABLE", "SqlServerToPostgresAcceptance"]
