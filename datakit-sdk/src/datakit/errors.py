"""Errors that carry their exit code.

Every failure a runner can report maps to one of the documented exit codes, decided here once:

=====  =====================================================  ============
code   meaning                                                retry helps?
=====  =====================================================  ============
0      success
1      unexpected internal error (a bug)                      no
2      usage error (bad option)                               no
3      configuration error (env, URL, unknown table, auth)    no
4      a system is unreachable, or a transient database error yes
5      data contract violation (refused schema change, cast)  no
=====  =====================================================  ============
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_CONFIG = 3
EXIT_TRANSIENT = 4
EXIT_CONTRACT = 5
EXIT_TERMINATED = 143  # 128 + SIGTERM, as a shell reports a terminated process


class DatakitError(Exception):
    """Root of every error the SDK and runners raise on purpose.

    The message is the whole story in one line: the thing, the value, the next step.
    """

    exit_code: int = EXIT_INTERNAL
    kind: str = "internal"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(DatakitError):
    """A bad or missing command-line option."""

    exit_code = EXIT_USAGE
    kind = "usage"


class ConfigError(DatakitError):
    """Missing or invalid environment, bad URL, wrong credentials, unknown table or column."""

    exit_code = EXIT_CONFIG
    kind = "config"


class TransientError(DatakitError):
    """A system cannot be reached now, or a database error that a retry may not see again."""

    exit_code = EXIT_TRANSIENT
    kind = "transient"


class ContractError(DatakitError):
    """The data broke the contract: a refused schema change, a value that cannot be cast."""

    exit_code = EXIT_CONTRACT
    kind = "contract"


class Terminated(DatakitError):
    """The process was asked to stop (SIGTERM); the running load was rolled back."""

    exit_code = EXIT_TERMINATED
    kind = "terminated"


__all__ = [
    "EXIT_CONFIG",
    "EXIT_CONTRACT",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_TERMINATED",
    "EXIT_TRANSIENT",
    "EXIT_USAGE",
    "ConfigError",
    "ContractError",
    "DatakitError",
    "Terminated",
    "TransientError",
    "UsageError",
]
