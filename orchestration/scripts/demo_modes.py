"""Where the demo's tasks run: ``DATAKIT_EXECUTION=local`` (default), ``docker`` or ``pod``.

- ``local``: the runner CLIs of the sibling components, as subprocesses (no engine needed).
- ``docker``: the tenant DAG's DockerOperator tasks launch the runner images through the Docker
  Engine API: Docker's own socket when Docker answers, else ``podman system service`` on a
  socket in the demo folder, started here and stopped at the end. Containers use the host
  network (they reach the embedded Postgres on 127.0.0.1; nothing goes to podman's bridge).
- ``pod``: each task renders the pod KubernetesPodOperator would send and runs it with ``podman
  kube play`` (``hostNetwork: true``), see ``datakit_orchestration.adapters.pod``.

The images are the runner images of this checkout, built (or reused by content hash) by
``images/build.py`` through ``datakit.testing.containers.build_images``, the script behind
``make images``. The demo points a platform file of its own (a copy of ``include/platform.yaml``
with these image names, host networking and the engine's socket) at the DAGs through
``DATAKIT_PLATFORM_FILE``: the tenant files and the DAG code are the production ones.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = PROJECT_DIR.parent
PLATFORM_FILE = PROJECT_DIR / "include" / "platform.yaml"
DEMO_MODES = ("local", "docker", "pod")
#: The components whose images the demo tenant runs (postgres source, dbt transform).
DEMO_COMPONENTS = ("runner-postgres", "runner-dbt")
#: Operator class (Airflow's task_instance.operator) -> where the task ran.
OPERATOR_MODES = {
    "LocalRunnerOperator": "local (subprocess)",
    "RunnerDockerOperator": "docker (container through the Docker API)",
    "PodmanPodOperator": "pod (podman kube play)",
    "RunnerPodOperator": "kubernetes (pod)",
}
API_START_SECONDS = 30


class DemoModeError(RuntimeError):
    """A mode cannot run here; the message says what is missing."""


def demo_mode(environ: Mapping[str, str] = os.environ) -> str:
    """``$DATAKIT_EXECUTION`` for the demo (default ``local``)."""
    mode = (environ.get("DATAKIT_EXECUTION") or "local").strip().lower()
    if mode not in DEMO_MODES:
        raise DemoModeError(
            f"DATAKIT_EXECUTION={mode!r}: the demo runs one of {', '.join(DEMO_MODES)} "
            "(kubernetes needs a cluster: use pod to run its pod spec with podman)"
        )
    return mode


def describe(mode: str) -> str:
    """One line: where *mode* runs the tasks."""
    return {
        "local": "runner CLIs as subprocesses (DATAKIT_EXECUTION=docker or pod for containers)",
        "docker": "DockerOperator, runner images through the Docker API (host network)",
        "pod": "the KubernetesPodOperator pod spec, run by podman kube play (hostNetwork)",
    }[mode]


@dataclass
class Execution:
    """What one mode needs while the DAG runs; :meth:`stop` releases it."""

    mode: str
    platform_file: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    images: dict[str, str] = field(default_factory=dict)
    engine: str = ""
    _service: subprocess.Popen[bytes] | None = None

    def stop(self) -> None:
        """Stop the Docker API service this demo started (its own process only)."""
        service, self._service = self._service, None
        if service is not None and service.poll() is None:
            service.terminate()
            try:
                service.wait(timeout=20)
            except subprocess.TimeoutExpired:
                service.kill()
                service.wait()


def start(mode: str, workdir: Path, images: Mapping[str, str] | None = None) -> Execution:
    """Prepare *mode*: nothing for ``local``; engine, images, platform file (and API) otherwise.

    *images* (component -> image reference) skips the build: a caller running several modes
    builds once (:func:`runner_images`), so every mode runs the same images.
    """
    if mode == "local":
        return Execution(mode)
    from datakit.testing.containers import detect_engine

    engine = detect_engine(REPO_ROOT)
    if engine is None:
        raise DemoModeError(
            f"DATAKIT_EXECUTION={mode} needs a container engine: neither docker nor podman "
            "answers (apt-get install podman buildah runc catatonit debootstrap)"
        )
    if mode == "pod" and engine.kind != "podman":
        raise DemoModeError("DATAKIT_EXECUTION=pod runs pods with podman kube play: install podman")
    if images is None:
        images = runner_images()
    execution = Execution(mode, images=dict(images), engine=engine.kind, env=dict(engine.env))
    docker_url = ""
    if mode == "docker" and engine.kind == "podman":
        socket = workdir / "podman.sock"
        docker_url = f"unix://{socket}"
        execution._service = subprocess.Popen(
            engine.command("system", "service", "--time=0", docker_url),
            env={**os.environ, **engine.env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_api(docker_url, execution)
        print(f"    podman system service on {docker_url} (pid {execution._service.pid})")
    execution.platform_file = write_platform_file(
        workdir / "platform.yaml", images=images, docker_url=docker_url
    )
    return execution


def runner_images() -> dict[str, str]:
    """Build (or reuse, by content hash) this checkout's demo images; component -> reference."""
    from datakit.testing.containers import BuildError, build_images

    started = time.monotonic()
    try:
        built = build_images(REPO_ROOT, DEMO_COMPONENTS)
    except BuildError as exc:
        last = str(exc).strip().splitlines()[-1] if str(exc).strip() else ""
        raise DemoModeError(f"images/build.py failed (make images shows why): {last}") from exc
    images = {image.component: image.ref for image in built}
    how = ", ".join(i.component for i in built if i.built) or "none, reused"
    print(
        f"    images {', '.join(images.values())} "
        f"({time.monotonic() - started:.1f} s; built: {how})"
    )
    return images


def _wait_for_api(url: str, execution: Execution) -> None:
    import docker

    deadline = time.monotonic() + API_START_SECONDS
    while True:
        try:
            docker.APIClient(base_url=url, timeout=5).ping()
            return
        except Exception as exc:
            service = execution._service
            if service is not None and service.poll() is not None:
                raise DemoModeError(f"podman system service exited {service.returncode}") from exc
            if time.monotonic() > deadline:
                execution.stop()
                raise DemoModeError(f"the Docker API on {url} did not answer") from exc
            time.sleep(0.2)


def write_platform_file(path: Path, *, images: Mapping[str, str], docker_url: str) -> Path:
    """``include/platform.yaml`` with this checkout's images, host networking and *docker_url*.

    Everything else (runners, provisioning, defaults, queues, pod templates, Kubernetes names)
    is the production file's.
    """
    data: dict[str, Any] = yaml.safe_load(PLATFORM_FILE.read_text(encoding="utf-8"))
    entries = [*data["runners"].values(), data["transform"]]
    for entry in entries:
        component = entry["command"]  # runner-postgres, runner-dbt, ...: the component name
        if component in images:
            repository, _, tag = images[component].rpartition(":")
            registry, _, image = repository.partition("/")
            if registry != data["registry"]:
                raise DemoModeError(f"image {images[component]} is not in {data['registry']}")
            entry["image"], entry["tag"] = image, tag
    for queue in data["queues"].values():
        queue["pod_template"] = str((PLATFORM_FILE.parent / queue["pod_template"]).resolve())
    data["docker"] = {"network": "host", "url": docker_url}
    path.write_text(
        "# Written by scripts/demo_modes.py for one demo run.\n" + yaml.safe_dump(data),
        encoding="utf-8",
    )
    return path


def where_tasks_ran(airflow_db: Path, dag_id: str, run_id: str) -> dict[str, str]:
    """Task id -> where it ran, from the operator class Airflow recorded for it."""
    with sqlite3.connect(airflow_db) as db:
        rows = db.execute(
            "select task_id, operator from task_instance where dag_id = ? and run_id = ?",
            [dag_id, run_id],
        ).fetchall()
    return {task: OPERATOR_MODES.get(operator or "", operator or "?") for task, operator in rows}


__all__ = [
    "DEMO_MODES",
    "DemoModeError",
    "Execution",
    "demo_mode",
    "start",
    "where_tasks_ran",
    "write_platform_file",
]
