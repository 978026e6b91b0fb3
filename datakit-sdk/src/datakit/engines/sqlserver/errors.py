"""ODBC errors from SQL Server -> the Datakit error whose exit code says whether to retry.

pyodbc raises with ``args == (sqlstate, message)``; the message carries each diagnostic's native
error number in parentheses (``[SQL Server]Login failed for user 'x'. (18456)``). The native
number decides first (it is precise: 1205 is a deadlock whatever the SQLSTATE), then the
SQLSTATE, then the class of the SQLSTATE. The tables below are the whole policy.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from datakit import cancel
from datakit.errors import (
    ConfigError,
    ContractError,
    DatakitError,
    Terminated,
    TransientError,
)
from datakit.secrets import mask_text

#: Native SQL Server error numbers and what they mean for a retry.
NATIVE_CONFIG: dict[int, str] = {
    18456: "login failed (check user and password, or the Kerberos principal)",
    18452: "login from an untrusted domain (Kerberos: check the realm and the SPN)",
    18470: "login disabled",
    18486: "login locked out",
    18487: "password expired",
    18488: "password must be changed",
    4060: "cannot open the database (it does not exist or the login may not use it)",
    916: "the login cannot access the database",
    229: "permission denied",
    230: "permission denied on a column",
    262: "permission denied in the database",
    208: "invalid object name",
    207: "invalid column name",
    2812: "stored procedure not found",
    3952: "snapshot isolation is not allowed in this database",
    15151: "object does not exist or no permission",
}
NATIVE_TRANSIENT: dict[int, str] = {
    1205: "deadlock victim",
    1222: "lock request timeout",
    3960: "snapshot isolation update conflict",
    3961: "snapshot isolation: the table was changed by DDL since the snapshot began",
    701: "insufficient memory",
    8645: "timeout waiting for memory",
    9002: "transaction log full",
    233: "connection broken",
    10053: "connection aborted",
    10054: "connection reset by peer",
    10060: "connection timed out",
    10061: "connection refused",
    64: "network name no longer available",
    121: "semaphore timeout (network)",
    4221: "secondary replica not available for reads",
    40197: "service error, retry",
    40501: "service busy",
    40613: "database unavailable",
    49918: "not enough resources",
    49919: "too many operations",
    49920: "too many operations",
    10928: "resource limit reached",
    10929: "resource limit reached",
}
NATIVE_CONTRACT: dict[int, str] = {
    8115: "arithmetic overflow",
    8114: "conversion failed",
    245: "conversion failed",
    241: "date/time conversion failed",
    242: "date/time out of range",
    2627: "unique constraint violated",
    2601: "duplicate key",
    515: "NULL into a NOT NULL column",
    547: "constraint conflict",
    8152: "string or binary data would be truncated",
    2628: "string or binary data would be truncated",
}
#: SQLSTATEs (whole) that decide when no native number does.
SQLSTATE_CONFIG = {
    "28000": "invalid authorization",
    "IM002": "ODBC driver not installed (check the URL's ?driver= and odbcinst.ini)",
    "IM003": "ODBC driver could not be loaded",
    "42S02": "table or view not found",
    "42S22": "column not found",
    "3D000": "invalid catalog name",
    "08004": "the server rejected the connection",
}
SQLSTATE_TRANSIENT = {
    "08001": "cannot connect",
    "08S01": "communication link failure",
    "HYT00": "timeout expired",
    "HYT01": "connection timeout expired",
    "40001": "serialization failure (deadlock)",
    "08007": "connection failure during transaction",
}
#: SQLSTATE classes: 22 data exception and 23 integrity violation break the data contract.
SQLSTATE_CONTRACT_CLASSES = ("22", "23")
SQLSTATE_CANCELLED = ("HY008",)

_NATIVE = re.compile(r"\((\d+)\)")


def native_errors(message: str) -> tuple[int, ...]:
    """Every native error number in a pyodbc message, in order (``0`` left out)."""
    return tuple(n for n in (int(m) for m in _NATIVE.findall(message)) if n)


def _one_line(message: str) -> str:
    text = " ".join(message.split())
    # Driver prefixes say nothing the reader needs ("[Microsoft][ODBC Driver 18 ...][SQL Server]").
    return re.sub(r"(\[[^\]]*\])+", "", text).strip() or text


def classify_odbc(sqlstate: str, message: str, where: str) -> DatakitError:
    """The Datakit error for one ODBC failure (*sqlstate*, *message*) at *where* (masked)."""
    text = mask_text(_one_line(message))
    sqlstate = (sqlstate or "").upper()
    if sqlstate in SQLSTATE_CANCELLED and cancel.stopping():
        return Terminated(f"terminated: {where}: the query was cancelled; the load was rolled back")
    for number in native_errors(message):
        if number in NATIVE_CONFIG:
            return ConfigError(f"config error: {where}: {NATIVE_CONFIG[number]}: {text}")
        if number in NATIVE_TRANSIENT:
            return TransientError(
                f"transient error: {where}: {NATIVE_TRANSIENT[number]}: {text} (retry may help)"
            )
        if number in NATIVE_CONTRACT:
            return ContractError(f"contract violation: {where}: {NATIVE_CONTRACT[number]}: {text}")
    if "can't open lib" in text.lower():
        # unixODBC reports a driver it cannot load as SQLSTATE 01000 (a "warning").
        return ConfigError(
            f"config error: {where}: ODBC driver not installed (check the URL's ?driver= "
            f"and odbcinst.ini): {text}"
        )
    if sqlstate in SQLSTATE_CONFIG:
        return ConfigError(f"config error: {where}: {SQLSTATE_CONFIG[sqlstate]}: {text}")
    if sqlstate in SQLSTATE_TRANSIENT:
        return TransientError(
            f"unreachable: {where}: {SQLSTATE_TRANSIENT[sqlstate]}: {text} "
            "(check host/port; retry may help)"
            if sqlstate.startswith("08") or sqlstate.startswith("HYT")
            else f"transient error: {where}: {SQLSTATE_TRANSIENT[sqlstate]}: {text} (retry may help)"
        )
    if sqlstate in SQLSTATE_CANCELLED:
        return TransientError(
            f"transient error: {where}: the query was cancelled: {text} (retry may help)"
        )
    if sqlstate.startswith(SQLSTATE_CONTRACT_CLASSES):
        return ContractError(f"contract violation: {where}: {text}")
    if sqlstate.startswith("08"):
        return TransientError(f"unreachable: {where}: {text} (retry may help)")
    return DatakitError(f"internal error: {where}: SQLSTATE {sqlstate or '?'}: {text}")


def classify(exc: BaseException, where: str) -> DatakitError:
    """:func:`classify_odbc` for a pyodbc exception (``args == (sqlstate, message)``)."""
    args = getattr(exc, "args", ())
    if len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        return classify_odbc(args[0], args[1], where)
    return classify_odbc("", str(exc), where)


@contextmanager
def translate_errors(where: str, *, when_stopping: bool = False) -> Iterator[None]:
    """Re-raise pyodbc errors as Datakit errors naming *where* (``raise ... from None``).

    ``from None``: a pyodbc exception's args repeat the driver's text unmasked, and a chained
    traceback would print them.
    """
    if not when_stopping:
        cancel.check_cancelled()
    try:
        yield
    except DatakitError:
        raise
    except Exception as exc:
        if type(exc).__module__ != "pyodbc":
            raise
        raise classify(exc, where) from None


__all__ = [
    "NATIVE_CONFIG",
    "NATIVE_CONTRACT",
    "NATIVE_TRANSIENT",
    "SQLSTATE_CONFIG",
    "SQLSTATE_TRANSIENT",
    "classify",
    "classify_odbc",
    "native_errors",
    "translate_errors",
]
