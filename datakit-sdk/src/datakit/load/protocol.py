"""The bronze load protocol: one final method that runs a whole load, the same for every runner.

With a warehouse that has transactional DDL (Postgres), a load is one warehouse transaction:
schema changes, rows, the watermark and the load-log row commit together. Until that commit
nothing is visible, so a crash, a kill or SIGTERM at any point leaves bronze exactly as it was,
and a rerun converges.

Without transactional DDL (Spark over files) the load is a swap, in this order: the session
stages the new data (full refresh: the whole new table at a new location; append: the table
without the run id's earlier rows plus this run's rows; incremental: the merged result), then
:meth:`~datakit.warehouse_contract.SupportsSwapPublish.publish` switches the table to it in one
atomic metadata operation, then the watermark is saved, then the load is logged. A crash before
the switch leaves the old table (the staged files are orphans the next load removes); a crash
after it and before the watermark leaves the new rows with the old watermark, so the rerun reads
the same increment again and the merge on the key makes it idempotent: never a gap, because the
watermark is only ever committed after the data it describes.

- ``full_refresh``: the table is emptied and refilled inside the transaction (readers wait for the
  lock and then see the new rows; views on the table survive because the table is never dropped).
- ``append``: rows of the same run id are deleted first, so a retried task never duplicates.
- ``incremental``: rows with ``cursor >= watermark - lookback`` go to a stage, are merged on the
  primary key, and the new watermark is the stage's maximum cursor. Without a key the load is
  refused (it would append the watermark's rows again on every run); a declared key is verified
  on the stage, and cursors that cannot work (text, ``infinity``) are refused (see ``guards``).
"""

from __future__ import annotations

import contextvars
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, final

from datakit import cancel
from datakit.contracts import (
    Batch,
    BatchFormat,
    CursorFilter,
    ReadRequest,
    SelectColumn,
    Source,
    TableSchema,
)
from datakit.discovery import unindexed_cursor_note
from datakit.errors import ConfigError, DatakitError
from datakit.load import guards
from datakit.load.prefetch import prefetch
from datakit.load.request import LoadRequest
from datakit.load.schema_drift import plan_schema
from datakit.logging import get_logger
from datakit.naming import SourceIdentity
from datakit.typemaps.base import TypeMapper
from datakit.warehouse_contract import (
    LoadSession,
    SupportsCopyProgress,
    SupportsLoadTimeIndex,
    SupportsPostLoadMaintenance,
    SupportsSwapPublish,
    Warehouse,
)

PROGRESS_INTERVAL_SECONDS = 10.0
PROGRESS_INTERVAL_VARIABLE = "DATAKIT_PROGRESS_INTERVAL_SECONDS"


def read_ahead_batches() -> int:
    """Batches read ahead by a reader thread (``DATAKIT_READ_AHEAD_BATCHES``, 0 disables)."""
    try:
        return max(int(os.environ.get("DATAKIT_READ_AHEAD_BATCHES", "4")), 0)
    except ValueError:
        return 4


def progress_interval_seconds_default() -> float:
    """The progress log interval: 10 s, or shorter through the environment (tests, debugging)."""
    try:
        return max(
            float(os.environ.get(PROGRESS_INTERVAL_VARIABLE, PROGRESS_INTERVAL_SECONDS)), 0.01
        )
    except ValueError:
        return PROGRESS_INTERVAL_SECONDS


@dataclass
class LoadResult:
    """What a finished load reports (one entry of the runner's result JSON)."""

    table: str
    target: str
    mode: str
    status: str
    rows: int = 0
    seconds: float = 0.0
    watermark: str | None = None
    schema_changes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if v is not None}
        out["rows_per_second"] = round(self.rows / self.seconds) if self.seconds > 0 else None
        return out


@final
class Loader:
    """Runs one load of a source table into bronze. Runners provide hooks, not this method."""

    def __init__(
        self,
        *,
        source: Source,
        warehouse: Warehouse,
        mapper: TypeMapper,
        request: LoadRequest,
        progress_interval_seconds: float | None = None,
    ) -> None:
        self.source = source
        self.warehouse = warehouse
        self.mapper = mapper
        self.request = request
        self.progress_interval_seconds = (
            progress_interval_seconds or progress_interval_seconds_default()
        )
        self.log = get_logger(table=str(request.target), source_table=str(request.source_table))

    def run(self) -> LoadResult:
        req = self.request
        started_at = datetime.now(UTC)
        t0 = time.monotonic()
        result = LoadResult(
            table=str(req.source_table), target=str(req.target), mode=req.mode, status="running"
        )
        self.log.info("extract_started", mode=req.mode, run_id=req.run_id)
        try:
            self._load(result, started_at)
        except DatakitError as exc:
            result.status = "failed"
            result.error = {"kind": exc.kind, "message": exc.message, "exit_code": exc.exit_code}
            self.warehouse.record_failure(
                target=req.target,
                source_table=str(req.source_table),
                run_id=req.run_id,
                mode=req.mode,
                started_at=started_at,
                error=exc.message,
            )
            self.log.error(
                "load_failed", error=exc.message, error_kind=exc.kind, exit_code=exc.exit_code
            )
            raise
        finally:
            result.seconds = round(time.monotonic() - t0, 3)
        result.status = "succeeded"
        self.log.info(
            "load_committed",
            rows=result.rows,
            seconds=result.seconds,
            rows_per_second=result.as_dict()["rows_per_second"],
            watermark=result.watermark,
        )
        return result

    def _swap_session(self, session: LoadSession) -> SupportsSwapPublish | None:
        """The session's publish hook when the warehouse has no transactional DDL, else None.

        The crash-safety of such a warehouse rests on stage -> one atomic switch -> watermark ->
        load log; a session that cannot switch atomically is refused before anything is written.
        """
        if self.warehouse.capabilities.supports_transactional_ddl:
            return None
        if not isinstance(session, SupportsSwapPublish):
            raise ConfigError(
                f"config error: the {self.warehouse.engine} warehouse has no transactional DDL "
                "and its load session has no publish() (an atomic swap); it cannot load safely"
            )
        return session

    def _load(self, result: LoadResult, started_at: datetime) -> None:
        req = self.request
        table = self.source.describe(req.source_table)
        self._check_columns(table)
        mapped = []
        for column in table.columns:
            mapping = self.mapper.map_column(column)
            if not mapping.faithful:
                result.warnings.append(f"{column.name}: {mapping.note}")
                self.log.warning(
                    "type_not_mapped",
                    column=column.name,
                    source_type=column.type,
                    note=mapping.note,
                )
            mapped.append((column.name, mapping.warehouse_type, mapping.source_cast))
        primary_key = tuple(req.primary_key) if req.primary_key is not None else table.primary_key
        cursor_kind = (
            self._check_incremental(result, table, primary_key)
            if req.mode == "incremental"
            else None
        )

        # Bronze knows which source table each of its tables holds: a load that would mix two,
        # or write into a table Datakit did not create, is refused before anything is written.
        identity = SourceIdentity(req.source_name, req.source_table, dialect=req.source_dialect)
        self.warehouse.verify_target(req.target, identity)
        self.warehouse.prepare_schema(req.target.schema)
        with self.warehouse.begin(req.target, run_id=req.run_id) as session:
            swap = self._swap_session(session)
            session.claim(identity, run_id=req.run_id)
            plan = plan_schema(
                table=req.shown_source,
                source_columns=mapped,
                bronze_columns=session.existing_columns(),
                mapper=self.mapper,
                policy=req.on_schema_change,
            )
            if plan.create:
                session.create_table(plan.create)
            for name, type_ in plan.add:
                session.add_column(name, type_)
            for name, _old, new in plan.widen:
                session.widen_column(name, new)
            result.schema_changes = plan.changes()
            if result.schema_changes:
                self.log.info("schema_evolved", changes=result.schema_changes)

            columns = [name for name, _, _ in mapped]
            cursor = (
                self._cursor_filter(session, table, cursor_kind)
                if req.mode == "incremental"
                else None
            )
            read = ReadRequest(
                table=table,
                columns=tuple(SelectColumn(name, plan.read_as.get(name)) for name in columns),
                cursor=cursor,
                batch_format=self._batch_format(),
                batch_rows=req.batch_rows,
            )
            batches = self.source.read_batches(read)
            if (depth := read_ahead_batches()) > 0:
                batches = prefetch(batches, depth=depth, on_abandon=self.source.cancel)
            batches = self._with_progress(
                batches,
                session.copied_rows if isinstance(session, SupportsCopyProgress) else None,
            )
            if req.mode == "full_refresh":
                session.replace_all()
                result.rows = session.write(columns, batches)
            elif req.mode == "append":
                replaced = session.delete_run(req.run_id)
                if replaced:
                    self.log.info("run_rows_replaced", rows=replaced)
                result.rows = session.write(columns, batches)
            else:
                assert req.cursor is not None
                session.create_stage()
                result.rows = session.write(columns, batches, to_stage=True)
                if primary_key != table.primary_key:
                    # A declared key is not enforced by the source: a duplicate would make the
                    # merge delete rows, a NULL part would duplicate one every run. One aggregate
                    # over the stage, much cheaper than the merge it protects.
                    found = session.key_violations(primary_key)
                    if found:
                        raise guards.key_contract_error(req.shown_source, primary_key, found)
                new_mark = session.max_value(req.cursor)
                if new_mark is not None and new_mark.is_unbounded:
                    raise guards.unbounded_cursor_error(
                        req.shown_source,
                        req.cursor,
                        session.watermark_text(new_mark),
                    )
                session.merge_stage(columns, primary_key)
                if swap is not None:
                    # Without transactional DDL: the merged data is published before the
                    # watermark that describes it is saved (a crash between: idempotent rerun).
                    self._publish(swap, req.mode, result.rows)
                if new_mark is not None:
                    session.save_watermark(
                        cursor_column=req.cursor, watermark=new_mark, run_id=req.run_id
                    )
                    result.watermark = session.watermark_text(new_mark)
                elif cursor is not None:
                    result.watermark = session.watermark_text(cursor.watermark)
            if swap is not None and req.mode != "incremental":
                self._publish(swap, req.mode, result.rows)
            # After the write: a table's first load builds the index in one sorted pass; later
            # loads maintain it row by row. A full refresh's rows all share one load time.
            if (
                swap is None
                and req.mode != "full_refresh"
                and isinstance(session, SupportsLoadTimeIndex)
            ):
                session.ensure_load_time_index()
            # Optional maintenance (Postgres: fresh statistics) commits with the rows, so
            # downstream (dbt) joins are planned on what bronze holds now.
            if swap is None and isinstance(session, SupportsPostLoadMaintenance):
                session.post_load_maintenance(
                    changed_rows=None if req.mode == "full_refresh" else result.rows
                )
            session.log_load(
                run_id=req.run_id,
                source_table=str(req.source_table),
                mode=req.mode,
                rows=result.rows,
                watermark=result.watermark,
                started_at=started_at,
            )
            cancel.check_cancelled()
            session.commit()
        if req.mode == "incremental" and result.watermark:
            self.log.info("watermark_advanced", watermark=result.watermark)

    def _publish(self, session: SupportsSwapPublish, mode: str, rows: int) -> None:
        """Switch bronze to the staged data (the swap warehouse's one visible change).

        Maintenance runs first, on the staged data, because after the switch readers see it.
        """
        if isinstance(session, SupportsPostLoadMaintenance):
            session.post_load_maintenance(changed_rows=None if mode == "full_refresh" else rows)
        cancel.check_cancelled()
        session.publish()

    def _check_columns(self, table: TableSchema) -> None:
        req = self.request
        names = [column.name for column in table.columns]
        wanted: list[tuple[str, str]] = []
        if req.cursor:
            wanted.append(("--cursor", req.cursor))
        for key in req.primary_key or ():
            wanted.append(("--primary-key", key))
        guards.refuse_reserved_columns(req.shown_source, names)
        for option, name in wanted:
            if name not in names:
                import difflib

                close = difflib.get_close_matches(name, names, n=3) or names[:8]
                raise ConfigError(
                    f"config error: {option} {name!r} is not a column of {req.shown_source}"
                    f" (did you mean: {', '.join(close)}?)"
                )

    def _check_incremental(
        self, result: LoadResult, table: TableSchema, primary_key: tuple[str, ...]
    ) -> str:
        """Refuse an incremental load that cannot be exact, before anything is written.

        Returns the cursor's kind (``time`` or ``number``); warns with the count of rows whose
        cursor is NULL, which no incremental read returns.
        """
        req = self.request
        assert req.cursor is not None
        shown = req.shown_source
        if not primary_key:
            guards.refuse_incremental_without_key(shown)
        column = table.column(req.cursor)
        assert column is not None
        kind = self.mapper.cursor_kind(column)
        if kind is None:
            raise guards.unorderable_cursor_error(shown, req.cursor, column.type)
        profile = self.source.profile_cursor(table, column, kind, req.lookback)
        if profile.null_rows:
            result.warnings.append(guards.null_cursor_warning(req.cursor, profile.null_rows))
            self.log.warning("cursor_has_nulls", cursor=req.cursor, rows=profile.null_rows)
        if profile.indexed is False and (
            note := unindexed_cursor_note(table, req.cursor, dialect=req.source_dialect)
        ):
            result.warnings.append(f"{req.cursor}: {note}")
            self.log.warning("cursor_not_indexed", cursor=req.cursor, note=note)
        return kind

    def _cursor_filter(
        self, session: LoadSession, table: TableSchema, kind: str | None = None
    ) -> CursorFilter | None:
        req = self.request
        assert req.cursor is not None
        state = session.read_watermark()
        if state is None:
            return None
        column, watermark = state
        if column == req.cursor and watermark.is_unbounded:
            raise guards.unbounded_cursor_error(
                req.shown_source, column, session.watermark_text(watermark)
            )
        if column != req.cursor:
            self.log.warning(
                "cursor_changed", previous=column, cursor=req.cursor, note="reading the whole table"
            )
            return None
        return CursorFilter(column=column, watermark=watermark, lookback=req.lookback, kind=kind)

    def _batch_format(self) -> BatchFormat:
        for fmt in self.source.batch_formats:
            if fmt in self.warehouse.capabilities.batch_formats:
                return fmt
        return "rows"

    def _with_progress(
        self, batches: Iterator[Batch], copied_rows: Callable[[], int | None] | None = None
    ) -> Iterator[Batch]:
        """Pass batches through, counting rows for the progress ticker.

        *copied_rows* asks the warehouse how many rows its COPY has taken so far, for sources
        whose batches are raw bytes without a row count.
        """
        progress = _Progress(self.log, self.progress_interval_seconds, copied_rows)
        with progress:
            for batch in batches:
                cancel.check_cancelled()
                progress.rows += batch.row_count
                yield batch


class _Progress:
    """Logs ``extract_progress`` (rows, rows/s) every interval from a side thread.

    A thread, not a check between batches, so a slow source query or a long COPY still reports.
    """

    def __init__(
        self, log: Any, interval_seconds: float, copied_rows: Callable[[], int | None] | None
    ) -> None:
        self.log = log
        self.interval_seconds = interval_seconds
        self.copied_rows = copied_rows
        self.rows = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._t0 = time.monotonic()

    def __enter__(self) -> _Progress:
        self._t0 = time.monotonic()
        # Run in a copy of this context so events carry the bound tenant and run id.
        context = contextvars.copy_context()
        self._thread = threading.Thread(
            target=context.run, args=(self._tick,), name="datakit-progress", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1)

    def _tick(self) -> None:
        while not self._stop.wait(self.interval_seconds):
            elapsed = max(time.monotonic() - self._t0, 1e-9)
            rows = self.rows
            if self.copied_rows is not None:
                try:
                    rows = max(rows, self.copied_rows() or 0)
                except Exception:
                    self.copied_rows = None
            self.log.info(
                "extract_progress",
                rows=rows,
                rows_per_second=round(rows / elapsed),
                seconds=round(elapsed, 1),
            )


__all__ = ["LoadResult", "Loader"]
