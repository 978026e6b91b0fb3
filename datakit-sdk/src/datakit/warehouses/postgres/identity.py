"""Which source table a Postgres bronze table holds, and whether Datakit may load into it.

Every bronze schema has a registry, ``_datakit_tables`` (bronze table -> source name, source
schema, source table), written inside the load transaction that first fills the table. A load is
refused (exit 3, naming both) when the registry says the table holds another source table, and
when the target exists without being Datakit's: Datakit never truncates or alters a table it did
not create.

Tables created before the registry existed are adopted on their first load when their load log
(``_datakit_loads.source_table``) names exactly the source table being loaded; a table whose
log names another one, or several (the defect this registry closes), is refused. An operator can
adopt a table by hand by inserting its registry row.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from datakit.contracts import LOADS_TABLE, STATE_TABLE, TableRef
from datakit.engines.postgres.dialect import DIALECT, MAX_IDENTIFIER_LENGTH
from datakit.naming import (
    REGISTRY_TABLE,
    SourceIdentity,
    check_load_log_owner,
    foreign_table_error,
    key_index_name,
    legacy_key_index_name,
)


def create_registry(conn: psycopg.Connection[Any], schema: str) -> None:
    """Create the registry table of *schema* if missing (in the caller's transaction)."""
    conn.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} ("
            " table_name text PRIMARY KEY,"
            " source_name text NOT NULL,"
            " source_schema text NOT NULL,"
            " source_table text NOT NULL,"
            " run_id text NOT NULL,"
            " registered_at timestamptz NOT NULL DEFAULT now())"
        ).format(sql.Identifier(schema, REGISTRY_TABLE))
    )


def _exists(conn: psycopg.Connection[Any], schema: str, name: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = %s",
        (schema, name),
    ).fetchone()
    return row is not None


def _legacy_index_owner(conn: psycopg.Connection[Any], target: TableRef) -> str | None:
    """The table whose old-style merge-key index holds *target*'s name, if that is what holds it."""
    row = conn.execute(
        "SELECT t.relname FROM pg_class i JOIN pg_namespace n ON n.oid = i.relnamespace "
        "JOIN pg_index x ON x.indexrelid = i.oid JOIN pg_class t ON t.oid = x.indrelid "
        "WHERE n.nspname = %s AND i.relname = %s AND i.relkind = 'i'",
        (target.schema, target.name),
    ).fetchone()
    if row is None or legacy_key_index_name(row[0], MAX_IDENTIFIER_LENGTH) != target.name:
        return None
    owner = TableRef(target.schema, str(row[0]))
    # Only an index of a Datakit table is Datakit's to rename; a user's index is left alone.
    if _registered(conn, owner) is None and not _logged_sources(conn, owner):
        return None
    return owner.name


def _registered(conn: psycopg.Connection[Any], target: TableRef) -> SourceIdentity | None:
    """The source table the registry says *target* holds (``None``: no registry or no row)."""
    if not _exists(conn, target.schema, REGISTRY_TABLE):
        return None
    row = conn.execute(
        sql.SQL(
            "SELECT source_name, source_schema, source_table FROM {} WHERE table_name = %s"
        ).format(sql.Identifier(target.schema, REGISTRY_TABLE)),
        (target.name,),
    ).fetchone()
    return SourceIdentity(row[0], TableRef(row[1], row[2])) if row is not None else None


def _logged_sources(conn: psycopg.Connection[Any], target: TableRef) -> list[str]:
    """Source tables (``schema.table``) the load log says were loaded into *target*."""
    if not _exists(conn, target.schema, LOADS_TABLE):
        return []
    rows = conn.execute(
        sql.SQL(
            "SELECT DISTINCT source_table FROM {} WHERE table_name = %s AND status = 'succeeded' "
            "AND source_table IS NOT NULL ORDER BY 1"
        ).format(sql.Identifier(target.schema, LOADS_TABLE)),
        (target.name,),
    ).fetchall()
    return [str(row[0]) for row in rows]


def verify_target(
    conn: psycopg.Connection[Any],
    target: TableRef,
    source: SourceIdentity,
    *,
    run_id: str | None = None,
) -> None:
    """Refuse to load *source* into *target* unless *target* is new or holds *source* already.

    With *run_id* (inside the load transaction, under the table's lock) the decision is recorded:
    a new or adopted table gets its registry row, and an old-style merge-key index that took the
    target's name is renamed into Datakit's reserved namespace. Without it, nothing is written.
    """
    shown = DIALECT.display(target)
    registered = _registered(conn, target)
    exists = _exists(conn, target.schema, target.name)
    if registered is not None and exists:
        if registered != source:
            raise foreign_table_error(shown, source, holds=str(registered))
        return
    if exists:
        owner = _legacy_index_owner(conn, target)
        if owner is not None:
            if run_id is not None:
                conn.execute(
                    sql.SQL("ALTER INDEX {} RENAME TO {}").format(
                        sql.Identifier(target.schema, target.name),
                        sql.Identifier(key_index_name(owner, MAX_IDENTIFIER_LENGTH)),
                    )
                )
            exists = False
        else:
            logged = _logged_sources(conn, target)
            check_load_log_owner(shown, source, logged)
    if run_id is None:
        return
    if not exists:
        # A watermark left by a table someone dropped describes rows that are gone: the new
        # table starts from the beginning instead of skipping them.
        conn.execute(
            sql.SQL("DELETE FROM {} WHERE table_name = %s").format(
                sql.Identifier(target.schema, STATE_TABLE)
            ),
            (target.name,),
        )
    # A row left by a table someone dropped is replaced: the name is free again.
    conn.execute(
        sql.SQL(
            "INSERT INTO {} (table_name, source_name, source_schema, source_table, run_id)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (table_name) DO UPDATE SET"
            " source_name = EXCLUDED.source_name, source_schema = EXCLUDED.source_schema,"
            " source_table = EXCLUDED.source_table, run_id = EXCLUDED.run_id,"
            " registered_at = now()"
        ).format(sql.Identifier(target.schema, REGISTRY_TABLE)),
        (target.name, source.source_name, source.table.schema, source.table.name, run_id),
    )


__all__ = ["create_registry", "verify_target"]
