"""One dbt invocation as a runner step: profile, vars, dbtRunner, logs, result and exit code.

Everything dbt needs that is not the project itself lives in a private temporary folder for the
duration of the command (profile, ``target/``, logs), so the project folder can be read-only (it
is, in the image) and concurrent runs never share files. A parse baked into the project at image
build time (``target/partial_parse.msgpack``) is copied in, so dbt starts from it when the
project, vars and adapter match.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar

from datakit.errors import DatakitError
from datakit.logging import get_logger, register_secrets
from datakit.settings import DatabaseUrl, RunnerSettings
from datakit_runner_dbt.errors import (
    DbtTestsFailed,
    classify_exception,
    classify_node_error,
)
from datakit_runner_dbt.events import EventFolder
from datakit_runner_dbt.profile import (
    PROFILE_NAME,
    LayerSchemas,
    WarehouseTarget,
    build_target,
    profile_environment,
)
from datakit_runner_dbt.summary import summarise

PARTIAL_PARSE_FILE = "partial_parse.msgpack"


@dataclass(frozen=True)
class DbtRequest:
    """What to run: a dbt verb with its selection options, for one project and tenant."""

    command: str
    project_dir: Path
    select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    full_refresh: bool = False
    user_vars: dict[str, Any] = field(default_factory=dict)
    threads: int = 4
    extra_args: tuple[str, ...] = ()
    save_parse_to: Path | None = None
    """Copy dbt's partial parse file here afterwards (``runner-dbt parse`` at image build)."""


@dataclass
class DbtOutcome:
    """What came back: dbt's result object, the events seen, timings and the target used."""

    request: DbtRequest
    target: WarehouseTarget
    schemas: LayerSchemas
    success: bool
    result: Any
    exception: BaseException | None
    events: EventFolder
    seconds: float

    def error(self) -> DatakitError | None:
        """The error (with its exit code) this outcome stands for, or None on success."""
        action = f"dbt {self.request.command}"
        if self.success:
            return None
        if self.exception is not None:
            return classify_exception(self.exception, action=action)
        summary = summarise(self.result) if hasattr(self.result, "results") else None
        if summary is None:
            texts = self.events.texts()
            detail = texts[-1] if texts else "dbt reported failure without a message"
            error_class = classify_node_error(detail)
            return error_class(f"{error_class.kind} error: {action}: {' '.join(detail.split())}")
        errors = [f for f in summary["failures"] if f["status"] in ("error", "runtime error")]
        failed_tests = [f for f in summary["failures"] if f["status"] == "fail"]
        if errors:
            first = errors[0]
            error_class = classify_node_error(first["message"] or "")
            for candidate in errors:
                if classify_node_error(candidate["message"] or "") is not error_class:
                    error_class = classify_node_error(candidate["message"] or "")
                    first = candidate
                    break
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            return error_class(
                f"{error_class.kind} error: {action}: {first['resource_type']} {first['name']} "
                f"failed{more}: {first['message']}"
            )
        if failed_tests:
            names = ", ".join(f["name"] for f in failed_tests[:5])
            more = f" and {len(failed_tests) - 5} more" if len(failed_tests) > 5 else ""
            return DbtTestsFailed(
                f"contract error: {action}: {len(failed_tests)} data test(s) failed: {names}{more} "
                "(see failures in the result)"
            )
        return classify_node_error("")(f"config error: {action}: dbt reported failure")


def resolve_target(
    settings: RunnerSettings, *, threads: int, url: DatabaseUrl | None = None
) -> tuple[WarehouseTarget, LayerSchemas]:
    """The target and schemas for this process' environment (tenant, warehouse URL).

    *url* replaces the environment's warehouse URL (an offline compile's stand-in).
    """
    schemas = LayerSchemas.for_tenant(settings.tenant)
    url = url or settings.require_url("warehouse")
    target = build_target(url, schemas=schemas, threads=threads)
    register_secrets(tuple(target.secret_env.values()) + settings.secrets())
    return target, schemas


def run_dbt(
    request: DbtRequest,
    *,
    target: WarehouseTarget,
    schemas: LayerSchemas,
    logger: Any,
    debug: bool = False,
) -> DbtOutcome:
    """Invoke dbt in-process with a generated profile; never raises for a dbt failure."""
    from dbt.cli.main import dbtRunner

    workdir = Path(tempfile.mkdtemp(prefix="runner-dbt-"))
    folder = EventFolder(logger=logger, debug=debug)
    started = time.monotonic()
    try:
        target_path = workdir / "target"
        target_path.mkdir()
        dbt_vars = {**request.user_vars, **schemas.as_vars()}
        cached = parse_cache_file(request.project_dir, target.adapter_type, dbt_vars)
        baked = request.project_dir / "target" / PARTIAL_PARSE_FILE
        for candidate in (cached, baked):
            if candidate is not None and candidate.is_file():
                shutil.copyfile(candidate, target_path / PARTIAL_PARSE_FILE)
                break
        args = [
            request.command,
            *dbt_args(request, workdir=workdir, target=target, dbt_vars=dbt_vars),
        ]
        logger.info(
            "dbt_started",
            command=request.command,
            project=request.project_dir.name,
            adapter=target.adapter_type,
            target=target.masked_summary(),
            schemas=schemas.as_vars(),
            select=list(request.select),
            exclude=list(request.exclude),
        )
        with profile_environment(target, workdir / "profiles"), _quiet_dbt_env():
            outcome = dbtRunner(callbacks=[folder]).invoke(args)
        parsed = target_path / PARTIAL_PARSE_FILE
        if request.save_parse_to is not None and outcome.success and parsed.is_file():
            request.save_parse_to.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(parsed, request.save_parse_to)
        if cached is not None and parsed.is_file():
            _store(parsed, cached)
        return DbtOutcome(
            request=request,
            target=target,
            schemas=schemas,
            success=bool(outcome.success),
            result=outcome.result,
            exception=outcome.exception,
            events=folder,
            seconds=round(time.monotonic() - started, 3),
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def parse_cache_file(project_dir: Path, adapter: str, dbt_vars: dict[str, Any]) -> Path | None:
    """Where this project's parse is kept between commands, per adapter and vars.

    dbt re-parses the whole project when it finds no partial parse of it, which would make every
    command pay a full parse (the temp target folder is new each time). The parse is kept under
    ``$XDG_CACHE_HOME/datakit/runner-dbt`` (``~/.cache`` by default) instead; dbt itself checks
    that a stored parse still matches the files, vars and profile, and re-parses if not, so a
    stale entry costs time, never correctness. None when there is no writable cache folder.
    """
    import hashlib

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    key = hashlib.sha256(
        json.dumps([str(project_dir.resolve()), adapter, dbt_vars], sort_keys=True).encode()
    ).hexdigest()[:24]
    folder = Path(base) / "datakit" / "runner-dbt"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder / f"{project_dir.name}-{key}.msgpack" if os.access(folder, os.W_OK) else None


def _store(parsed: Path, cached: Path) -> None:
    """Replace the cached parse atomically (concurrent runs may store the same key)."""
    tmp = cached.with_suffix(f".{os.getpid()}.tmp")
    try:
        shutil.copyfile(parsed, tmp)
        os.replace(tmp, cached)
    except OSError:
        tmp.unlink(missing_ok=True)


def dbt_args(
    request: DbtRequest, *, workdir: Path, target: WarehouseTarget, dbt_vars: dict[str, Any]
) -> list[str]:
    """dbt's argv (in-process: it never shows in ``ps``). No secret is ever part of it."""
    args = [
        "--project-dir", str(request.project_dir),
        "--profiles-dir", str(workdir / "profiles"),
        "--profile", PROFILE_NAME,
        "--target", target.target_name,
        "--log-path", str(workdir / "logs"),
        "--log-level", "none",
        "--log-level-file", "none",
        # manifest.json and run_results.json would land in the temporary target folder, which is
        # removed afterwards: writing them (the manifest twice) was ~0.6 s of CPU in a day-2
        # build of the sample project (py-spy). The partial parse file is written regardless.
        "--no-write-json",
        "--no-use-colors",
        "--no-send-anonymous-usage-stats",
        "--vars", json.dumps(dbt_vars, sort_keys=True),
    ]  # fmt: skip
    if request.command != "debug":  # the one verb without --target-path
        args += ["--target-path", str(workdir / "target")]
    if request.command in ("build", "run", "test", "snapshot", "seed", "compile", "retry"):
        args += ["--threads", str(request.threads)]
    for selector in request.select:
        args += ["--select", selector]
    for selector in request.exclude:
        args += ["--exclude", selector]
    if request.full_refresh:
        args.append("--full-refresh")
    args += list(request.extra_args)
    return args


class _quiet_dbt_env:
    """No usage tracking (no network here) and no version check while dbt runs."""

    _values: ClassVar[Mapping[str, str]] = MappingProxyType(
        {"DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    )

    def __enter__(self) -> None:
        self._previous = {name: os.environ.get(name) for name in self._values}
        os.environ.update(self._values)

    def __exit__(self, *_exc: object) -> None:
        for name, value in self._previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def base_result(outcome: DbtOutcome, settings: RunnerSettings) -> dict[str, Any]:
    """The fields every runner-dbt result has."""
    return {
        "command": outcome.request.command,
        "project": outcome.request.project_dir.name,
        "adapter": outcome.target.adapter_type,
        "tenant": settings.tenant,
        "run_id": settings.run_id,
        "schemas": {
            "bronze": outcome.schemas.bronze,
            "silver": outcome.schemas.silver,
            "gold": outcome.schemas.gold,
        },
        "seconds": outcome.seconds,
    }


def default_logger(settings: RunnerSettings) -> Any:
    """A logger carrying tenant and run id itself (dbt logs from threads without contextvars)."""
    return get_logger(tenant=settings.tenant, run_id=settings.run_id)


__all__ = [
    "DbtOutcome",
    "DbtRequest",
    "base_result",
    "dbt_args",
    "default_logger",
    "resolve_target",
    "run_dbt",
]
