"""Datakit SDK: what every runner shares.

The SDK owns the runner contract (settings from the environment, structlog output, the result
line, exit codes) and the bronze load protocol. Runners plug in a :class:`~datakit.contracts.Source`;
warehouses live under :mod:`datakit.warehouses`.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
