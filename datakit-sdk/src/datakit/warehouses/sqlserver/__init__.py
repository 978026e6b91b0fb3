"""SQL Server as a bronze warehouse (``datakit-sdk[sqlserver]``: pyodbc and an ODBC driver).

Statements are built in :mod:`.tsql` (pinned by offline snapshot tests) and run by
:mod:`.warehouse`; pyodbc is imported only when a connection is opened.
"""

from __future__ import annotations

from datakit.warehouses.sqlserver.warehouse import SqlServerWarehouse

__all__ = ["SqlServerWarehouse"]
