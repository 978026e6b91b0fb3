"""What each runner-dbt command does, apart from click: settings, dbt, result, exit code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from datakit.errors import EXIT_OK, ConfigError, DatakitError, UsageError
from datakit.logging import bind_run
from datakit.result import emit_result
from datakit.secrets import Secret, mask_text
from datakit.settings import DatabaseUrl, RunnerSettings
from datakit_runner_dbt.build_record import RECORDED_VERBS
from datakit_runner_dbt.build_record import record as record_build
from datakit_runner_dbt.profile import adapter_for
from datakit_runner_dbt.projects import resolve_project
from datakit_runner_dbt.runner import (
    DbtOutcome,
    DbtRequest,
    base_result,
    default_logger,
    resolve_target,
    run_dbt,
)
from datakit_runner_dbt.summary import result_summary, summarise

_CHECK_EVENT_PREFIX = "datakit_check "
DEFAULT_OFFLINE_TARGET = "postgres"
# Offline compiles never connect: these URLs only pick the adapter (nothing listens on port 1).
_OFFLINE_URLS = {
    "postgres": "postgresql://offline@127.0.0.1:1/offline",
    "sqlserver": "mssql://offline@127.0.0.1:1/offline",
    "spark": "spark+session:///",
}


def _prepare(
    project: str, *, threads: int = 4, offline_target: str | None = None
) -> tuple[RunnerSettings, Any, Any, Any, Path]:
    """Settings, logger, dbt target and project; *offline_target* lets the URL be absent."""
    project_dir = resolve_project(project)
    offline = offline_target is not None
    settings = RunnerSettings.from_env(require=() if offline else ("warehouse",))
    bind_run(tenant=settings.tenant, run_id=settings.run_id)
    logger = default_logger(settings)
    url = _offline_url(settings, offline_target) if offline else None
    target, schemas = resolve_target(settings, threads=threads, url=url)
    return settings, logger, target, schemas, project_dir


def _offline_url(settings: RunnerSettings, target_type: str) -> DatabaseUrl | None:
    """The warehouse URL when set (it must match an explicit ``--target-type``), else a stand-in.

    ``compile --offline`` opens no connection, so without ``DATAKIT_WAREHOUSE_URL`` the adapter
    comes from ``--target-type`` (default postgres) and the URL is a placeholder.
    """
    explicit = target_type != ""
    if settings.warehouse_url is not None:
        adapter = adapter_for(settings.warehouse_url)
        if explicit and adapter != target_type:
            raise UsageError(
                f"usage error: --target-type {target_type} does not match "
                f"{settings.warehouse_url.variable} (a {adapter} URL); drop one of them"
            )
        return None
    chosen = target_type or DEFAULT_OFFLINE_TARGET
    return DatabaseUrl(secret=Secret(_OFFLINE_URLS[chosen]), variable="--target-type")


def _finish(
    outcome: DbtOutcome, settings: RunnerSettings, logger: Any, result: dict[str, Any]
) -> int:
    """Emit the result (with the error, if any) and return the exit code."""
    error = outcome.error()
    return finish_result(result, error, logger=logger, seconds=outcome.seconds)


def finish_result(
    result: dict[str, Any],
    error: DatakitError | None,
    *,
    logger: Any,
    seconds: float,
    detail: tuple[str, dict[str, Any]] | None = None,
) -> int:
    """Set status and error, write the *detail* file (path, full summary) if any, emit the line."""
    if error is None:
        result["status"] = "succeeded"
        logger.info("dbt_finished", command=result.get("command"), seconds=seconds,
                    counts=result.get("counts"))  # fmt: skip
    else:
        message = mask_text(error.message)
        result["status"] = "failed"
        result["error"] = {"kind": error.kind, "message": message, "exit_code": error.exit_code}
        logger.error("command_failed", error_kind=error.kind, error=message,
                     exit_code=error.exit_code)  # fmt: skip
    if detail is not None:
        path, summary = detail
        result["result_file"] = _write_detail(path, {**result, **summary})
    emit_result(result)
    return EXIT_OK if error is None else error.exit_code


def run_verb(
    verb: str,
    *,
    project: str,
    select: tuple[str, ...],
    exclude: tuple[str, ...],
    dbt_vars: dict[str, Any],
    threads: int,
    debug: bool,
    full_refresh: bool = False,
    offline: bool = False,
    target_type: str | None = None,
    result_detail: bool = False,
    result_file: str | None = None,
) -> int:
    """One of dbt's verbs (build, run, test, snapshot, seed, compile, ls) as a runner command.

    The result line carries counts and failures; every node's detail only with *result_detail*
    or in *result_file* (the whole line was ~25 KB for the reference project, too much for XCom).
    """
    if target_type and not offline:
        raise UsageError("usage error: --target-type needs --offline (online, the URL decides)")
    settings, logger, target, schemas, project_dir = _prepare(
        project, threads=threads, offline_target=(target_type or "") if offline else None
    )
    extra: tuple[str, ...] = ()
    user_vars = dict(dbt_vars)
    if offline:
        # No connection: dbt's introspective queries and relation cache are off, and the
        # project's is_incremental() answers "no" (see macros/is_incremental.sql).
        extra = ("--no-introspect", "--no-populate-cache")
        user_vars["datakit_offline_compile"] = True
    if verb == "ls":
        extra = ("--output", "json", "--output-keys", "unique_id name resource_type tags")
    request = DbtRequest(
        command=verb,
        project_dir=project_dir,
        select=select,
        exclude=exclude,
        full_refresh=full_refresh,
        user_vars=user_vars,
        threads=threads,
        extra_args=extra,
    )
    outcome = run_dbt(request, target=target, schemas=schemas, logger=logger, debug=debug)
    result = base_result(outcome, settings)
    if verb == "ls":
        result["nodes"] = [json.loads(line) for line in (outcome.result or [])]
    elif hasattr(outcome.result, "results"):
        summary = summarise(outcome.result)
        if offline:
            result["offline"] = True
        result.update(summary if result_detail else result_summary(summary))
        if verb in RECORDED_VERBS and not offline:
            result["build_recorded"] = record_build(
                outcome, settings, summary, select=select, exclude=exclude, logger=logger
            )
        if result_file:
            return finish_result(
                result, outcome.error(), logger=logger, seconds=outcome.seconds,
                detail=(result_file, summary),
            )  # fmt: skip
    return _finish(outcome, settings, logger, result)


def _write_detail(path: str, detail: dict[str, Any]) -> str:
    """Write the full result to *path* (replaced atomically); its absolute path for the line."""
    target = Path(path).resolve()
    detail = {**detail, "result_file": str(target)}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(json.dumps(detail, default=str, sort_keys=True), encoding="utf-8")
        tmp.replace(target)
    except OSError as exc:
        raise ConfigError(f"config error: --result-file {path}: {exc.strerror}") from None
    return str(target)


def run_parse(*, project: str, debug: bool) -> int:
    """Parse the project and keep ``target/partial_parse.msgpack`` in the project folder.

    Run once at image build: a container then starts from that parse instead of parsing the
    whole project again (when its vars and adapter match the ones used here).
    """
    settings, logger, target, schemas, project_dir = _prepare(project)
    saved = project_dir / "target" / "partial_parse.msgpack"
    request = DbtRequest(command="parse", project_dir=project_dir, save_parse_to=saved)
    outcome = run_dbt(request, target=target, schemas=schemas, logger=logger, debug=debug)
    result = base_result(outcome, settings)
    if outcome.success:
        result["partial_parse"] = str(saved)
    return _finish(outcome, settings, logger, result)


def run_discover(*, project: str, debug: bool) -> int:
    """The project's nodes as JSON: what an orchestrator needs to plan tasks and selections."""
    settings, logger, target, schemas, project_dir = _prepare(project)
    request = DbtRequest(command="parse", project_dir=project_dir)
    outcome = run_dbt(request, target=target, schemas=schemas, logger=logger, debug=debug)
    result = {**base_result(outcome, settings), "command": "discover"}
    if outcome.success and outcome.result is not None:
        result.update(describe_manifest(outcome.result))
    return _finish(outcome, settings, logger, result)


def describe_manifest(manifest: Any) -> dict[str, Any]:
    """Models, snapshots, seeds, tests and sources with tags, schema and dependencies."""
    groups: dict[str, list[dict[str, Any]]] = {
        "models": [], "snapshots": [], "seeds": [], "tests": [],
    }  # fmt: skip
    for node in sorted(manifest.nodes.values(), key=lambda n: n.unique_id):
        kind = str(getattr(node.resource_type, "value", node.resource_type))
        entry: dict[str, Any] = {
            "name": node.name,
            "unique_id": node.unique_id,
            "tags": sorted(node.tags),
            "depends_on": sorted(node.depends_on.nodes),
        }
        if kind == "test":
            entry["attached_node"] = getattr(node, "attached_node", None)
            entry["column"] = getattr(node, "column_name", None)
            groups["tests"].append(entry)
            continue
        entry.update(
            {
                "schema": node.schema,
                "alias": node.alias,
                "materialized": node.config.materialized,
                "description": node.description,
            }
        )
        if kind in ("model", "snapshot", "seed"):
            groups[kind + "s"].append(entry)
    sources = [
        {
            "name": f"{source.source_name}.{source.name}",
            "unique_id": source.unique_id,
            "schema": source.schema,
            "identifier": source.identifier,
            "tags": sorted(source.tags),
        }
        for source in sorted(manifest.sources.values(), key=lambda s: s.unique_id)
    ]
    return {**groups, "sources": sources}


def run_check(*, project: str, debug: bool) -> int:
    """Can dbt reach the warehouse, read the bronze sources and write silver and gold?

    Like ``dbt debug --connection``, then a macro that looks up every declared source and
    creates the silver and gold schemas (idempotent, and what a first build needs anyway).
    A missing source is a configuration error (3) that names it.
    """
    settings, logger, target, schemas, project_dir = _prepare(project, threads=1)
    request = DbtRequest(command="debug", project_dir=project_dir, extra_args=("--connection",))
    outcome = run_dbt(request, target=target, schemas=schemas, logger=logger, debug=debug)
    result = {**base_result(outcome, settings), "command": "check"}
    if not outcome.success:
        return finish_result(
            result, _connection_error(outcome), logger=logger, seconds=outcome.seconds
        )
    result["connection"] = "ok"
    if not _defines_macro(project_dir, "datakit_check"):
        # A project without the check macro gets the connection test only.
        result["sources_checked"] = False
        return finish_result(result, None, logger=logger, seconds=result["seconds"])
    request = DbtRequest(
        command="run-operation",
        project_dir=project_dir,
        extra_args=("datakit_check",),
    )
    outcome = run_dbt(request, target=target, schemas=schemas, logger=logger, debug=debug)
    result["seconds"] = round(result["seconds"] + outcome.seconds, 3)
    report = _check_report(outcome)
    result.update(report)
    result["sources_checked"] = True
    error = outcome.error()
    if error is None and report.get("missing_sources"):
        missing = ", ".join(report["missing_sources"])
        error = ConfigError(
            f"config error: bronze tables not found in {schemas.bronze}: {missing} "
            "(load bronze first, or check DATAKIT_TENANT)"
        )
    return finish_result(result, error, logger=logger, seconds=result["seconds"])


def _defines_macro(project_dir: Path, name: str) -> bool:
    needle = f"macro {name}("
    return any(
        needle in path.read_text(encoding="utf-8", errors="replace")
        for path in (project_dir / "macros").rglob("*.sql")
    )


def _connection_error(outcome: DbtOutcome) -> DatakitError:
    from datakit_runner_dbt.errors import DbtTransientError, is_transient

    if outcome.exception is not None:
        error = outcome.error()
        assert error is not None
        return error
    texts = [text for _, text in outcome.events.kept] + outcome.events.texts()
    detail = " ".join(" ".join(texts).split()) or "dbt debug --connection failed"
    # dbt debug prints the whole profile first; keep the database's own words.
    _, found, reason = detail.partition("returned the following error:")
    if found:
        detail = reason.split(" Check your database credentials")[0].strip(" >")
    if is_transient(detail):
        return DbtTransientError(f"transient error: warehouse unreachable: {detail[-600:]}")
    return ConfigError(f"config error: cannot use the warehouse: {detail[-600:]}")


def _check_report(outcome: DbtOutcome) -> dict[str, Any]:
    for _, text in outcome.events.kept:
        if text.startswith(_CHECK_EVENT_PREFIX):
            try:
                data = json.loads(text[len(_CHECK_EVENT_PREFIX) :])
            except json.JSONDecodeError:
                continue
            if isinstance(data, dict):
                return data
    return {}


__all__ = ["describe_manifest", "run_check", "run_discover", "run_parse", "run_verb"]
