"""Job files: many tables in one run, each with its own mode options.

```yaml
source_name: erp            # optional, default: the source database's name
bronze_schema: acme_bronze  # optional, default: bronze
defaults: {mode: full_refresh, on_schema_change: evolve}
tables:
  - {table: shop.customers, mode: incremental, cursor: updated_at, primary_key: [customer_id]}
  - {table: shop.orders, mode: append}
  - shop.products
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from datakit.errors import ConfigError

TABLE_KEYS = {
    "table",
    "target_table",
    "mode",
    "cursor",
    "primary_key",
    "lookback",
    "on_schema_change",
    "batch_rows",
}
JOB_KEYS = {"source_name", "bronze_schema", "defaults", "tables", "parallel"}


@dataclass(frozen=True)
class JobTable:
    table: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Job:
    tables: tuple[JobTable, ...]
    source_name: str | None = None
    bronze_schema: str | None = None
    parallel: int | None = None


def option_type_problems(options: dict[str, Any]) -> list[str]:
    """``key: what is wrong`` for each option of a table entry whose value has the wrong type.

    Checked when the file is read, so a bad value is a job file error (exit 3) naming the field,
    never a crash when the table's turn comes.
    """
    problems = []
    batch_rows = options.get("batch_rows")
    if "batch_rows" in options and (
        not isinstance(batch_rows, int) or isinstance(batch_rows, bool) or batch_rows < 1
    ):
        problems.append(f"batch_rows: must be a positive integer, got {batch_rows!r}")
    for key in ("cursor", "target_table", "mode", "on_schema_change"):
        if key in options and not isinstance(options[key], str):
            problems.append(f"{key}: must be a string, got {options[key]!r}")
    lookback = options.get("lookback")
    if "lookback" in options and (
        isinstance(lookback, bool) or not isinstance(lookback, (str, int, float))
    ):
        problems.append(f"lookback: must be an interval ('2 hours') or a number, got {lookback!r}")
    key = options.get("primary_key")
    if "primary_key" in options and not (
        isinstance(key, str)
        or (isinstance(key, list) and key and all(isinstance(part, str) for part in key))
    ):
        problems.append(f"primary_key: must be a column name or a list of them, got {key!r}")
    return problems


def load_job(path: Path) -> Job:
    """Parse and validate a job file; every problem is reported at once with its location."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"config error: --job {path}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(
            f"config error: {where}: not valid YAML ({getattr(exc, 'problem', exc)})"
        ) from None
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ConfigError(f"config error: {path}: expected a mapping with a 'tables' list")
    for key in sorted(set(data) - JOB_KEYS):
        problems.append(f"{path} {key}: unknown key (known: {', '.join(sorted(JOB_KEYS))})")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        problems.append(f"{path} defaults: must be a mapping")
        defaults = {}
    for key in sorted(set(defaults) - (TABLE_KEYS - {"table", "target_table"})):
        problems.append(f"{path} defaults.{key}: unknown option")
    problems += [f"{path} defaults.{problem}" for problem in option_type_problems(defaults)]
    raw_tables = data.get("tables")
    if not isinstance(raw_tables, list) or not raw_tables:
        problems.append(f"{path} tables: must be a non-empty list")
        raw_tables = []
    tables: list[JobTable] = []
    for index, entry in enumerate(raw_tables):
        if isinstance(entry, str):
            entry = {"table": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("table"), str):
            problems.append(f"{path} tables[{index}]: needs 'table: schema.name'")
            continue
        for key in sorted(set(entry) - TABLE_KEYS):
            problems.append(f"{path} tables[{index}].{key}: unknown option")
        problems += [f"{path} tables[{index}].{problem}" for problem in option_type_problems(entry)]
        options = {**defaults, **{k: v for k, v in entry.items() if k != "table"}}
        if options.get("mode") == "incremental" and not options.get("cursor"):
            problems.append(f"{path} tables[{index}].cursor: required for mode incremental")
        if isinstance(options.get("primary_key"), str):
            options["primary_key"] = [part.strip() for part in options["primary_key"].split(",")]
        tables.append(JobTable(table=entry["table"], options=options))
    parallel = data.get("parallel")
    if parallel is not None and (not isinstance(parallel, int) or parallel < 1):
        problems.append(f"{path} parallel: must be a positive integer")
    if problems:
        raise ConfigError("config error: " + "; ".join(problems))
    return Job(
        tables=tuple(tables),
        source_name=data.get("source_name"),
        bronze_schema=data.get("bronze_schema"),
        parallel=parallel,
    )


__all__ = ["Job", "JobTable", "load_job", "option_type_problems"]
