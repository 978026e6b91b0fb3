"""Find a warehouse writer by URL scheme through the ``datakit.warehouses`` entry points."""

from __future__ import annotations

from typing import Any

from datakit.errors import ConfigError
from datakit.plugins import load_plugin
from datakit.settings import DatabaseUrl
from datakit.warehouse_contract import Warehouse

_SCHEMES = {
    "postgresql": "postgres",
    "postgres": "postgres",
    "mssql": "sqlserver",
    "sqlserver": "sqlserver",
    # spark+session:///?<confs> (in-process session) and sc://host:port (Spark Connect).
    "spark": "spark",
    "sc": "spark",
}
_EXTRAS = {
    "postgres": "datakit-sdk[postgres]",
    "sqlserver": "datakit-sdk[sqlserver]",
    "spark": "datakit-runner-spark",
}


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


def warehouse_class(url: DatabaseUrl) -> type:
    """The warehouse class the ``datakit.warehouses`` entry point of *url*'s engine names."""
    engine = engine_for(url)
    hint = _EXTRAS.get(engine, "the matching datakit-sdk extra")
    try:
        cls: type = load_plugin("datakit.warehouses", engine, what="warehouse writer")
    except ConfigError as exc:
        raise ConfigError(f"{exc.message}; install {hint}") from None
    return cls


def load_warehouse(url: DatabaseUrl, **options: Any) -> Warehouse:
    """Instantiate the warehouse writer registered for *url*'s engine."""
    engine = engine_for(url)
    cls = warehouse_class(url)
    warehouse = cls(url, **options)
    if not isinstance(warehouse, Warehouse):
        raise ConfigError(
            f"config error: the {engine} warehouse {cls.__module__}.{cls.__qualname__} does not "
            "fill datakit.warehouse_contract.Warehouse"
        )
    return warehouse


__all__ = ["engine_for", "load_warehouse", "warehouse_class"]
