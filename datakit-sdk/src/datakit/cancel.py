"""Process-wide cancellation: SIGTERM must stop every running load within seconds.

A signal reaches only the main thread. Loads running in worker threads register a callback here
(typically "cancel the query on this connection"); the SIGTERM handler fires them all, so each
worker's database call fails fast and its transaction rolls back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from datakit.errors import Terminated

_lock = threading.Lock()
_callbacks: dict[int, Callable[[], None]] = {}
_next_id = 0
_stopping = threading.Event()


@contextmanager
def on_cancel(callback: Callable[[], None]) -> Iterator[None]:
    """Run *callback* if the process is asked to stop while the block runs."""
    global _next_id
    with _lock:
        token = _next_id
        _next_id += 1
        _callbacks[token] = callback
    try:
        yield
    finally:
        with _lock:
            _callbacks.pop(token, None)


def cancel_all() -> None:
    """Mark the process as stopping and fire every registered callback (errors are ignored)."""
    _stopping.set()
    with _lock:
        callbacks = list(_callbacks.values())
    for callback in callbacks:
        with suppress(Exception):
            callback()


def check_cancelled() -> None:
    """Raise :class:`Terminated` in a worker once the process is stopping."""
    if _stopping.is_set():
        raise Terminated("terminated: stop requested (SIGTERM); the load was rolled back")


def reset() -> None:
    """Forget a previous stop request (tests run several CLI invocations in one process)."""
    _stopping.clear()


__all__ = ["cancel_all", "check_cancelled", "on_cancel", "reset"]
