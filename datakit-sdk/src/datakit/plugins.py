"""Plug-ins by entry point: how the SDK finds sources, warehouses, type maps and acceptance suites.

A new runner adds its pieces by declaring entry points in its own ``pyproject.toml``; no SDK
dictionary is edited. The groups and their names:

=========================  ======================  =============================================
group                      name                    object
=========================  ======================  =============================================
``datakit.sources``        source type             a :class:`~datakit.contracts.Source` class
``datakit.warehouses``     engine                  a :class:`~datakit.warehouse_contract.Warehouse`
                                                   class (``cls(url, **options)``)
``datakit.typemaps``       ``<source>_to_<wh>``    a :class:`~datakit.typemaps.base.TypeMapper`
``datakit.acceptance``     ``<source>_to_<wh>``    the acceptance test base class for the pair
``datakit.dialects``       engine                  a :class:`~datakit.dialect.Dialect`: default
                                                   schema, folding, identifier length, quoting
=========================  ======================  =============================================

The SDK registers its built-ins (Postgres and SQL Server warehouses and dialects, type maps,
suites) in its own ``pyproject.toml``, through the same mechanism.
"""

from __future__ import annotations

import functools
import sys
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Literal

from datakit.errors import ConfigError

PluginGroup = Literal[
    "datakit.sources",
    "datakit.warehouses",
    "datakit.typemaps",
    "datakit.acceptance",
    "datakit.dialects",
]
_PAIR_SEPARATOR = "_to_"


def pair_name(source: str, warehouse: str) -> str:
    """The entry point name of a source/warehouse pair (``postgres_to_postgres``)."""
    return f"{source}{_PAIR_SEPARATOR}{warehouse}"


def _shown(name: str) -> str:
    return name.replace(_PAIR_SEPARATOR, "->")


@functools.lru_cache(maxsize=4)
def _installed_entry_points(path: tuple[str, ...]) -> Any:
    """Every installed package's entry points, read once per ``sys.path``.

    Reading them means opening every installed distribution's metadata: ~6% of an incremental
    run's CPU in runner-postgres's profile, and a run asks several groups (warehouse, type map,
    dialect). Keyed on ``sys.path``, so a package made importable later is still found.
    """
    return entry_points()


def registered(group: PluginGroup) -> dict[str, EntryPoint]:
    """Every installed plug-in of *group*, by name (nothing is imported)."""
    found = _installed_entry_points(tuple(sys.path)).select(group=group)
    return {ep.name: ep for ep in found}


def load_plugin(group: PluginGroup, name: str, *, what: str) -> Any:
    """Import the plug-in *name* of *group*; a missing one is a config error naming the known.

    *what* names the plug-in in the message (``type map``, ``warehouse writer``).
    """
    found = registered(group)
    if name not in found:
        known = ", ".join(_shown(n) for n in sorted(found)) or "none"
        raise ConfigError(
            f"config error: no {what} for {_shown(name)} is installed (known: {known})"
        )
    try:
        return found[name].load()
    except ImportError as exc:
        raise ConfigError(
            f"config error: the {what} for {_shown(name)} cannot be imported "
            f"({exc.name or exc} is missing)"
        ) from None


__all__ = ["PluginGroup", "load_plugin", "pair_name", "registered"]
