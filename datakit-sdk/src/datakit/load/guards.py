"""Refusals and warnings about which rows land in bronze, decided before or while a load runs.

Each rule closes a way a load could exit 0 and still lose or duplicate rows:

- a source column named like bronze's own metadata (``_datakit_*``) would overwrite it;
- incremental loads without a merge key re-append every row at or after the watermark;
- a declared merge key that is not unique (or has NULL parts) deletes or duplicates rows;
- a cursor that cannot order rows (text compares as text), an unbounded cursor value
  (``infinity``, ``NaN``) that would freeze the watermark, and rows whose cursor is NULL.

The functions here are pure: the protocol calls them and raises what they return.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from datakit.errors import ConfigError, ContractError

#: Prefix of every column and table name Datakit reserves for itself in bronze.
RESERVED_PREFIX = "_datakit_"
# Values a later row can never pass (-infinity as a maximum only means "read everything").
_UNBOUNDED = {"infinity", "+infinity", "nan"}


def reserved_columns(names: Sequence[str]) -> list[str]:
    """Source columns whose names bronze reserves (``_datakit_*``, in any letter case).

    Case-insensitive because warehouses that fold identifiers (SQL Server, Spark) would see
    ``_DATAKIT_RUN_ID`` as bronze's own column.
    """
    return [name for name in names if name.lower().startswith(RESERVED_PREFIX)]


def refuse_reserved_columns(table: str, names: Sequence[str]) -> None:
    """Raise :class:`ConfigError` (exit 3) naming every reserved column of *table*."""
    found = reserved_columns(names)
    if found:
        listed = ", ".join(repr(name) for name in found)
        raise ConfigError(
            f"config error: source table {table} has column {listed}: names starting with "
            f"{RESERVED_PREFIX!r} are reserved for bronze's metadata (rename it in a view, "
            "or leave it out of a view, and load that)"
        )


def refuse_incremental_without_key(table: str) -> None:
    """Raise :class:`ConfigError` (exit 3): incremental loads need a key to merge on."""
    raise ConfigError(
        f"config error: {table} has no primary key, and --mode incremental without one would "
        "append again every row at or after the watermark on each run: pass --primary-key "
        "COL[,COL...] (a unique, non-null key), or use --mode append or --mode full_refresh"
    )


@dataclass(frozen=True)
class KeyViolations:
    """What a merge key's verification over the staged rows found."""

    null_rows: int = 0
    duplicate_keys: int = 0
    duplicate_rows: int = 0

    def __bool__(self) -> bool:
        return self.null_rows > 0 or self.duplicate_keys > 0


def key_contract_error(
    table: str, primary_key: Sequence[str], found: KeyViolations
) -> ContractError:
    """The exit-5 error for a merge key that is not a key of the rows read."""
    key = "(" + ", ".join(primary_key) + ")"
    problems = []
    if found.duplicate_keys:
        problems.append(
            f"{_count(found.duplicate_keys, 'key value')} "
            f"{'appears' if found.duplicate_keys == 1 else 'appear'} more than once "
            f"({_count(found.duplicate_rows, 'row')})"
        )
    if found.null_rows:
        problems.append(
            f"{_count(found.null_rows, 'row')} {'has' if found.null_rows == 1 else 'have'} "
            "a NULL in the key"
        )
    return ContractError(
        f"contract violation: --primary-key {key} is not a key of the rows read from {table}: "
        + "; ".join(problems)
        + "; nothing was written (declare a unique, non-null key)"
    )


def is_unbounded(value: str) -> bool:
    """Whether a cursor's text value is infinite or NaN: a watermark no later row can pass."""
    return value.strip().lower() in _UNBOUNDED


def unbounded_cursor_error(table: str, cursor: str, value: str) -> ContractError:
    """The exit-5 error for a cursor whose maximum is ``infinity`` or ``NaN``."""
    return ContractError(
        f"contract violation: cursor {cursor!r} of {table} reaches {value!r}: as a watermark it "
        "would stop every later row from loading; nothing was written (exclude that value in a "
        "view, choose another --cursor, or use --mode full_refresh)"
    )


def unorderable_cursor_error(table: str, cursor: str, type_: str) -> ConfigError:
    """The exit-3 error for a cursor whose type does not order rows by change."""
    return ConfigError(
        f"config error: --cursor {cursor!r} of {table} is {type_}, which cannot be a cursor "
        "(text compares as text: '10' < '9'): use a timestamp, date or number column (cast it "
        "in a view), or --mode append or --mode full_refresh"
    )


def null_cursor_warning(cursor: str, null_rows: int) -> str:
    """The result warning for rows an incremental read can never place after the watermark."""
    rows = _count(null_rows, "row")
    verb = "has" if null_rows == 1 else "have"
    return (
        f"{rows} {verb} a NULL {cursor}: incremental runs never read them (only a first "
        "run or a full refresh does)"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


__all__ = [
    "RESERVED_PREFIX",
    "KeyViolations",
    "is_unbounded",
    "key_contract_error",
    "null_cursor_warning",
    "refuse_incremental_without_key",
    "refuse_reserved_columns",
    "reserved_columns",
    "unbounded_cursor_error",
    "unorderable_cursor_error",
]
