"""Postgres as a bronze warehouse (``datakit-sdk[postgres]``), and the psycopg helpers runners share."""

from __future__ import annotations

from datakit.warehouses.postgres.connection import connect, translate_errors
from datakit.warehouses.postgres.warehouse import PostgresWarehouse

__all__ = ["PostgresWarehouse", "connect", "translate_errors"]
