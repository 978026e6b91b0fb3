"""Kerberos for ``trusted_connection=yes``: a ticket the runner obtains, keeps private and renews.

Two ways to authenticate, checked before any connection is opened:

- **A keytab**: ``DATAKIT_KERBEROS_KEYTAB_FILE`` (a path, as Kubernetes mounts secrets) and
  ``DATAKIT_KERBEROS_PRINCIPAL``. The runner runs ``kinit -k -t`` into a credential cache in a
  private (0700) temporary folder, points ``KRB5CCNAME`` at it for this process (the ODBC
  drivers' GSSAPI reads only that variable, so it is the one place the SDK sets the
  environment), renews it by a fresh ``kinit`` at half its remaining lifetime on a daemon timer,
  and deletes the folder at exit. No other process's cache is touched.
- **An existing ticket cache** (``KRB5CCNAME`` or the default cache), refreshed by someone else
  (a sidecar); the runner only checks with ``klist -s`` that it holds a valid ticket.

A wrong keytab, principal or realm is a configuration error (exit 3) with ``kinit``'s own
one-line reason; a KDC that exists but does not answer is transient (exit 4). Tickets are never
printed: ``klist`` output is parsed for the expiry time only.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from datakit.errors import ConfigError, TransientError

KEYTAB_VARIABLE = "DATAKIT_KERBEROS_KEYTAB_FILE"
PRINCIPAL_VARIABLE = "DATAKIT_KERBEROS_PRINCIPAL"
KINIT_TIMEOUT_SECONDS = 60
#: Renew at this share of the ticket's remaining lifetime, never sooner than the floor.
RENEW_AT = 0.5
RENEW_FLOOR_SECONDS = 60
DEFAULT_LIFETIME_SECONDS = 8 * 3600
_UNREACHABLE = ("cannot contact any kdc", "connection refused", "timed out")
_KLIST_TIMES = re.compile(
    r"^(?P<start>\d{2}/\d{2}/\d{2,4} \d{2}:\d{2}:\d{2})\s+"
    r"(?P<end>\d{2}/\d{2}/\d{2,4} \d{2}:\d{2}:\d{2})\s+krbtgt/",
    re.M,
)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ConfigError(
            f"config error: trusted_connection=yes needs the Kerberos tool {name!r} on PATH "
            "(Debian: apt-get install krb5-user)"
        )
    return path


def _reason(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    text = lines[-1] if lines else "no reason given"
    return re.sub(r"^kinit:\s*", "", text)


def seconds_left(klist_output: str, now: datetime | None = None) -> float | None:
    """Seconds until the TGT in ``LC_ALL=C klist`` output expires (``None``: not found)."""
    match = _KLIST_TIMES.search(klist_output)
    if match is None:
        return None
    text = match["end"]
    for fmt in ("%m/%d/%Y %H:%M:%S", "%m/%d/%y %H:%M:%S"):
        try:
            end = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return (end - (now or datetime.now())).total_seconds()
    return None


@dataclass
class KerberosTicket:
    """A ticket this process obtained from a keytab (``keytab`` set) or found in a cache."""

    ccache: str
    principal: str | None = None
    keytab: Path | None = None
    folder: Path | None = None
    renewals: int = 0
    _timer: threading.Timer | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _env(self) -> dict[str, str]:
        return {**os.environ, "KRB5CCNAME": self.ccache, "LC_ALL": "C"}

    def kinit(self) -> None:
        """Obtain (or renew) the ticket from the keytab; ConfigError/TransientError on failure."""
        assert self.keytab is not None and self.principal is not None
        try:
            done = self._run("kinit", "-k", "-t", str(self.keytab), self.principal)
        except subprocess.TimeoutExpired:
            raise TransientError(
                f"unreachable: Kerberos: kinit for {self.principal!r} did not answer in "
                f"{KINIT_TIMEOUT_SECONDS} s (check the KDC; retry may help)"
            ) from None
        if done.returncode != 0:
            reason = _reason(done.stderr or done.stdout)
            error = (
                TransientError if any(h in reason.lower() for h in _UNREACHABLE) else ConfigError
            )
            prefix = "unreachable" if error is TransientError else "config error"
            raise error(
                f"{prefix}: Kerberos: kinit with keytab {KEYTAB_VARIABLE}={self.keytab} for "
                f"principal {self.principal!r} failed: {reason}"
            )

    def lifetime(self) -> float:
        """Seconds the current ticket has left (a default when ``klist`` cannot say)."""
        try:
            done = self._run("klist")
        except subprocess.TimeoutExpired:
            return DEFAULT_LIFETIME_SECONDS
        left = seconds_left(done.stdout) if done.returncode == 0 else None
        return left if left is not None else DEFAULT_LIFETIME_SECONDS

    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        """A Kerberos tool on this cache, bounded by ``KINIT_TIMEOUT_SECONDS`` (raises
        ``TimeoutExpired``); its output is captured, never shown (it can name the ticket)."""
        return subprocess.run(
            [_tool(tool), *args],
            env=self._env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=KINIT_TIMEOUT_SECONDS,
            check=False,
        )

    def schedule_renewal(self) -> float:
        """Arm the daemon timer that renews the ticket; returns the delay in seconds."""
        delay = max(self.lifetime() * RENEW_AT, RENEW_FLOOR_SECONDS)
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(delay, self._renew)
            self._timer.daemon = True
            self._timer.start()
        return delay

    def _renew(self) -> None:
        from datakit.logging import get_logger

        try:
            self.kinit()
            self.renewals += 1
            delay = self.schedule_renewal()
            get_logger().info(
                "kerberos_ticket_renewed", principal=self.principal, renew_in_seconds=round(delay)
            )
        except (ConfigError, TransientError) as exc:
            # The next connection fails with the driver's own Kerberos error, classified there;
            # a timer thread has no one to raise to. Say so, and try again after the floor.
            get_logger().warning(
                "kerberos_renewal_failed", principal=self.principal, error=str(exc)
            )
            self.schedule_renewal()

    def close(self) -> None:
        """Stop renewing and delete the private cache (keytab tickets only)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


_current: KerberosTicket | None = None
_current_lock = threading.Lock()


def obtain_ticket(environ: Mapping[str, str] | None = None) -> KerberosTicket:
    """A valid ticket for this process, from a keytab (obtained once, renewed) or a cache.

    Idempotent: the second call returns the first call's ticket.
    """
    global _current
    env = os.environ if environ is None else environ
    with _current_lock:
        if _current is not None:
            return _current
        keytab = env.get(KEYTAB_VARIABLE) or None
        principal = env.get(PRINCIPAL_VARIABLE) or None
        if keytab is None and principal is None:
            ticket = _existing_cache(env)
        else:
            ticket = _from_keytab(keytab, principal)
        _current = ticket
        return ticket


def _from_keytab(keytab: str | None, principal: str | None) -> KerberosTicket:
    if keytab is None or principal is None:
        missing = KEYTAB_VARIABLE if keytab is None else PRINCIPAL_VARIABLE
        raise ConfigError(
            f"config error: {missing} is not set ({KEYTAB_VARIABLE} and {PRINCIPAL_VARIABLE} "
            "go together)"
        )
    path = Path(keytab)
    if not path.is_file() or not os.access(path, os.R_OK):
        raise ConfigError(
            f"config error: {KEYTAB_VARIABLE}={keytab} is not a readable file (mount the keytab there)"
        )
    folder = Path(tempfile.mkdtemp(prefix="datakit-krb5-"))
    folder.chmod(0o700)
    ticket = KerberosTicket(
        ccache=f"FILE:{folder / 'ccache'}", principal=principal, keytab=path, folder=folder
    )
    try:
        ticket.kinit()
    except BaseException:
        ticket.close()
        raise
    os.environ["KRB5CCNAME"] = ticket.ccache
    atexit.register(ticket.close)
    delay = ticket.schedule_renewal()
    from datakit.logging import get_logger

    # The principal and the schedule only: the ticket itself is never read, let alone logged.
    get_logger().info("kerberos_ticket", principal=principal, renew_in_seconds=round(delay))
    return ticket


def _existing_cache(env: Mapping[str, str]) -> KerberosTicket:
    ccache = env.get("KRB5CCNAME") or ""
    done = subprocess.run(
        [_tool("klist"), "-s"],
        env={**env, "LC_ALL": "C"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=KINIT_TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        shown = f"KRB5CCNAME={ccache}" if ccache else "the default ticket cache"
        raise ConfigError(
            f"config error: trusted_connection=yes (Kerberos) but {shown} holds no valid ticket "
            f"(set {KEYTAB_VARIABLE} and {PRINCIPAL_VARIABLE}, or kinit first)"
        )
    return KerberosTicket(ccache=ccache)


def reset() -> None:
    """Forget (and clean up) this process's ticket; for tests."""
    global _current
    with _current_lock:
        if _current is not None:
            _current.close()
        _current = None


__all__ = [
    "KEYTAB_VARIABLE",
    "PRINCIPAL_VARIABLE",
    "KerberosTicket",
    "obtain_ticket",
    "reset",
    "seconds_left",
]
