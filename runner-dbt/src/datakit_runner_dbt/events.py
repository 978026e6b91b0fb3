"""dbt's events folded into the SDK's structlog stream.

dbt's console and file loggers are switched off (stdout carries only the result line); every
event still reaches :class:`EventFolder` through dbtRunner's callbacks. Node results become
``node_finished`` events with numbers, warnings and errors keep dbt's text, and the rest is
logged at debug level only with ``--debug``. dbt fires events from its worker threads, where
structlog's context variables are not set, so the logger carries tenant and run id itself.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from typing import Any

_NODE_RESULT_EVENTS = {
    "LogModelResult",
    "LogTestResult",
    "LogSnapshotResult",
    "LogSeedResult",
    "LogNodeResult",
}


@dataclass
class EventFolder:
    """A dbtRunner callback that logs dbt events and keeps the warnings and errors it saw."""

    logger: Any
    debug: bool = False
    messages: list[tuple[str, str, str]] = field(default_factory=list)
    keep: frozenset[str] = frozenset({"JinjaLogInfo", "DebugCmdOut", "DebugCmdResult"})
    """Event names whose text is kept in :attr:`kept` (e.g. dbt debug's report lines)."""
    kept: list[tuple[str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __call__(self, event: Any) -> None:
        with contextlib.suppress(Exception):  # a logging problem must never break the dbt run
            self._fold(event)

    def _fold(self, event: Any) -> None:
        info = event.info
        name = str(info.name)
        level = str(info.level)
        text = str(info.msg)
        if name in self.keep:
            with self._lock:
                self.kept.append((name, text))
        if name in _NODE_RESULT_EVENTS:
            node = event.data.node_info
            self.logger.info(
                "node_finished",
                node=node.node_name,
                resource_type=node.resource_type,
                status=node.node_status,
                seconds=_seconds(node),
            )
            return
        if level in ("warn", "error"):
            with self._lock:
                self.messages.append((level, name, text))
            log = self.logger.warning if level == "warn" else self.logger.error
            log("dbt_warned" if level == "warn" else "dbt_errored", dbt_event=name, message=text)
            return
        if name == "NodeStart":
            self.logger.debug("node_started", node=event.data.node_info.node_name)
            return
        if self.debug:
            self.logger.debug("dbt_event", dbt_event=name, message=text)

    def texts(self, *, level: str = "error") -> list[str]:
        with self._lock:
            return [text for lvl, _, text in self.messages if lvl == level]


def _seconds(node: Any) -> float | None:
    from datetime import datetime

    try:
        started = datetime.fromisoformat(str(node.node_started_at))
        finished = datetime.fromisoformat(str(node.node_finished_at))
        return round((finished - started).total_seconds(), 3)
    except (TypeError, ValueError):
        return None


__all__ = ["EventFolder"]
