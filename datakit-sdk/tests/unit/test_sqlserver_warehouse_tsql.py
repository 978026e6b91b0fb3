"""The T-SQL the SQL Server warehouse sends, pinned as snapshot files (offline).

Each mode is the sequence of statements the warehouse's session sends in the Loader's order,
rendered by the warehouse's own builders (:mod:`datakit.warehouses.sqlserver.tsql`) for a target
whose names need quoting (a bracket, a space, non-ASCII). The files under
``tests/snapshots/sqlserver/`` were reviewed by a human once; a change to the generated T-SQL
fails here until the files are regenerated on purpose::

    DATAKIT_UPDATE_SNAPSHOTS=1 uv run --frozen pytest tests/unit/test_sqlserver_warehouse_tsql.py

and the diff is reviewed in the commit.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from datakit.contracts import TableRef
from datakit.naming import key_index_name
from datakit.warehouses.sqlserver import tsql
from datakit.warehouses.sqlserver.provision import provision_statements
from datakit.warehouses.sqlserver.types import convert_style
from datakit.warehouses.sqlserver.warehouse import MAX_IDENTIFIER_LENGTH, prepare_schema_statements

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots" / "sqlserver"
TARGET = TableRef("acme_bronze", "shop__order]s détail")
COLUMNS = [
    ("id", "bigint"),
    ("amount", "decimal(12,2)"),
    ("note ]x", "nvarchar(max)"),
    ("updated_at", "datetimeoffset(6)"),
]
NAMES = [name for name, _ in COLUMNS]
KEY = ["id"]
RUN_ID = "run-2026-12-02"
LOADED_AT = "2026-12-02T10:00:00.123456+00:00"


def _begin() -> list[tsql.Statement]:
    return [
        tsql.session_setup(),
        tsql.applock(tsql.lock_resource("table", str(TARGET))),
        tsql.lock_timeout(300_000),
        tsql.server_time(),
        tsql.table_exists(TableRef(TARGET.schema, "_datakit_tables")),
        tsql.registered_source(TARGET),
        tsql.table_exists(TARGET),
        tsql.existing_columns(TARGET),
    ]


def _insert(into: str) -> tsql.Statement:
    return tsql.insert_rows(into, [*NAMES, "_datakit_loaded_at", "_datakit_run_id"])


def _log(mode: str, rows: int, watermark: str | None = None) -> tsql.Statement:
    return tsql.log_load(
        TARGET,
        run_id=RUN_ID,
        source_table="public.orders",
        mode=mode,
        status="succeeded",
        rows=rows,
        watermark=watermark,
        started_at="2026-12-02 10:00:00+00:00",
    )


SCENARIOS: dict[str, list[tsql.Statement]] = {
    "prepare_schema": [
        tsql.tables_present(TARGET.schema),
        tsql.session_setup(),
        tsql.applock(tsql.lock_resource("schema", TARGET.schema)),
        *prepare_schema_statements(TARGET.schema),
    ],
    "claim": [
        tsql.table_exists(TableRef(TARGET.schema, "_datakit_tables")),
        tsql.registered_source(TARGET),
        tsql.table_exists(TARGET),
        tsql.table_exists(TableRef(TARGET.schema, "_datakit_loads")),
        tsql.logged_sources(TARGET),
        tsql.delete_watermark(TARGET),
        tsql.register(
            TARGET,
            source_name="shop",
            source_schema="public",
            source_table="orders",
            run_id=RUN_ID,
        ),
    ],
    "full_refresh": [
        *_begin(),
        tsql.create_table(TARGET, COLUMNS),
        tsql.indexed_views_on(TARGET),
        tsql.truncate(TARGET),
        tsql.delete_all(TARGET),
        _insert(tsql.table(TARGET)),
        _log("full_refresh", 3),
    ],
    "append": [
        *_begin(),
        tsql.delete_run(TARGET, RUN_ID),
        _insert(tsql.table(TARGET)),
        _log("append", 3),
    ],
    "incremental_merge": [
        *_begin(),
        tsql.read_watermark(TARGET),
        tsql.create_stage(TARGET),
        _insert(tsql.quote_ident(tsql.STAGE)),
        tsql.null_key_rows(["id", "note ]x"]),
        tsql.duplicate_keys(["id", "note ]x"]),
        tsql.max_value(
            "updated_at",
            convert_style("datetimeoffset(6)"),
            in_stage=True,
            ref=TARGET,
            in_utc=True,
        ),
        tsql.max_value("amount", convert_style("decimal(12,2)"), in_stage=False, ref=TARGET),
        tsql.max_value("score", convert_style("float"), in_stage=True, ref=TARGET),
        tsql.key_index_exists(TARGET, key_index_name(TARGET.name, MAX_IDENTIFIER_LENGTH)),
        tsql.create_key_index(
            TARGET, key_index_name(TARGET.name, MAX_IDENTIFIER_LENGTH), ["id", "note ]x"]
        ),
        tsql.merge_delete(TARGET, ["id", "note ]x"]),
        tsql.append_stage(TARGET, NAMES),
        tsql.save_watermark(
            TARGET,
            cursor_column="updated_at",
            kind="timestamptz",
            text="2026-12-01T08:30:00.5+00:00",
            run_id=RUN_ID,
        ),
        _log("incremental", 2, "2026-12-01T08:30:00.5+00:00"),
    ],
    "schema_evolution": [
        tsql.add_column(TARGET, "new col", "nvarchar(40)"),
        tsql.drop_key_index(TARGET, key_index_name(TARGET.name, MAX_IDENTIFIER_LENGTH)),
        tsql.widen_column(TARGET, "amount", "decimal(14,2)"),
        tsql.widen_column(TARGET, "note ]x", "nvarchar(max)"),
    ],
    "watermark": [
        tsql.read_watermark(TARGET),
        tsql.save_watermark(TARGET, cursor_column="id", kind="int", text="42", run_id=RUN_ID),
    ],
    "load_log": [
        _log("append", 3),
        tsql.log_load(
            TARGET,
            run_id=RUN_ID,
            source_table="public.orders",
            mode="append",
            status="failed",
            rows=None,
            watermark=None,
            started_at="2026-12-02 10:00:00+00:00",
            error="transient error: warehouse ... deadlock (1205)",
        ),
    ],
    "check": [tsql.whoami(), tsql.can_write_schema(TARGET.schema)],
    "provision": provision_statements(
        tenant="acme", database="warehouse", password="<from DATAKIT_TENANT_PASSWORD>"
    ),
}


def _rendered(statements: list[tsql.Statement]) -> str:
    return "\n\n".join(statement.render() + ";" for statement in statements) + "\n"


@pytest.mark.parametrize("mode", sorted(SCENARIOS))
def test_generated_tsql_matches_the_reviewed_snapshot(mode: str) -> None:
    path = SNAPSHOTS / f"{mode}.sql"
    text = _rendered(SCENARIOS[mode])
    if os.environ.get("DATAKIT_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} missing: run with DATAKIT_UPDATE_SNAPSHOTS=1 and review it"
    assert text == path.read_text(encoding="utf-8"), f"{mode}: T-SQL changed; review and update"


def test_every_identifier_is_bracket_quoted() -> None:
    """The awkward target name appears only bracket-quoted (``]`` doubled), never bare."""
    everything = "\n".join(_rendered(s) for name, s in SCENARIOS.items() if name != "provision")
    assert "[shop__order]]s détail]" in everything
    assert "[note ]]x]" in everything
    for line in everything.splitlines():
        if line.startswith("-- params:"):
            continue
        assert "order]s" not in line.replace("order]]s", "")


def test_no_merge_statement_and_no_value_inlined() -> None:
    """Merges are DELETE + INSERT (MERGE's defects), and values travel only as parameters."""
    everything = "\n".join(_rendered(s) for s in SCENARIOS.values())
    assert "MERGE " not in everything
    statements = [st for name, sts in SCENARIOS.items() if name != "provision" for st in sts]
    for statement in statements:
        assert RUN_ID not in statement.text
        assert LOADED_AT not in statement.text


def test_the_password_is_never_in_provisioning_text() -> None:
    statements = provision_statements(tenant="acme", database="warehouse", password="S3cret-pw!")
    assert all("S3cret-pw!" not in statement.text for statement in statements)
    assert any("S3cret-pw!" in statement.params for statement in statements)


def test_long_lock_resources_are_hashed_within_sp_getapplock_limit() -> None:
    resource = tsql.lock_resource("table", "s." + "x" * 300)
    assert len(resource) <= 255 and resource.startswith("datakit:table:sha256:")
    assert tsql.lock_resource("table", "s.t") == "datakit:table:s.t"
