"""Task adapters: one module per execution mode, chosen by ``DATAKIT_EXECUTION``.

``docker`` -> :mod:`.docker` (DockerOperator), ``kubernetes`` -> :mod:`.kubernetes`
(KubernetesPodOperator), ``local`` -> :mod:`.local` (a subprocess), ``pod`` -> :mod:`.pod` (the
Kubernetes pod spec run by ``podman kube play``, a development mode). Only the chosen mode's
module is imported: the Kubernetes client alone takes seconds to import.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import get_args

from datakit_orchestration.adapters._base import ExecutionMode, TaskAdapter
from datakit_orchestration.errors import ExecutionModeError
from datakit_orchestration.platform import PlatformConfig

EXECUTION_ENV = "DATAKIT_EXECUTION"
DEFAULT_MODE: ExecutionMode = "docker"
MODES: tuple[ExecutionMode, ...] = get_args(ExecutionMode)


def execution_mode(environ: Mapping[str, str] = os.environ) -> ExecutionMode:
    """``$DATAKIT_EXECUTION`` (default ``docker``, what ``astro dev start`` runs)."""
    value = (environ.get(EXECUTION_ENV) or DEFAULT_MODE).strip().lower()
    if value not in MODES:
        raise ExecutionModeError(
            f"config error: {EXECUTION_ENV}={value!r} is not an execution mode "
            f"(use one of: {', '.join(MODES)})"
        )
    return value  # type: ignore[return-value,unused-ignore]


def adapter_for(mode: ExecutionMode, *, platform: PlatformConfig) -> TaskAdapter:
    """The adapter of *mode*, importing only that mode's operator module."""
    if mode == "docker":
        from datakit_orchestration.adapters.docker import DockerTaskAdapter

        return DockerTaskAdapter(platform=platform)
    if mode == "kubernetes":
        from datakit_orchestration.adapters.kubernetes import KubernetesTaskAdapter

        return KubernetesTaskAdapter(platform=platform)
    if mode == "local":
        from datakit_orchestration.adapters.local import LocalTaskAdapter

        return LocalTaskAdapter(platform=platform)
    if mode == "pod":
        from datakit_orchestration.adapters.pod import PodTaskAdapter

        return PodTaskAdapter(platform=platform)
    raise ExecutionModeError(f"config error: unknown execution mode {mode!r}")


__all__ = [
    "EXECUTION_ENV",
    "MODES",
    "ExecutionMode",
    "TaskAdapter",
    "adapter_for",
    "execution_mode",
]
