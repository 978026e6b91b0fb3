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

import copy
import json
from collections.abc import Iterator, Mapping
from typing import Any

from airflow.providers.docker.exceptions import DockerContainerFailedException
from airflow.providers.docker.operators.docker import DockerOperator

from datakit_orchestration.adapters._base import IMAGE_ENV, TaskAdapter, container_env
from datakit_orchestration.adapters._runtime import (
    failure_for_exit_code,
    resolve_secret_env,
)
from datakit_orchestration.tasks import RunnerTask, SecretEnv

RESULT_DIR = "/tmp"
RESULT_FILE = f"{RESULT_DIR}/return.json"


class ExecuteTimeSecrets(Mapping[str, str]):
    """The secret environment, given to DockerOperator's public ``private_environment``.

    The provider copies ``private_environment`` into the container's environment when it creates
    the container, inside ``execute``; this mapping looks the connections up at that moment (the
    first time a value is read), never at parse time. Its names are known from the start, its
    values only while :meth:`RunnerDockerOperator.execute` runs: :meth:`forget` drops them after.
    A copy (Airflow copies operators) starts unresolved, and ``repr`` never shows a value.
    """

    def __init__(self, secret_env: Mapping[str, SecretEnv]) -> None:
        self.secret_env = dict(secret_env)
        self._values: dict[str, str] | None = None

    def _resolved(self) -> dict[str, str]:
        if self._values is None:
            self._values = resolve_secret_env(self.secret_env)
        return self._values

    def __getitem__(self, name: str) -> str:
        if name not in self.secret_env:
            raise KeyError(name)
        return self._resolved()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.secret_env)

    def __len__(self) -> int:
        return len(self.secret_env)

    def __repr__(self) -> str:
        return f"ExecuteTimeSecrets({sorted(self.secret_env)})"

    def __deepcopy__(self, memo: dict[int, Any]) -> ExecuteTimeSecrets:
        return ExecuteTimeSecrets(copy.deepcopy(self.secret_env, memo))

    @property
    def resolved(self) -> bool:
        return self._values is not None

    def resolve(self) -> None:
        """Look every connection up now (a missing one fails before a container exists)."""
        self._resolved()

    def forget(self) -> None:
        """Drop the resolved values (the names stay)."""
        self._values = None


class RunnerDockerOperator(DockerOperator):
    """DockerOperator with execute-time secrets, JSON results and exit-code-aware retries.

    Only the provider's public surface is used: secrets go in through ``private_environment``
    (an :class:`ExecuteTimeSecrets`), the result comes back through ``retrieve_output``, and a
    failed container's exit code is read from the engine (``inspect_container``) rather than
    from the text of the provider's exception; the exception's ``logs`` give the runner's error
    result for the message.
    """

    #: ``retrieve_output`` deserialises the result file with this; runners write JSON.
    pickling_library = json

    def __init__(self, *, secret_env: Mapping[str, SecretEnv], **kwargs: Any) -> None:
        secrets = ExecuteTimeSecrets(secret_env)
        # Annotated as dict by the provider, which only unpacks it (``{**private_environment}``)
        # when it creates the container: any mapping works, and the tests run that code.
        super().__init__(private_environment=secrets, **kwargs)  # type: ignore[arg-type]
        #: The same object the provider holds as its private environment.
        self.secrets = secrets
        self.secret_env = dict(secret_env)

    def execute(self, context: Any) -> Any:
        try:
            self.secrets.resolve()
            result = super().execute(context)
        except DockerContainerFailedException as exc:
            exit_code = self._exit_code()
            if exit_code is None:
                raise
            failed = self._result_file() or _result_from_logs(exc.logs)
            command = self.command[0] if isinstance(self.command, list) and self.command else ""
            raise failure_for_exit_code(
                f"{self.image} {command}".strip(), exit_code, failed
            ) from exc
        finally:
            self.secrets.forget()
        # Removed on success only (the provider's auto_remove="success" also removes failed
        # containers); a failed one stays for `docker logs` and `docker inspect`.
        if self.container is not None:
            self.cli.remove_container(self.container["Id"])
        return result

    def _result_file(self) -> dict[str, Any] | None:
        """The result file of a failed container (the provider reads it on success only)."""
        import io
        import tarfile

        from docker.errors import APIError

        if self.container is None:
            return None
        try:
            chunks, stat = self.cli.get_archive(self.container["Id"], RESULT_FILE)
            with tarfile.open(fileobj=io.BytesIO(b"".join(chunks))) as tar:
                member = tar.extractfile(stat["name"])
                value = json.load(member) if member is not None else None
        except (APIError, KeyError, OSError, ValueError, tarfile.TarError):
            return None
        return value if isinstance(value, dict) else None

    def _exit_code(self) -> int | None:
        """The failed container's exit code, from the engine (the container is kept)."""
        if self.container is None:
            return None
        state = self.cli.inspect_container(self.container["Id"]).get("State") or {}
        code = state.get("ExitCode")
        return int(code) if code is not None else None


def _result_from_logs(logs: Any) -> dict[str, Any] | None:
    """The runner's result object among a failed container's log lines (stdout and stderr merged).

    Picked by shape, not position: the result is the JSON object with a ``status`` and no
    ``event`` (log events always carry ``event``). Every object of a line is looked at: through
    the Docker API a log event and the result line can arrive glued into one line.
    """
    decoder = json.JSONDecoder()
    found = None
    for line in logs or []:
        text = line.decode(errors="replace") if isinstance(line, bytes) else str(line)
        position = text.find("{")
        while position != -1:
            try:
                value, end = decoder.raw_decode(text, position)
            except ValueError:
                position = text.find("{", position + 1)
                continue
            if isinstance(value, dict) and "status" in value and "event" not in value:
                found = value
            position = text.find("{", end)
    return found


class DockerTaskAdapter(TaskAdapter):
    """``docker``: :class:`RunnerDockerOperator` on the platform's Docker network."""

    mode = "docker"
    transport_env = frozenset({"DATAKIT_XCOM_DIR", IMAGE_ENV})

    def operator(self, task: RunnerTask, **operator_kwargs: Any) -> RunnerDockerOperator:
        platform = self.platform
        return RunnerDockerOperator(
            image=task.image,
            command=list(task.argv),
            secret_env=task.secret_env,
            environment={**container_env(task), "DATAKIT_XCOM_DIR": RESULT_DIR},
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
