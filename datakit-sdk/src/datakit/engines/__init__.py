"""Engine packages: what a source and a warehouse of one database engine share.

``datakit.engines.sqlserver`` holds the SQL Server pieces (ODBC connection strings, Kerberos,
error classification, T-SQL quoting and watermark rendering) that both ``runner-sqlserver``'s
source and the SQL Server warehouse import, so neither copies the other.
"""
