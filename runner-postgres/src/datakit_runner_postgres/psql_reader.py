"""Reading COPY data through a ``psql`` child process: the source side of the fast path.

libpq hands out COPY data one row per call; relaying that through Python costs about a
microsecond of CPU per row, which on a two-core machine competes with both database servers. A
``psql`` child does that loop in C and the runner reads its stdout in 1 MiB blocks, so the data
crosses Python once per megabyte. The child joins the runner's own source transaction through an
exported snapshot, so it reads exactly the snapshot the table was described in.

Secrets stay out of argv and out of the child's environment (``/proc/<pid>/environ`` is readable
by the same user and shows up in crash reports): the connection goes to the child as a libpq
service file, and the password as a passfile it names, both mode 0600 in a private (0700) folder
that is removed as soon as the child has ended, also when it failed or was stopped. The SQL
script goes through stdin.
"""

from __future__ import annotations

import atexit
import os
import re
import select
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from datakit.contracts import Batch
from datakit.warehouses.postgres.connection import session_parameters

READ_BYTES = 1 << 20
READER_VARIABLE = "DATAKIT_PG_READER"
SERVICE = "datakit"
# How long a child gets to end after SIGINT (psql then cancels its query) before SIGKILL.
STOP_SECONDS = 2.0
_WAIT_SECONDS = 0.2

_ERROR = re.compile(r"ERROR:\s+(?P<sqlstate>[0-9A-Z]{5}):\s+(?P<message>.*)")
_private_dirs: set[str] = set()
_dirs_lock = threading.Lock()


def psql_env(conninfo: str) -> dict[str, str] | None:
    """The child's base environment (no ``PG*``, no ``DATAKIT_*``), or ``None`` when *conninfo*
    cannot be written to a service file (a value with a line break or trailing blank)."""
    if _service_lines(conninfo) is None:
        return None
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PG") and not k.startswith("DATAKIT_")
    }
    env["PGCLIENTENCODING"] = "UTF8"
    return env


def _service_lines(conninfo: str) -> tuple[list[str], str | None] | None:
    """``key=value`` lines for every non-secret keyword, and the password (if any)."""
    params: dict[str, Any] = {**conninfo_to_dict(conninfo), **session_parameters(conninfo)}
    password = params.pop("password", None)
    lines = []
    for key, value in params.items():
        text = str(value)
        if "\n" in text or "\r" in text or text != text.rstrip():
            return None
        lines.append(f"{key}={text}")
    if password is not None and ("\n" in str(password) or "\r" in str(password)):
        return None
    return lines, None if password is None else str(password)


@contextmanager
def private_connection(conninfo: str) -> Iterator[dict[str, str]]:
    """Environment entries that connect a libpq child to *conninfo* without any secret in them.

    Yields ``PGSERVICEFILE``/``PGSERVICE`` naming a service file in a fresh 0700 folder; the
    password sits in a 0600 passfile next to it. The folder is gone when the block ends, and at
    interpreter exit at the latest.
    """
    found = _service_lines(conninfo)
    if found is None:
        raise ValueError("this connection cannot be written to a libpq service file")
    lines, password = found
    folder = tempfile.mkdtemp(prefix="datakit-psql-")  # 0700, owned by this user
    with _dirs_lock:
        _private_dirs.add(folder)
    try:
        if password is not None:
            escaped = password.replace("\\", "\\\\").replace(":", "\\:")
            _write_private(Path(folder, "pgpass"), f"*:*:*:*:{escaped}\n")
            lines.append(f"passfile={Path(folder, 'pgpass')}")
        service = Path(folder, "pg_service.conf")
        _write_private(service, f"[{SERVICE}]\n" + "".join(line + "\n" for line in lines))
        yield {"PGSERVICEFILE": str(service), "PGSERVICE": SERVICE}
    finally:
        _remove_private_dir(folder)


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def _remove_private_dir(folder: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    with _dirs_lock:
        _private_dirs.discard(folder)


@atexit.register
def _remove_all_private_dirs() -> None:
    """A reader thread abandoned at exit (SIGTERM) may not get to its ``finally``."""
    with _dirs_lock:
        folders = list(_private_dirs)
    for folder in folders:
        _remove_private_dir(folder)


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

    def __init__(
        self, *, psql: str, env: dict[str, str], conninfo: str, snapshot: str, copy_sql: str
    ) -> None:
        self.psql = psql
        self.env = env
        self.conninfo = conninfo
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
        with private_connection(self.conninfo) as connection_env:
            yield from self._run({**self.env, **connection_env})

    def _run(self, env: dict[str, str]) -> Iterator[Batch]:
        proc = subprocess.Popen(
            [self.psql, "-X", "-q", "-f", "-"],
            env=env,
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
            while data := _read(proc.stdout.fileno()):
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
            _stop(proc)
            with self._lock:
                self._proc = None

    def cancel(self) -> None:
        """Stop the child and its query (thread-safe, returns within a few seconds).

        SIGINT first: psql then sends the server a cancel request, so the query ends on the
        server too. A child killed outright leaves its backend running (a backend waiting for a
        lock or in ``pg_sleep`` does not notice that its client is gone).
        """
        with self._lock:
            proc = self._proc
        if proc is not None:
            _stop(proc)


def _read(fd: int) -> bytes:
    """Up to :data:`READ_BYTES` from *fd*, waiting in short slices (``b""`` at end of data).

    Without read-ahead the main thread reads here, and a SIGTERM the kernel hands to another
    thread would not interrupt a plain blocking read: the handler would wait for the next byte.
    """
    while not select.select([fd], [], [], _WAIT_SECONDS)[0]:
        pass
    return os.read(fd, READ_BYTES)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGINT (psql cancels its query), then SIGKILL if the child has not ended in time."""
    if proc.poll() is not None:
        return
    with suppress(ProcessLookupError):
        proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            proc.kill()
        proc.wait()


def _error_from_stderr(text: str) -> psycopg.Error:
    """Rebuild the server's error (class chosen by SQLSTATE) from psql's verbose message."""
    match = _ERROR.search(text)
    if match is None:
        return psycopg.OperationalError(text.strip() or "psql failed without a message")
    cls: Any = psycopg.errors.lookup(match.group("sqlstate"))
    return cls(match.group("message").strip())


__all__ = ["PsqlCopyReader", "private_connection", "psql_env", "psql_path"]
