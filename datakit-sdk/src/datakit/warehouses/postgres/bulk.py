"""The full refresh's COPY into a table emptied in the same transaction: frozen rows, constant
metadata defaults.

Measured on the runner-postgres benchmark (1M rows, CPU seconds of the warehouse backend, see
runner-postgres/README.md): the bronze metadata defaults evaluated per row (``now()``,
``current_setting('datakit.run_id')``) cost ~14% of the COPY, the wider rows another ~25%; the
rows a plain COPY writes are later rewritten once more by the first reader or VACUUM that sets
their hint bits and freezes them, and that autovacuum, started right after every refresh, holds a
lock the next refresh's ``TRUNCATE`` waits a full ``deadlock_timeout`` (1 s) to cancel.

So a full refresh, which has just truncated (or created) its table in this transaction:

- pins both metadata defaults to constants for the COPY (the same values the functions return
  in this transaction) and puts the table's own default expressions back before commit, so
  every later writer sees the defaults it always did; the table's ``ACCESS EXCLUSIVE`` lock from
  ``TRUNCATE`` is already held, so pinning takes no new lock and nobody sees the pinned values;
- copies with ``FREEZE``: the rows are written frozen and all-visible, so no reader or vacuum
  rewrites the pages afterwards. Postgres allows it only when the table was created or
  truncated in the current (sub)transaction and the transaction holds no older snapshot
  (``READ COMMITTED``); otherwise the COPY runs without it. Rows frozen this way are visible to
  a snapshot older than the load's commit, where after a plain ``TRUNCATE`` + ``COPY`` that
  snapshot saw an empty table (``TRUNCATE`` is not MVCC-safe either): no reader sees a mix.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql

from datakit.contracts import LOADED_AT_COLUMN, RUN_ID_COLUMN, TableRef


def _defaults(conn: psycopg.Connection[Any], target: TableRef) -> dict[str, str]:
    """The metadata columns' default expressions (catalog text), by column name."""
    rows = conn.execute(
        "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d "
        "JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
        "WHERE d.adrelid = %s::regclass AND a.attname IN (%s, %s)",
        (
            sql.Identifier(target.schema, target.name).as_string(conn),
            LOADED_AT_COLUMN,
            RUN_ID_COLUMN,
        ),
    ).fetchall()
    return {str(name): str(expr) for name, expr in rows}


def _set_defaults(
    conn: psycopg.Connection[Any], target: TableRef, defaults: dict[str, sql.Composable]
) -> None:
    conn.execute(
        sql.SQL("ALTER TABLE {} {}").format(
            sql.Identifier(target.schema, target.name),
            sql.SQL(", ").join(
                sql.SQL("ALTER COLUMN {} SET DEFAULT {}").format(sql.Identifier(name), value)
                for name, value in defaults.items()
            ),
        )
    )


@contextmanager
def fresh_table_copy(conn: psycopg.Connection[Any], target: TableRef) -> Iterator[sql.SQL]:
    """Around the COPY into *target*, truncated or created in this transaction: yields the COPY
    options to add (``FREEZE`` when Postgres allows it), with the metadata defaults pinned to
    this transaction's values until the block ends."""
    row = conn.execute(
        "SELECT now()::text, current_setting('datakit.run_id', true), "
        "current_setting('transaction_isolation')"
    ).fetchone()
    assert row is not None
    loaded_at, run_id, isolation = row
    original = _defaults(conn, target)
    pinned: dict[str, sql.Composable] = {}
    if LOADED_AT_COLUMN in original:
        pinned[LOADED_AT_COLUMN] = sql.SQL("{}::timestamptz").format(sql.Literal(loaded_at))
    if RUN_ID_COLUMN in original and run_id is not None:
        pinned[RUN_ID_COLUMN] = sql.Literal(run_id)
    if pinned:
        _set_defaults(conn, target, pinned)
    yield sql.SQL(", FREEZE") if isolation == "read committed" else sql.SQL("")
    # Not in a ``finally``: a COPY that failed leaves the transaction aborted, and its rollback
    # drops the pinned defaults with everything else.
    if pinned:
        # Expressions read back from this table's own catalog entry a moment ago.
        _set_defaults(conn, target, {name: sql.SQL(original[name]) for name in pinned})


__all__ = ["fresh_table_copy"]
