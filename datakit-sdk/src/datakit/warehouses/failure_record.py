"""Writing a failed load's row: bounded in time, best effort, for every warehouse.

A load that failed has rolled back; its load-log row is written afterwards on a connection of
its own. The warehouse is often why the load failed (hung, unreachable), and a SIGTERM must not
wait on it, so the row is written by a daemon thread that gets a few seconds: the warehouse puts
connect and statement timeouts of :data:`RECORD_TIMEOUT_SECONDS` inside *write*, and the join
timeout here covers a server that answers nothing at all. A row that cannot be written is a
warning, never a second failure: the load's own error is what the run reports.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from datakit.contracts import TableRef
from datakit.logging import get_logger
from datakit.secrets import mask_text

#: Seconds a warehouse gives the connection and the statement that write the failure row.
RECORD_TIMEOUT_SECONDS = 3

_log = get_logger()


def record_in_background(
    write: Callable[[], None],
    *,
    target: TableRef,
    expected: tuple[type[BaseException], ...],
) -> None:
    """Run *write* in a daemon thread for at most ``2 * RECORD_TIMEOUT_SECONDS + 1`` seconds.

    An exception of the *expected* types, or no answer in time, is logged as
    ``load_failure_not_recorded`` (masked, one line); anything else is a bug and propagates in
    the thread like any other.
    """
    problem: list[str] = []

    def run() -> None:
        try:
            write()
        except expected as exc:
            problem.append(f"{type(exc).__name__}: {exc}")

    bound = RECORD_TIMEOUT_SECONDS * 2 + 1
    writer = threading.Thread(target=run, name="datakit-record-failure", daemon=True)
    writer.start()
    writer.join(bound)
    if writer.is_alive():
        problem.append(f"no answer within {bound} s")
    if problem:
        _log.warning(
            "load_failure_not_recorded",
            table=str(target),
            reason=mask_text(" ".join(problem[0].split())),
        )


__all__ = ["RECORD_TIMEOUT_SECONDS", "record_in_background"]
