"""``provision --tenant``: a tenant's schemas and its own role, through the warehouse engine's hook.

The password comes from ``DATAKIT_TENANT_PASSWORD`` (or its ``_FILE``), never from an option;
what provisioning creates is the engine's (its warehouse class offers ``provision_tenant``).
"""

from __future__ import annotations

import os
import re

import click

from datakit.cli.environment import COMMON, KERBEROS, TIMEOUTS, env_epilog
from datakit.cli.options import command_settings

_TENANT = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _tenant_password() -> str:
    """The new role's password from the environment, registered for masking (exit 3 if unset)."""
    from datakit.errors import ConfigError
    from datakit.logging import register_secrets
    from datakit.settings import read_secret

    found = read_secret(os.environ, "DATAKIT_TENANT_PASSWORD")
    if found is None:
        raise ConfigError(
            "config error: DATAKIT_TENANT_PASSWORD is not set "
            "(set it or DATAKIT_TENANT_PASSWORD_FILE)"
        )
    register_secrets((found[0],))
    return found[0]


def add_provision_command(group: click.Group) -> None:
    """Attach ``provision --tenant T`` to *group*."""

    @group.command(
        help="Create a tenant's schemas and its own warehouse role (idempotent).\n\n"
        "DATAKIT_WAREHOUSE_URL must be an administrator's (it creates a role); the role's "
        "password comes from DATAKIT_TENANT_PASSWORD or DATAKIT_TENANT_PASSWORD_FILE, never "
        "from an option.",
        epilog=env_epilog(
            ["DATAKIT_WAREHOUSE_URL", "DATAKIT_TENANT_PASSWORD", *COMMON, *TIMEOUTS, *KERBEROS]
        ),
    )
    @click.option(
        "--tenant",
        required=True,
        help="Tenant id: schemas <tenant>_bronze/_silver/_gold, role <tenant>_loader.",
    )
    def provision(tenant: str) -> None:
        from datakit.errors import ConfigError
        from datakit.logging import get_logger
        from datakit.result import emit_result
        from datakit.warehouses.registry import engine_for, warehouse_class

        if not _TENANT.match(tenant):
            raise click.BadParameter(
                "lowercase letters, digits and _, starting with a letter, at most 40",
                param_hint="--tenant",
            )
        settings = command_settings(("warehouse",))
        password = _tenant_password()
        url = settings.require_url("warehouse")
        # Provisioning is the engine's: its warehouse class offers provision_tenant, or not.
        provision_tenant = getattr(warehouse_class(url), "provision_tenant", None)
        if provision_tenant is None:
            raise ConfigError(
                f"config error: the {engine_for(url)} warehouse ({url.scheme}) does not provision "
                "tenants"
            )
        report = provision_tenant(url, tenant=tenant, password=password)
        get_logger().info("tenant_provisioned", **report.as_dict())
        emit_result({"status": "succeeded", **report.as_dict()})


__all__ = ["add_provision_command"]
