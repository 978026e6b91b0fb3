"""``DATAKIT_EXECUTION=local``: the runner CLI as a subprocess of the Airflow worker.

For development and CI where no container engine exists. The subprocess gets the same argv and
environment names as the container would, and nothing else from the worker: a worker's
environment may hold ``AIRFLOW_CONN_*`` secrets of every tenant, so only a short allow-list of
harmless variables (PATH, HOME, locale, TMPDIR) is passed through.

The runner CLI is found by the image's command name (``include/platform.yaml`` runners ->
``command``) in the folders of ``$DATAKIT_RUNNER_PATH`` first, then ``PATH``: a developer points
that variable at the runners' virtualenvs, e.g. ``runner-postgres/.venv/bin``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from airflow.sdk import BaseOperator

from datakit_orchestration.adapters._base import TaskAdapter
from datakit_orchestration.adapters._runtime import (
    failure_for_exit_code,
    parse_result,
    resolve_secret_env,
)
from datakit_orchestration.tasks import RunnerTask, SecretEnv

#: Worker variables a runner may see; everything else stays in the worker.
PASSTHROUGH_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "SYSTEMROOT")
#: SIGTERM grace period: the runner contract promises a stop within 10 s.
STOP_TIMEOUT_SECONDS = 15


class LocalRunnerOperator(BaseOperator):
    """Run a runner CLI as a subprocess; return its result line as XCom.

    ``argv`` and ``env`` are template fields (``DATAKIT_RUN_ID`` is ``{{ run_id }}``); the secret
    variables are resolved from connections inside :meth:`execute` and never stored on the
    operator, so they cannot show in rendered fields.
    """

    template_fields: Sequence[str] = ("argv", "env")
    template_fields_renderers: ClassVar[dict[str, str]] = {"env": "json", "argv": "py"}
    ui_color = "#d9ead3"

    def __init__(
        self,
        *,
        image: str,
        command: str,
        argv: Sequence[str],
        env: Mapping[str, str],
        secret_env: Mapping[str, SecretEnv],
        search_path_env: str = "DATAKIT_RUNNER_PATH",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.image = image
        self.command = command
        self.argv = list(argv)
        self.env = dict(env)
        self.secret_env = dict(secret_env)
        self.search_path_env = search_path_env
        self._process: subprocess.Popen[str] | None = None

    def find_executable(self, environ: Mapping[str, str] = os.environ) -> str:
        """The runner CLI: ``$<search_path_env>`` folders, then ``PATH``."""
        parts = [environ.get(self.search_path_env, ""), environ.get("PATH", os.defpath)]
        search = os.pathsep.join(part for part in parts if part)
        found = shutil.which(self.command, path=search)
        if found is None:
            from airflow.sdk.exceptions import AirflowFailException

            raise AirflowFailException(
                f"config error: runner command {self.command!r} (image {self.image}) not found in "
                f"${self.search_path_env} or PATH (install the runner, or set "
                f"{self.search_path_env} to the folder holding it, e.g. runner-postgres/.venv/bin)"
            )
        return found

    def child_env(self, secrets: Mapping[str, str], xcom_dir: str) -> dict[str, str]:
        base = {name: os.environ[name] for name in PASSTHROUGH_ENV if name in os.environ}
        return {**base, **self.env, **secrets, "DATAKIT_XCOM_DIR": xcom_dir}

    def execute(self, context: Any) -> dict[str, Any] | None:
        executable = self.find_executable()
        secrets = resolve_secret_env(self.secret_env)
        argv = [executable, *self.argv]
        self.log.info("running %s %s", self.command, " ".join(self.argv))
        with tempfile.TemporaryDirectory(prefix="datakit-xcom-") as xcom_dir:
            process = subprocess.Popen(
                argv,
                env=self.child_env(secrets, xcom_dir),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            self._process = process
            assert process.stdout is not None and process.stderr is not None
            # Logs stream to the task log as they come (a long extract reports progress).
            stderr_pump = threading.Thread(
                target=self._pump_stderr, args=(process.stderr,), daemon=True
            )
            stderr_pump.start()
            stdout = process.stdout.read()
            exit_code = process.wait()
            stderr_pump.join()
            self._process = None
            result = parse_result(stdout)
            if result is None:
                result_file = Path(xcom_dir) / "return.json"
                if result_file.is_file():
                    result = parse_result(result_file.read_text())
        if exit_code != 0:
            raise failure_for_exit_code(self.command, exit_code, result)
        self.log.info("%s succeeded: %s", self.command, _summary(result))
        return result

    def _pump_stderr(self, stream: Any) -> None:
        for line in stream:
            self.log.info("%s", line.rstrip("\n"))

    def on_kill(self) -> None:
        """Forward the stop as SIGTERM (the runner rolls back within 10 s), then SIGKILL."""
        process = self._process
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _summary(result: Mapping[str, Any] | None) -> str:
    if not result:
        return "no result line"
    tables = result.get("tables")
    if isinstance(tables, list):
        return ", ".join(
            f"{t.get('target', t.get('table'))} {t.get('rows', '?')} rows" for t in tables
        )
    return str(result.get("status", "done"))


class LocalTaskAdapter(TaskAdapter):
    """``local``: :class:`LocalRunnerOperator`, the runner CLI as a subprocess."""

    mode = "local"
    transport_env = frozenset({"DATAKIT_XCOM_DIR"})

    def operator(self, task: RunnerTask, **operator_kwargs: Any) -> LocalRunnerOperator:
        return LocalRunnerOperator(
            image=task.image,
            command=task.command,
            argv=task.argv,
            env=task.env,
            secret_env=task.secret_env,
            search_path_env=self.platform.local_path_env,
            queue=task.queue,
            doc_md=task.description,
            **operator_kwargs,
        )


__all__ = ["LocalRunnerOperator", "LocalTaskAdapter"]
