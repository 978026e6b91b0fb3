"""The Kubernetes names a tenant's runner pods use, decided in one place.

The rendered per-tenant objects (:mod:`datakit_orchestration.k8s_objects`) create the namespace,
the ServiceAccount and reference the image pull Secret; the Kubernetes adapter's pods must use
exactly those names, or a pod lands where no quota, policy or account exists. Both take them from
:func:`tenant_names`, and ``tests/unit/test_k8s_objects.py`` checks that they agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from datakit_orchestration.platform import PlatformConfig

#: Labels every runner pod carries; the rendered objects select and describe pods by them.
PART_OF_LABEL = "app.kubernetes.io/part-of"
TENANT_LABEL = "datakit.io/tenant"
PART_OF = "datakit"


@dataclass(frozen=True, kw_only=True)
class TenantNames:
    """Namespace, runner ServiceAccount and image pull Secret of one tenant."""

    namespace: str
    service_account: str | None
    image_pull_secret: str | None
    tenant_label: str


def tenant_names(platform: PlatformConfig, tenant: str) -> TenantNames:
    """The names of *tenant*'s objects, from ``platform.yaml``'s ``kubernetes`` section."""
    return TenantNames(
        namespace=platform.namespace(tenant),
        service_account=platform.kubernetes_service_account,
        image_pull_secret=platform.kubernetes_image_pull_secret,
        tenant_label=tenant.replace("_", "-"),
    )


__all__ = ["PART_OF", "PART_OF_LABEL", "TENANT_LABEL", "TenantNames", "tenant_names"]
