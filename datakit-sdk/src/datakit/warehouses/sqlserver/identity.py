"""Which source table a SQL Server bronze table holds, and whether Datakit may load into it.

The same rule as the Postgres warehouse (:mod:`datakit.warehouses.postgres.identity`): the
registry ``_datakit_tables`` names each bronze table's source table, written in the load
transaction that first fills it; a load that would mix two source tables, or write into a table
Datakit did not create, is refused (exit 3, naming both). A table whose load log names exactly the
source table being loaded is adopted. SQL Server bronze never had the older index naming, so
there is nothing to migrate.

The decisions are plain functions over a ``query`` callable (one :class:`Statement` in, rows out),
so they hold no connection of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from datakit.contracts import LOADS_TABLE, TableRef
from datakit.engines.sqlserver.dialect import DIALECT
from datakit.naming import REGISTRY_TABLE, SourceIdentity, check_load_log_owner, foreign_table_error
from datakit.warehouses.sqlserver import tsql

Query = Callable[[tsql.Statement], Sequence[Sequence[Any]]]


def _exists(query: Query, ref: TableRef) -> bool:
    rows = query(tsql.table_exists(ref))
    return bool(rows and rows[0][0])


def _registered(query: Query, target: TableRef) -> SourceIdentity | None:
    if not _exists(query, TableRef(target.schema, REGISTRY_TABLE)):
        return None
    rows = query(tsql.registered_source(target))
    if not rows:
        return None
    name, schema, table = rows[0]
    return SourceIdentity(str(name), TableRef(str(schema), str(table)))


def _logged_sources(query: Query, target: TableRef) -> list[str]:
    if not _exists(query, TableRef(target.schema, LOADS_TABLE)):
        return []
    return [str(row[0]) for row in query(tsql.logged_sources(target))]


def verify_target(
    query: Query, target: TableRef, source: SourceIdentity, *, run_id: str | None = None
) -> None:
    """Refuse to load *source* into *target* unless *target* is new or holds *source* already.

    With *run_id* (inside the load transaction, under the table's application lock) a new or
    adopted table gets its registry row, and a watermark left by a dropped table is removed.
    """
    shown = DIALECT.display(target)
    registered = _registered(query, target)
    exists = _exists(query, target)
    if registered is not None and exists:
        if registered != source:
            raise foreign_table_error(shown, source, holds=str(registered))
        return
    if exists:
        logged = _logged_sources(query, target)
        check_load_log_owner(shown, source, logged)
    if run_id is None:
        return
    if not exists:
        query(tsql.delete_watermark(target))
    query(
        tsql.register(
            target,
            source_name=source.source_name,
            source_schema=source.table.schema,
            source_table=source.table.name,
            run_id=run_id,
        )
    )


__all__ = ["Query", "verify_target"]
