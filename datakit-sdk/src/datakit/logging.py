"""structlog set-up: JSON events on stderr, bound with tenant and run id, secrets masked."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import MutableMapping
from typing import Any

import structlog

from datakit.secrets import mask_text, register_secrets


def _mask_secrets(
    _logger: Any, _name: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key, value in list(event.items()):
        if isinstance(value, str):
            event[key] = mask_text(value)
    return event


class _StderrLogger:
    """Prints each event to the ``sys.stderr`` of the moment it is written.

    structlog's ``PrintLoggerFactory(file=sys.stderr)`` keeps the stream it was configured with;
    a CLI invoked in-process (tests, ``click.testing``) swaps ``sys.stderr`` and later closes it,
    and every event after that would fail with "I/O operation on closed file".
    """

    _lock = threading.Lock()

    def msg(self, message: str) -> None:
        with self._lock:
            print(message, file=sys.stderr, flush=True)

    log = debug = info = warn = warning = error = critical = exception = fatal = msg


def _stderr_logger(*_args: Any) -> _StderrLogger:
    return _StderrLogger()


def configure_logging(*, log_format: str = "json", debug: bool = False) -> None:
    """Route structlog events to stderr as JSON lines (or coloured console lines for humans)."""
    renderer: Any
    if log_format == "console":
        renderer = structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    else:
        renderer = structlog.processors.JSONRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            _mask_secrets,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.DEBUG if debug else logging.INFO
        ),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )


def bind_run(*, tenant: str | None, run_id: str) -> None:
    """Bind tenant and run id into every event of this process (and its threads' copies)."""
    structlog.contextvars.bind_contextvars(tenant=tenant, run_id=run_id)


def get_logger(**bound: Any) -> Any:
    return structlog.get_logger("datakit").bind(**bound)


__all__ = ["bind_run", "configure_logging", "get_logger", "register_secrets"]
