"""Where the orchestration data lives: ``include/`` of this Astro project, or env overrides.

The package sits in ``include/datakit_orchestration/``, so ``include/`` is its parent folder both
in the repository and in the Astro image (``/usr/local/airflow/include``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

INCLUDE_DIR = Path(__file__).resolve().parent.parent
TENANT_SCHEMA_FILE = INCLUDE_DIR / "tenant.schema.json"
PLATFORM_SCHEMA_FILE = INCLUDE_DIR / "platform.schema.json"
DEPLOYMENTS_SCHEMA_FILE = INCLUDE_DIR / "deployments.schema.json"

TENANTS_DIR_ENV = "DATAKIT_TENANTS_DIR"
PLATFORM_FILE_ENV = "DATAKIT_PLATFORM_FILE"
DEPLOYMENT_ENV = "DATAKIT_DEPLOYMENT"
DEPLOYMENTS_FILE_ENV = "DATAKIT_DEPLOYMENTS_FILE"


def tenants_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """``$DATAKIT_TENANTS_DIR`` or ``include/tenants``."""
    return Path(environ.get(TENANTS_DIR_ENV) or INCLUDE_DIR / "tenants")


def platform_file(environ: Mapping[str, str] = os.environ) -> Path:
    """``$DATAKIT_PLATFORM_FILE`` or ``include/platform.yaml``."""
    return Path(environ.get(PLATFORM_FILE_ENV) or INCLUDE_DIR / "platform.yaml")


def deployments_file(environ: Mapping[str, str] = os.environ) -> Path:
    """``$DATAKIT_DEPLOYMENTS_FILE`` or ``include/deployments.yaml``."""
    return Path(environ.get(DEPLOYMENTS_FILE_ENV) or INCLUDE_DIR / "deployments.yaml")
