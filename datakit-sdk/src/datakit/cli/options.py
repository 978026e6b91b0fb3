"""What the runner commands share: option callbacks, variable lists and reading the settings.

Options never travel through ``os.environ``: a value given on the command line (``--run-id``)
is handed to :meth:`~datakit.settings.RunnerSettings.from_env` as an argument.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from datakit.cli.environment import COMMON, KERBEROS, TIMEOUTS

if TYPE_CHECKING:
    from datakit.settings import Role, RunnerSettings

#: Returns the runner's Source class; called only when a command runs (fast ``--help``).
SourceFactoryLoader = Callable[[], Any]

#: What every command that connects to source and warehouse reads.
CONNECT_ENV = ("DATAKIT_SOURCE_URL", "DATAKIT_WAREHOUSE_URL", *COMMON, *TIMEOUTS, *KERBEROS)
#: A load also records the image it ran in (datakit.audit).
LOAD_ENV = (*CONNECT_ENV, "DATAKIT_IMAGE")
#: Tuning a load reads.
LOAD_TUNING = ("DATAKIT_READ_AHEAD_BATCHES", "DATAKIT_PROGRESS_INTERVAL_SECONDS")

RUN_ID_HELP = "Run id (default: DATAKIT_RUN_ID, else a fresh id)."


def command_settings(require: tuple[Role, ...], *, run_id: str | None = None) -> RunnerSettings:
    """The validated settings, secrets registered for masking, tenant and run id bound to logs.

    *run_id* is ``--run-id`` (it wins over ``DATAKIT_RUN_ID``).
    """
    from datakit.logging import bind_run, register_secrets
    from datakit.settings import RunnerSettings

    settings = RunnerSettings.from_env(require=require, run_id=run_id)
    register_secrets(settings.secrets())
    bind_run(tenant=settings.tenant, run_id=settings.run_id)
    return settings


def split_keys(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> tuple[str, ...] | None:
    """``--primary-key a, b`` -> ``("a", "b")``; an empty list is a usage error."""
    if value is None:
        return None
    keys = tuple(part.strip() for part in value.split(",") if part.strip())
    if not keys:
        raise click.BadParameter("give one or more column names separated by commas")
    return keys


def check_table(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """A malformed ``--table`` is a usage error (2), found before the environment is read."""
    from datakit.errors import UsageError
    from datakit.identifiers import split_qualified

    try:
        parts = split_qualified(value)
    except UsageError as exc:
        raise click.BadParameter(exc.message.removeprefix("usage error: ")) from None
    if len(parts) > 2:
        # The engine's default schema and folding apply later; only the shape is checked here.
        raise click.BadParameter(f"--table {value!r} has {len(parts)} parts; expected schema.table")
    return value


__all__ = [
    "CONNECT_ENV",
    "LOAD_ENV",
    "LOAD_TUNING",
    "RUN_ID_HELP",
    "SourceFactoryLoader",
    "check_table",
    "command_settings",
    "split_keys",
]
