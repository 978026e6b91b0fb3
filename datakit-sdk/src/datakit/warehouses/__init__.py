"""Warehouse writers, one package per engine, each behind an optional extra."""

from __future__ import annotations

from datakit.warehouses.registry import load_warehouse

__all__ = ["load_warehouse"]
