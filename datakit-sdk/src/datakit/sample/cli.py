"""``datakit sample``: load the sample source and advance its simulated day.

The database comes from ``DATAKIT_SOURCE_URL`` (or ``DATAKIT_SOURCE_URL_FILE``), like every runner's
source, so the URL and its password never appear in argv. psycopg is imported inside the commands
so that ``--help`` stays fast and works without the ``postgres`` extra.
"""

from __future__ import annotations

import time

import click

from datakit.cli.environment import COMMON, env_epilog
from datakit.result import emit_result
from datakit.settings import RunnerSettings


def _source_url() -> str:
    from datakit.logging import bind_run, register_secrets

    settings = RunnerSettings.from_env(require=("source",))
    register_secrets(settings.secrets())
    bind_run(tenant=settings.tenant, run_id=settings.run_id)
    return settings.require_url("source").secret.reveal()


@click.group(name="sample")
def sample() -> None:
    """A deterministic retail sample source (schema shop) for demos and end-to-end tests."""


_EPILOG = env_epilog(["DATAKIT_SOURCE_URL", *COMMON])


def _check_scale(_ctx: click.Context, _param: click.Parameter, value: str) -> float:
    """A bad ``--scale`` is a usage error (exit 2), found before the environment is read."""
    from datakit.errors import UsageError
    from datakit.sample.generator import parse_scale

    try:
        return parse_scale(value)
    except UsageError as exc:
        raise click.BadParameter(exc.message.removeprefix("usage error: ")) from None


@sample.command("load", epilog=_EPILOG)
@click.option(
    "--scale",
    default="small",
    show_default=True,
    metavar="S",
    callback=_check_scale,
    help="A positive number or tiny (0.01), small (1), medium (10), large (100); "
    "scale 1 is 1,000 customers, 10,000 orders and 30,000 order lines.",
)
def load_command(scale: float) -> None:
    """Replace schema shop with the sample data for --scale (same scale, same bytes)."""
    from datakit.sample.generator import current_day, load_sample

    factor = scale
    url = _source_url()
    started = time.monotonic()
    rows = load_sample(url, scale=factor)
    emit_result(
        {
            "status": "ok",
            "command": "sample load",
            "scale": factor,
            "day": current_day(url),
            "rows": rows,
            "seconds": round(time.monotonic() - started, 3),
        }
    )


@sample.command("next-day", epilog=_EPILOG)
def next_day_command() -> None:
    """Advance the simulated day by one and apply its inserts, updates and deletes."""
    from datakit.sample.generator import current_day, next_day

    url = _source_url()
    started = time.monotonic()
    changes = next_day(url)
    emit_result(
        {
            "status": "ok",
            "command": "sample next-day",
            "day": current_day(url),
            "changes": changes,
            "seconds": round(time.monotonic() - started, 3),
        }
    )


__all__ = ["sample"]
