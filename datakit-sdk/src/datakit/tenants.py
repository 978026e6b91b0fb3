"""A tenant's names in every warehouse, and what ``provision`` reports.

Every warehouse engine provisions the same shape: the schemas ``<tenant>_bronze``,
``<tenant>_silver`` and ``<tenant>_gold``, owned by the principal ``<tenant>_loader`` (a Postgres
role; a SQL Server login and its database user). The engine packages decide how; the names are
decided here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: A tenant's warehouse layers, in build order; each is the schema ``<tenant>_<layer>``.
LAYERS = ("bronze", "silver", "gold")


def tenant_role(tenant: str) -> str:
    """The principal that owns the tenant's schemas and that its runners log in as."""
    return f"{tenant}_loader"


def tenant_schemas(tenant: str) -> list[str]:
    """The tenant's layer schemas, in :data:`LAYERS` order."""
    return [f"{tenant}_{layer}" for layer in LAYERS]


@dataclass
class ProvisionReport:
    """What ``provision`` did, as the result line shows it (``created``: only what was new)."""

    tenant: str
    role: str
    schemas: list[str]
    created: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "role": self.role,
            "schemas": self.schemas,
            "created": self.created,
        }


__all__ = ["LAYERS", "ProvisionReport", "tenant_role", "tenant_schemas"]
