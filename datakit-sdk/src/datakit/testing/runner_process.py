"""Run a runner CLI as a real subprocess and read its output the way an orchestrator would."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RunnerOutput:
    """A finished runner process: exit code, raw streams, result object and log events."""

    exit_code: int
    stdout: str
    stderr: str
    seconds: float
    result: dict[str, Any] | None = None
    events: list[dict[str, Any]] = field(default_factory=list)

    def events_named(self, name: str) -> list[dict[str, Any]]:
        return [event for event in self.events if event.get("event") == name]

    @property
    def error_message(self) -> str:
        if self.result and "error" in self.result:
            return str(self.result["error"].get("message", ""))
        return ""


def parse_output(exit_code: int, stdout: str, stderr: str, seconds: float) -> RunnerOutput:
    lines = [line for line in stdout.splitlines() if line.strip()]
    result = None
    if lines:
        try:
            result = json.loads(lines[-1])
        except json.JSONDecodeError:
            result = None
    events = []
    for line in stderr.splitlines():
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            events.append(value)
    return RunnerOutput(exit_code, stdout, stderr, seconds, result, events)


@dataclass
class RunnerProcess:
    """How to start one runner: its argv prefix and base environment."""

    command: Sequence[str]
    env: Mapping[str, str] = field(default_factory=dict)

    def _env(self, extra: Mapping[str, str | None] | None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DATAKIT_")}
        env.update(self.env)
        env.setdefault("DATAKIT_LOG_FORMAT", "json")
        for key, value in (extra or {}).items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def run(
        self, *args: str, env: Mapping[str, str | None] | None = None, timeout: float = 300
    ) -> RunnerOutput:
        t0 = time.monotonic()
        proc = subprocess.run(
            [*self.command, *args],
            env=self._env(env),
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        return parse_output(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - t0)

    def start(
        self,
        *args: str,
        env: Mapping[str, str | None] | None = None,
        new_session: bool = False,
    ) -> subprocess.Popen[str]:
        """Start the runner; *new_session* puts it in a process group of its own, so a test
        can SIGKILL it with every process it started (a JVM, a psql), as a pod's end does."""
        return subprocess.Popen(
            [*self.command, *args],
            env=self._env(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            stdin=subprocess.DEVNULL,
            start_new_session=new_session,
        )

    @staticmethod
    def finish(proc: subprocess.Popen[str], t0: float, timeout: float = 60) -> RunnerOutput:
        stdout, stderr = proc.communicate(timeout=timeout)
        return parse_output(proc.returncode, stdout, stderr, time.monotonic() - t0)

    @staticmethod
    def signal(proc: subprocess.Popen[str], signum: int = signal.SIGTERM) -> None:
        proc.send_signal(signum)


__all__ = ["RunnerOutput", "RunnerProcess", "parse_output"]
