"""``DATAKIT_EXECUTION=pod``: the production pod spec, run on one machine by ``podman kube play``.

A development mode ("run the production pod spec on a laptop"), not a second pod builder: the
operator *is* the Kubernetes adapter's :class:`RunnerPodOperator`, built by the same adapter code
with ``hostNetwork: true``; when the task executes, the provider's own
``build_pod_request_obj`` renders the very pod KubernetesPodOperator would send (pod template
per queue, security contexts, requests = limits, env, ``secretKeyRef`` env, xcom sidecar and its
``xcom`` volume), and podman runs that spec.

What podman cannot take as it is, and what this adapter does instead (nothing else changes):

- Kubernetes Secrets: podman has no namespaces and its 4.3 ``kube play`` cannot read a ``kind:
  Secret`` document back through ``secretKeyRef``. The adapter resolves the task's connections
  from Airflow (as the platform does when it syncs the Kubernetes Secrets), stores them as podman
  secrets with the same keys (``url``, ``password``) under a name unique to the pod
  (``<secret>.<pod name>``), renames the ``secretKeyRef`` accordingly, and removes them when the
  pod is gone. Values go through stdin, never argv; the pod file holds only references.
  Under podman they are visible to root in ``podman inspect`` of the container while it exists.
- The xcom sidecar image (``alpine``) cannot be pulled here (no registry): the sidecar runs the
  task's own image (it needs only ``sh``, ``sleep``, ``cat``), with the same command, security
  context and ``xcom`` volume. The result travels as in Kubernetes: the runner writes
  ``/airflow/xcom/return.json`` on the pod's shared ``emptyDir``, and the operator reads it
  through the sidecar (``podman exec <pod>-airflow-xcom-sidecar cat ...``, what the provider
  does with ``kubectl exec``).
- Service account, namespace, node selectors and tolerations mean nothing on one machine;
  podman ignores them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from datakit_orchestration.adapters._base import ExecutionMode
from datakit_orchestration.adapters._runtime import (
    failure_for_exit_code,
    parse_result,
    resolve_secret_env,
)
from datakit_orchestration.adapters.kubernetes import (
    BASE_CONTAINER,
    KubernetesTaskAdapter,
    RunnerPodOperator,
)
from datakit_orchestration.tasks import RunnerTask, SecretEnv

#: The container name the provider gives its xcom sidecar, and the file the runner writes.
SIDECAR_CONTAINER = "airflow-xcom-sidecar"
XCOM_FILE = "/airflow/xcom/return.json"
#: ``podman kube down`` stops containers with SIGTERM and this grace period (runner contract: 10 s).
STOP_TIMEOUT_SECONDS = 15


class PodmanPodOperator(RunnerPodOperator):
    """Render the pod as KubernetesPodOperator does, then run it with ``podman kube play``."""

    def __init__(self, *, secret_env: Mapping[str, SecretEnv], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        #: Environment variable -> connection, for the podman secrets that stand in for the
        #: Kubernetes Secrets (resolved in :meth:`execute`, never stored on the operator).
        self.secret_env = dict(secret_env)
        self._pod_file: Path | None = None

    def execute(self, context: Any) -> dict[str, Any] | None:
        podman = shutil.which("podman")
        if podman is None:
            from airflow.sdk.exceptions import AirflowFailException

            raise AirflowFailException(
                "config error: DATAKIT_EXECUTION=pod needs podman on PATH (apt-get install "
                "podman runc catatonit)"
            )
        from kubernetes.client import ApiClient

        pod = self.build_pod_request_obj(context, dry_run=True)
        spec: dict[str, Any] = ApiClient().sanitize_for_serialization(pod)
        name = spec["metadata"]["name"]
        secrets = podman_secrets(spec, resolve_secret_env(self.secret_env), suffix=name)
        use_task_image_for_sidecar(spec)
        with tempfile.TemporaryDirectory(prefix="datakit-pod-") as folder:
            pod_file = Path(folder) / f"{name}.json"
            # JSON is YAML: podman reads it as a pod file.
            pod_file.write_text(json.dumps(spec, indent=1))
            self._pod_file = pod_file
            try:
                for secret, data in secrets.items():
                    _podman(podman, "secret", "create", secret, "-", stdin=json.dumps(data))
                self.log.info("podman kube play %s (pod %s, hostNetwork)", pod_file.name, name)
                _podman(podman, "kube", "play", str(pod_file))
                self._follow_logs(podman, f"{name}-{BASE_CONTAINER}")
                waited = _podman(podman, "wait", f"{name}-{BASE_CONTAINER}")
                exit_code = int(waited.stdout.strip().splitlines()[-1])
                result = self._read_result(podman, f"{name}-{SIDECAR_CONTAINER}")
            finally:
                self._pod_file = None
                subprocess.run(
                    [podman, "kube", "down", str(pod_file)], capture_output=True, check=False
                )
                if secrets:
                    subprocess.run(
                        [podman, "secret", "rm", *secrets], capture_output=True, check=False
                    )
        if exit_code != 0:
            command = self.arguments[0] if self.arguments else "runner"
            raise failure_for_exit_code(f"{self.image} {command}", exit_code, result)
        return result

    def _follow_logs(self, podman: str, container: str) -> None:
        """The base container's output into the task log, as the provider's ``get_logs`` does."""
        process = subprocess.Popen(
            [podman, "logs", "--follow", container],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert process.stdout is not None
        pump = threading.Thread(target=self._pump, args=(process.stdout,), daemon=True)
        pump.start()
        process.wait()
        pump.join()

    def _pump(self, stream: Any) -> None:
        for line in stream:
            self.log.info("%s", line.rstrip("\n"))

    def _read_result(self, podman: str, sidecar: str) -> dict[str, Any] | None:
        """``return.json`` read through the sidecar, then the sidecar told to stop (SIGINT).

        As the provider does it: ``cat`` the file, then ``kill -s INT 1`` through ``sh`` (a shell
        builtin: the image has no ``kill`` binary); the sidecar's trap exits 0, so the pod stops
        at once instead of waiting for ``kube down``'s grace period.
        """
        read = subprocess.run(
            [podman, "exec", sidecar, "cat", XCOM_FILE], capture_output=True, text=True, check=False
        )
        stop = subprocess.run(
            [podman, "exec", sidecar, "sh", "-c", "kill -s INT 1"], capture_output=True, check=False
        )
        if stop.returncode == 0:
            subprocess.run([podman, "wait", sidecar], capture_output=True, check=False)
        return parse_result(read.stdout) if read.returncode == 0 else None

    def on_kill(self) -> None:
        """Stop the pod: SIGTERM to every container, SIGKILL after the grace period."""
        pod_file, podman = self._pod_file, shutil.which("podman")
        if pod_file is not None and podman is not None:
            subprocess.run(
                [podman, "kube", "down", str(pod_file)],
                capture_output=True,
                check=False,
                timeout=STOP_TIMEOUT_SECONDS + 30,
            )


def podman_secrets(
    spec: dict[str, Any], values: Mapping[str, str], *, suffix: str
) -> dict[str, dict[str, str]]:
    """Rename every ``secretKeyRef`` of *spec* to a podman secret unique to the pod; their data.

    *values* maps each secret environment variable to its resolved value. A podman secret holds
    a JSON object of key -> base64 value (what ``kube play`` reads for ``secretKeyRef``).
    """
    import base64

    secrets: dict[str, dict[str, str]] = {}
    for container in spec["spec"]["containers"]:
        for var in container.get("env") or []:
            ref = (var.get("valueFrom") or {}).get("secretKeyRef")
            if ref is None:
                continue
            podman_name = f"{ref['name']}.{suffix}"
            value = values[var["name"]].encode()
            secrets.setdefault(podman_name, {})[ref["key"]] = base64.b64encode(value).decode()
            ref["name"] = podman_name
    return secrets


def use_task_image_for_sidecar(spec: dict[str, Any]) -> None:
    """The xcom sidecar runs the base container's image (its own cannot be pulled here)."""
    containers = spec["spec"]["containers"]
    base = next(c for c in containers if c["name"] == BASE_CONTAINER)
    for container in containers:
        if container["name"] == SIDECAR_CONTAINER:
            container["image"] = base["image"]
            container["imagePullPolicy"] = "Never"


def _podman(podman: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([podman, *args], input=stdin, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        from airflow.sdk.exceptions import AirflowException

        raise AirflowException(f"podman {args[0]} {args[1]} failed: {done.stderr.strip()[-2000:]}")
    return done


class PodTaskAdapter(KubernetesTaskAdapter):
    """``pod``: the Kubernetes adapter's operator, run by podman on this machine."""

    mode: ClassVar[ExecutionMode] = "pod"
    operator_class: ClassVar[type[RunnerPodOperator]] = PodmanPodOperator

    def mode_kwargs(self, task: RunnerTask) -> dict[str, Any]:
        # Host networking: the pod reaches servers on 127.0.0.1, never podman's bridge.
        return {"hostnetwork": True, "secret_env": dict(task.secret_env)}


__all__ = ["PodTaskAdapter", "PodmanPodOperator"]
