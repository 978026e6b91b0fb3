"""dbt failures map to the documented exit codes in one place."""

from __future__ import annotations

import pytest

from datakit_runner_dbt.errors import classify_exception, classify_node_error, is_transient


class CompilationError(Exception):
    """Named like dbt's, which is all the classifier looks at."""


class FailedToConnectError(Exception):
    pass


class DbtUsageException(Exception):
    pass


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (CompilationError("'ref' is undefined"), 3),
        (FailedToConnectError("could not connect to server: Connection refused"), 4),
        (FailedToConnectError('password authentication failed for user "x"'), 3),
        (DbtUsageException("No such option: --nope"), 2),
        (RuntimeError("something odd"), 1),
    ],
    ids=["compilation", "unreachable", "wrong-password", "usage", "unknown"],
)
def test_exceptions_map_to_exit_codes(exc: Exception, code: int) -> None:
    assert classify_exception(exc, action="dbt build").exit_code == code


@pytest.mark.parametrize(
    ("message", "transient"),
    [
        ("deadlock detected", True),
        ("could not serialize access due to concurrent update", True),
        ("server closed the connection unexpectedly", True),
        ('relation "bronze.shop__orders" does not exist', False),
        ("division by zero", False),
    ],
)
def test_node_errors_are_transient_only_when_a_retry_can_help(
    message: str, transient: bool
) -> None:
    assert is_transient(message) is transient
    assert classify_node_error(message).exit_code == (4 if transient else 3)
