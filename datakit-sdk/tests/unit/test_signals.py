"""A signal the kernel delivers to a worker thread still reaches the main thread within a second.

Only the main thread runs Python signal handlers, and it runs them only when it wakes up; while it
waits for a batch from a source that sends nothing, it must wake up on its own. The signal is aimed
at a helper thread (``pthread_kill``), as the kernel may do with a SIGTERM sent to the process.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator

import pytest

from datakit.load.prefetch import prefetch


class Stop(Exception):
    pass


def test_a_signal_handled_by_another_thread_interrupts_the_waiting_consumer() -> None:
    handled: list[float] = []

    def handler(_signum: int, _frame: object) -> None:
        handled.append(time.monotonic())
        raise Stop

    release = threading.Event()

    def silent_source() -> Iterator[int]:
        release.wait(30)
        yield 1

    helper = threading.Thread(target=release.wait, args=(30,), daemon=True)
    helper.start()
    previous = signal.signal(signal.SIGUSR1, handler)
    timer = threading.Timer(0.3, signal.pthread_kill, args=(helper.ident, signal.SIGUSR1))
    t0 = time.monotonic()
    try:
        timer.start()
        with pytest.raises(Stop):
            for _ in prefetch(silent_source(), depth=1):
                pass
        # (Leaving the loop then waits a bounded while for the stuck reader thread.)
        assert handled[0] - t0 < 3, "the handler waited for the source"
    finally:
        release.set()
        timer.cancel()
        signal.signal(signal.SIGUSR1, previous)
