"""Acceptance suite for runners that load a Postgres source into a SQL Server bronze layer.

Real processes against real servers: the source is the suite's Postgres (``source_url``), the
warehouse a SQL Server testcontainer (``mcr.microsoft.com/mssql/server:2022-latest``), one fresh
database per test. Where no Docker engine answers, or pyodbc / an ODBC driver / the image is
missing, every test is skipped with that reason (``pytest -rs`` prints it); nothing here can
pass without a server. Marked ``sqlserver`` (and ``integration``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from datakit.testing import pg
from datakit.testing.acceptance.neutral import BronzeAcceptance, KillPoint, ok
from datakit.testing.pg_acceptance import PostgresSource
from datakit.testing.runner_process import RunnerProcess
from datakit.testing.sqlserver import SqlServer, SqlServerBronze, sqlserver_or_skip

BRONZE = "bronze"


@pytest.mark.integration
@pytest.mark.sqlserver
class PostgresToSqlServerAcceptance(BronzeAcceptance):
    """The neutral suite into SQL Server, plus the SQL Server-specific tests below. Subclass in
    a runner's tests and provide the ``runner_command`` fixture."""

    kill_rows = 500_000
    kill_points = (KillPoint("extract_started", 1.0),)

    @pytest.fixture(scope="class")
    @classmethod
    def sqlserver(cls) -> Iterator[SqlServer]:
        with sqlserver_or_skip() as server:
            yield server

    @pytest.fixture
    def warehouse_db(self, sqlserver: SqlServer) -> str:
        return sqlserver.create_database("bronze")

    @pytest.fixture
    def source(self, source_url: str) -> PostgresSource:
        return PostgresSource(source_url)

    @pytest.fixture
    def warehouse(self, sqlserver: SqlServer, warehouse_db: str) -> SqlServerBronze:
        return SqlServerBronze(sqlserver, warehouse_db)

    @staticmethod
    def rows(server: SqlServer, db: str, sql: str) -> list[tuple[Any, ...]]:
        return server.execute(sql, database=db)

    # --- check ------------------------------------------------------------------------------------

    def test_check_reports_a_writable_sql_server_warehouse(
        self, runner: RunnerProcess, source_url: str, sqlserver: SqlServer
    ) -> None:
        pg.execute(source_url, "CREATE TABLE public.t (id int)")
        result = ok(runner.run("check"))
        assert result["warehouse"]["can_write_bronze_schema"] is True
        assert sqlserver.password not in runner.run("check").stderr

    # --- values -----------------------------------------------------------------------------------

    def test_full_refresh_lands_every_mapped_type_exactly(
        self, runner: RunnerProcess, source_url: str, sqlserver: SqlServer, warehouse_db: str
    ) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.ty (id int PRIMARY KEY, n numeric(38,10), f double precision,"
            " b boolean, t text, vc varchar(10), ts timestamp, tz timestamptz, d date, tm time,"
            " u uuid, j jsonb, arr numeric[], by bytea, m money);"
            "SET timezone = 'UTC';"
            "INSERT INTO public.ty VALUES (1, 1234567890123456789012345678.0123456789,"
            " 0.1, true, 'é ü 🚀 \"q\"', 'abc', '2024-02-29 23:59:59.999999',"
            " '2024-02-29 23:59:59.123456+05:30', '0001-01-01', '23:59:59.999999',"
            " '12345678-1234-5678-1234-567812345678', '{\"a\": [1, 2.50]}',"
            " '{{1.10,NULL},{-2,3.000}}', '\\x00ff10', 12.34),"
            " (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
        )
        ok(self.extract(runner, "public.ty"))
        # Instants as microseconds from a fixed point: exact, and independent of how CONVERT
        # prints offsets or which time zone the source session used.
        got = self.rows(
            sqlserver,
            warehouse_db,
            "SELECT id, CONVERT(nvarchar(60), n), f, b, t, vc,"
            " DATEDIFF_BIG(microsecond, '2024-01-01T00:00:00', ts),"
            " DATEDIFF_BIG(microsecond, CAST('2024-01-01T00:00:00+00:00' AS datetimeoffset(6)), tz),"
            " CONVERT(nvarchar(10), d, 23), DATEDIFF_BIG(microsecond, CAST('00:00' AS time(6)), tm),"
            " CONVERT(nvarchar(36), u), j, arr, by, CONVERT(nvarchar(30), m)"
            " FROM bronze.src__ty ORDER BY id",
        )
        day = 86_400_000_000
        assert got[0] == (
            1,
            "1234567890123456789012345678.0123456789",
            0.1,
            True,
            'é ü 🚀 "q"',
            "abc",
            59 * day + day - 1,  # 2024-02-29 23:59:59.999999
            59 * day + (18 * 3600 + 29 * 60 + 59) * 1_000_000 + 123456,  # 18:29:59.123456 UTC
            "0001-01-01",
            day - 1,  # 23:59:59.999999
            "12345678-1234-5678-1234-567812345678",
            '{"a": [1, 2.50]}',
            "[[1.10,null],[-2,3.000]]",
            b"\x00\xff\x10",
            "12.3400",
        )
        assert got[1][1:] == (None,) * 14
        types = dict(
            self.rows(
                sqlserver,
                warehouse_db,
                "SELECT COLUMN_NAME, DATA_TYPE FROM INFORMATION_SCHEMA.COLUMNS"
                " WHERE TABLE_NAME = 'src__ty'",
            )
        )
        assert types["tz"] == "datetimeoffset" and types["u"] == "uniqueidentifier"
        assert types["n"] == "decimal" and types["arr"] == "nvarchar"

    def test_a_type_that_cannot_land_is_refused_before_anything_is_written(
        self, runner: RunnerProcess, source_url: str, sqlserver: SqlServer, warehouse_db: str
    ) -> None:
        pg.execute(source_url, "CREATE TABLE public.iv (id int PRIMARY KEY, span interval)")
        out = self.extract(runner, "public.iv")
        assert out.exit_code == 5, out.stderr
        assert "'span'" in out.error_message and "interval" in out.error_message
        assert self.rows(sqlserver, warehouse_db, "SELECT COUNT(*) FROM sys.tables") == [(0,)]

    # --- full refresh -----------------------------------------------------------------------------

    def test_full_refresh_keeps_dependent_and_schema_bound_views(
        self, runner: RunnerProcess, source_url: str, sqlserver: SqlServer, warehouse_db: str
    ) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.t (id int PRIMARY KEY, v text); INSERT INTO public.t VALUES (1, 'a'), (2, 'b')",
        )
        ok(self.extract(runner, "public.t"))
        sqlserver.execute(
            "CREATE VIEW bronze.t_plain AS SELECT id, v FROM bronze.src__t", database=warehouse_db
        )
        sqlserver.execute(
            "CREATE VIEW bronze.t_bound WITH SCHEMABINDING AS SELECT id, v FROM bronze.src__t",
            database=warehouse_db,
        )
        pg.execute(
            source_url, "DELETE FROM public.t WHERE id = 1; INSERT INTO public.t VALUES (3, 'c')"
        )
        ok(self.extract(runner, "public.t"))
        for view in ("t_plain", "t_bound"):
            assert self.rows(
                sqlserver, warehouse_db, f"SELECT id, v FROM bronze.{view} ORDER BY id"
            ) == [(2, "b"), (3, "c")]
        loads = self.rows(
            sqlserver,
            warehouse_db,
            "SELECT mode, status, rows FROM bronze._datakit_loads ORDER BY load_id",
        )
        assert loads == [("full_refresh", "succeeded", 2), ("full_refresh", "succeeded", 2)]

    def test_readers_never_see_a_partial_or_empty_table(
        self, runner: RunnerProcess, source_url: str, sqlserver: SqlServer, warehouse_db: str
    ) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.big AS SELECT i AS id, md5(i::text) AS v FROM generate_series(1, 100000) i",
        )
        ok(self.extract(runner, "public.big"))
        pg.execute(
            source_url,
            "INSERT INTO public.big SELECT i, 'new' FROM generate_series(100001, 150000) i",
        )
        seen: set[int] = set()
        stop = threading.Event()

        def read() -> None:
            while not stop.is_set():
                seen.add(
                    self.rows(sqlserver, warehouse_db, "SELECT COUNT(*) FROM bronze.src__big")[0][0]
                )
                time.sleep(0.01)

        reader = threading.Thread(target=read)
        reader.start()
        try:
            ok(self.extract(runner, "public.big"))
        finally:
            time.sleep(0.2)
            stop.set()
            reader.join()
        assert seen <= {100000, 150000}, seen
        assert 150000 in seen

    # --- schema evolution -------------------------------------------------------------------------

    def test_schema_evolves_widened_text_lengths(
        self, runner: RunnerProcess, source_url: str, sqlserver: SqlServer, warehouse_db: str
    ) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE public.d (id int PRIMARY KEY, a smallint, s varchar(5));"
            " INSERT INTO public.d VALUES (1, 1, 'abc')",
        )
        ok(self.extract(runner, "public.d"))
        pg.execute(
            source_url,
            "ALTER TABLE public.d ADD COLUMN added text, ALTER COLUMN a TYPE bigint,"
            " ALTER COLUMN s TYPE varchar(20); INSERT INTO public.d VALUES (2, 9000000000, 'longer text', 'new')",
        )
        changes = ok(self.extract(runner, "public.d"))["tables"][0]["schema_changes"]
        assert "added added nvarchar(max)" in changes
        assert "widened a smallint -> bigint" in changes
        assert "widened s nvarchar(5) -> nvarchar(20)" in changes
        rows = self.rows(
            sqlserver, warehouse_db, "SELECT id, a, s, added FROM bronze.src__d ORDER BY id"
        )
        assert rows == [(1, 1, "abc", None), (2, 9000000000, "longer text", "new")]
        assert ok(self.extract(runner, "public.d"))["tables"][0]["schema_changes"] == []

    # --- bronze identity ------------------------------------------------------------------------

    def test_a_bronze_table_holds_one_source_table_and_only_datakit_s(
        self, runner: RunnerProcess, source_url: str, sqlserver: SqlServer, warehouse_db: str
    ) -> None:
        pg.execute(
            source_url,
            "CREATE SCHEMA sales; CREATE SCHEMA archive;"
            "CREATE TABLE sales.orders (id int PRIMARY KEY, v text);"
            "CREATE TABLE archive.orders (id int PRIMARY KEY, v text);"
            "INSERT INTO sales.orders VALUES (1, 'sales'); INSERT INTO archive.orders VALUES (2, 'archive')",
        )
        ok(self.extract(runner, "sales.orders", "--target-table", "orders"))
        mixed = self.extract(runner, "archive.orders", "--target-table", "orders")
        assert mixed.exit_code == 3, mixed.stderr
        assert "holds src:sales.orders" in mixed.error_message
        sqlserver.execute("CREATE TABLE bronze.customer_list (id int)", database=warehouse_db)
        foreign = self.extract(runner, "sales.orders", "--target-table", "customer_list")
        assert foreign.exit_code == 3 and "not created by Datakit" in foreign.error_message
        assert self.rows(sqlserver, warehouse_db, "SELECT v FROM bronze.orders") == [("sales",)]
        assert self.rows(sqlserver, warehouse_db, "SELECT COUNT(*) FROM bronze.customer_list") == [
            (0,)
        ]

    # --- provisioning -----------------------------------------------------------------------------

    def test_provisioned_tenant_reaches_only_its_schemas(
        self, runner: RunnerProcess, sqlserver: SqlServer, warehouse_db: str
    ) -> None:
        password = "Tenant-Pw-123!x"
        for tenant in ("acme", "globex"):
            out = runner.run(
                "provision", "--tenant", tenant, env={"DATAKIT_TENANT_PASSWORD": password}
            )
            assert out.exit_code == 0, out.stderr
            assert password not in out.stdout + out.stderr
        again = runner.run(
            "provision", "--tenant", "acme", env={"DATAKIT_TENANT_PASSWORD": password}
        )
        assert again.exit_code == 0 and again.result is not None and again.result["created"] == []
        sqlserver.execute("CREATE TABLE globex_bronze.secret (id int)", database=warehouse_db)
        from datakit.errors import DatakitError

        def as_acme(sql: str) -> None:
            sqlserver.execute(sql, database=warehouse_db, user="acme_loader", password=password)

        for schema in ("acme_bronze", "acme_silver", "acme_gold"):
            as_acme(f"CREATE TABLE {schema}.mine (id int); SELECT * FROM {schema}.mine")
        for forbidden in (
            "SELECT * FROM globex_bronze.secret",
            "CREATE TABLE globex_bronze.evil (id int)",
            "CREATE TABLE dbo.evil (id int)",
        ):
            with pytest.raises(DatakitError):
                as_acme(forbidden)


__all__ = ["PostgresToSqlServerAcceptance"]
