"""Read ahead: run a batch iterator in a thread so reading the source overlaps writing bronze.

With both databases streaming COPY data, the runner's own loop is the bottleneck; one thread
reading while the other writes keeps both servers busy. The queue is bounded (``depth`` batches),
so memory stays flat whatever the table size.
"""

from __future__ import annotations

import contextvars
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()
_POLL_SECONDS = 0.2
# How long an abandoned reader may take to notice; it is a daemon thread after that.
_ABANDON_SECONDS = 5.0


def prefetch(
    items: Iterator[T], *, depth: int = 4, on_abandon: Callable[[], None] | None = None
) -> Iterator[T]:
    """Yield *items* as produced by a reader thread, at most *depth* ahead of the consumer.

    An exception in the reader is re-raised in the consumer. If the consumer stops early (an
    error while writing, SIGTERM), the reader is told to stop and *on_abandon* is called, e.g.
    to cancel the source query the reader may be blocked in.
    """
    channel: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                channel.put(item, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:
            put(exc)
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    context = contextvars.copy_context()
    reader = threading.Thread(target=context.run, args=(produce,), name="datakit-read", daemon=True)
    reader.start()
    finished = False
    try:
        while True:
            item = _get(channel)
            if item is _DONE:
                finished = True
                return
            if isinstance(item, BaseException):
                finished = True
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        if not finished and on_abandon is not None:
            on_abandon()
        deadline = time.monotonic() + _ABANDON_SECONDS
        while reader.is_alive() and time.monotonic() < deadline:
            try:
                channel.get_nowait()
            except queue.Empty:
                reader.join(timeout=_POLL_SECONDS)


def _get(channel: queue.Queue[object]) -> object:
    """The next item, waiting in short slices.

    The consumer is usually the main thread, the only one that runs signal handlers; a signal
    the kernel delivers to another thread does not wake a wait without a timeout, so an endless
    ``get()`` would leave SIGTERM unhandled for as long as the source sends nothing.
    """
    while True:
        try:
            return channel.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            continue


__all__ = ["prefetch"]
