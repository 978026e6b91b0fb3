"""The Warehouse and LoadSession contracts: what a bronze warehouse must offer the load protocol.

:class:`datakit.load.protocol.Loader` is the only caller of a :class:`LoadSession`, and decides the
order its hooks run in; a warehouse decides how each hook is done in its dialect. Every method
states what is visible to readers of bronze when it returns, because the crash-safety guarantee of
a load (a crash, a kill or SIGTERM at any point leaves bronze old-or-new, and a rerun converges) is
the sum of those statements:

- With ``capabilities.supports_transactional_ddl`` (Postgres, SQL Server), one session is one
  transaction: DDL, rows, the watermark and the load-log row become visible together at
  :meth:`LoadSession.commit` and not before. Closing the session without ``commit`` undoes all.
- Without it (Spark over files, most lakehouse tables) the session must also fill
  :class:`SupportsSwapPublish` (else the Loader refuses it, exit 3, before anything is written),
  and the hooks keep their names but not their transaction: DDL and data hooks *stage* (schema
  changes that old rows read as NULL may apply at once; rows go to a new location readers do not
  see), :meth:`SupportsSwapPublish.publish` makes the staged table visible in one atomic metadata
  operation, and only then does the Loader call ``save_watermark`` and ``log_load``, each of
  which is durable when it returns. A crash before ``publish`` leaves the old table; after it, the
  new table with the old watermark, and the rerun re-reads that increment and merges it on the key
  (idempotent). The watermark is never saved before the data it describes, so there is no gap.
  What is staged per mode: full refresh, the whole new table; append, the table without rows of
  the same run id plus this run's rows (idempotent per run id); incremental, the merged result
  (target rows whose key is not staged, plus the stage). See the SDK README ("Warehouses without
  transactional DDL").

Optional hooks are separate protocols (:class:`SupportsPostLoadMaintenance`,
:class:`SupportsCopyProgress`), checked with ``isinstance``: a warehouse without planner
statistics or progress counters simply does not define them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from datakit.contracts import Batch, TableRef, WarehouseCapabilities
from datakit.watermark import Watermark

if TYPE_CHECKING:
    from datakit.load.guards import KeyViolations
    from datakit.naming import SourceIdentity


@runtime_checkable
class LoadSession(Protocol):
    """The hooks of one load of one bronze table, called by the Loader in its own order.

    Nothing a session does is visible to readers of bronze before :meth:`commit`; a session that
    ends without ``commit`` (exception, crash, SIGTERM) leaves the table, its watermark and the
    load log exactly as they were.
    """

    def claim(self, source: SourceIdentity, *, run_id: str) -> None:
        """Refuse (ConfigError) a target holding another source table or not created by Datakit;
        else record that the target holds *source*. Checked under the table's load lock."""
        ...

    def existing_columns(self) -> dict[str, str] | None:
        """Bronze columns (name -> warehouse type, metadata columns included), ``None`` if the
        table does not exist yet."""
        ...

    def create_table(self, columns: Sequence[tuple[str, str]]) -> None:
        """Create the bronze table with *columns* (name, warehouse type) plus the metadata
        columns (``_datakit_loaded_at``, ``_datakit_run_id`` filled with the session's run id)."""
        ...

    def add_column(self, name: str, type_: str) -> None:
        """Add a nullable column; existing rows read NULL."""
        ...

    def widen_column(self, name: str, type_: str) -> None:
        """Change a column to a wider type that holds every value of the old one unchanged."""
        ...

    def replace_all(self) -> None:
        """Empty the table for a full refresh; readers keep seeing the old rows until commit."""
        ...

    def delete_run(self, run_id: str) -> int:
        """Delete the rows an earlier attempt of *run_id* appended (idempotent append); returns
        how many."""
        ...

    def create_stage(self) -> None:
        """Create a private stage shaped like the target, dropped when the session ends."""
        ...

    def write(
        self, columns: Sequence[str], batches: Iterable[Batch], *, to_stage: bool = False
    ) -> int:
        """Write every batch (in a format of ``capabilities.batch_formats``) into the target, or
        the stage; returns the rows written. Values arrive already in the warehouse's types."""
        ...

    def key_violations(self, primary_key: Sequence[str]) -> KeyViolations:
        """Count staged rows with a NULL key part and key values staged more than once."""
        ...

    def max_value(self, column: str, *, in_stage: bool = True) -> Watermark | None:
        """The greatest value of *column* in the stage as a typed watermark (``infinity``/``NaN``
        included, the Loader refuses them), ``None`` if the stage is empty."""
        ...

    def merge_stage(self, columns: Sequence[str], primary_key: Sequence[str]) -> None:
        """Replace target rows whose key is staged, then insert the stage (native MERGE when
        ``capabilities.supports_merge``, else delete + insert in the same session)."""
        ...

    def read_watermark(self) -> tuple[str, Watermark] | None:
        """(cursor column, watermark) of the last committed incremental load of this table,
        ``None`` before the first one. Rows an older SDK saved are converted on read."""
        ...

    def save_watermark(self, *, cursor_column: str, watermark: Watermark, run_id: str) -> None:
        """Record the table's new watermark; visible to the next load only after commit."""
        ...

    def watermark_text(self, watermark: Watermark) -> str:
        """How this warehouse shows *watermark* in its load log and the runner's result line."""
        ...

    def log_load(
        self,
        *,
        run_id: str,
        source_table: str,
        mode: str,
        rows: int,
        watermark: str | None,
        started_at: datetime,
    ) -> None:
        """Add the succeeded load's row to the load log; visible with the rows at commit."""
        ...

    def commit(self) -> None:
        """Publish everything the session did at once (the only point readers see a change)."""
        ...


@runtime_checkable
class SupportsPostLoadMaintenance(Protocol):
    """Optional session hook run just before commit (Postgres: refresh planner statistics)."""

    def post_load_maintenance(self, *, changed_rows: int | None) -> None:
        """Keep the table fast to read after a load that changed *changed_rows* rows (``None``:
        the whole table is new). Must not change what readers see."""
        ...


@runtime_checkable
class SupportsLoadTimeIndex(Protocol):
    """Optional session hook for tables whose rows pile up over loads (append, incremental)."""

    def ensure_load_time_index(self) -> None:
        """Index ``_datakit_loaded_at`` (if not yet), so "the rows loaded since" (what silver's
        incremental models and tests read) is a range read, not a scan of the table."""
        ...


@runtime_checkable
class SupportsSwapPublish(Protocol):
    """The publish hook a session of a warehouse without transactional DDL must have."""

    def publish(self) -> None:
        """Switch the bronze table to the staged data in one atomic metadata operation.

        Before it returns readers see the old table (rows and columns as before, plus columns
        added as NULL); after it, the new one; a kill during it leaves one or the other. Files
        the old table used stay until a later successful load removes them (readers that
        started before the switch may still be reading them).
        """
        ...


@runtime_checkable
class SupportsCopyProgress(Protocol):
    """Optional session hook for the progress ticker, called from another thread."""

    def copied_rows(self) -> int | None:
        """Rows the running bulk write has taken so far, ``None`` when unknown."""
        ...


@runtime_checkable
class Warehouse(Protocol):
    """A bronze warehouse: one instance per run, found by URL scheme through the
    ``datakit.warehouses`` entry points and built as ``cls(url, **options)``."""

    #: The engine's name (``postgres``), as used by type maps (``<source>-><engine>``).
    engine: str
    #: What the Loader may rely on; it branches on these, not on the engine's name.
    capabilities: WarehouseCapabilities

    def check(self) -> dict[str, Any]:
        """Connect and report who we are and what we may create (``check`` command); no writes."""
        ...

    def can_write_schema(self, schema: str) -> bool:
        """Whether bronze tables can be created in *schema* (existing or to be created)."""
        ...

    def verify_target(self, target: TableRef, source: SourceIdentity) -> None:
        """Refuse (ConfigError), before anything is written, a target that is not Datakit's or
        holds another source table."""
        ...

    def prepare_schema(self, schema: str) -> None:
        """Create the bronze schema and Datakit's state, load-log and registry tables if
        missing. Idempotent and safe to run concurrently; holds no bronze data."""
        ...

    def begin(self, target: TableRef, *, run_id: str) -> AbstractContextManager[LoadSession]:
        """Open one load session on *target*, serialised with every other load of the same
        table; leaving the context without ``commit`` undoes the session."""
        ...

    def record_failure(
        self,
        *,
        target: TableRef,
        source_table: str,
        run_id: str,
        mode: str,
        started_at: datetime,
        error: str,
    ) -> None:
        """Log a failed load outside the (rolled back) session; bounded in time, best effort:
        never raises, a row that cannot be written is a warning."""
        ...


__all__ = [
    "LoadSession",
    "SupportsCopyProgress",
    "SupportsLoadTimeIndex",
    "SupportsPostLoadMaintenance",
    "SupportsSwapPublish",
    "Warehouse",
    "WarehouseCapabilities",
]
