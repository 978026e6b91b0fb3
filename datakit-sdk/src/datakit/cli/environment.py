"""The environment variables runner commands read, and the ``--help`` epilog that names them.

Connections and secrets come only from the environment (never argv), so a user reading
``--help`` would not learn them from the options: every command lists the variables it reads in
its epilog, built here from one table so the wording is the same in every runner, and the tests
(:mod:`datakit.testing.cli_docs`) check that each one is also in the component's README.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

ENVIRONMENT: Mapping[str, str] = MappingProxyType(
    {
        "DATAKIT_SOURCE_URL": "source database URL, or DATAKIT_SOURCE_URL_FILE: a file holding it",
        "DATAKIT_WAREHOUSE_URL": (
            "warehouse database URL, or DATAKIT_WAREHOUSE_URL_FILE: a file holding it"
        ),
        "DATAKIT_TENANT_PASSWORD": (
            "password of the tenant's new role <tenant>_loader, or DATAKIT_TENANT_PASSWORD_FILE: "
            "a file holding it"
        ),
        "DATAKIT_TENANT": "tenant id, bound into every log line",
        "DATAKIT_RUN_ID": "run id (default: a fresh one)",
        "DATAKIT_LOG_FORMAT": "json or console (default: console at a terminal, else json)",
        "DATAKIT_DEBUG": "1: as --debug",
        "DATAKIT_XCOM_DIR": "folder for return.json, written when it exists (default /airflow/xcom)",
        "DATAKIT_READ_AHEAD_BATCHES": "batches read ahead of the warehouse write (default 4, 0 off)",
        "DATAKIT_PROGRESS_INTERVAL_SECONDS": "seconds between extract_progress logs (default 10)",
        "DATAKIT_CONNECT_TIMEOUT_SECONDS": "seconds to open a database connection (default 10)",
        "DATAKIT_LOCK_TIMEOUT_SECONDS": (
            "seconds a statement may wait for a lock another session holds, then exit 4 "
            "(default 300, 0 no limit)"
        ),
        "DATAKIT_STATEMENT_TIMEOUT_SECONDS": (
            "seconds any one statement may run, the whole-table COPY included, then exit 4 "
            "(default 0: no limit)"
        ),
        "DATAKIT_KERBEROS_KEYTAB_FILE": (
            "path of a Kerberos keytab for a SQL Server URL with ?trusted_connection=yes (with "
            "DATAKIT_KERBEROS_PRINCIPAL); without both, an existing ticket cache (KRB5CCNAME)"
        ),
        "DATAKIT_KERBEROS_PRINCIPAL": "the Kerberos principal of that keytab (user@REALM)",
        "DATAKIT_IMAGE": (
            "the image tag or digest that runs this command, recorded in the load audit "
            "(set by the orchestrator; unset: not recorded)"
        ),
    }
)
"""Variable -> one-line meaning. A ``*_FILE`` form is named in its variable's line."""

#: What every runner command reads besides its own variables (logging, result, run identity).
COMMON = (
    "DATAKIT_TENANT",
    "DATAKIT_RUN_ID",
    "DATAKIT_LOG_FORMAT",
    "DATAKIT_DEBUG",
    "DATAKIT_XCOM_DIR",
)


#: What every command that connects to a database through the SDK reads (datakit.timeouts).
TIMEOUTS = (
    "DATAKIT_CONNECT_TIMEOUT_SECONDS",
    "DATAKIT_LOCK_TIMEOUT_SECONDS",
    "DATAKIT_STATEMENT_TIMEOUT_SECONDS",
)


#: What a command reads to log in to SQL Server with Kerberos (datakit.engines.sqlserver.kerberos),
#: for any runner whose source or warehouse URL can be ``mssql://``.
KERBEROS = ("DATAKIT_KERBEROS_KEYTAB_FILE", "DATAKIT_KERBEROS_PRINCIPAL")


def env_epilog(names: Iterable[str], extra: Mapping[str, str] | None = None) -> str:
    """An epilog listing *names* (from :data:`ENVIRONMENT` or *extra*), one per line.

    Click rewraps help paragraphs; the ``\\b`` line keeps this one as written.
    """
    table = {**ENVIRONMENT, **(extra or {})}
    lines = ["\b", "Environment:"]
    for name in dict.fromkeys(names):
        lines.append(f"  {name}: {table[name]}")
    return "\n".join(lines)


__all__ = ["COMMON", "ENVIRONMENT", "KERBEROS", "TIMEOUTS", "env_epilog"]
