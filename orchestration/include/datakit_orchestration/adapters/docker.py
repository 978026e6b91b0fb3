"""``DATAKIT_EXECUTION=docker``: one DockerOperator container per runner task.

- argv goes to ``command`` (the image's ENTRYPOINT is the runner CLI);
- secrets are resolved from Airflow connections when the task executes and passed as
  ``private_environment``, which DockerOperator neither templates nor logs;
- the container joins the platform's network (``platform.yaml`` docker.network, where the
  registry and databases of ``docker compose up`` live) and is removed when it succeeds; a
  failed one stays for ``docker logs`` (its output is in the task log too);
- XCom: the runner writes its result to ``/tmp/return.json`` (``DATAKIT_XCOM_DIR=/tmp``) and the
  operator copies it out of the container through the Docker API, which works when Airflow
  itself runs in a container (no shared host folder needed).
"""

from __future__ import annotations

import json
import re
from typing import Any

from airflow.providers.docker.exceptions import DockerContainerFailedException
from airflow.providers.docker.operators.docker import DockerOperator

from datakit_orchestration.adapters._base import TaskAdapter
from datakit_orchestration.adapters._runtime import failure_for_exit_code, resolve_secret_env
from datakit_orchestration.tasks import RunnerTask, SecretEnv

RESULT_DIR = "/tmp"
RESULT_FILE = f"{RESULT_DIR}/return.json"


class RunnerDockerOperator(DockerOperator):
    """DockerOperator with execute-time secrets, JSON results and exit-code-aware retries."""

    #: ``retrieve_output`` deserialises the result file with this; runners write JSON.
    pickling_library = json
    #: Variable name -> connection, resolved in :meth:`execute`. Set by the adapter after
    #: construction rather than through ``__init__``: every ``__init__`` level of an operator
    #: class adds Airflow's default-arguments wrapper, a measurable share of parse time.
    secret_env: dict[str, SecretEnv] = {}

    def execute(self, context: Any) -> Any:
        self._private_environment = resolve_secret_env(self.secret_env)
        try:
            result = super().execute(context)
        except DockerContainerFailedException as exc:
            match = re.search(r"'StatusCode': (\d+)", str(exc))
            if match is None:
                raise
            command = self.command[0] if isinstance(self.command, list) and self.command else ""
            raise failure_for_exit_code(f"{self.image} {command}".strip(), int(match[1])) from exc
        finally:
            self._private_environment = {}
        # Removed on success only (the provider's auto_remove="success" also removes failed
        # containers); a failed one stays for `docker logs` and `docker inspect`.
        if self.container is not None:
            self.cli.remove_container(self.container["Id"])
        return result


class DockerTaskAdapter(TaskAdapter):
    """``docker``: :class:`RunnerDockerOperator` on the platform's Docker network."""

    mode = "docker"
    transport_env = frozenset({"DATAKIT_XCOM_DIR"})

    def operator(self, task: RunnerTask, **operator_kwargs: Any) -> RunnerDockerOperator:
        platform = self.platform
        operator = RunnerDockerOperator(
            image=task.image,
            command=list(task.argv),
            environment={**task.env, "DATAKIT_XCOM_DIR": RESULT_DIR},
            network_mode=platform.docker_network,
            docker_url=platform.docker_url,
            auto_remove="never",
            mount_tmp_dir=False,
            retrieve_output=True,
            retrieve_output_path=RESULT_FILE,
            mem_limit=task.resources.memory_bytes,
            cpus=task.resources.cpu_cores,
            force_pull=False,
            tty=False,
            queue=task.queue,
            doc_md=task.description,
            **operator_kwargs,
        )
        operator.secret_env = dict(task.secret_env)
        return operator
