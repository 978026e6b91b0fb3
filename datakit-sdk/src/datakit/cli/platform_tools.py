"""The ``datakit`` console script: platform tools that are not a runner (the sample source).

Built on the SDK's runner group, so it shares ``--version``, ``--debug``, JSON logs on stderr, the
result line on stdout and the exit codes of every runner.
"""

from __future__ import annotations

from typing import NoReturn

import click

import datakit
from datakit.cli.app import run_main, runner_group
from datakit.cli.status import status
from datakit.sample.cli import sample


def build_cli() -> click.Group:
    """A fresh ``datakit`` group with its subcommands (tests invoke it through ``invoke``)."""
    group = runner_group(
        name="datakit",
        version=datakit.__version__,
        help="Datakit platform tools. `datakit sample load --scale S` seeds the sample source.",
    )
    group.add_command(sample)
    group.add_command(status)
    return group


cli = build_cli()


def main() -> NoReturn:
    run_main(cli)


__all__ = ["build_cli", "cli", "main"]
