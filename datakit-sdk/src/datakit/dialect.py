"""How an engine spells names: the identifier facts the generic modules must not assume.

Each engine's package declares one :class:`Dialect` and registers it in the ``datakit.dialects``
entry-point group under the engine's name (the source type or warehouse engine: ``postgres``,
``sqlserver``, ``spark``). Generic code (parsing ``--table``, bronze naming, messages) asks
:func:`dialect_for` instead of knowing that Postgres folds unquoted names to lower case, reads
them from ``public`` and quotes with ``"``. :data:`NEUTRAL` is for names whose engine is not
known (a registry row read back from bronze): it keeps spellings and shows them as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from datakit.contracts import TableRef


def keep_spelling(name: str) -> str:
    """The folding of engines that store an unquoted name as it is written."""
    return name


def _double_quoted(part: str) -> str:
    return '"' + part.replace('"', '""') + '"'


@dataclass(frozen=True, kw_only=True)
class Dialect:
    """An engine's identifier rules, declared by its package.

    ``fold`` is what the engine stores for an unquoted name (quoted names keep their
    spelling); ``default_schema`` is where an unqualified name lives (``None``: the engine has
    none, so ``--table`` must be ``schema.table``); ``max_identifier_length`` is in UTF-8 bytes
    (``None``: no limit the SDK must apply). ``display`` spells a table for messages the way a
    user of that engine would type it: a part matching ``bare`` as is, any other through
    ``quote`` (SQL goes through the engine's own quoting, not this).
    """

    engine: str
    default_schema: str | None
    max_identifier_length: int | None
    fold: Callable[[str], str]
    bare: re.Pattern[str]
    quote: Callable[[str], str]
    #: ``(table, column) -> statement``: the index a person could create for a cursor column.
    index_statement: Callable[[Dialect, TableRef, str], str] = lambda dialect, ref, column: (
        named_index_statement(dialect, ref, column)
    )

    def show(self, part: str) -> str:
        """One name part for a message."""
        return part if self.bare.fullmatch(part) else self.quote(part)

    def display(self, ref: TableRef) -> str:
        """``schema.table`` for a message, each part quoted only where the engine needs it."""
        return f"{self.show(ref.schema)}.{self.show(ref.name)}"

    def create_index_hint(self, ref: TableRef, column: str) -> str:
        """A ``CREATE INDEX`` a person could run on *ref* for *column* (shown, not executed)."""
        return self.index_statement(self, ref, column)


def named_index_statement(dialect: Dialect, ref: TableRef, column: str) -> str:
    """``CREATE INDEX ix_<table>_<column> ON <table> (<column>)``: the form engines share."""
    index = dialect.show(f"ix_{ref.name}_{column}")
    return f"CREATE INDEX {index} ON {dialect.display(ref)} ({dialect.show(column)})"


#: Names of an unknown engine: spelled as written, double-quoted only where not a plain word.
NEUTRAL = Dialect(
    engine="",
    default_schema=None,
    max_identifier_length=None,
    fold=keep_spelling,
    bare=re.compile(r"[A-Za-z_][A-Za-z0-9_]*"),
    quote=_double_quoted,
)


def dialect_for(engine: str, *, required: bool = True) -> Dialect:
    """The dialect the ``datakit.dialects`` entry point *engine* names.

    None registered: a config error (exit 3), or :data:`NEUTRAL` when not *required* (for
    names only shown in messages, e.g. a bronze table of a warehouse plug-in without one).
    """
    from datakit.errors import ConfigError
    from datakit.plugins import load_plugin, registered

    if not required and engine not in registered("datakit.dialects"):
        return NEUTRAL
    found = load_plugin("datakit.dialects", engine, what="identifier dialect")
    if not isinstance(found, Dialect):
        raise ConfigError(
            f"config error: the datakit.dialects entry point {engine!r} is not a "
            "datakit.dialect.Dialect"
        )
    return found


__all__ = ["NEUTRAL", "Dialect", "dialect_for", "keep_spelling", "named_index_statement"]
