"""Timeouts from the environment, and a cancellation that cannot be held up by a callback."""

from __future__ import annotations

import threading
import time

import pytest

from datakit import cancel
from datakit.errors import ConfigError
from datakit.settings import RunnerSettings
from datakit.timeouts import Timeouts


def test_defaults_and_overrides() -> None:
    assert Timeouts.from_env({}) == Timeouts(
        connect_seconds=10, lock_seconds=300, statement_seconds=0
    )
    given = Timeouts.from_env(
        {
            "DATAKIT_CONNECT_TIMEOUT_SECONDS": "3",
            "DATAKIT_LOCK_TIMEOUT_SECONDS": "0.5",
            "DATAKIT_STATEMENT_TIMEOUT_SECONDS": "3600",
        }
    )
    assert given == Timeouts(connect_seconds=3, lock_seconds=0.5, statement_seconds=3600)
    assert given.server_options() == "-c lock_timeout=500 -c statement_timeout=3600000"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATAKIT_CONNECT_TIMEOUT_SECONDS", "0"),
        ("DATAKIT_LOCK_TIMEOUT_SECONDS", "-1"),
        ("DATAKIT_STATEMENT_TIMEOUT_SECONDS", "soon"),
        ("DATAKIT_STATEMENT_TIMEOUT_SECONDS", "nan"),
        ("DATAKIT_LOCK_TIMEOUT_SECONDS", "1e9"),
    ],
)
def test_bad_values_are_config_errors_naming_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        Timeouts.from_env({variable: value})
    with pytest.raises(ConfigError, match=variable):
        RunnerSettings.from_env({variable: value})


def test_cancel_all_is_bounded_by_a_callback_that_never_returns() -> None:
    release = threading.Event()
    fired: list[str] = []
    try:
        with (
            cancel.on_cancel(lambda: release.wait(60)),
            cancel.on_cancel(lambda: fired.append("second")),
        ):
            t0 = time.monotonic()
            cancel.cancel_all()
            elapsed = time.monotonic() - t0
        assert elapsed < cancel.CANCEL_WAIT_SECONDS + 1
        assert fired == ["second"], "one stuck callback must not keep the others from running"
        assert cancel.stopping()
        with pytest.raises(Exception, match="terminated"):
            cancel.check_cancelled()
    finally:
        release.set()
        cancel.reset()
