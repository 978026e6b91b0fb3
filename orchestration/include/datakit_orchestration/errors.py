"""Errors of the orchestration layer: configuration problems with their file, line and field.

A tenant file can have many problems at once; they are collected as :class:`Problem` values and
reported together (CI shows all of them, Airflow shows all of them as one import error), instead
of stopping at the first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


def display_path(path: Path) -> str:
    """A path as a person would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a configuration file: ``file:line path: message``."""

    file: Path
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"{display_path(self.file)}:{self.line} {self.path}: {self.message}"


class OrchestrationError(Exception):
    """Root of the errors raised by ``datakit_orchestration``."""


class ConfigError(OrchestrationError):
    """A configuration file (tenant or platform) has problems; the message lists every one."""

    def __init__(self, problems: Iterable[Problem], *, what: str = "configuration") -> None:
        self.problems = sorted(problems)
        files = sorted({display_path(p.file) for p in self.problems})
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        count = len(self.problems)
        super().__init__(
            f"{what} error: {count} problem{'s' if count != 1 else ''} in {', '.join(files)}"
            f" (fix them, then check with `python -m datakit_orchestration.validate`)\n{lines}"
        )


class TenantConfigError(ConfigError):
    """One or more tenant files are invalid; their tenants get no DAG until fixed."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        super().__init__(problems, what="tenant configuration")


class PlatformConfigError(ConfigError):
    """``include/platform.yaml`` is invalid: no tenant can be built until it is fixed."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        super().__init__(problems, what="platform configuration")


class ExecutionModeError(OrchestrationError):
    """``DATAKIT_EXECUTION`` names no known execution mode."""
