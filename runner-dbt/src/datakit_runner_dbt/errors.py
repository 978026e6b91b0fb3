"""runner-dbt's errors, and the one place where dbt's failures become exit codes.

dbt reports problems three ways: an exception from ``dbtRunner`` (parsing, profile, connection),
a node whose status is ``error`` (a model that failed in the warehouse), or a test whose status
is ``fail``. :func:`classify_exception` and :func:`classify_node_error` decide once what each one
means for the orchestrator: failing data tests are a contract violation (5, retrying cannot
help), compilation and configuration problems are 3, an unreachable or flaky warehouse is 4.
"""

from __future__ import annotations

import re

from datakit.errors import (
    ConfigError,
    ContractError,
    DatakitError,
    TransientError,
    UsageError,
)

# Text that marks a failure a retry may cure: the server is unreachable, restarting, or rolled
# the statement back for concurrency. Wrong passwords and missing privileges are not in here:
# those are configuration errors (3), as the runner contract says (ARCHITECTURE.md#exit-codes).
_TRANSIENT = re.compile(
    r"could not connect|connection refused|connection (?:timed out|reset|to server .* failed)"
    r"|timeout expired|server closed the connection|terminating connection|no route to host"
    r"|name or service not known|temporary failure in name resolution|could not translate host"
    r"|deadlock|could not serialize|serialization failure|the database system is (?:starting|shutting)"
    r"|login timeout|communication link failure|tcp provider|network-related"
    r"|connection (?:is )?closed|broken pipe|too many connections",
    re.IGNORECASE,
)
_CONFIG_HINT = re.compile(
    r"password authentication failed|login failed|permission denied|access denied"
    r"|does not exist|not authorized|no pg_hba",
    re.IGNORECASE,
)


class DbtTestsFailed(ContractError):
    """dbt data tests failed: the data broke an agreed rule. Exit 5; a retry will not help."""


class DbtNodeError(ConfigError):
    """A model, snapshot or seed failed in the warehouse for a reason a retry will not fix."""


class DbtTransientError(TransientError):
    """The warehouse was unreachable or aborted a statement for concurrency. Exit 4."""


def is_transient(text: str) -> bool:
    """Whether a dbt or driver message describes a failure that a retry may not see again."""
    return bool(_TRANSIENT.search(text)) and not _CONFIG_HINT.search(text)


def classify_exception(exc: BaseException, *, action: str) -> DatakitError:
    """Turn an exception out of ``dbtRunner.invoke`` into a DatakitError with its exit code."""
    if isinstance(exc, DatakitError):
        return exc
    text = " ".join(str(exc).split())
    name = type(exc).__name__
    # dbt's exception classes by name along the MRO: no dbt import needed to classify, and
    # a subclass (TargetNotFoundError is a CompilationError) lands where its family does.
    family = {cls.__name__ for cls in type(exc).__mro__}
    if "DbtUsageException" in family:
        return UsageError(f"usage error: {action}: {text}")
    if "FailedToConnectError" in family or is_transient(text):
        if is_transient(text):
            return DbtTransientError(
                f"transient error: {action}: the warehouse is unreachable ({text}); retry later"
            )
        return ConfigError(f"config error: {action}: cannot connect ({text}); check the URL")
    if family & {"CompilationError", "ParsingError", "DbtProjectError", "DbtProfileError"}:
        return ConfigError(f"config error: {action}: {text}")
    if family & {"DbtRuntimeError", "DbtDatabaseError", "DbtConfigError", "DbtValidationError"}:
        return ConfigError(f"config error: {action}: {text}")
    return DatakitError(f"internal error: {action}: {name}: {text} (rerun with --debug)")


def classify_node_error(message: str) -> type[DatakitError]:
    """The error class for a node that ended with status ``error``."""
    return DbtTransientError if is_transient(message) else DbtNodeError


__all__ = [
    "DbtNodeError",
    "DbtTestsFailed",
    "DbtTransientError",
    "classify_exception",
    "classify_node_error",
    "is_transient",
]
