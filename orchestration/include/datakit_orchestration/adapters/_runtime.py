"""What every runner operator does when its task executes, whatever the execution mode.

- Secrets are resolved here, at execute time, from Airflow connections, and registered with
  Airflow's secret masker, so they never exist at parse time, in a rendered template field, in a
  log line or in XCom.
- A runner's exit code decides whether Airflow retries (the runner contract: only 4, "a system
  is unreachable or a transient error", and a SIGTERM stop are worth retrying).
- The result is the runner's last stdout line, a JSON object, returned as the task's XCom.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from datakit_orchestration.tasks import SecretEnv

#: Runner exit codes (ARCHITECTURE.md#exit-codes at the repository root) and whether a retry can
#: help.
EXIT_CODES: Mapping[int, tuple[str, bool]] = {
    1: ("internal error in the runner (rerun with --debug for a traceback)", False),
    2: ("usage error: bad runner options", False),
    3: ("configuration error: connection, credentials, privileges or an unknown table", False),
    4: ("a system is unreachable or a transient database error", True),
    5: ("data contract violation: schema change refused or a value that cannot be cast", False),
    137: ("killed (SIGKILL, often out of memory)", True),
    143: ("stopped by SIGTERM; the load was rolled back", True),
}

#: URI schemes Airflow writes for a connection type -> the scheme the runners expect.
_SCHEMES = {"postgres": "postgresql"}


def connection_url(conn: Any) -> str:
    """An Airflow connection as the URL a runner reads from ``DATAKIT_*_URL``.

    Airflow stores ``postgresql://`` URIs as type ``postgres`` and writes them back as
    ``postgres://``; runners accept both, but ``postgresql://`` is what SQLAlchemy and the docs
    use, so it is normalised here.
    """
    uri: str = conn.get_uri()
    scheme, sep, rest = uri.partition("://")
    return f"{_SCHEMES.get(scheme, scheme)}{sep}{rest}"


def resolve_secret_env(secret_env: Mapping[str, SecretEnv]) -> dict[str, str]:
    """Look up every secret variable's connection now (execute time) and mask the values."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowFailException, AirflowNotFoundException
    from airflow.sdk.log import mask_secret

    resolved: dict[str, str] = {}
    for name, ref in secret_env.items():
        try:
            conn = BaseHook.get_connection(ref.conn_id)
        except AirflowNotFoundException as exc:
            raise AirflowFailException(
                f"config error: Airflow connection {ref.conn_id!r} (for {name}) is not defined "
                "(add it in Admin > Connections, an AIRFLOW_CONN_* variable or the secrets backend)"
            ) from exc
        value = connection_url(conn) if ref.field == "url" else conn.password
        if not value:
            raise AirflowFailException(
                f"config error: Airflow connection {ref.conn_id!r} has no {ref.field} (for {name})"
            )
        if conn.password:
            mask_secret(conn.password)
        mask_secret(value)
        resolved[name] = value
    return resolved


def parse_result(stdout: str) -> dict[str, Any] | None:
    """The runner's result: the last non-empty stdout line, when it is a JSON object."""
    for line in reversed(stdout.splitlines()):
        if line.strip():
            try:
                value = json.loads(line)
            except ValueError:
                return None
            return value if isinstance(value, dict) else None
    return None


def failure_for_exit_code(
    runner: str, exit_code: int, result: Mapping[str, Any] | None = None
) -> Exception:
    """The exception that makes Airflow retry (transient) or fail at once (everything else)."""
    from airflow.sdk.exceptions import AirflowException, AirflowFailException

    meaning, retryable = EXIT_CODES.get(exit_code, ("unexpected exit code", True))
    detail = ""
    if result and isinstance(result.get("error"), dict):
        detail = f": {result['error'].get('message', '')}"
    message = f"{runner} exited with code {exit_code} ({meaning}){detail}"
    exception: Exception
    if retryable:
        exception = AirflowException(message + " - will retry if retries remain")
    else:
        exception = AirflowFailException(
            message + " - not retried: fix the cause, then clear the task"
        )
    # The failure callback's alert names failing dbt tests from it (see alerts.py).
    exception.datakit_result = dict(result or {})  # type: ignore[attr-defined]
    return exception
