"""Find a warehouse writer by URL scheme through the ``datakit.warehouses`` entry points."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

from datakit.errors import ConfigError
from datakit.settings import DatabaseUrl
from datakit.warehouse_contract import Warehouse

_SCHEMES = {
    "postgresql": "postgres",
    "postgres": "postgres",
    "mssql": "sqlserver",
    "sqlserver": "sqlserver",
}
_EXTRAS = {"postgres": "datakit-sdk[postgres]", "sqlserver": "datakit-sdk[sqlserver]"}


def engine_for(url: DatabaseUrl) -> str:
    """The engine a URL names (``postgresql+psycopg://`` -> ``postgres``)."""
    scheme = url.scheme.split("+", 1)[0]
    try:
        return _SCHEMES[scheme]
    except KeyError:
        known = ", ".join(sorted(_SCHEMES))
        raise ConfigError(
            f"config error: {url.variable} has scheme {url.scheme!r}; known schemes: {known}"
        ) from None


def load_warehouse(url: DatabaseUrl, **options: Any) -> Warehouse:
    """Instantiate the warehouse writer registered for *url*'s engine."""
    engine = engine_for(url)
    found = {ep.name: ep for ep in entry_points(group="datakit.warehouses")}
    if engine not in found:
        known = ", ".join(sorted(found)) or "none"
        raise ConfigError(
            f"config error: no warehouse writer for {engine!r} is installed (known: {known}); "
            f"install {_EXTRAS.get(engine, 'the matching datakit-sdk extra')}"
        )
    try:
        cls = found[engine].load()
    except ImportError as exc:
        raise ConfigError(
            f"config error: the {engine} warehouse needs {_EXTRAS.get(engine)} ({exc.name} is missing)"
        ) from None
    warehouse = cls(url, **options)
    if not isinstance(warehouse, Warehouse):
        raise ConfigError(
            f"config error: the {engine} warehouse {cls.__module__}.{cls.__qualname__} does not "
            "fill datakit.warehouse_contract.Warehouse"
        )
    return warehouse


__all__ = ["engine_for", "load_warehouse"]
