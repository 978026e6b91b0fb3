"""``python -m datakit_orchestration.pools``: every tenant's pool, for ``airflow pools import``.

Each tenant gets its own pool (``platform.yaml`` pool_name, slots from the tenant file), so one
tenant's big backfill cannot starve another's tasks. Airflow does not create pools from DAGs;
run this after adding a tenant (CI or the deploy step does), e.g.::

    python -m datakit_orchestration.pools > pools.json && airflow pools import pools.json
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from datakit_orchestration.deployments import tenant_locations
from datakit_orchestration.platform import PlatformConfig, load_platform
from datakit_orchestration.validation import TenantCatalog, load_tenants


def tenant_pools(platform: PlatformConfig, catalog: TenantCatalog) -> dict[str, dict[str, Any]]:
    """``{pool name: {"slots": n, "description": ...}}`` in ``airflow pools import`` format."""
    return {
        platform.pool_name(tenant.tenant): {
            "slots": tenant.pool_slots,
            "description": f"Datakit tenant {tenant.tenant} ({tenant.file.name})",
            "include_deferred": False,
        }
        for tenant in sorted(catalog.tenants.values(), key=lambda t: t.tenant)
    }


def main(argv: Sequence[str] | None = None) -> int:
    del argv
    platform = load_platform()
    catalog = load_tenants(platform, tenant_locations())  # $DATAKIT_DEPLOYMENT's tenants only
    json.dump(tenant_pools(platform, catalog), sys.stdout, indent=2)
    print()
    if catalog.problems:
        print(
            f"{len(catalog.problems)} tenant file(s) skipped: run "
            "`python -m datakit_orchestration.validate`",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
