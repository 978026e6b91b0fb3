"""Bad option values are usage errors (exit 2), through the real runner-postgres process.

No connection is configured: a usage error must be found before the environment is read,
while a good command line without the environment stays a configuration error (exit 3).
"""

from __future__ import annotations

import sys

import pytest

from datakit.testing.runner_process import RunnerProcess
from datakit.testing.usage_errors import RUNNER_USAGE_CASES, BadArgv, check_bad_argv

RUNNER = RunnerProcess([sys.executable, "-m", "datakit_runner_postgres"])


@pytest.mark.parametrize("case", RUNNER_USAGE_CASES, ids=lambda case: case.label)
def test_bad_command_lines_exit_with_their_class(case: BadArgv) -> None:
    check_bad_argv(case, RUNNER.run(*case.argv, timeout=60))
