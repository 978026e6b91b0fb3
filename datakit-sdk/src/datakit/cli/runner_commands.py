"""The runner commands every runner shares (``extract``, ``run``, ``check``, ``provision``,
``discover``), attached to a runner's click group in one call.

Heavy modules (drivers, the load protocol) are imported inside the commands, so ``--help`` and
``--version`` stay fast.
"""

from __future__ import annotations

from collections.abc import Mapping

import click

from datakit.cli.check import add_check_command
from datakit.cli.discover import add_discover_command
from datakit.cli.environment import COMMON, KERBEROS, TIMEOUTS, env_epilog
from datakit.cli.extract import add_extract_command
from datakit.cli.options import CONNECT_ENV, LOAD_ENV, LOAD_TUNING, SourceFactoryLoader
from datakit.cli.provision import add_provision_command
from datakit.cli.run_job import add_run_command

#: discover reads the warehouse URL's scheme only, to show the bronze types of that warehouse.
DISCOVER_WAREHOUSE_HELP = (
    "optional: its scheme picks the warehouse whose bronze types discover shows (not connected "
    "to; unset: the runner's default warehouse)"
)


def add_runner_commands(
    group: click.Group,
    *,
    source_type: str,
    source_factory: SourceFactoryLoader,
    source_env: Mapping[str, str] | None = None,
    warehouse_engine: str,
) -> None:
    """Attach the shared commands to *group*; *source_factory* returns the Source class lazily.

    *source_env* names the variables the runner's source reads itself (variable -> meaning), so
    that ``extract --help`` and ``run --help`` list them with the SDK's. *warehouse_engine* is
    the warehouse whose bronze types ``discover`` shows when ``DATAKIT_WAREHOUSE_URL`` is unset
    (the runner's default warehouse: required, the SDK has no default engine).
    """
    runner_env = dict(source_env or {})
    load_epilog = env_epilog([*LOAD_ENV, *LOAD_TUNING, *runner_env], runner_env)
    add_extract_command(
        group, source_type=source_type, source_factory=source_factory, epilog=load_epilog
    )
    add_run_command(
        group, source_type=source_type, source_factory=source_factory, epilog=load_epilog
    )
    add_check_command(
        group,
        source_factory=source_factory,
        epilog=env_epilog([*CONNECT_ENV, *runner_env], runner_env),
    )
    add_provision_command(group)
    add_discover_command(
        group,
        source_type=source_type,
        source_factory=source_factory,
        warehouse_engine=warehouse_engine,
        epilog=env_epilog(
            [
                "DATAKIT_SOURCE_URL",
                "DATAKIT_WAREHOUSE_URL",
                *COMMON,
                *TIMEOUTS,
                *KERBEROS,
                *runner_env,
            ],
            {**runner_env, "DATAKIT_WAREHOUSE_URL": DISCOVER_WAREHOUSE_HELP},
        ),
    )


__all__ = ["add_runner_commands"]
