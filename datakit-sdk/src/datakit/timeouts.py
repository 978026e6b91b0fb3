"""How long a runner waits on a database before it gives up (exit 4, a retry may help).

Three settings, read from the environment so the orchestrator sets them per task:

=====================================  =======  =============================================
variable                               default  bounds
=====================================  =======  =============================================
``DATAKIT_CONNECT_TIMEOUT_SECONDS``    10       opening a connection
``DATAKIT_LOCK_TIMEOUT_SECONDS``       300      waiting for a table lock another session holds
                                                (0: wait as long as it takes)
``DATAKIT_STATEMENT_TIMEOUT_SECONDS``  0        any one statement, including the COPY of a
                                                whole table (0: no limit)
=====================================  =======  =============================================

Why these defaults: a lock held by someone else for five minutes is a stall, not a load; a
statement's length depends on the table, so only the operator can bound it. A connection whose
peer vanished without closing it is found by TCP keepalives (about a minute), whatever these
say. Loads of the same table queue on an advisory lock, which waits without limit (SIGTERM still
ends the wait), so concurrent runs keep queueing instead of failing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from datakit.errors import ConfigError

CONNECT_VARIABLE = "DATAKIT_CONNECT_TIMEOUT_SECONDS"
LOCK_VARIABLE = "DATAKIT_LOCK_TIMEOUT_SECONDS"
STATEMENT_VARIABLE = "DATAKIT_STATEMENT_TIMEOUT_SECONDS"


@dataclass(frozen=True)
class Timeouts:
    """The three timeouts in seconds; 0 means "no limit" for lock and statement."""

    connect_seconds: int = 10
    lock_seconds: float = 300.0
    statement_seconds: float = 0.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Timeouts:
        """Read the ``DATAKIT_*_TIMEOUT_SECONDS`` variables; a bad value is a config error."""
        env = os.environ if env is None else env
        problems: list[str] = []

        def number(name: str, default: float, *, minimum: float) -> float:
            text = (env.get(name) or "").strip()
            if not text:
                return default
            try:
                value = float(text)
            except ValueError:
                value = float("nan")
            if not value >= minimum or value > 86_400 * 7:
                problems.append(
                    f"{name}={text!r} must be a number of seconds from {minimum:g} to 604800"
                )
                return default
            return value

        connect = number(CONNECT_VARIABLE, cls.connect_seconds, minimum=1)
        lock = number(LOCK_VARIABLE, cls.lock_seconds, minimum=0)
        statement = number(STATEMENT_VARIABLE, cls.statement_seconds, minimum=0)
        if problems:
            raise ConfigError("; ".join(problems))
        # libpq takes whole seconds for connect_timeout (and treats 1 as 2).
        return cls(
            connect_seconds=max(round(connect), 1), lock_seconds=lock, statement_seconds=statement
        )

    def server_options(self) -> str:
        """``-c`` options for a session: the lock and statement timeouts, in milliseconds."""
        return (
            f"-c lock_timeout={_ms(self.lock_seconds)} "
            f"-c statement_timeout={_ms(self.statement_seconds)}"
        )


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


__all__ = [
    "CONNECT_VARIABLE",
    "LOCK_VARIABLE",
    "STATEMENT_VARIABLE",
    "Timeouts",
]
