"""Bad command lines for the shared runner commands, and what every runner must answer.

A bad option value, an unknown option or a missing required one is a usage error: exit 2, found
before the environment is read (so the cases run without any connection configured), with the
result line every failure has. A configuration problem (a missing variable) stays exit 3. Each
runner's tests run this table through its real console script.
"""

from __future__ import annotations

from dataclasses import dataclass

from datakit.errors import EXIT_CONFIG, EXIT_USAGE
from datakit.testing.runner_process import RunnerOutput


@dataclass(frozen=True)
class BadArgv:
    """One command line, the exit code it must give and a text the error must contain."""

    label: str
    argv: tuple[str, ...]
    names: str
    exit_code: int = EXIT_USAGE


_T = ("--table", "shop.orders")
RUNNER_USAGE_CASES: tuple[BadArgv, ...] = (
    BadArgv("extract --mode nope", ("extract", *_T, "--mode", "nope"), "--mode"),
    BadArgv(
        "extract --on-schema-change nope",
        ("extract", *_T, "--on-schema-change", "nope"),
        "--on-schema-change",
    ),
    BadArgv("extract --batch-rows abc", ("extract", *_T, "--batch-rows", "abc"), "--batch-rows"),
    BadArgv("extract --batch-rows 0", ("extract", *_T, "--batch-rows", "0"), "--batch-rows"),
    BadArgv("extract --table a.b.c", ("extract", "--table", "a.b.c"), "--table"),
    BadArgv("extract --primary-key ,", ("extract", *_T, "--primary-key", ","), "--primary-key"),
    BadArgv(
        "extract incremental, no cursor", ("extract", *_T, "--mode", "incremental"), "--cursor"
    ),
    BadArgv("extract without --table", ("extract",), "--table"),
    BadArgv("extract unknown option", ("extract", *_T, "--no-such-option"), "--no-such-option"),
    BadArgv("run --parallel 0", ("run", "--job", "job.yaml", "--parallel", "0"), "--parallel"),
    BadArgv("run without --job", ("run",), "--job"),
    BadArgv("provision --tenant Bad-Name", ("provision", "--tenant", "Bad-Name"), "--tenant"),
    BadArgv("provision without --tenant", ("provision",), "--tenant"),
    BadArgv("check unknown option", ("check", "--schema", "x"), "--schema"),
    BadArgv("discover unknown option", ("discover", "--table", "x"), "--table"),
    BadArgv("unknown command", ("load",), "load"),
    BadArgv("unknown group option", ("--verbose", "check"), "--verbose"),
    # Control rows: good command lines without the environment are configuration errors.
    BadArgv("extract, no env", ("extract", *_T), "DATAKIT_", EXIT_CONFIG),
    BadArgv("provision, no env", ("provision", "--tenant", "acme"), "DATAKIT_", EXIT_CONFIG),
    # The job file is the deployment's configuration, like the environment: 3, not 2.
    BadArgv(
        "run, job file missing", ("run", "--job", "/nonexistent/job.yaml"), "--job", EXIT_CONFIG
    ),
)


def check_bad_argv(case: BadArgv, output: RunnerOutput) -> None:
    """The exit code, a result line of the matching kind naming the option, no traceback."""
    kind = "usage" if case.exit_code == EXIT_USAGE else "config"
    assert output.exit_code == case.exit_code, (case.label, output.exit_code, output.stderr[-800:])
    assert output.result is not None, (case.label, output.stdout[-800:])
    assert output.result["status"] == "failed"
    assert output.result["error"]["kind"] == kind, (case.label, output.result)
    assert output.result["error"]["exit_code"] == case.exit_code
    assert case.names in output.result["error"]["message"], (case.label, output.result)
    assert "Traceback" not in output.stderr


__all__ = ["RUNNER_USAGE_CASES", "BadArgv", "check_bad_argv"]
