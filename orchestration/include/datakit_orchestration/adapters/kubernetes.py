"""``DATAKIT_EXECUTION=kubernetes``: one KubernetesPodOperator pod per runner task.

- The pod runs in the tenant's own namespace (``platform.yaml`` kubernetes.namespace), so
  tenants share no Secrets, quotas or network policies.
- argv goes to ``arguments``, never ``cmds``: ``cmds`` would replace the image's ENTRYPOINT
  (the runner CLI).
- Secrets come from Kubernetes Secrets named after the Airflow connection (``acme_erp`` ->
  ``acme-erp``, keys ``url`` and ``password``), injected by the kubelet: Airflow never reads them,
  so they cannot reach a rendered field, a log or XCom.
- The container is hardened in code, whatever the pod template says: non-root, read-only root
  file system, no capabilities, no privilege escalation, RuntimeDefault seccomp.
- The queue picks the pod template (``include/pod_templates/<queue>.yaml``): node pools,
  tolerations, scratch volumes.
- XCom: the runner writes ``/airflow/xcom/return.json`` and the operator's sidecar reads it.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, ClassVar

from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.providers.cncf.kubernetes.secret import Secret
from kubernetes.client import models as k8s

from datakit_orchestration.adapters._base import (
    IMAGE_ENV,
    ExecutionMode,
    TaskAdapter,
    container_env,
)
from datakit_orchestration.adapters._runtime import failure_for_exit_code
from datakit_orchestration.k8s_names import PART_OF, PART_OF_LABEL, TENANT_LABEL, tenant_names
from datakit_orchestration.tasks import RunnerTask

BASE_CONTAINER = "base"


@cache
def _model_config() -> Any:
    """One client Configuration for every model built here.

    A Kubernetes model built without one deep-copies the default Configuration (and resets its
    loggers): that was most of the parse time of a tenant DAG. The models below are also built
    once per process and shared by all tasks; they are read-only specs.
    """
    from kubernetes.client import Configuration

    return Configuration.get_default_copy()


@cache
def container_security_context() -> k8s.V1SecurityContext:
    """The runner container's hardening (the images run as uid 10001 and write only /tmp)."""
    config = _model_config()
    return k8s.V1SecurityContext(
        run_as_non_root=True,
        read_only_root_filesystem=True,
        allow_privilege_escalation=False,
        capabilities=k8s.V1Capabilities(drop=["ALL"], local_vars_configuration=config),
        seccomp_profile=k8s.V1SeccompProfile(
            type="RuntimeDefault", local_vars_configuration=config
        ),
        local_vars_configuration=config,
    )


@cache
def pod_security_context() -> k8s.V1PodSecurityContext:
    config = _model_config()
    return k8s.V1PodSecurityContext(
        run_as_non_root=True,
        run_as_user=10001,
        run_as_group=10001,
        fs_group=10001,
        seccomp_profile=k8s.V1SeccompProfile(
            type="RuntimeDefault", local_vars_configuration=config
        ),
        local_vars_configuration=config,
    )


@cache
def container_resources(cpu: str, memory: str) -> k8s.V1ResourceRequirements:
    """Requests equal limits: a runner gets what it asked for, and no more (Guaranteed QoS)."""
    resources = {"cpu": cpu, "memory": memory}
    return k8s.V1ResourceRequirements(
        requests=resources, limits=dict(resources), local_vars_configuration=_model_config()
    )


def pod_name(tenant: str, task_id: str) -> str:
    """A DNS-1123 pod name; the operator appends a random suffix."""
    name = re.sub(r"[^a-z0-9-]+", "-", f"{tenant}-{task_id}".lower()).strip("-")
    return name[:50].rstrip("-")


class RunnerPodOperator(KubernetesPodOperator):
    """KubernetesPodOperator that fails without retry on non-transient runner exit codes."""

    def cleanup(
        self,
        pod: k8s.V1Pod,
        remote_pod: k8s.V1Pod,
        xcom_result: dict[str, Any] | None = None,
        context: Any = None,
    ) -> None:
        from airflow.sdk.exceptions import AirflowException, AirflowSkipException

        try:
            super().cleanup(pod, remote_pod, xcom_result=xcom_result, context=context)
        except AirflowSkipException:
            raise
        except AirflowException as exc:
            exit_code = base_exit_code(remote_pod, self.base_container_name or BASE_CONTAINER)
            if exit_code is None:
                raise
            command = self.arguments[0] if self.arguments else "runner"
            raise failure_for_exit_code(f"{self.image} {command}", exit_code, xcom_result) from exc


def base_exit_code(remote_pod: k8s.V1Pod | None, container: str) -> int | None:
    statuses = (
        remote_pod.status.container_statuses if remote_pod and remote_pod.status else None
    ) or []
    for status in statuses:
        if status.name == container and status.state and status.state.terminated:
            return int(status.state.terminated.exit_code)
    return None


class KubernetesTaskAdapter(TaskAdapter):
    """``kubernetes``: :class:`RunnerPodOperator` in the tenant's namespace."""

    mode: ClassVar[ExecutionMode] = "kubernetes"
    #: The operator class; the ``pod`` mode (podman) swaps it and keeps everything else.
    operator_class: ClassVar[type[RunnerPodOperator]] = RunnerPodOperator
    transport_env = frozenset({IMAGE_ENV})

    def mode_kwargs(self, task: RunnerTask) -> dict[str, Any]:
        """Extra operator arguments of a subclass' mode (none under Kubernetes)."""
        return {}

    def operator(self, task: RunnerTask, **operator_kwargs: Any) -> RunnerPodOperator:
        platform = self.platform
        # Namespace, service account and pull secret: the names the rendered tenant objects
        # create (k8s_objects), from the one function both use.
        names = tenant_names(platform, task.tenant)
        pull_secrets = (
            [k8s.V1LocalObjectReference(name=names.image_pull_secret)]
            if names.image_pull_secret
            else None
        )
        return self.operator_class(
            image=task.image,
            arguments=list(task.argv),
            env_vars=container_env(task),
            secrets=[
                Secret(  # type: ignore[no-untyped-call]
                    deploy_type="env",
                    deploy_target=name,
                    secret=platform.secret_name(ref.conn_id),
                    key=ref.field,
                )
                for name, ref in sorted(task.secret_env.items())
            ],
            namespace=names.namespace,
            name=pod_name(task.tenant, task.task_id),
            labels={
                PART_OF_LABEL: PART_OF,
                TENANT_LABEL: names.tenant_label,
                "datakit.io/layer": task.layer,
            },
            pod_template_file=str(platform.pod_templates[task.queue]),
            base_container_name=BASE_CONTAINER,
            container_resources=container_resources(task.resources.cpu, task.resources.memory),
            security_context=pod_security_context(),
            container_security_context=container_security_context(),
            xcom_sidecar_container_security_context=container_security_context(),
            service_account_name=names.service_account,
            image_pull_secrets=pull_secrets,
            automount_service_account_token=False,
            image_pull_policy="IfNotPresent",
            do_xcom_push=True,
            get_logs=True,
            on_finish_action="delete_succeeded_pod",
            log_pod_spec_on_failure=False,
            queue=task.queue,
            doc_md=task.description,
            **self.mode_kwargs(task),
            **operator_kwargs,
        )
