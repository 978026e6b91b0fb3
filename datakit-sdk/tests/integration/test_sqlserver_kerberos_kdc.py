"""Kerberos for SQL Server against a real, private MIT KDC (krb5kdc on a local port, its own realm).

Proves what the offline tests cannot: a keytab login lands in a private 0700 cache that
``KRB5CCNAME`` points at, the renewal obtains a fresh ticket before the old one expires, the
cache is deleted on close, a principal the KDC does not know is exit 3, and a KDC that does not
answer is exit 4. Skipped with the reason where the KDC tools are not installed.
"""

from __future__ import annotations

import os
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from datakit.engines.sqlserver import kerberos
from datakit.errors import EXIT_CONFIG, EXIT_TRANSIENT, ConfigError, TransientError
from datakit.testing.kdc import REALM, Kdc, missing_tools, tool

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(missing_tools() is not None, reason=str(missing_tools())),
]


@pytest.fixture
def kdc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Kdc]:
    server = Kdc(tmp_path / "kdc")
    server.root.mkdir()
    server.start()
    monkeypatch.setenv("KRB5_CONFIG", str(server.conf))
    monkeypatch.delenv("KRB5CCNAME", raising=False)
    kerberos.reset()
    try:
        yield server
    finally:
        kerberos.reset()
        server.stop()


def test_keytab_login_renewal_and_cleanup(kdc: Kdc, tmp_path: Path) -> None:
    keytab = tmp_path / "etl.keytab"
    kdc.principal(f"etl@{REALM}", keytab, max_life="4 minutes")
    ticket = kerberos.obtain_ticket(
        {kerberos.KEYTAB_VARIABLE: str(keytab), kerberos.PRINCIPAL_VARIABLE: f"etl@{REALM}"}
    )
    assert ticket.folder is not None
    assert stat.S_IMODE(ticket.folder.stat().st_mode) == 0o700
    assert os.environ["KRB5CCNAME"] == ticket.ccache == f"FILE:{ticket.folder / 'ccache'}"
    assert subprocess.run([tool("klist"), "-s"], check=False).returncode == 0
    # A 4-minute ticket is renewed at half its remaining life, never sooner than the floor.
    left = ticket.lifetime()
    assert 200 < left <= 240
    assert ticket.schedule_renewal() == pytest.approx(left * kerberos.RENEW_AT, abs=5)
    before = (ticket.folder / "ccache").stat().st_mtime_ns
    time.sleep(1.1)
    ticket._renew()
    assert ticket.renewals == 1
    assert (ticket.folder / "ccache").stat().st_mtime_ns > before
    assert kerberos.obtain_ticket() is ticket  # once per process
    folder = ticket.folder
    kerberos.reset()
    assert not folder.exists()


def test_principal_unknown_to_the_kdc_is_a_config_error(kdc: Kdc, tmp_path: Path) -> None:
    keytab = tmp_path / "gone.keytab"
    kdc.principal(f"gone@{REALM}", keytab)
    kdc.delete(f"gone@{REALM}")
    with pytest.raises(ConfigError) as caught:
        kerberos.obtain_ticket(
            {kerberos.KEYTAB_VARIABLE: str(keytab), kerberos.PRINCIPAL_VARIABLE: f"gone@{REALM}"}
        )
    assert caught.value.exit_code == EXIT_CONFIG
    assert "not found in Kerberos database" in str(caught.value)


def test_a_kdc_that_does_not_answer_is_transient(kdc: Kdc, tmp_path: Path) -> None:
    keytab = tmp_path / "etl.keytab"
    kdc.principal(f"etl@{REALM}", keytab)
    kdc.stop()
    with pytest.raises(TransientError) as caught:
        kerberos.obtain_ticket(
            {kerberos.KEYTAB_VARIABLE: str(keytab), kerberos.PRINCIPAL_VARIABLE: f"etl@{REALM}"}
        )
    assert caught.value.exit_code == EXIT_TRANSIENT
    assert "Cannot contact any KDC" in str(caught.value)
