"""Postgres as a source: the catalog (tables, columns, keys, type kinds) and the snapshot reader
every runner with a Postgres source shares (needs the ``postgres`` extra)."""

from __future__ import annotations

from datakit.sources.postgres.source import PostgresCatalogSource

__all__ = ["PostgresCatalogSource"]
