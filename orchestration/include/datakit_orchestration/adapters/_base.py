"""The task adapter interface: a :class:`RunnerTask` in, an Airflow operator out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from datakit_orchestration.platform import PlatformConfig
from datakit_orchestration.tasks import RunnerTask

if TYPE_CHECKING:
    from airflow.sdk import BaseOperator

ExecutionMode = Literal["docker", "kubernetes", "local", "pod"]


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
