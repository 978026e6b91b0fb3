"""The error every source gives for a table it cannot find, with the names it could have meant.

A misspelt ``--table`` is the most common mistake in a job file; each source lists the tables it
can read and this module words the error the same way for all of them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from datakit.contracts import TableRef
from datakit.dialect import Dialect
from datakit.errors import ConfigError


def missing_table_error(
    table: TableRef, readable: Iterable[str], *, where: str, dialect: Dialect
) -> ConfigError:
    """A config error naming *table*, *where* it was looked for (a masked URL) and up to three
    of the *readable* ``schema.table`` names that are close to it, case-insensitively.

    *dialect* is the source engine's: the table is spelled as its users would type it."""
    wanted = f"{table.schema}.{table.name}"
    lowered = {name.lower(): name for name in readable}
    close = difflib.get_close_matches(wanted.lower(), list(lowered), n=3, cutoff=0.5)
    hint = f" (did you mean: {', '.join(lowered[c] for c in close)}?)" if close else ""
    return ConfigError(
        f"config error: source table {dialect.display(table)} does not exist or is not "
        f"readable in {where}{hint}"
    )


__all__ = ["missing_table_error"]
