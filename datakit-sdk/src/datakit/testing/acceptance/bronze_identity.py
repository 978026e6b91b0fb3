"""Acceptance tests: a bronze table holds one source table, and only tables Datakit created.

A mixin of :class:`~datakit.testing.acceptance.postgres_postgres.PostgresToPostgresAcceptance`:
it uses that class's fixtures (``runner``, ``source_url``, ``warehouse_url``) and ``extract``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datakit.testing import pg
from datakit.testing.runner_process import RunnerOutput, RunnerProcess

BRONZE = "bronze"

_TWO_SCHEMAS = (
    "CREATE SCHEMA sales; CREATE SCHEMA archive;"
    "CREATE TABLE sales.orders (id int PRIMARY KEY, ts int, v text);"
    "CREATE TABLE archive.orders (id int PRIMARY KEY, ts int, v text);"
    "CREATE TABLE public.orders (id int PRIMARY KEY, ts int, v text);"
    "INSERT INTO sales.orders SELECT i, i, 'sales' FROM generate_series(1, 5) i;"
    "INSERT INTO archive.orders SELECT i, i, 'archive' FROM generate_series(1, 3) i;"
    "INSERT INTO public.orders SELECT i, i, 'public' FROM generate_series(1, 2) i;"
)


def _ok(output: RunnerOutput) -> dict[str, Any]:
    assert output.exit_code == 0, f"exit {output.exit_code}: {output.stderr[-3000:]}"
    assert output.result is not None and output.result["status"] == "succeeded"
    return output.result


def _refused(output: RunnerOutput, *names: str) -> str:
    assert output.exit_code == 3, f"exit {output.exit_code}: {output.stderr[-3000:]}"
    message = output.error_message
    for name in names:
        assert name in message, f"{name!r} not in {message!r}"
    return message


def _values(url: str, schema: str, table: str) -> list[tuple[Any, ...]]:
    return pg.text_rows(url, schema, table, pg.column_names(url, schema, table))


class BronzeIdentityAcceptance:
    """Two source tables never share a bronze table; foreign and reserved tables are refused."""

    extract: Any  # provided by the acceptance class this is mixed into

    # --- default names keep schemas apart -------------------------------------------------------

    def test_same_table_name_in_two_schemas_loads_into_two_bronze_tables(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        pg.execute(source_url, _TWO_SCHEMAS)
        targets = {
            table: _ok(self.extract(runner, table))["tables"][0]["target"]
            for table in ("sales.orders", "archive.orders", "public.orders", "orders")
        }
        assert targets == {
            "sales.orders": "bronze.src__sales__orders",
            "archive.orders": "bronze.src__archive__orders",
            "public.orders": "bronze.src__orders",
            "orders": "bronze.src__orders",
        }
        for schema, target, rows in (
            ("sales", "src__sales__orders", 5),
            ("archive", "src__archive__orders", 3),
            ("public", "src__orders", 2),
        ):
            assert pg.fetch(warehouse_url, f'SELECT DISTINCT v FROM bronze."{target}"') == [
                (schema,)
            ]
            assert pg.count(warehouse_url, BRONZE, target) == rows
        registry = pg.fetch(
            warehouse_url,
            "SELECT table_name, source_name, source_schema, source_table FROM bronze._datakit_tables",
        )
        assert sorted(registry) == [
            ("src__archive__orders", "src", "archive", "orders"),
            ("src__orders", "src", "public", "orders"),
            ("src__sales__orders", "src", "sales", "orders"),
        ]

    def test_incremental_tables_of_two_schemas_keep_their_own_watermarks(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        pg.execute(source_url, _TWO_SCHEMAS)
        incremental = ("--mode", "incremental", "--cursor", "ts")
        _ok(self.extract(runner, "sales.orders", *incremental))
        _ok(self.extract(runner, "archive.orders", *incremental))
        # archive gets rows below sales' watermark: a shared watermark would skip them.
        pg.execute(
            source_url,
            "INSERT INTO archive.orders VALUES (4, 4, 'archive'), (6, 6, 'archive');"
            "INSERT INTO sales.orders VALUES (7, 7, 'sales')",
        )
        _ok(self.extract(runner, "archive.orders", *incremental))
        _ok(self.extract(runner, "sales.orders", *incremental))
        for schema in ("sales", "archive"):
            target = f"src__{schema}__orders"
            assert pg.text_rows(warehouse_url, BRONZE, target, ["id", "v"]) == pg.text_rows(
                source_url, schema, "orders", ["id", "v"]
            )
        state = pg.fetch(warehouse_url, "SELECT table_name, watermark FROM bronze._datakit_state")
        assert sorted(state) == [("src__archive__orders", "6"), ("src__sales__orders", "7")]

    def test_parallel_job_over_two_schemas_loads_each_table_once(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str, tmp_path: Path
    ) -> None:
        pg.execute(source_url, _TWO_SCHEMAS)
        job = tmp_path / "job.yaml"
        job.write_text(
            "source_name: src\nparallel: 3\ntables:\n"
            "  - sales.orders\n  - archive.orders\n  - public.orders\n"
        )
        result = _ok(runner.run("run", "--job", str(job)))
        assert [(t["target"], t["rows"]) for t in result["tables"]] == [
            ("bronze.src__sales__orders", 5),
            ("bronze.src__archive__orders", 3),
            ("bronze.src__orders", 2),
        ]
        assert pg.count(warehouse_url, BRONZE, "src__archive__orders") == 3

    # --- a load that would mix two source tables is refused ------------------------------------

    def test_second_source_table_into_the_same_target_is_refused(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        pg.execute(source_url, _TWO_SCHEMAS)
        for mode in (("--mode", "full_refresh"), ("--mode", "incremental", "--cursor", "ts")):
            target = f"orders_{mode[1]}"
            _ok(self.extract(runner, "sales.orders", "--target-table", target, *mode))
            before = _values(warehouse_url, BRONZE, target)
            out = self.extract(runner, "archive.orders", "--target-table", target, *mode)
            _refused(out, f"bronze.{target}", "src:sales.orders", "src:archive.orders")
            assert _values(warehouse_url, BRONZE, target) == before
        # Another source name is another source, even for the same schema and table.
        out = runner.run(
            "extract", "--table", "sales.orders", "--source-name", "other",
            "--target-table", "orders_full_refresh",
        )  # fmt: skip
        _refused(out, "src:sales.orders", "other:sales.orders")
        loaded = pg.fetch(
            warehouse_url,
            "SELECT DISTINCT source_table FROM bronze._datakit_loads WHERE status = 'succeeded'",
        )
        assert loaded == [("sales.orders",)]

    def test_table_from_before_the_registry_is_adopted_unless_its_log_names_another(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        pg.execute(source_url, _TWO_SCHEMAS)
        _ok(self.extract(runner, "sales.orders", "--target-table", "legacy"))
        # As an older release left it: a load log, no registry row.
        pg.execute(warehouse_url, "DELETE FROM bronze._datakit_tables")
        _ok(self.extract(runner, "sales.orders", "--target-table", "legacy"))
        assert pg.fetch(
            warehouse_url, "SELECT source_schema, source_table FROM bronze._datakit_tables"
        ) == [("sales", "orders")]
        # A table an older release already mixed: its log names two source tables.
        pg.execute(
            warehouse_url,
            "DELETE FROM bronze._datakit_tables;"
            "INSERT INTO bronze._datakit_loads (run_id, table_name, source_table, mode, status,"
            " started_at) VALUES ('old', 'legacy', 'archive.orders', 'full_refresh',"
            " 'succeeded', now())",
        )
        before = _values(warehouse_url, BRONZE, "legacy")
        out = self.extract(runner, "sales.orders", "--target-table", "legacy")
        _refused(out, "bronze.legacy", "archive.orders", "src:sales.orders")
        assert _values(warehouse_url, BRONZE, "legacy") == before

    def test_job_whose_tables_share_a_bronze_table_fails_before_any_load(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str, tmp_path: Path
    ) -> None:
        pg.execute(
            source_url, _TWO_SCHEMAS + "CREATE SCHEMA shop; CREATE TABLE shop.orders (id int)"
        )
        job = tmp_path / "job.yaml"
        job.write_text(
            "source_name: src\ntables:\n  - public.orders\n"
            "  - {table: sales.orders, target_table: all_orders}\n"
            "  - {table: archive.orders, target_table: all_orders}\n"
        )
        out = runner.run("run", "--job", str(job))
        _refused(
            out,
            "tables[1] src:sales.orders and tables[2] src:archive.orders",
            "bronze.all_orders",
        )
        assert not pg.table_exists(warehouse_url, BRONZE, "src__orders")
        assert not pg.table_exists(warehouse_url, BRONZE, "_datakit_loads")
        # Default names collide too when a schema is spelled like the source: shop.orders and
        # public.orders of source "shop" are both shop__orders.
        job.write_text("source_name: shop\ntables:\n  - shop.orders\n  - public.orders\n")
        out = runner.run("run", "--job", str(job))
        _refused(out, "tables[0] shop:shop.orders and tables[1] shop:public.orders")
        assert not pg.table_exists(warehouse_url, BRONZE, "shop__orders")

    # --- only tables Datakit created ------------------------------------------------------------

    def test_target_table_that_datakit_did_not_create_is_refused(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str, tmp_path: Path
    ) -> None:
        pg.execute(source_url, _TWO_SCHEMAS)
        pg.execute(
            warehouse_url,
            "CREATE SCHEMA bronze; CREATE TABLE bronze.customer_list (name text NOT NULL);"
            "INSERT INTO bronze.customer_list VALUES ('kept');"
            "CREATE TABLE bronze.src__orders (x int); INSERT INTO bronze.src__orders VALUES (1)",
        )
        out = self.extract(runner, "sales.orders", "--target-table", "customer_list")
        _refused(out, "bronze.customer_list", "not created by Datakit")
        assert pg.fetch(warehouse_url, "SELECT * FROM bronze.customer_list") == [("kept",)]
        assert pg.column_names(warehouse_url, BRONZE, "customer_list") == ["name"]
        # A user's index named like an old merge-key index is not Datakit's to rename.
        pg.execute(
            warehouse_url,
            'CREATE INDEX "customer_list__datakit_key" ON bronze.customer_list (name)',
        )
        out = self.extract(runner, "sales.orders", "--target-table", "customer_list__datakit_key")
        _refused(out, "bronze.customer_list__datakit_key", "not created by Datakit")
        assert pg.table_exists(warehouse_url, BRONZE, "customer_list__datakit_key")
        # The default name is no exception.
        _refused(self.extract(runner, "public.orders"), "bronze.src__orders")
        assert pg.fetch(warehouse_url, "SELECT * FROM bronze.src__orders") == [(1,)]
        # A schema without Datakit's tables stays without them.
        pg.execute(warehouse_url, "CREATE TABLE public.users (id int)")
        out = self.extract(
            runner, "sales.orders", "--bronze-schema", "public", "--target-table", "users"
        )
        _refused(out, "public.users")
        assert not pg.table_exists(warehouse_url, "public", "_datakit_loads")
        assert not pg.table_exists(warehouse_url, "public", "_datakit_state")

    def test_datakit_own_tables_are_never_a_target(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str, tmp_path: Path
    ) -> None:
        pg.execute(source_url, _TWO_SCHEMAS)
        _ok(self.extract(runner, "sales.orders", "--mode", "incremental", "--cursor", "ts"))
        before = {
            name: _values(warehouse_url, BRONZE, name)
            for name in ("_datakit_state", "_datakit_loads", "_datakit_tables")
        }
        for name in (*before, "_DATAKIT_state", "_datakit_anything"):
            out = self.extract(runner, "archive.orders", "--target-table", name)
            _refused(out, f"'{name}' is reserved")
        job = tmp_path / "job.yaml"
        job.write_text(
            "source_name: src\ntables:\n  - public.orders\n"
            "  - {table: archive.orders, target_table: _datakit_loads}\n"
        )
        _refused(runner.run("run", "--job", str(job)), "tables[1] ", "'_datakit_loads' is reserved")
        assert not pg.table_exists(warehouse_url, BRONZE, "src__orders"), "nothing else loaded"
        _refused(self.extract(runner, "orders", "--source-name", "_datakit_x"), "reserved")
        after = {name: _values(warehouse_url, BRONZE, name) for name in before}
        assert after == before

    # --- internal names never take a bronze table's name ----------------------------------------

    def test_tables_named_like_merge_key_indexes_load(
        self, runner: RunnerProcess, source_url: str, warehouse_url: str
    ) -> None:
        pg.execute(
            source_url,
            "CREATE TABLE kx (id int PRIMARY KEY, ts int); INSERT INTO kx VALUES (1, 1);"
            "CREATE TABLE ky (id int PRIMARY KEY, ts int); INSERT INTO ky VALUES (1, 1);"
            "CREATE TABLE kx__datakit_key (id int); INSERT INTO kx__datakit_key VALUES (1);"
            "CREATE TABLE ky__datakit_key (id int); INSERT INTO ky__datakit_key VALUES (1);"
            'CREATE TABLE "_datakit_key_src__kx" (id int); INSERT INTO "_datakit_key_src__kx" VALUES (1)',
        )
        incremental = ("--mode", "incremental", "--cursor", "ts")
        _ok(self.extract(runner, "kx", *incremental))
        _ok(self.extract(runner, "kx", *incremental))  # the merge creates kx's key index
        _ok(self.extract(runner, "kx__datakit_key"))
        _ok(self.extract(runner, '"_datakit_key_src__kx"'))
        assert pg.count(warehouse_url, BRONZE, "src__kx__datakit_key") == 1
        assert pg.count(warehouse_url, BRONZE, "src___datakit_key_src__kx") == 1
        # An index named by an older release (<table>__datakit_key) is moved out of the way, by
        # the table that needs its name or by the next merge of the table it indexes.
        _ok(self.extract(runner, "ky", *incremental))
        pg.execute(warehouse_url, 'DROP TABLE bronze."src__kx__datakit_key"')
        for table in ("kx", "ky"):
            pg.execute(
                warehouse_url,
                f'ALTER INDEX bronze."_datakit_key_src__{table}" RENAME TO "src__{table}__datakit_key"',
            )
        _ok(self.extract(runner, "ky__datakit_key"))
        assert pg.count(warehouse_url, BRONZE, "src__ky__datakit_key") == 1
        pg.execute(source_url, "INSERT INTO ky VALUES (2, 2); INSERT INTO kx VALUES (2, 2)")
        _ok(self.extract(runner, "ky", *incremental))
        _ok(self.extract(runner, "kx", *incremental))
        indexes = pg.fetch(
            warehouse_url,
            "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = 'bronze' "
            "AND indexname LIKE '%datakit_key%'",
        )
        assert sorted(indexes) == [
            ("src__kx", "_datakit_key_src__kx"),
            ("src__ky", "_datakit_key_src__ky"),
        ]
        assert pg.count(warehouse_url, BRONZE, "src__ky") == 2
        assert pg.count(warehouse_url, BRONZE, "src__kx") == 2


__all__ = ["BronzeIdentityAcceptance"]
