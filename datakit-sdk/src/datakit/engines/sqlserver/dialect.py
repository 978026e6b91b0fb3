"""SQL Server's identifier rules, registered as ``datakit.dialects`` ``sqlserver``.

Decisions: an unqualified name is in ``dbo``; unquoted names keep their spelling (SQL Server
does not fold: it compares names by the database's collation, so ``Orders`` and ``orders`` are
the same table under the usual case-insensitive collation and different ones under a
case-sensitive one, where lower-casing would miss the table); names are ``sysname``, 128
characters; a message shows a part bare when it is a T-SQL regular identifier and in ``[...]``
otherwise (``dbo.[Order Lines]``), never in Postgres' ``"..."``.
"""

from __future__ import annotations

import re

from datakit.dialect import Dialect, keep_spelling
from datakit.engines.sqlserver.identifiers import MAX_IDENTIFIER_LENGTH

DEFAULT_SCHEMA = "dbo"


def quote(part: str) -> str:
    """``[part]`` with ``]`` doubled, as ``QUOTENAME`` spells it (for messages: no checks)."""
    return "[" + part.replace("]", "]]") + "]"


DIALECT = Dialect(
    engine="sqlserver",
    default_schema=DEFAULT_SCHEMA,
    # sysname is nvarchar(128): 128 characters, up to 4 bytes each in UTF-8.
    max_identifier_length=MAX_IDENTIFIER_LENGTH,
    fold=keep_spelling,
    bare=re.compile(r"[A-Za-z_@#][A-Za-z0-9_@#$]*"),
    quote=quote,
)

__all__ = ["DEFAULT_SCHEMA", "DIALECT", "quote"]
