"""runner-dbt: dbt-core as a Datakit runner, building silver and gold from bronze."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
