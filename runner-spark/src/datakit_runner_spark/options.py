"""Runner options that reach the source's reads: set once by the CLI, read by the source.

Kept as module state (not the environment) because the SDK's commands build the source from a
factory without runner-specific arguments; ``--partitions`` is parsed before any load starts.
"""

from __future__ import annotations

_partitions: int | None = None


def set_partitions(value: int | None) -> None:
    """``--partitions N``: split each JDBC read into N ranges (None: the cluster's default)."""
    global _partitions
    _partitions = value


def partitions() -> int | None:
    """The requested partition count, None for the cluster's default parallelism."""
    return _partitions


__all__ = ["partitions", "set_partitions"]
