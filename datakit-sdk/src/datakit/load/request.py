"""What one bronze load is asked to do (the extract command's options, validated)."""

from __future__ import annotations

from dataclasses import dataclass, field

from datakit.contracts import LOAD_MODES, LoadMode, SchemaChangePolicy, TableRef
from datakit.dialect import NEUTRAL, Dialect
from datakit.errors import UsageError

DEFAULT_BATCH_ROWS = 50_000


@dataclass(frozen=True)
class LoadRequest:
    """One table to load: from where, into which bronze table, in which mode."""

    source_table: TableRef
    target: TableRef
    mode: LoadMode = "full_refresh"
    #: The source's name (bronze remembers it with the source table, see ``naming``).
    source_name: str = ""
    cursor: str | None = None
    primary_key: tuple[str, ...] | None = None
    lookback: str | None = None
    on_schema_change: SchemaChangePolicy = "evolve"
    run_id: str = ""
    batch_rows: int = DEFAULT_BATCH_ROWS
    #: The source engine's identifier rules: how messages spell the source table.
    source_dialect: Dialect = field(default=NEUTRAL, compare=False)

    @property
    def shown_source(self) -> str:
        """The source table as its engine's users spell it, for messages."""
        return self.source_dialect.display(self.source_table)

    def __post_init__(self) -> None:
        if self.mode not in LOAD_MODES:
            raise UsageError(
                f"usage error: --mode {self.mode!r} is not one of {', '.join(LOAD_MODES)}"
            )
        if self.mode == "incremental" and not self.cursor:
            raise UsageError("usage error: --mode incremental needs --cursor COLUMN")
        if self.mode != "incremental" and self.lookback:
            raise UsageError("usage error: --lookback only applies to --mode incremental")
        if self.batch_rows < 1:
            raise UsageError(f"usage error: --batch-rows must be at least 1, got {self.batch_rows}")


__all__ = ["DEFAULT_BATCH_ROWS", "LoadRequest"]
