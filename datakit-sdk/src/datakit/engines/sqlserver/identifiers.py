"""T-SQL identifier quoting: ``[name]`` with ``]`` doubled, as ``QUOTENAME`` does.

Brackets work whatever ``QUOTED_IDENTIFIER`` is set to, so they are the one quoting the runner
emits. Names are ``sysname`` (``nvarchar(128)``): longer names and NUL are refused here, since
the server would truncate or reject them with a less clear message.
"""

from __future__ import annotations

from datakit.errors import ConfigError

MAX_IDENTIFIER_LENGTH = 128


def quote_ident(name: str) -> str:
    """``[name]``, with every ``]`` doubled; a ConfigError for an empty, NUL or too long name."""
    if not name or "\0" in name:
        raise ConfigError(f"config error: {name!r} is not a SQL Server identifier")
    if len(name) > MAX_IDENTIFIER_LENGTH:
        raise ConfigError(
            f"config error: identifier {name[:40]!r}... is longer than SQL Server's "
            f"{MAX_IDENTIFIER_LENGTH} characters"
        )
    return "[" + name.replace("]", "]]") + "]"


def quote_qualified(*parts: str) -> str:
    """``[schema].[table]`` (or more parts), each part quoted by :func:`quote_ident`."""
    return ".".join(quote_ident(part) for part in parts)


def quote_string(value: str) -> str:
    """An ``N'...'`` Unicode string literal with ``'`` doubled (for catalog lookups by name)."""
    if "\0" in value:
        raise ConfigError(f"config error: {value!r} contains a NUL character")
    return "N'" + value.replace("'", "''") + "'"


__all__ = ["MAX_IDENTIFIER_LENGTH", "quote_ident", "quote_qualified", "quote_string"]
