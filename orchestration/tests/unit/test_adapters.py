"""Operator parity: every task of every example tenant, rendered by all three adapters.

The runner contract promises that the same image, argv and environment names run under
DockerOperator, KubernetesPodOperator and as a local process; these tests check it task by task,
validate the rendered pod against the Kubernetes schema, and run the Docker and local operators
(against a fake Docker API and a fake runner) to check that secrets appear only in the child's
environment.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import kubernetes_validate
import pytest
from kubernetes.client import ApiClient

from datakit_orchestration.adapters import MODES, adapter_for, execution_mode
from datakit_orchestration.adapters._runtime import connection_url, failure_for_exit_code
from datakit_orchestration.adapters.docker import RunnerDockerOperator
from datakit_orchestration.adapters.kubernetes import RunnerPodOperator
from datakit_orchestration.adapters.local import LocalRunnerOperator
from datakit_orchestration.errors import ExecutionModeError
from datakit_orchestration.platform import PlatformConfig
from datakit_orchestration.tasks import RunnerTask, tenant_tasks
from datakit_orchestration.validation import load_tenants

KUBERNETES_VERSION = "1.30.0"
SECRET_URL = "postgresql://acme_loader:S3cret-Pw9@db.internal:5432/dwh"


def example_tasks() -> list[RunnerTask]:
    from datakit_orchestration.platform import load_platform

    platform = load_platform()
    catalog = load_tenants(platform)
    assert not catalog.problems
    return [
        task for tenant in catalog.tenants.values() for task in tenant_tasks(tenant, platform).all
    ]


ALL_TASKS = example_tasks()


def task_id(task: RunnerTask) -> str:
    return f"{task.tenant}.{task.task_id}"


def contract_of(operator: Any) -> tuple[str, tuple[str, ...], frozenset[str], str]:
    """(image, argv, environment names, queue) as each operator will pass them to the runner."""
    if isinstance(operator, RunnerDockerOperator):
        names = frozenset(operator.environment) | frozenset(operator.secret_env)
        return operator.image, tuple(operator.command), names, operator.queue
    if isinstance(operator, RunnerPodOperator):
        assert not operator.cmds, "cmds would replace the image's ENTRYPOINT"
        env_vars = operator.env_vars
        plain = env_vars if isinstance(env_vars, dict) else {var.name: var for var in env_vars}
        names = frozenset(plain) | frozenset(secret.deploy_target for secret in operator.secrets)
        return operator.image, tuple(operator.arguments), names, operator.queue
    assert isinstance(operator, LocalRunnerOperator)
    names = frozenset(operator.env) | frozenset(operator.secret_env) | {"DATAKIT_XCOM_DIR"}
    return operator.image, tuple(operator.argv), names, operator.queue


@pytest.mark.parametrize("task", ALL_TASKS, ids=task_id)
def test_parity_across_modes(task: RunnerTask, platform: PlatformConfig) -> None:
    rendered = {}
    for mode in MODES:
        adapter = adapter_for(mode, platform=platform)
        image, argv, names, queue = contract_of(adapter.operator(task, task_id=task.task_id))
        rendered[mode] = (image, argv, names - adapter.transport_env, queue)
    expected = (task.image, task.argv, task.env_names, task.queue)
    assert rendered == dict.fromkeys(MODES, expected)


def plain_env_of(operator: Any) -> dict[str, str]:
    """The plain (non-secret) environment each operator gives the runner."""
    if isinstance(operator, RunnerDockerOperator):
        return dict(operator.environment)
    if isinstance(operator, RunnerPodOperator):
        env_vars = operator.env_vars
        if isinstance(env_vars, dict):
            return dict(env_vars)
        return {var.name: var.value for var in env_vars}
    assert isinstance(operator, LocalRunnerOperator)
    return dict(operator.env)


@pytest.mark.parametrize("mode", MODES)
def test_container_modes_tell_the_runner_its_image(mode: str, platform: PlatformConfig) -> None:
    """The load audit records the image a containerised task ran; a local process runs none."""
    task = ALL_TASKS[0]
    env = plain_env_of(adapter_for(mode, platform=platform).operator(task, task_id=task.task_id))
    if mode == "local":
        assert "DATAKIT_IMAGE" not in env
    else:
        assert env["DATAKIT_IMAGE"] == task.image


def test_every_example_task_has_the_contract_env() -> None:
    for task in ALL_TASKS:
        assert {"DATAKIT_TENANT", "DATAKIT_RUN_ID", "DATAKIT_WAREHOUSE_URL"} <= task.env_names
        assert "DATAKIT_WAREHOUSE_URL" in task.secret_env
        assert not any("://" in value for value in task.env.values()), "URLs are secrets"
        if task.layer == "bronze":
            assert task.argv[0] == "extract"
            assert "DATAKIT_SOURCE_URL" in task.secret_env
            assert task.conn_ids <= {
                f"{task.tenant}_{suffix}"
                for suffix in ("erp", "app", "shop", "warehouse", "billing", "support")
            }


def test_argv_for_an_incremental_table() -> None:
    task = next(t for t in ALL_TASKS if t.tenant == "acme" and t.task_id == "erp__order_items")
    assert task.argv == (
        "extract",
        "--table",
        "dbo.order_items",
        "--source-name",
        "erp",
        "--bronze-schema",
        "acme_bronze",
        "--mode",
        "incremental",
        "--cursor",
        "modified_at",
        "--primary-key",
        "order_id,line_no",
        "--lookback",
        "2 hours",
    )
    assert task.image == "registry.localhost/datakit/runner-sqlserver:0.1.0"


def test_provision_and_transform_tasks() -> None:
    demo = {t.task_id: t for t in ALL_TASKS if t.tenant == "demo"}
    provision = demo["provision"]
    assert provision.argv == ("provision", "--tenant", "demo")
    assert provision.secret_env["DATAKIT_WAREHOUSE_URL"].conn_id == "datakit_warehouse_admin"
    password = provision.secret_env["DATAKIT_TENANT_PASSWORD"]
    assert (password.conn_id, password.field) == ("demo_warehouse", "password")
    assert demo["silver"].argv == ("build", "--project", "warehouse", "--select", "tag:silver")
    assert demo["gold"].image == "registry.localhost/datakit/runner-dbt:0.1.0"
    assert demo["gold"].secret_env["DATAKIT_WAREHOUSE_URL"].conn_id == "demo_warehouse"


# -- Kubernetes -------------------------------------------------------------------------------


def rendered_pod(task: RunnerTask, platform: PlatformConfig) -> dict[str, Any]:
    operator = adapter_for("kubernetes", platform=platform).operator(task, task_id=task.task_id)
    pod = operator.build_pod_request_obj(dry_run=True)
    return ApiClient().sanitize_for_serialization(pod)  # type: ignore[no-any-return]


@pytest.mark.parametrize("task", ALL_TASKS, ids=task_id)
def test_rendered_pod_is_a_valid_hardened_kubernetes_pod(
    task: RunnerTask, platform: PlatformConfig
) -> None:
    pod = rendered_pod(task, platform)
    kubernetes_validate.validate(pod, KUBERNETES_VERSION, strict=True)

    assert pod["metadata"]["namespace"] == f"datakit-{task.tenant}"
    spec = pod["spec"]
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["automountServiceAccountToken"] is False
    base = next(c for c in spec["containers"] if c["name"] == "base")
    assert base["image"] == task.image
    assert base["args"] == list(task.argv)
    assert not base.get("command"), "the image's ENTRYPOINT must stay the runner CLI"
    assert base["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    resources = {"cpu": task.resources.cpu, "memory": task.resources.memory}
    assert base["resources"] == {"limits": resources, "requests": resources}
    env = {var["name"]: var for var in base["env"]}
    # the template's scratch settings, and the image the audit records
    assert set(env) == task.env_names | {"HOME", "TMPDIR", "DATAKIT_IMAGE"}
    assert env["DATAKIT_IMAGE"]["value"] == task.image
    for name, ref in task.secret_env.items():
        assert env[name]["valueFrom"]["secretKeyRef"] == {
            "name": ref.conn_id.replace("_", "-"),
            "key": ref.field,
        }
        assert "value" not in env[name]
    mounts = {m["mountPath"] for m in base["volumeMounts"]}
    assert {"/airflow/xcom", "/tmp"} <= mounts
    assert any(c["name"] == "airflow-xcom-sidecar" for c in spec["containers"])
    if task.queue == "large":
        assert spec["nodeSelector"] == {"datakit.io/pool": "large"}


def test_a_broken_pod_fails_schema_validation(platform: PlatformConfig) -> None:
    """The validator is strict enough to catch a field in the wrong place."""
    pod = rendered_pod(ALL_TASKS[0], platform)
    pod["spec"]["containers"][0]["runAsNonRoot"] = True
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(pod, KUBERNETES_VERSION, strict=True)


def test_pod_failure_maps_exit_codes(platform: PlatformConfig) -> None:
    from airflow.sdk.exceptions import AirflowException, AirflowFailException
    from kubernetes.client import models as k8s

    from datakit_orchestration.adapters.kubernetes import base_exit_code

    def pod_with_exit(code: int) -> k8s.V1Pod:
        state = k8s.V1ContainerState(terminated=k8s.V1ContainerStateTerminated(exit_code=code))
        status = k8s.V1ContainerStatus(
            name="base", state=state, image="x", image_id="x", ready=False, restart_count=0
        )
        return k8s.V1Pod(status=k8s.V1PodStatus(phase="Failed", container_statuses=[status]))

    assert base_exit_code(pod_with_exit(3), "base") == 3
    assert base_exit_code(None, "base") is None
    assert type(failure_for_exit_code("runner-postgres", 3)) is AirflowFailException
    assert type(failure_for_exit_code("runner-postgres", 4)) is AirflowException


# -- Docker -----------------------------------------------------------------------------------


class FakeDockerClient:
    """The slice of docker.APIClient that DockerOperator uses, recording what it was given."""

    def __init__(
        self,
        *,
        exit_code: int = 0,
        result: dict[str, Any] | None = None,
        trailing_log: bytes = b"",
        result_file: bool = True,
        glued: bool = False,
    ) -> None:
        self.exit_code = exit_code
        self.result = result or {"status": "succeeded", "tables": []}
        #: A log line that arrives after the result line (stderr finishing after stdout).
        self.trailing_log = trailing_log
        #: False: the container has no result file (get_archive fails as for a missing path).
        self.result_file = result_file
        #: True: a log event and the result arrive glued into one line (seen through podman).
        self.glued = glued
        self.created: dict[str, Any] = {}
        self.removed: list[str] = []

    def images(self, name: str) -> list[str]:
        return [name]

    def create_host_config(self, **kwargs: Any) -> dict[str, Any]:
        return kwargs

    def create_container(self, **kwargs: Any) -> dict[str, str]:
        self.created = kwargs
        return {"Id": "c1"}

    def attach(self, **kwargs: Any) -> list[bytes]:
        lines = [b'{"event": "extract_started"}\n', json.dumps(self.result).encode() + b"\n"]
        if self.glued:
            lines = [b'{"event": "command_failed", "level": "error"}' + lines[1]]
        return [*lines, self.trailing_log] if self.trailing_log else lines

    def start(self, container_id: str) -> None:
        pass

    def wait(self, container_id: str) -> dict[str, Any]:
        return {"StatusCode": self.exit_code, "Error": None}

    def inspect_container(self, container_id: str) -> dict[str, Any]:
        return {"Id": container_id, "State": {"Status": "exited", "ExitCode": self.exit_code}}

    def get_archive(self, container_id: str, path: str) -> tuple[list[bytes], dict[str, Any]]:
        import io
        import tarfile

        from docker.errors import NotFound

        if not self.result_file:
            raise NotFound(f"Could not find the file {path} in container {container_id}")
        data = json.dumps(self.result).encode()
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            info = tarfile.TarInfo("return.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        return [buffer.getvalue()], {"name": "return.json", "size": len(data)}

    def remove_container(self, container_id: str, **kwargs: Any) -> None:
        self.removed.append(container_id)


def acme_task(task_id: str = "erp__orders") -> RunnerTask:
    return next(t for t in ALL_TASKS if t.tenant == "acme" and t.task_id == task_id)


@pytest.fixture
def acme_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_ACME_ERP", "mssql://reader:Erp-Pw-9@erp:1433/erp")
    monkeypatch.setenv("AIRFLOW_CONN_ACME_WAREHOUSE", SECRET_URL)
    monkeypatch.setenv("AIRFLOW_CONN_OTHER_TENANT_DB", "postgresql://x:Other-Pw-1@other/db")


def test_docker_operator_resolves_secrets_at_execute_time(
    platform: PlatformConfig, acme_connections: None
) -> None:
    task = acme_task()
    operator = adapter_for("docker", platform=platform).operator(task, task_id=task.task_id)
    assert operator.network_mode == "datakit"
    assert operator.auto_remove == "never", "removed by RunnerDockerOperator on success only"
    # The provider's public private_environment holds the names from the start, no value.
    assert sorted(operator._private_environment) == ["DATAKIT_SOURCE_URL", "DATAKIT_WAREHOUSE_URL"]
    assert operator._private_environment is operator.secrets
    assert not operator.secrets.resolved, "nothing is resolved at parse time"
    assert "S3cret" not in repr(operator.secrets)
    fake = FakeDockerClient(
        result={"status": "succeeded", "tables": [{"rows": 3}]},
        trailing_log=b'{"event": "connection_closed", "level": "info"}\n',
    )
    operator.__dict__["hook"] = SimpleNamespace(api_client=fake)

    result = operator.execute({})

    # The result file, not the last log line (stderr finished after stdout here).
    assert result == {"status": "succeeded", "tables": [{"rows": 3}]}
    env = fake.created["environment"]
    assert env["DATAKIT_WAREHOUSE_URL"] == SECRET_URL
    assert env["DATAKIT_SOURCE_URL"] == "mssql://reader:Erp-Pw-9@erp:1433/erp"
    assert env["DATAKIT_XCOM_DIR"] == "/tmp"
    assert not any(name.startswith("AIRFLOW_CONN") for name in env)
    assert fake.created["command"] == list(task.argv)
    assert fake.created["host_config"]["network_mode"] == "datakit"
    assert fake.removed == ["c1"], "removed on success"
    # Nothing secret is left on the operator or in its template fields.
    assert not operator.secrets.resolved
    assert sorted(operator._private_environment) == ["DATAKIT_SOURCE_URL", "DATAKIT_WAREHOUSE_URL"]
    for name in operator.template_fields:
        assert "S3cret" not in repr(getattr(operator, name))


@pytest.mark.parametrize(("exit_code", "retried"), [(3, False), (4, True), (5, False)])
def test_docker_exit_codes_decide_retries(
    exit_code: int, retried: bool, platform: PlatformConfig, acme_connections: None
) -> None:
    from airflow.sdk.exceptions import AirflowException, AirflowFailException

    task = acme_task()
    operator = adapter_for("docker", platform=platform).operator(task, task_id=task.task_id)
    fake = FakeDockerClient(exit_code=exit_code)
    operator.__dict__["hook"] = SimpleNamespace(api_client=fake)
    with pytest.raises(AirflowException) as raised:
        operator.execute({})
    assert isinstance(raised.value, AirflowFailException) is not retried
    assert f"exited with code {exit_code}" in str(raised.value)
    assert fake.removed == [], "a failed container stays for docker logs"


@pytest.mark.parametrize(
    ("result_file", "glued"),
    [(True, False), (False, False), (False, True)],
    ids=["result-file", "logs", "glued-log-line"],
)
def test_docker_failure_carries_the_runners_error_whatever_the_stream_order(
    result_file: bool, glued: bool, platform: PlatformConfig, acme_connections: None
) -> None:
    """Exit code from the engine; the runner's error from its result file, else from the logs
    by shape (never the last line: here an event arrives after, or glued to, the result)."""
    from airflow.sdk.exceptions import AirflowFailException

    task = acme_task()
    operator = adapter_for("docker", platform=platform).operator(task, task_id=task.task_id)
    error = {"status": "failed", "error": {"type": "config", "message": "table dbo.nope not found"}}
    fake = FakeDockerClient(
        exit_code=3,
        result=error,
        trailing_log=b'{"event": "extract_failed", "level": "error", "status": "failed"}\n',
        result_file=result_file,
        glued=glued,
    )
    operator.__dict__["hook"] = SimpleNamespace(api_client=fake)
    with pytest.raises(AirflowFailException) as raised:
        operator.execute({})
    message = str(raised.value)
    assert "exited with code 3" in message
    assert "table dbo.nope not found" in message
    assert not operator.secrets.resolved


def test_missing_connection_fails_without_retry(platform: PlatformConfig) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    task = acme_task()
    operator = adapter_for("docker", platform=platform).operator(task, task_id=task.task_id)
    with pytest.raises(AirflowFailException, match=r"connection 'acme_erp'.*not defined"):
        operator.execute({})


def test_connection_url_normalises_postgres_scheme() -> None:
    conn = SimpleNamespace(get_uri=lambda: "postgres://u:p@h:5432/db?sslmode=require")
    assert connection_url(conn) == "postgresql://u:p@h:5432/db?sslmode=require"


# -- local ------------------------------------------------------------------------------------

FAKE_RUNNER = textwrap.dedent(
    """\
    #!{python}
    import json, os, sys
    print(json.dumps({{"event": "extract_started", "argv": sys.argv[1:]}}), file=sys.stderr)
    code = int(os.environ.get("FAKE_EXIT", "0"))
    names = sorted(os.environ)
    result = {{"status": "succeeded" if code == 0 else "failed", "argv": sys.argv[1:], "env": names,
              "source_is_set": os.environ.get("DATAKIT_SOURCE_URL", "").startswith("mssql://")}}
    if code:
        result["error"] = {{"kind": "config", "message": "unknown table dbo.nope", "exit_code": code}}
    print("some noise")
    print(json.dumps(result))
    sys.exit(code)
    """
)


@pytest.fixture
def fake_runner_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    for command in ("runner-sqlserver", "runner-postgres"):
        script = folder / command
        script.write_text(FAKE_RUNNER.format(python=sys.executable))
        script.chmod(0o755)
    monkeypatch.setenv("DATAKIT_RUNNER_PATH", str(folder))
    return folder


def test_local_operator_runs_the_cli_with_a_clean_environment(
    platform: PlatformConfig, acme_connections: None, fake_runner_dir: Path
) -> None:
    task = acme_task()
    operator = adapter_for("local", platform=platform).operator(task, task_id=task.task_id)
    assert operator.find_executable() == str(fake_runner_dir / "runner-sqlserver")
    result = operator.execute({})
    assert result is not None
    assert result["argv"] == list(task.argv)
    assert result["source_is_set"] is True
    names = set(result["env"])
    assert task.env_names | {"DATAKIT_XCOM_DIR"} <= names
    assert not any(name.startswith(("AIRFLOW", "FAKE")) for name in names), names
    assert "S3cret" not in json.dumps(result)


@pytest.mark.parametrize(("exit_code", "retried"), [(3, False), (4, True), (143, True)])
def test_local_exit_codes_decide_retries(
    exit_code: int,
    retried: bool,
    platform: PlatformConfig,
    acme_connections: None,
    fake_runner_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from airflow.sdk.exceptions import AirflowException, AirflowFailException

    task = acme_task()
    operator = adapter_for("local", platform=platform).operator(task, task_id=task.task_id)
    operator.env["FAKE_EXIT"] = str(exit_code)
    with pytest.raises(AirflowException) as raised:
        operator.execute({})
    assert isinstance(raised.value, AirflowFailException) is not retried
    assert "unknown table dbo.nope" in str(raised.value)


def test_local_runner_not_found(platform: PlatformConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    monkeypatch.setenv("DATAKIT_RUNNER_PATH", "/nonexistent")
    monkeypatch.setenv("PATH", "/nonexistent")
    task = acme_task()
    operator = adapter_for("local", platform=platform).operator(task, task_id=task.task_id)
    with pytest.raises(AirflowFailException, match="runner command 'runner-sqlserver'"):
        operator.execute({})


def test_execution_mode_from_the_environment() -> None:
    assert execution_mode({}) == "docker"
    assert execution_mode({"DATAKIT_EXECUTION": "Kubernetes"}) == "kubernetes"
    with pytest.raises(ExecutionModeError, match="DATAKIT_EXECUTION='ssh' is not an execution"):
        execution_mode({"DATAKIT_EXECUTION": "ssh"})


@pytest.mark.parametrize(("exit_code", "retried"), [(3, False), (4, True)])
def test_pod_operator_cleanup_decides_retries(
    exit_code: int, retried: bool, platform: PlatformConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
    from airflow.sdk.exceptions import AirflowException, AirflowFailException
    from kubernetes.client import models as k8s

    def failing_cleanup(self: Any, *args: Any, **kwargs: Any) -> None:
        raise AirflowException("Pod acme-erp-orders-x returned a failure.")

    monkeypatch.setattr(KubernetesPodOperator, "cleanup", failing_cleanup)
    task = acme_task()
    operator = adapter_for("kubernetes", platform=platform).operator(task, task_id=task.task_id)
    state = k8s.V1ContainerState(terminated=k8s.V1ContainerStateTerminated(exit_code=exit_code))
    status = k8s.V1ContainerStatus(
        name="base", state=state, image="x", image_id="x", ready=False, restart_count=0
    )
    remote = k8s.V1Pod(status=k8s.V1PodStatus(phase="Failed", container_statuses=[status]))
    result = {"status": "failed", "error": {"message": "unknown table dbo.orders"}}
    with pytest.raises(AirflowException) as raised:
        operator.cleanup(k8s.V1Pod(), remote, xcom_result=result)
    assert isinstance(raised.value, AirflowFailException) is not retried
    assert "unknown table dbo.orders" in str(raised.value)


def test_local_operator_forwards_a_stop_as_sigterm(
    platform: PlatformConfig,
    acme_connections: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """on_kill (task cleared or timed out) stops the runner, which rolls back and exits 143."""
    import threading
    import time

    from airflow.sdk.exceptions import AirflowException

    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "runner-sqlserver"
    script.write_text(
        f"#!{sys.executable}\n"
        "import signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))\n"
        "print('started', file=sys.stderr, flush=True)\n"
        "time.sleep(60)\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("DATAKIT_RUNNER_PATH", str(folder))
    task = acme_task()
    operator = adapter_for("local", platform=platform).operator(task, task_id=task.task_id)

    def stop_soon() -> None:
        deadline = time.monotonic() + 20
        while operator._process is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        operator.on_kill()

    stopper = threading.Thread(target=stop_soon)
    stopper.start()
    started = time.monotonic()
    with pytest.raises(AirflowException, match="exited with code 143"):
        operator.execute({})
    stopper.join()
    assert time.monotonic() - started < 15
