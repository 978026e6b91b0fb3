"""Datakit's local platform: TLS material, the authenticated registry and ``make push``."""

__version__ = "0.1.0"
