"""Who ran what: the runner, image and arguments a load or build row records (issue 13).

Every row of ``_datakit_loads`` and ``_datakit_builds`` says which runner and version wrote it,
from which image (``DATAKIT_IMAGE``: the tag or digest the orchestrator started; absent when the
runner ran outside a container) and with which arguments. The database role comes from the
warehouse itself (``current_user``), so a process cannot claim to be someone else.

The CLI scaffold (:func:`datakit.cli.app.invoke`) calls :func:`start` with the command line; the
warehouse reads :func:`current` when it writes a row. Arguments are masked when read, not when
stored here, because a runner registers its secrets (URLs from the environment) only after the
command line is parsed: a secret pasted into an argument is masked all the same.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass

from datakit.secrets import mask_text

IMAGE_ENV = "DATAKIT_IMAGE"


@dataclass(frozen=True, kw_only=True)
class RunAudit:
    """What a load or build row records about the process that wrote it."""

    runner: str | None  # "runner-postgres 0.1.0"
    image: str | None  # DATAKIT_IMAGE, e.g. registry.localhost/datakit/runner-postgres:0.1.0
    arguments: tuple[str, ...]  # the command line after the program name, masked

    def arguments_json(self) -> str:
        """The arguments as a JSON array (the ``arguments`` column is ``jsonb``)."""
        return json.dumps(list(self.arguments))


_runner: str | None = None
_arguments: tuple[str, ...] = ()


def start(*, runner: str | None, arguments: Sequence[str]) -> None:
    """Remember this invocation's runner (``name version``) and command line."""
    global _runner, _arguments
    _runner = runner
    _arguments = tuple(str(argument) for argument in arguments)


def current() -> RunAudit:
    """This process' audit facts, arguments masked with every secret known by now."""
    image = os.environ.get(IMAGE_ENV, "").strip() or None
    return RunAudit(
        runner=_runner,
        image=None if image is None else mask_text(image),
        arguments=tuple(mask_text(argument) for argument in _arguments),
    )


__all__ = ["IMAGE_ENV", "RunAudit", "current", "start"]
