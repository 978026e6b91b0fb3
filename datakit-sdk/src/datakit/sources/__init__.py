"""Source engines shared by runners: one package per source engine (``postgres``).

A runner's source class builds on these (runner-postgres adds its COPY fast paths; runner-spark
reads the same tables through Spark JDBC), so the catalog is read one way for every runner.
"""
