"""Process-wide cancellation: SIGTERM must stop every running load within seconds.

A signal reaches only the main thread. Loads running in worker threads register a callback here
(typically "cancel the query on this connection"); the SIGTERM handler fires them all, so each
worker's database call fails fast and its transaction rolls back. Every database connection the
SDK opens is also tracked (weakly), so a query running in a phase that registered nothing is
cancelled too.

The callbacks run in parallel threads and the handler waits for them at most
:data:`CANCEL_WAIT_SECONDS`: a cancel request to a server that does not answer must not hold up
the exit it is meant to speed up.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from datakit.errors import Terminated

CANCEL_WAIT_SECONDS = 3.0

# Re-entrant: the SIGTERM handler runs in the main thread, which may hold it at that moment.
_lock = threading.RLock()
_callbacks: dict[int, Callable[[], None]] = {}
_tracked: weakref.WeakSet[Any] = weakref.WeakSet()
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


def track(connection: Any) -> None:
    """Cancel *connection*'s running query (``cancel_safe``) on stop, for as long as it lives."""
    with _lock:
        _tracked.add(connection)


def cancel_all() -> None:
    """Mark the process as stopping and fire every callback, waiting a few seconds at most.

    Errors of the callbacks are ignored: the stop goes on whatever they do.
    """
    _stopping.set()
    with _lock:
        callbacks = list(_callbacks.values())
        callbacks += [_cancel_query(conn) for conn in list(_tracked) if not conn.closed]
    threads = [
        threading.Thread(target=_quietly, args=(callback,), name="datakit-cancel", daemon=True)
        for callback in callbacks
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + CANCEL_WAIT_SECONDS
    for thread in threads:
        thread.join(max(deadline - time.monotonic(), 0))


def _cancel_query(connection: Any) -> Callable[[], None]:
    return lambda: connection.cancel_safe(timeout=CANCEL_WAIT_SECONDS)


def _quietly(callback: Callable[[], None]) -> None:
    with suppress(Exception):
        callback()


def stopping() -> bool:
    """True once the process was asked to stop."""
    return _stopping.is_set()


def check_cancelled() -> None:
    """Raise :class:`Terminated` in a worker once the process is stopping."""
    if _stopping.is_set():
        raise Terminated("terminated: stop requested (SIGTERM); the load was rolled back")


def reset() -> None:
    """Forget a previous stop request (tests run several CLI invocations in one process)."""
    _stopping.clear()


__all__ = [
    "CANCEL_WAIT_SECONDS",
    "cancel_all",
    "check_cancelled",
    "on_cancel",
    "reset",
    "stopping",
    "track",
]
