"""The bronze table a runner will load a tenant's table into, derived without the SDK.

Task ids and Airflow Assets are named after bronze tables, so this must give exactly the name the
runner's ``extract --table S.T --source-name <source>`` loads into. The rule is the SDK's
(``datakit.naming``): ``<source>__<table>`` when the schema is the source type's default schema
or is spelled like the source, ``<source>__<schema>__<table>`` otherwise, shortened to the
warehouse's identifier limit with a hash suffix. Airflow images do not install the SDK, so this
is a copy; ``tests/unit/test_naming_contract.py`` checks it against the SDK on every test run.
"""

from __future__ import annotations

import hashlib

#: The schema an unqualified table name means, per source type (``datakit.naming``).
DEFAULT_SCHEMAS: dict[str, str] = {"postgres": "public", "sqlserver": "dbo"}
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

    Unquoted names fold to lower case, as the runner (and Postgres) fold them; the tenant schema
    allows no quoted names.
    """
    parts = [part.lower() for part in table.split(".")]
    default = DEFAULT_SCHEMAS.get(source_type)
    # Like the SDK's parse_table: an unqualified name is in the default schema ("public" when
    # the source type has none).
    schema = parts[0] if len(parts) == 2 else (default or "public")
    name = parts[-1]
    if schema in (default, source_name):
        full = f"{source_name}__{name}"
    else:
        full = f"{source_name}__{schema}__{name}"
    limit = MAX_IDENTIFIER_LENGTH.get(warehouse_type, _FALLBACK_MAX_IDENTIFIER_LENGTH)
    return fit_identifier(full, limit)


__all__ = ["DEFAULT_SCHEMAS", "MAX_IDENTIFIER_LENGTH", "bronze_table_name", "fit_identifier"]
