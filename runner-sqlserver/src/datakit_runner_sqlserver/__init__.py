"""runner-sqlserver: copies SQL Server source tables into a bronze layer."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
