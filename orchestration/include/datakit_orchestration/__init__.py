"""Datakit orchestration: tenant YAML -> validated config -> one Airflow DAG per tenant.

Importing the package stays cheap (no Airflow import), so the validation CLI runs in a blink;
DAG building lives in :mod:`datakit_orchestration.dag`, operators in
:mod:`datakit_orchestration.adapters`.
"""

from __future__ import annotations

from datakit_orchestration.errors import (
    ConfigError,
    PlatformConfigError,
    Problem,
    TenantConfigError,
)
from datakit_orchestration.platform import PlatformConfig, load_platform
from datakit_orchestration.tenant import TenantConfig
from datakit_orchestration.validation import TenantCatalog, load_tenants

__all__ = [
    "ConfigError",
    "PlatformConfig",
    "PlatformConfigError",
    "Problem",
    "TenantCatalog",
    "TenantConfig",
    "TenantConfigError",
    "load_platform",
    "load_tenants",
]
__version__ = "0.1.0"
