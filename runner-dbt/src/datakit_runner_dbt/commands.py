"""What each runner-dbt command does, apart from click: settings, dbt, result, exit code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from datakit.errors import EXIT_OK, ConfigError, DatakitError
from datakit.logging import bind_run
from datakit.result import emit_result
from datakit.secrets import mask_text
from datakit.settings import RunnerSettings
from datakit_runner_dbt.projects import resolve_project
from datakit_runner_dbt.runner import (
    DbtOutcome,
    DbtRequest,
    base_result,
    default_logger,
    resolve_target,
    run_dbt,
)
from datakit_runner_dbt.summary import summarise

_CHECK_EVENT_PREFIX = "datakit_check "


def _prepare(project: str, *, threads: int = 4) -> tuple[RunnerSettings, Any, Any, Any, Path]:
    settings = RunnerSettings.from_env(require=("warehouse",))
    bind_run(tenant=settings.tenant, run_id=settings.run_id)
    logger = default_logger(settings)
    target, schemas = resolve_target(settings, threads=threads)
    return settings, logger, target, schemas, resolve_project(project)


def _finish(
    outcome: DbtOutcome, settings: RunnerSettings, logger: Any, result: dict[str, Any]
) -> int:
    """Emit the result (with the error, if any) and return the exit code."""
    error = outcome.error()
    return finish_result(result, error, logger=logger, seconds=outcome.seconds)


def finish_result(
    result: dict[str, Any], error: DatakitError | None, *, logger: Any, seconds: float
) -> int:
    if error is None:
        result["status"] = "succeeded"
        logger.info("dbt_finished", command=result.get("command"), seconds=seconds,
                    counts=result.get("counts"))  # fmt: skip
        emit_result(result)
        return EXIT_OK
    message = mask_text(error.message)
    result["status"] = "failed"
    result["error"] = {"kind": error.kind, "message": message, "exit_code": error.exit_code}
    logger.error("command_failed", error_kind=error.kind, error=message, exit_code=error.exit_code)
    emit_result(result)
    return error.exit_code


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
) -> int:
    """One of dbt's verbs (build, run, test, snapshot, seed, compile, ls) as a runner command."""
    settings, logger, target, schemas, project_dir = _prepare(project, threads=threads)
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
        result.update(summarise(outcome.result))
        if offline:
            result["offline"] = True
    return _finish(outcome, settings, logger, result)


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
