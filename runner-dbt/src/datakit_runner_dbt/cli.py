"""The ``runner-dbt`` command line: dbt's own verbs, plus the runner contract's check/discover.

``runner-dbt build --select tag:silver`` is ``dbt build --select tag:silver`` with the profile
built from ``DATAKIT_WAREHOUSE_URL``, the tenant's schemas from ``DATAKIT_TENANT``, the SDK's
JSON logs on stderr and one result object on stdout. dbt itself is imported inside the
commands, so ``--help`` and ``--version`` stay fast.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, NoReturn

import click

from datakit.cli.app import run_main, runner_group
from datakit.cli.environment import COMMON, env_epilog
from datakit_runner_dbt import __version__
from datakit_runner_dbt.projects import DEFAULT_PROJECT, PROJECTS_DIR_VARIABLE

DBT_VERBS = ("build", "run", "test", "snapshot", "seed", "compile", "ls")
_FULL_REFRESH_VERBS = ("build", "run", "seed", "compile")
_HELP = {
    "build": "Run models, snapshots, seeds and tests in DAG order (dbt build).",
    "run": "Build models (dbt run).",
    "test": "Run data tests (dbt test); failing tests exit 5.",
    "snapshot": "Record SCD2 history (dbt snapshot).",
    "seed": "Load seed CSVs (dbt seed).",
    "compile": "Compile SQL without running it (dbt compile); --offline needs no warehouse.",
    "ls": "List the selected nodes (dbt ls).",
}
_RESULT_VERBS = ("build", "run", "test", "snapshot", "seed", "compile")
OFFLINE_TARGET_TYPES = ("postgres", "sqlserver", "spark")
_RUNNER_ENV = {
    PROJECTS_DIR_VARIABLE: "folder of dbt projects (default: the ones shipped in the package)",
    "DATAKIT_TENANT": "tenant id: reads <tenant>_bronze, writes <tenant>_silver and <tenant>_gold",
}
_EPILOG = env_epilog(["DATAKIT_WAREHOUSE_URL", *_RUNNER_ENV, *COMMON], _RUNNER_ENV)
_COMPILE_EPILOG = _EPILOG.replace(
    "DATAKIT_WAREHOUSE_URL: ",
    "DATAKIT_WAREHOUSE_URL: (optional with --offline, see --target-type) ",
)


def _check_project(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """An unknown ``--project`` is a usage error (2), found before the environment is read."""
    from datakit.errors import UsageError
    from datakit_runner_dbt.projects import resolve_project

    try:
        resolve_project(value)
    except UsageError as exc:
        raise click.BadParameter(exc.message.removeprefix("usage error: ")) from None
    return value


def _project_option() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--project",
        default=DEFAULT_PROJECT,
        show_default=True,
        callback=_check_project,
        help=f"dbt project: a folder under the projects folder (${PROJECTS_DIR_VARIABLE}).",
    )


def _parse_vars(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dict[str, Any]:
    if not value:
        return {}
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not JSON ({exc.msg} at char {exc.pos})") from None
    if not isinstance(parsed, dict):
        raise click.BadParameter('must be a JSON object, e.g. {"start_date": "2024-01-01"}')
    return parsed


def _common_options(verb: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        options = [
            _project_option(),
            click.option("--select", "-s", "select", multiple=True,
                         help="dbt node selection (repeatable), e.g. tag:silver."),
            click.option("--exclude", multiple=True, help="dbt nodes to leave out (repeatable)."),
            click.option("--vars", "dbt_vars", callback=_parse_vars,
                         help="Extra project vars as a JSON object (tenant schemas always win)."),
            click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True,
                         help="Nodes dbt runs at once."),
        ]  # fmt: skip
        if verb in _FULL_REFRESH_VERBS:
            options.append(
                click.option("--full-refresh", is_flag=True, help="Rebuild incremental models.")
            )
        if verb in _RESULT_VERBS:
            options += [
                click.option("--result-detail", is_flag=True,
                             help="Also put every node's status, rows and time in the result "
                             "line (large: ~25 KB for the reference project)."),
                click.option("--result-file", type=click.Path(dir_okay=False, writable=True),
                             help="Write the full result, every node included, to this JSON "
                             "file; the result line names it."),
            ]  # fmt: skip
        if verb == "compile":
            options.append(
                click.option(
                    "--target-type",
                    type=click.Choice(OFFLINE_TARGET_TYPES),
                    help="With --offline: compile for this warehouse type when "
                    "DATAKIT_WAREHOUSE_URL is not set (default postgres); must match it when set.",
                )
            )
            options.append(
                click.option(
                    "--offline",
                    is_flag=True,
                    help="Compile without a warehouse connection, as against an empty warehouse "
                    "(is_incremental() is false, no introspective queries).",
                )
            )
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def _make_verb(verb: str) -> click.Command:
    @click.pass_context
    def command(ctx: click.Context, **options: Any) -> None:
        from datakit_runner_dbt.commands import run_verb

        code = run_verb(verb, debug=bool(ctx.obj.get("debug")), **options)
        ctx.exit(code)

    command.__doc__ = _HELP[verb]
    epilog = _COMPILE_EPILOG if verb == "compile" else _EPILOG
    return click.command(name=verb, help=_HELP[verb], epilog=epilog)(_common_options(verb)(command))


def build_cli() -> click.Group:
    """The click group: dbt's verbs, check, discover, parse, --version and --debug."""
    group = runner_group(
        name="runner-dbt",
        version=__version__,
        help=(
            "Build silver and gold from bronze with dbt (postgres, sqlserver or spark).\n\n"
            "The warehouse comes from DATAKIT_WAREHOUSE_URL (or DATAKIT_WAREHOUSE_URL_FILE) and "
            "the schemas from DATAKIT_TENANT, never from options."
        ),
    )
    for verb in DBT_VERBS:
        group.add_command(_make_verb(verb))

    @group.command(
        help="Connect to the warehouse, find the bronze sources, create silver/gold.",
        epilog=_EPILOG,
    )
    @_project_option()
    @click.pass_context
    def check(ctx: click.Context, project: str) -> None:
        from datakit_runner_dbt.commands import run_check

        ctx.exit(run_check(project=project, debug=bool(ctx.obj.get("debug"))))

    @group.command(
        help="Models, snapshots, sources and tests with their tags, as JSON.", epilog=_EPILOG
    )
    @_project_option()
    @click.pass_context
    def discover(ctx: click.Context, project: str) -> None:
        from datakit_runner_dbt.commands import run_discover

        ctx.exit(run_discover(project=project, debug=bool(ctx.obj.get("debug"))))

    @group.command(
        help="Parse the project and store the parse for fast starts (image build).",
        epilog=_EPILOG,
    )
    @_project_option()
    @click.pass_context
    def parse(ctx: click.Context, project: str) -> None:
        from datakit_runner_dbt.commands import run_parse

        ctx.exit(run_parse(project=project, debug=bool(ctx.obj.get("debug"))))

    return group


cli = build_cli()


def main() -> NoReturn:
    run_main(cli)


__all__ = ["DBT_VERBS", "build_cli", "cli", "main"]
