"""Reading COPY data through a ``psql`` child process: the source side of the fast path.

libpq hands out COPY data one row per call; relaying that through Python costs about a
microsecond of CPU per row, which on a two-core machine competes with both database servers. A
``psql`` child does that loop in C and the runner reads its stdout in 1 MiB blocks, so the data
crosses Python once per megabyte. The child joins the runner's own source transaction through an
exported snapshot, so it reads exactly the snapshot the table was described in.

Secrets stay out of argv: the connection goes to the child as ``PG*`` environment variables and
the SQL script through stdin.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from datakit.contracts import Batch

READ_BYTES = 1 << 20
READER_VARIABLE = "DATAKIT_PG_READER"

# libpq connection keywords and the environment variables libpq reads for them.
_ENV_FOR_KEYWORD = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "dbname": "PGDATABASE",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "passfile": "PGPASSFILE",
    "options": "PGOPTIONS",
    "application_name": "PGAPPNAME",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "sslmode": "PGSSLMODE",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcrl": "PGSSLCRL",
    "sslcompression": "PGSSLCOMPRESSION",
    "requiressl": "PGREQUIRESSL",
    "gssencmode": "PGGSSENCMODE",
    "krbsrvname": "PGKRBSRVNAME",
    "channel_binding": "PGCHANNELBINDING",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "service": "PGSERVICE",
}
_ERROR = re.compile(r"ERROR:\s+(?P<sqlstate>[0-9A-Z]{5}):\s+(?P<message>.*)")


def psql_env(conninfo: str) -> dict[str, str] | None:
    """The child's environment for *conninfo*, or ``None`` when a keyword has no variable."""
    params = conninfo_to_dict(conninfo)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PG") and not k.startswith("DATAKIT_")
    }
    for keyword, value in params.items():
        variable = _ENV_FOR_KEYWORD.get(keyword)
        if variable is None:
            return None
        env[variable] = str(value)
    env["PGCLIENTENCODING"] = "UTF8"
    return env


def psql_path() -> str | None:
    """``psql`` when the psql reader is enabled (``DATAKIT_PG_READER`` = auto|psql|libpq)."""
    choice = os.environ.get(READER_VARIABLE, "auto")
    if choice == "libpq":
        return None
    found = shutil.which("psql")
    if found is None and choice == "psql":
        from datakit.errors import ConfigError

        raise ConfigError(f"config error: {READER_VARIABLE}=psql but psql is not on PATH")
    return found


class PsqlCopyReader:
    """One ``COPY ... TO STDOUT (FORMAT binary)`` run by a psql child in a shared snapshot."""

    def __init__(self, *, psql: str, env: dict[str, str], snapshot: str, copy_sql: str) -> None:
        self.psql = psql
        self.env = env
        self.script = (
            "\\set ON_ERROR_STOP on\n"
            "\\set VERBOSITY verbose\n"
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;\n"
            f"SET TRANSACTION SNAPSHOT '{snapshot}';\n"
            "SET jit = off;\n"
            f"{copy_sql};\n"
            "COMMIT;\n"
        )
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def batches(self) -> Iterator[Batch]:
        proc = subprocess.Popen(
            [self.psql, "-X", "-q", "-f", "-"],
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=0,
        )
        with self._lock:
            self._proc = proc
        stderr_chunks: list[bytes] = []
        drain = threading.Thread(
            target=lambda: stderr_chunks.append(proc.stderr.read()), daemon=True
        )  # type: ignore[union-attr]
        drain.start()
        try:
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(self.script.encode("utf-8"))
            proc.stdin.close()
            buffer = bytearray()
            while data := proc.stdout.read(READ_BYTES):
                # A pipe returns at most 64 KiB a read; fewer, larger writes keep the warehouse
                # busy instead of waiting on a flush per pipe buffer.
                buffer += data
                if len(buffer) >= READ_BYTES:
                    # Row counts are unknown here; the warehouse reports rows as COPY takes them.
                    yield Batch(format="pg_copy_binary", data=bytes(buffer), row_count=0)
                    buffer.clear()
            if buffer:
                yield Batch(format="pg_copy_binary", data=bytes(buffer), row_count=0)
            code = proc.wait()
            drain.join(timeout=5)
            if code != 0:
                raise _error_from_stderr(b"".join(stderr_chunks).decode("utf-8", "replace"))
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            with self._lock:
                self._proc = None

    def cancel(self) -> None:
        """Stop the child (thread-safe); the server aborts its query when the connection drops."""
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                self._proc.send_signal(signal.SIGTERM)


def _error_from_stderr(text: str) -> psycopg.Error:
    """Rebuild the server's error (class chosen by SQLSTATE) from psql's verbose message."""
    match = _ERROR.search(text)
    if match is None:
        return psycopg.OperationalError(text.strip() or "psql failed without a message")
    cls: Any = psycopg.errors.lookup(match.group("sqlstate"))
    return cls(match.group("message").strip())


__all__ = ["PsqlCopyReader", "psql_env", "psql_path"]
