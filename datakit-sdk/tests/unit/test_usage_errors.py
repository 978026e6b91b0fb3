"""``datakit sample``: bad option values exit 2 (usage), a missing source URL exits 3 (config).

Through the real console script, without any connection configured: the usage errors must be
found before the environment is read.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from datakit.errors import EXIT_CONFIG
from datakit.testing.runner_process import RunnerProcess
from datakit.testing.usage_errors import BadArgv, check_bad_argv

DATAKIT = RunnerProcess([str(Path(sys.executable).with_name("datakit"))])
CASES = (
    BadArgv("sample load --scale abc", ("sample", "load", "--scale", "abc"), "--scale"),
    BadArgv("sample load --scale 0", ("sample", "load", "--scale", "0"), "--scale"),
    BadArgv("sample load --scale 1e9", ("sample", "load", "--scale", "1e9"), "--scale"),
    BadArgv("sample load unknown option", ("sample", "load", "--size", "1"), "--size"),
    BadArgv("sample next-day unknown option", ("sample", "next-day", "--days", "2"), "--days"),
    BadArgv("unknown subcommand", ("sample", "drop"), "drop"),
    BadArgv("sample load, no env", ("sample", "load", "--scale", "tiny"), "DATAKIT_SOURCE_URL",
            EXIT_CONFIG),
)  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.label)
def test_bad_command_lines_exit_with_their_class(case: BadArgv) -> None:
    check_bad_argv(case, DATAKIT.run(*case.argv, timeout=60))
