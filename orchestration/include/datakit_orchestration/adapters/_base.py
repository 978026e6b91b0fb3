"""The task adapter interface: a :class:`RunnerTask` in, an Airflow operator out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from datakit_orchestration.platform import PlatformConfig
from datakit_orchestration.tasks import RunnerTask

if TYPE_CHECKING:
    from airflow.sdk import BaseOperator

ExecutionMode = Literal["docker", "kubernetes", "local", "pod"]

#: The image a containerised task runs, which the runner records in its load audit
#: (``_datakit_loads.image``). Only the container modes set it: a local process runs no image, and
#: the audit must not claim one it did not run (the SDK never guesses it either).
IMAGE_ENV = "DATAKIT_IMAGE"


def container_env(task: RunnerTask) -> dict[str, str]:
    """The task's plain environment plus :data:`IMAGE_ENV`, for the modes that start its image."""
    return {**task.env, IMAGE_ENV: task.image}


class TaskAdapter(ABC):
    """Turns runner tasks into operators for one execution mode.

    Subclasses only map fields (Cosmos' thin per-mode operators): what runs is decided by the
    task, so every mode runs the same image, argv and environment names.
    """

    mode: ClassVar[ExecutionMode]
    #: Variables an adapter adds for its own plumbing (where the result file goes), on top of
    #: the task's environment. The parity test allows exactly these differences.
    transport_env: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, *, platform: PlatformConfig) -> None:
        self.platform = platform

    @abstractmethod
    def operator(self, task: RunnerTask, **operator_kwargs: Any) -> BaseOperator:
        """Build the operator; *operator_kwargs* (task_id, pool, retries ...) pass through."""
