"""Checks that a runner CLI documents itself: help on every command and option, env in README.

Each runner's tests call these on its click group, so a new option without help text, or a new
environment variable that ``--help`` and the README do not name, fails in that runner's tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import click

ENV_NAME = re.compile(r"\bDATAKIT_[A-Z0-9_]*[A-Z0-9]\b")


def walk(group: click.Command, path: str = "") -> Iterator[tuple[str, click.Command]]:
    """Every command under *group* (itself included) with its full name, e.g. ``sample load``."""
    yield path, group
    if isinstance(group, click.Group):
        for name in sorted(group.commands):
            yield from walk(group.commands[name], f"{path} {name}".strip())


def missing_help(group: click.Group) -> list[str]:
    """Commands and options (and arguments) whose help text is empty, as readable names."""
    problems: list[str] = []
    for name, command in walk(group):
        label = name or group.name or "(group)"
        if not (command.help or command.short_help or "").strip():
            problems.append(f"command {label!r} has no help")
        for param in command.params:
            text = getattr(param, "help", None)
            if not (text or "").strip():
                problems.append(f"{label}: {'/'.join(param.opts)} has no help")
    return problems


def documented_environment(group: click.Group) -> dict[str, set[str]]:
    """Command name -> the ``DATAKIT_*`` variables its help and epilog name."""
    found: dict[str, set[str]] = {}
    for name, command in walk(group):
        text = f"{command.help or ''}\n{command.epilog or ''}"
        found[name] = set(ENV_NAME.findall(text))
    return found


def environment_read_by(sources: Iterable[Path]) -> set[str]:
    """The ``DATAKIT_*`` names spelled out in these source files (what the code can read).

    Names built at run time (``f"DATAKIT_{role}_URL"``) are spelled out elsewhere too (in their
    error messages), so a textual scan finds them; ``*_FILE`` forms are folded into their base.
    """
    names: set[str] = set()
    for path in sources:
        names |= set(ENV_NAME.findall(path.read_text(encoding="utf-8")))
    return {name.removesuffix("_FILE") for name in names}


def readme_gaps(readme: Path, group: click.Group) -> list[str]:
    """Commands (inside a code span) and documented variables the README does not mention."""
    text = readme.read_text(encoding="utf-8")
    problems: list[str] = []
    for name, _command in walk(group):
        # The name inside a code span: `sample load`, `datakit sample load --scale S`, `extract`.
        span = rf"`[^`\n]*(?<![\w-]){re.escape(name)}(?![\w-])[^`\n]*`"
        if name and not re.search(span, text):
            problems.append(f"command `{name}` is not in {readme.name}")
    for names in documented_environment(group).values():
        for variable in sorted(names):
            if variable not in text:
                problems.append(f"{variable} is not in {readme.name}")
    return sorted(set(problems))


def undocumented_environment(group: click.Group, read: set[str]) -> list[str]:
    """Variables in *read* that no command's help or epilog names."""
    named: set[str] = set()
    for names in documented_environment(group).values():
        named |= {name.removesuffix("_FILE") for name in names}
    return sorted(read - named)


__all__ = [
    "documented_environment",
    "environment_read_by",
    "missing_help",
    "readme_gaps",
    "undocumented_environment",
    "walk",
]
