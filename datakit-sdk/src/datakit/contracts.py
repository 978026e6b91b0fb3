"""The contracts between a runner's source, the load protocol and a warehouse.

Sources and warehouses are small abstract classes with few hooks; the protocol that runs a whole
load (:class:`datakit.load.protocol.Loader`) is final, so every runner gets the same semantics.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from datakit.watermark import Watermark

LoadMode = Literal["full_refresh", "append", "incremental"]
SchemaChangePolicy = Literal["evolve", "fail"]
#: A batch format's name. ``rows`` (Python tuples) is the SDK's and every pair's fallback; the
#: native formats are the engines' own, named by the source and warehouse that both declare
#: them (Postgres: ``pg_copy_binary``, raw COPY data; runner-spark: ``dataframe``, one batch
#: holding a lazy engine-native dataset the warehouse writes itself, in parallel, without the
#: rows passing through the driver). The Loader only matches names.
BatchFormat = str
#: The universal fallback every source and warehouse supports.
ROWS: BatchFormat = "rows"
LOAD_MODES: tuple[LoadMode, ...] = ("full_refresh", "append", "incremental")

LOADED_AT_COLUMN = "_datakit_loaded_at"
RUN_ID_COLUMN = "_datakit_run_id"
METADATA_COLUMNS = (LOADED_AT_COLUMN, RUN_ID_COLUMN)
STATE_TABLE = "_datakit_state"
LOADS_TABLE = "_datakit_loads"


@dataclass(frozen=True)
class TableRef:
    """A schema-qualified table name, unquoted (the dialect quotes it)."""

    schema: str
    name: str

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class Column:
    """A source column as the source describes it.

    ``type`` is the source's own spelling (e.g. ``numeric(12,2)``, ``text[]``). ``type_kind``
    tells the type map how to treat it: ``base`` (built in), ``enum``, ``domain``, ``array``,
    ``range``, ``composite`` or ``other`` (a user-defined base type).
    """

    name: str
    type: str
    nullable: bool = True
    type_kind: str = "base"
    base_type: str | None = None
    generated: bool = False


@dataclass(frozen=True)
class TableSchema:
    ref: TableRef
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    row_estimate: int | None = None
    kind: str = "table"
    # Columns that lead an index (a ``cursor >= x`` read can use it); None: the source did not say.
    indexed_columns: frozenset[str] | None = None

    def column(self, name: str) -> Column | None:
        for column in self.columns:
            if column.name == name:
                return column
        return None


@dataclass(frozen=True)
class SelectColumn:
    """One column to read: the source column and the type the warehouse expects it as.

    ``cast_to`` is set when the source must cast the value (enum -> text, domain -> base type,
    a narrower source type into a wider bronze column) so both ends agree byte for byte.
    """

    name: str
    cast_to: str | None = None


@dataclass(frozen=True)
class CursorFilter:
    """``column >= watermark - lookback``: the incremental read window.

    ``watermark`` is engine-neutral (:class:`~datakit.watermark.Watermark`): the source renders
    it in its own dialect, cast to its own column's type, and subtracts the lookback there.
    """

    column: str
    watermark: Watermark
    lookback: str | None = None
    #: ``time`` (the lookback is an interval) or ``number``, from the type map's ``cursor_kind``.
    kind: str | None = None

    @property
    def lower_bound(self) -> str:
        """The watermark's canonical text (ISO-8601, exact decimal or integer)."""
        return self.watermark.text


@dataclass(frozen=True)
class CursorProfile:
    """What the source found about a cursor column before an incremental load reads it.

    ``null_rows``: rows whose cursor is NULL, which no ``cursor >= watermark`` read ever returns
    (``None``: the source did not count).
    """

    null_rows: int | None = None
    # Whether an index leads with the cursor (else every read scans the table); None: unknown.
    indexed: bool | None = None


@dataclass(frozen=True)
class ReadRequest:
    table: TableSchema
    columns: tuple[SelectColumn, ...]
    cursor: CursorFilter | None = None
    batch_format: BatchFormat = "rows"
    batch_rows: int = 50_000


@dataclass(frozen=True)
class Batch:
    """A bounded slice of a table: row tuples, raw COPY data for a pass-through format, or a
    lazy engine-native dataset (``frame``, format ``dataframe``; its row count is known only
    once the warehouse has written it, so ``row_count`` is 0)."""

    format: BatchFormat
    rows: Sequence[tuple[Any, ...]] = ()
    data: bytes = b""
    row_count: int = 0
    frame: Any = None


class Source(abc.ABC):
    """What a runner provides: describe tables, and read them in bounded batches."""

    name: str = "source"
    #: batch formats the source can produce besides ``rows``, fastest first.
    batch_formats: tuple[BatchFormat, ...] = ("rows",)

    @abc.abstractmethod
    def discover(self, schema: str | None = None) -> list[TableSchema]:
        """Every readable table (with columns and keys), optionally of one schema."""

    @abc.abstractmethod
    def describe(self, table: TableRef) -> TableSchema:
        """One table; raise ConfigError naming close matches when it does not exist."""

    @abc.abstractmethod
    def read_batches(self, request: ReadRequest) -> Iterator[Batch]:
        """Yield the requested rows in bounded batches, in ``request.batch_format``."""

    def database_name(self) -> str:
        return self.name

    def profile_cursor(
        self, table: TableSchema, column: Column, kind: str, lookback: str | None
    ) -> CursorProfile:
        """Check *lookback* against the cursor in the source's dialect; count NULL cursors.

        Called on every incremental run before anything is written, so a lookback that does not
        apply fails the first run too, not only the runs that have a watermark. Raise
        :class:`~datakit.errors.UsageError` naming ``--lookback`` and the cursor when *lookback*
        is not an interval (*kind* ``time``) or a number (*kind* ``number``), or is negative.
        The default checks number lookbacks only and counts nothing: sources should override.
        """
        if lookback is not None and kind == "number":
            from decimal import Decimal, InvalidOperation

            from datakit.errors import UsageError

            try:
                valid = Decimal(lookback).is_finite() and Decimal(lookback) >= 0
            except InvalidOperation:
                valid = False
            if not valid:
                raise UsageError(
                    f"usage error: --lookback {lookback!r} does not apply to cursor "
                    f"{column.name!r} of type {column.type} (give a non-negative number)"
                )
        return CursorProfile()

    def check(self) -> dict[str, Any]:
        """Prove the connection works and report what the credentials may read."""
        return {"ok": True}

    def cancel(self) -> None:  # noqa: B027 - optional hook
        """Stop a read in progress from another thread (must be thread-safe)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class WarehouseCapabilities:
    """What a warehouse can do, declared as data (not dialect branches)."""

    supports_transactional_ddl: bool
    supports_merge: bool
    max_identifier_length: int
    batch_formats: tuple[BatchFormat, ...] = ("rows",)


__all__ = [
    "LOADED_AT_COLUMN",
    "LOADS_TABLE",
    "LOAD_MODES",
    "METADATA_COLUMNS",
    "ROWS",
    "RUN_ID_COLUMN",
    "STATE_TABLE",
    "Batch",
    "BatchFormat",
    "Column",
    "CursorFilter",
    "CursorProfile",
    "LoadMode",
    "ReadRequest",
    "SchemaChangePolicy",
    "SelectColumn",
    "Source",
    "TableRef",
    "TableSchema",
    "WarehouseCapabilities",
]
