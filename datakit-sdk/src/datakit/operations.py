"""What the runner commands do, independent of click: extract one table, run many, check, discover.

A runner supplies only its :class:`~datakit.contracts.Source` factory; the SDK does the rest, so
every runner has the same options, result shape, logging and exit codes.
"""

from __future__ import annotations

import concurrent.futures
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from datakit import cancel
from datakit.contracts import LoadMode, SchemaChangePolicy, Source, TableRef
from datakit.dialect import NEUTRAL, Dialect, dialect_for
from datakit.errors import ConfigError, DatakitError, UsageError
from datakit.identifiers import fit_identifier, parse_table
from datakit.load.protocol import Loader, LoadResult
from datakit.load.request import DEFAULT_BATCH_ROWS, LoadRequest
from datakit.logging import get_logger
from datakit.naming import bronze_table_name, check_bronze_table_name
from datakit.settings import DatabaseUrl, RunnerSettings
from datakit.typemaps import mapper_for
from datakit.warehouses.registry import engine_for, load_warehouse

SourceFactory = Callable[[DatabaseUrl], Source]
DEFAULT_BRONZE_SCHEMA = "bronze"
_SAFE_NAME = re.compile(r"[^a-z0-9_]+")
_WAIT_SLICE_SECONDS = 0.2


@dataclass(frozen=True)
class ExtractOptions:
    """The extract command's options, as typed values (a job file entry maps to the same)."""

    table: str
    source_name: str | None = None
    bronze_schema: str | None = None
    target_table: str | None = None
    mode: LoadMode = "full_refresh"
    cursor: str | None = None
    primary_key: tuple[str, ...] | None = None
    lookback: str | None = None
    on_schema_change: SchemaChangePolicy = "evolve"
    batch_rows: int = DEFAULT_BATCH_ROWS

    @classmethod
    def from_mapping(cls, table: str, options: Mapping[str, Any]) -> ExtractOptions:
        pk = options.get("primary_key")
        return cls(
            table=table,
            source_name=options.get("source_name"),
            bronze_schema=options.get("bronze_schema"),
            target_table=options.get("target_table"),
            mode=options.get("mode", "full_refresh"),
            cursor=options.get("cursor"),
            primary_key=tuple(pk) if pk is not None else None,
            lookback=str(options["lookback"]) if options.get("lookback") is not None else None,
            on_schema_change=options.get("on_schema_change", "evolve"),
            batch_rows=int(options.get("batch_rows", DEFAULT_BATCH_ROWS)),
        )


def default_source_name(database: str) -> str:
    """A source name usable in a table name: the database name, lower-cased and made safe."""
    name = _SAFE_NAME.sub("_", database.lower()).strip("_")
    return name or "source"


def bronze_target(
    options: ExtractOptions, *, source_type: str, source_name: str, max_length: int
) -> TableRef:
    """The bronze table *options* load into: ``target_table`` or the naming rule's default.

    Refuses (exit 3) names in Datakit's reserved namespace and schema names too long to exist.
    ``options.table`` is read with the *source_type* engine's dialect (default schema, folding).
    """
    schema = options.bronze_schema or DEFAULT_BRONZE_SCHEMA
    if len(schema.encode()) > max_length:
        raise ConfigError(
            f"config error: --bronze-schema {schema!r} is longer than {max_length} bytes"
        )
    if options.target_table:
        check_bronze_table_name(options.target_table)
        return TableRef(schema, fit_identifier(options.target_table, max_length))
    table = parse_table(options.table, dialect_for(source_type))
    name = bronze_table_name(source_name, table, source_type=source_type, max_length=max_length)
    check_bronze_table_name(name, what=f"bronze table (from --source-name {source_name!r})")
    return TableRef(schema, name)


def check_job_targets(
    entries: Sequence[tuple[str, TableRef]], *, warehouse_dialect: Dialect = NEUTRAL
) -> None:
    """Refuse a job whose entries would share a bronze table (exit 3 naming both, before any load).

    *entries* are (label, bronze table) pairs, the label naming the job entry and its source
    table. One source table may load into two bronze tables, never two entries into one. The
    bronze table is spelled in *warehouse_dialect*.
    """
    seen: dict[TableRef, str] = {}
    problems: list[str] = []
    for label, target in entries:
        if target not in seen:
            seen[target] = label
            continue
        problems.append(
            f"{seen[target]} and {label} would both load into bronze table "
            f"{warehouse_dialect.display(target)} (set target_table on one of them)"
        )
    if problems:
        raise ConfigError("config error: " + "; ".join(problems))


def extract(
    *,
    source_type: str,
    source_factory: SourceFactory,
    settings: RunnerSettings,
    options: ExtractOptions,
) -> LoadResult:
    """Load one source table into bronze with the SDK's load protocol."""
    if options.on_schema_change not in ("evolve", "fail"):
        raise UsageError(
            f"usage error: on_schema_change {options.on_schema_change!r} must be evolve or fail"
        )
    source_url = settings.require_url("source")
    warehouse_url = settings.require_url("warehouse")
    warehouse = load_warehouse(warehouse_url)
    mapper = mapper_for(source_type, engine_for(warehouse_url))
    source_dialect = dialect_for(source_type)
    source_ref = parse_table(options.table, source_dialect)
    with source_factory(source_url) as source:
        source_name = options.source_name or default_source_name(source.database_name())
        target = bronze_target(
            options,
            source_type=source_type,
            source_name=source_name,
            max_length=warehouse.capabilities.max_identifier_length,
        )
        request = LoadRequest(
            source_table=source_ref,
            source_name=source_name,
            target=target,
            mode=options.mode,
            cursor=options.cursor,
            primary_key=options.primary_key,
            lookback=options.lookback,
            on_schema_change=options.on_schema_change,
            run_id=settings.run_id,
            batch_rows=options.batch_rows,
            source_dialect=source_dialect,
        )
        return Loader(source=source, warehouse=warehouse, mapper=mapper, request=request).run()


def _preflight(
    *,
    source_type: str,
    source_factory: SourceFactory,
    settings: RunnerSettings,
    tables: list[ExtractOptions],
) -> None:
    """Before any table loads: refuse a job whose entries share a bronze table, or name a
    reserved one (exit 3, every problem at once, nothing written).

    An entry whose source table name does not parse is left to fail on its own when it runs.
    """
    database = ""
    if any(not options.source_name for options in tables):
        with source_factory(settings.require_url("source")) as source:
            database = source.database_name()
    warehouse_url = settings.require_url("warehouse")
    max_length = load_warehouse(warehouse_url).capabilities.max_identifier_length
    source_dialect = dialect_for(source_type)
    entries: list[tuple[str, TableRef]] = []
    problems: list[str] = []
    for index, options in enumerate(tables):
        source_name = options.source_name or default_source_name(database)
        try:
            source_ref = source_dialect.display(parse_table(options.table, source_dialect))
        except DatakitError:
            continue
        try:
            target = bronze_target(
                options, source_type=source_type, source_name=source_name, max_length=max_length
            )
        except ConfigError as exc:
            problems.append(f"tables[{index}] {exc.message.removeprefix('config error: ')}")
            continue
        entries.append((f"tables[{index}] {source_name}:{source_ref}", target))
    if problems:
        raise ConfigError("config error: " + "; ".join(problems))
    check_job_targets(
        entries, warehouse_dialect=dialect_for(engine_for(warehouse_url), required=False)
    )


def run_job(
    *,
    source_type: str,
    source_factory: SourceFactory,
    settings: RunnerSettings,
    tables: list[ExtractOptions],
    parallel: int,
) -> tuple[list[dict[str, Any]], DatakitError | None]:
    """Extract *tables* with at most *parallel* at once; a failed table does not stop the others.

    Returns every table's result (in job order) and the first failure, whose exit code the
    command exits with.
    """
    if parallel < 1:
        raise UsageError(f"usage error: --parallel must be at least 1, got {parallel}")
    log = get_logger()
    _preflight(
        source_type=source_type, source_factory=source_factory, settings=settings, tables=tables
    )
    results: dict[int, dict[str, Any]] = {}
    first_error: tuple[int, DatakitError] | None = None

    def one(options: ExtractOptions) -> dict[str, Any]:
        cancel.check_cancelled()
        return extract(
            source_type=source_type,
            source_factory=source_factory,
            settings=settings,
            options=options,
        ).as_dict()

    log.info("job_started", tables=len(tables), parallel=parallel)
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(
        max_workers=parallel, thread_name_prefix="load"
    ) as pool:
        futures = {pool.submit(one, options): (i, options) for i, options in enumerate(tables)}
        try:
            for future in _as_completed(futures):
                index, options = futures[future]
                try:
                    results[index] = future.result()
                except DatakitError as exc:
                    results[index] = {
                        "table": options.table,
                        "mode": options.mode,
                        "status": "failed",
                        "error": {
                            "kind": exc.kind,
                            "message": exc.message,
                            "exit_code": exc.exit_code,
                        },
                    }
                    if first_error is None or index < first_error[0]:
                        first_error = (index, exc)
        except BaseException:
            cancel.cancel_all()
            for future in futures:
                future.cancel()
            raise
    log.info(
        "job_finished",
        tables=len(tables),
        seconds=round(time.monotonic() - t0, 3),
        failed=sum(1 for r in results.values() if r["status"] == "failed"),
    )
    return [results[i] for i in sorted(results)], first_error[1] if first_error else None


def _as_completed(futures: Iterable[concurrent.futures.Future[Any]]) -> Iterator[Any]:
    """``as_completed`` that waits in short slices, so the main thread can run a signal handler.

    A SIGTERM the kernel delivers to a worker thread does not wake a wait without a timeout.
    """
    pending = set(futures)
    while pending:
        done, pending = concurrent.futures.wait(
            pending, timeout=_WAIT_SLICE_SECONDS, return_when=concurrent.futures.FIRST_COMPLETED
        )
        yield from done


__all__ = [
    "DEFAULT_BRONZE_SCHEMA",
    "ExtractOptions",
    "bronze_target",
    "check_job_targets",
    "default_source_name",
    "extract",
    "run_job",
]
