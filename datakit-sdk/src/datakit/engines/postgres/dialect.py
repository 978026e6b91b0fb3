"""Postgres' identifier rules, registered as ``datakit.dialects`` ``postgres``.

Postgres folds unquoted names to lower case, reads unqualified names from ``public`` (the
default ``search_path``), truncates identifiers to ``NAMEDATALEN - 1`` = 63 bytes, and quotes
with ``"``; a message shows a name bare only where Postgres would read it back unchanged.
"""

from __future__ import annotations

import re

from datakit.contracts import TableRef
from datakit.dialect import Dialect

#: Postgres' identifier limit in bytes (NAMEDATALEN - 1).
MAX_IDENTIFIER_LENGTH = 63
DEFAULT_SCHEMA = "public"


def quote(part: str) -> str:
    """``"part"`` with ``"`` doubled, as Postgres reads a quoted identifier."""
    return '"' + part.replace('"', '""') + '"'


def index_statement(dialect: Dialect, ref: TableRef, column: str) -> str:
    """``CREATE INDEX ON t (c)``: Postgres names the index itself."""
    return f"CREATE INDEX ON {dialect.display(ref)} ({dialect.show(column)})"


DIALECT = Dialect(
    engine="postgres",
    default_schema=DEFAULT_SCHEMA,
    max_identifier_length=MAX_IDENTIFIER_LENGTH,
    fold=str.lower,
    bare=re.compile(r"[a-z_][a-z0-9_]*"),
    quote=quote,
    index_statement=index_statement,
)

__all__ = ["DEFAULT_SCHEMA", "DIALECT", "MAX_IDENTIFIER_LENGTH", "quote"]
