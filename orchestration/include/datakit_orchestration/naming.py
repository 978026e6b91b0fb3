"""The bronze table a runner will load a tenant's table into, derived without the SDK.

Task ids and Airflow Assets are named after bronze tables, so this must give exactly the name the
runner's ``extract --table S.T --source-name <source>`` loads into. The rule is the SDK's
(``datakit.naming``): ``<source>__<table>`` when the schema is the source engine's default schema
or is spelled like the source, ``<source>__<schema>__<table>`` otherwise, shortened to the
warehouse's identifier limit with a hash suffix. Default schema and folding of unquoted names are
the source engine's (the SDK's ``datakit.dialects`` plug-ins): the engine a tenant source type's
runner reads (runner-spark reads Postgres). Airflow images do not install the SDK, so this
is a copy; ``tests/unit/test_naming_contract.py`` checks it against the SDK on every test run.
"""

from __future__ import annotations

import hashlib

#: The engine each tenant source type's runner reads (the ``source_type`` of its CLI).
SOURCE_ENGINES: dict[str, str] = {
    "postgres": "postgres",
    "sqlserver": "sqlserver",
    "spark": "postgres",
}
#: The schema an unqualified table name means, per source engine (its SDK dialect).
DEFAULT_SCHEMAS: dict[str, str] = {"postgres": "public", "sqlserver": "dbo"}
#: Source engines that fold unquoted names to lower case (SQL Server keeps their spelling).
LOWER_CASE_FOLDING: frozenset[str] = frozenset({"postgres"})
#: Identifier limit per warehouse type (the SDK warehouses' ``max_identifier_length``).
MAX_IDENTIFIER_LENGTH: dict[str, int] = {"postgres": 63}
_FALLBACK_MAX_IDENTIFIER_LENGTH = 63


def fit_identifier(name: str, max_length: int) -> str:
    """Shorten *name* to *max_length* UTF-8 bytes, unique by a hash (``datakit.identifiers``)."""
    if len(name.encode("utf-8")) <= max_length:
        return name
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    keep = name
    while len(keep.encode("utf-8")) > max_length - 9:
        keep = keep[:-1]
    return f"{keep}_{digest}"


def bronze_table_name(
    source_name: str, source_type: str, table: str, *, warehouse_type: str = "postgres"
) -> str:
    """The bronze table of tenant table *table* (``schema.table`` or ``table``, unquoted).

    Unquoted names fold as the source engine folds them (the tenant schema allows no quoted
    names).
    """
    engine = SOURCE_ENGINES.get(source_type, source_type)
    parts = table.split(".")
    if engine in LOWER_CASE_FOLDING:
        parts = [part.lower() for part in parts]
    default = DEFAULT_SCHEMAS.get(engine)
    # Like the SDK's parse_table: an unqualified name is in the engine's default schema (an
    # engine without one needs schema.table; the tenant schema checks that).
    schema = parts[0] if len(parts) == 2 else (default or "")
    name = parts[-1]
    if schema in (default, source_name):
        full = f"{source_name}__{name}"
    else:
        full = f"{source_name}__{schema}__{name}"
    limit = MAX_IDENTIFIER_LENGTH.get(warehouse_type, _FALLBACK_MAX_IDENTIFIER_LENGTH)
    return fit_identifier(full, limit)


__all__ = [
    "DEFAULT_SCHEMAS",
    "LOWER_CASE_FOLDING",
    "MAX_IDENTIFIER_LENGTH",
    "SOURCE_ENGINES",
    "bronze_table_name",
    "fit_identifier",
]
