"""How bronze tables and Datakit's internal objects are named.

One rule, used by the runners (through :func:`datakit.operations.extract`) and mirrored by the
orchestration layer (which derives task ids and Assets from tenant files without importing the
SDK; a contract test keeps both equal):

- a source table in the source engine's *default schema* (its :class:`~datakit.dialect.Dialect`
  says which) or in a schema spelled like the source name loads into ``<source>__<table>``;
- any other schema enters the name: ``<source>__<schema>__<table>``, so ``sales.orders`` and
  ``archive.orders`` never share a bronze table by default;
- the result is shortened to the warehouse's identifier limit with
  :func:`datakit.identifiers.fit_identifier` (a hash suffix keeps shortened names apart).

Names starting with ``_datakit_`` are Datakit's own (state, load log, table registry, merge-key
and load-time indexes): a bronze table may not use them, so internal names can never collide with
user tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from datakit.contracts import TableRef
from datakit.dialect import NEUTRAL, Dialect, dialect_for
from datakit.errors import ConfigError
from datakit.identifiers import fit_identifier

#: Prefix of every object Datakit creates for itself next to bronze tables.
RESERVED_PREFIX = "_datakit_"
#: The bronze table registry: which source table each bronze table holds.
REGISTRY_TABLE = "_datakit_tables"


@dataclass(frozen=True)
class SourceIdentity:
    """A source table as bronze remembers it: the source's name and the table's schema and name.

    *dialect* (the source engine's, when known) only spells the table in messages.
    """

    source_name: str
    table: TableRef
    dialect: Dialect = field(default=NEUTRAL, compare=False)

    def __str__(self) -> str:
        return f"{self.source_name}:{self.dialect.display(self.table)}"


def default_schema(source_type: str) -> str | None:
    """The schema a *source_type* source reads unqualified names from (``None`` if it has none).

    The source engine's dialect plug-in declares it (``datakit.dialects``); a source type
    without one has none, so its schema always enters bronze names.
    """
    return dialect_for(source_type, required=False).default_schema


def bronze_table_name(
    source_name: str,
    table: TableRef,
    *,
    source_type: str,
    max_length: int,
) -> str:
    """The default bronze table of *table* read from source *source_name* (see module docstring).

    The schema is left out where it adds nothing (the default schema, or the source's own name,
    as in the sample shop: source ``shop``, schema ``shop``), which keeps existing names stable.
    """
    if table.schema in (default_schema(source_type), source_name):
        name = f"{source_name}__{table.name}"
    else:
        name = f"{source_name}__{table.schema}__{table.name}"
    return fit_identifier(name, max_length)


def is_reserved(name: str) -> bool:
    """Whether *name* is in Datakit's own namespace (compared case-insensitively)."""
    return name.lower().startswith(RESERVED_PREFIX)


def check_bronze_table_name(name: str, *, what: str = "--target-table") -> None:
    """Refuse a bronze table name Datakit keeps for itself (exit 3 naming it and *what* gave it)."""
    if is_reserved(name):
        raise ConfigError(
            f"config error: {what} {name!r} is reserved: names starting with "
            f"{RESERVED_PREFIX!r} are Datakit's own tables and indexes"
        )


def key_index_name(table: str, max_length: int) -> str:
    """The merge-key index of bronze table *table*, in the reserved namespace."""
    return fit_identifier(f"{RESERVED_PREFIX}key_{table}", max_length)


def load_time_index_name(table: str, max_length: int) -> str:
    """The ``_datakit_loaded_at`` index of bronze table *table*, in the reserved namespace."""
    return fit_identifier(f"{RESERVED_PREFIX}loaded_{table}", max_length)


def legacy_key_index_name(table: str, max_length: int) -> str:
    """The index name older releases used (``<table>__datakit_key``): it could take a table's name."""
    return fit_identifier(f"{table}__datakit_key", max_length)


def foreign_table_error(shown: str, source: SourceIdentity, *, holds: str | None) -> ConfigError:
    """The refusal to load *source* into bronze table *shown*, the same in every warehouse.

    *holds*: what the table holds instead (another source table, as the registry or the load log
    says), or ``None`` for a table Datakit did not create.
    """
    if holds is None:
        return ConfigError(
            f"config error: {shown} exists and was not created by Datakit; refusing to "
            f"load {source} into it (choose another --target-table, or drop it)"
        )
    return ConfigError(
        f"config error: bronze table {shown} holds {holds}; refusing to load "
        f"{source} into it (give one of them another --target-table)"
    )


def check_load_log_owner(shown: str, source: SourceIdentity, logged: list[str]) -> None:
    """Adopt an unregistered table only when its load log names *source*'s table and no other.

    *logged*: the distinct source tables the table's load log names. Empty means the table was
    not created by Datakit; another name means it holds another source table.
    """
    if not logged:
        raise foreign_table_error(shown, source, holds=None)
    if logged != [str(source.table)]:
        others = ", ".join(name for name in logged if name != str(source.table))
        raise foreign_table_error(shown, source, holds=f"{others} (its load log says so)")


__all__ = [
    "REGISTRY_TABLE",
    "RESERVED_PREFIX",
    "SourceIdentity",
    "bronze_table_name",
    "check_bronze_table_name",
    "check_load_log_owner",
    "default_schema",
    "foreign_table_error",
    "is_reserved",
    "key_index_name",
    "legacy_key_index_name",
    "load_time_index_name",
]
