"""``<bronze>._datakit_builds``: one row per dbt build (silver, gold), its tests and its audit.

runner-dbt writes a row after every ``build``/``run``/``test``/``snapshot``/``seed`` on a
Postgres warehouse, succeeded or failed: the selection, status, seconds, counts by status, the
tests passed and failed with each failing test's name and failing rows, and the same audit
facts as ``_datakit_loads`` (``run_by`` = ``current_user``, runner, image, arguments). It lives
in the tenant's bronze schema, next to ``_datakit_loads``, so one schema holds the tenant's
whole history and ``datakit status --schema <tenant>_bronze`` finds both. ``datakit status``
shows the last build of each selection from it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from psycopg import sql

from datakit import audit
from datakit.monitoring import LastBuild
from datakit.settings import DatabaseUrl

BUILDS_TABLE = "_datakit_builds"
_EXISTS = (
    "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = %s AND c.relname = %s"
)

_CREATE = """CREATE TABLE IF NOT EXISTS {} (
 build_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
 run_id text NOT NULL,
 command text NOT NULL,
 selection text NOT NULL,
 status text NOT NULL,
 started_at timestamptz NOT NULL,
 finished_at timestamptz NOT NULL DEFAULT clock_timestamp(),
 seconds double precision,
 tests_passed integer NOT NULL,
 tests_failed integer NOT NULL,
 counts jsonb NOT NULL,
 failures jsonb NOT NULL,
 error text,
 run_by text, runner text, image text, arguments jsonb)"""


@dataclass(frozen=True, kw_only=True)
class BuildRecord:
    """What a build row holds besides the audit columns (read from the process)."""

    run_id: str
    command: str  # build | run | test | snapshot | seed
    selection: str  # the --select/--exclude arguments, "" for the whole project
    status: str  # succeeded | failed
    started_at: datetime
    seconds: float
    tests_passed: int
    tests_failed: int
    counts: Mapping[str, int] = field(default_factory=dict)
    #: name, resource_type, status and failing rows of each failed node (tests and models)
    failures: Sequence[Mapping[str, Any]] = ()
    error: str | None = None


def record_build(url: DatabaseUrl, schema: str, record: BuildRecord) -> None:
    """Insert *record* into *schema*'s ``_datakit_builds``, creating the table (and the schema)
    on first use. One short transaction of its own, after dbt finished."""
    from datakit.warehouses.postgres.connection import connect

    facts = audit.current()
    table = sql.Identifier(schema, BUILDS_TABLE)
    with connect(url, role="warehouse") as conn:
        if not conn.execute(_EXISTS, (schema, BUILDS_TABLE)).fetchone():
            conn.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                (f"datakit:schema:{schema}",),
            )
            present = "SELECT 1 FROM pg_namespace WHERE nspname = %s"
            if not conn.execute(present, (schema,)).fetchone():
                conn.execute(
                    sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema))
                )
            conn.execute(sql.SQL(_CREATE).format(table))
        conn.execute(
            sql.SQL(
                "INSERT INTO {} (run_id, command, selection, status, started_at, seconds,"
                " tests_passed, tests_failed, counts, failures, error, run_by, runner, image,"
                " arguments) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s::jsonb, %s,"
                " current_user, %s, %s, %s::jsonb)"
            ).format(table),
            (
                record.run_id, record.command, record.selection, record.status,
                record.started_at, record.seconds, record.tests_passed, record.tests_failed,
                json.dumps(dict(record.counts)), json.dumps([dict(f) for f in record.failures]),
                record.error, facts.runner, facts.image, facts.arguments_json(),
            ),
        )  # fmt: skip
        conn.commit()


def last_builds(url: str, schema: str) -> list[LastBuild]:
    """The newest build of each selection in *schema* (none when it has no build table)."""
    import psycopg

    with psycopg.connect(url) as conn:
        if not conn.execute(_EXISTS, (schema, BUILDS_TABLE)).fetchone():
            return []
        rows = conn.execute(
            sql.SQL(
                "SELECT DISTINCT ON (selection) selection, command, run_id, status, finished_at,"
                " seconds, tests_passed, tests_failed, failures, run_by, runner FROM {}"
                " ORDER BY selection, finished_at DESC, build_id DESC"
            ).format(sql.Identifier(schema, BUILDS_TABLE))
        ).fetchall()
    return [
        LastBuild(
            schema=schema, selection=selection, command=command, run_id=run_id, status=status,
            finished_at=finished_at.isoformat(), seconds=seconds, tests_passed=passed,
            tests_failed=failed, failures=list(failures), run_by=run_by, runner=runner,
        )
        for (selection, command, run_id, status, finished_at, seconds, passed, failed, failures,
             run_by, runner) in rows
    ]  # fmt: skip


__all__ = ["BUILDS_TABLE", "BuildRecord", "LastBuild", "last_builds", "record_build"]
