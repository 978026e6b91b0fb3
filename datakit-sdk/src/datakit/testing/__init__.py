"""The runner testing kit: real Postgres fixtures, a runner process driver, the acceptance suite."""

from __future__ import annotations

from datakit.testing.postgres import PostgresServer, docker_available, start_postgres
from datakit.testing.runner_process import RunnerOutput, RunnerProcess


def acceptance_class(*, source: str, warehouse: str) -> type:
    """The acceptance suite base class for a pair (imported lazily: it needs pytest)."""
    from datakit.testing.acceptance import acceptance_class as _acceptance_class

    return _acceptance_class(source=source, warehouse=warehouse)


__all__ = [
    "PostgresServer",
    "RunnerOutput",
    "RunnerProcess",
    "acceptance_class",
    "docker_available",
    "start_postgres",
]
