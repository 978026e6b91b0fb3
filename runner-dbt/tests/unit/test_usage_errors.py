"""Bad option values are usage errors (exit 2), through the real runner-dbt process.

No warehouse is configured: a usage error must be found before the environment is read, while
a good command line without the environment stays a configuration error (exit 3).
"""

from __future__ import annotations

import pytest

from datakit.errors import EXIT_CONFIG
from datakit.testing.runner_process import RunnerProcess
from datakit.testing.usage_errors import BadArgv, check_bad_argv
from tests.conftest import RUNNER_DBT

RUNNER = RunnerProcess(RUNNER_DBT)
POSTGRES_URL = {"DATAKIT_WAREHOUSE_URL": "postgresql://u@127.0.0.1:1/db"}
CASES = (
    BadArgv("build --threads 0", ("build", "--threads", "0"), "--threads"),
    BadArgv("build --threads abc", ("build", "--threads", "abc"), "--threads"),
    BadArgv("build --vars [1]", ("build", "--vars", "[1]"), "--vars"),
    BadArgv("build --vars not json", ("build", "--vars", "{x"), "--vars"),
    BadArgv("build --project nope", ("build", "--project", "nope"), "--project"),
    BadArgv("build --project bad name", ("build", "--project", "a b"), "--project"),
    BadArgv("check --project nope", ("check", "--project", "nope"), "--project"),
    BadArgv("test --full-refresh", ("test", "--full-refresh"), "--full-refresh"),
    BadArgv("ls --result-file", ("ls", "--result-file", "x.json"), "--result-file"),
    BadArgv("compile --target-type oracle", ("compile", "--offline", "--target-type", "oracle"),
            "--target-type"),
    BadArgv("compile --target-type without --offline", ("compile", "--target-type", "spark"),
            "--target-type"),
    BadArgv("discover unknown option", ("discover", "--select", "x"), "--select"),
    BadArgv("unknown command", ("deploy",), "deploy"),
    BadArgv("build, no env", ("build",), "DATAKIT_WAREHOUSE_URL", EXIT_CONFIG),
)  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.label)
def test_bad_command_lines_exit_with_their_class(case: BadArgv) -> None:
    check_bad_argv(case, RUNNER.run(*case.argv, timeout=120))


def test_target_type_must_match_the_url() -> None:
    case = BadArgv("mismatch", ("compile", "--offline", "--target-type", "spark"), "--target-type")
    check_bad_argv(case, RUNNER.run(*case.argv, env=POSTGRES_URL, timeout=120))
