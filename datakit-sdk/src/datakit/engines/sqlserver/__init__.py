"""SQL Server pieces shared by the SQL Server source and the SQL Server warehouse.

=====================  ==================================================================
module                 what
=====================  ==================================================================
``identifiers``        T-SQL identifier quoting with ``[...]``
``odbc``               ``mssql://`` URL -> ODBC connection string (Driver 18 or FreeTDS)
``kerberos``           a ticket from a keytab into a private cache, renewed; or a cache
``errors``             ODBC SQLSTATE + native error number -> exit-code error classes
``watermarks``         the engine-neutral watermark as a T-SQL bound (lookback included)
``connection``         ``connect()``: all of the above, over pyodbc (``datakit-sdk[sqlserver]``)
=====================  ==================================================================

Only ``connection`` imports pyodbc, so the rest is usable (and tested) without it.
"""
