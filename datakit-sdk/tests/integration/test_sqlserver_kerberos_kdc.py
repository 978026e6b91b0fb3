"""Kerberos for SQL Server against a real, private MIT KDC (krb5kdc on a local port, its own realm).

Proves what the offline tests cannot: a keytab login lands in a private 0700 cache that
``KRB5CCNAME`` points at, the renewal obtains a fresh ticket before the old one expires, the
cache is deleted on close, a principal the KDC does not know is exit 3, and a KDC that does not
answer is exit 4. Skipped with the reason where the KDC tools are not installed.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from datakit.engines.sqlserver import kerberos
from datakit.errors import EXIT_CONFIG, EXIT_TRANSIENT, ConfigError, TransientError

REALM = "DATAKIT.TEST"
TOOLS = ("krb5kdc", "kdb5_util", "kadmin.local", "kinit", "klist")
_SBIN = "/usr/sbin:/sbin"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not all(shutil.which(t, path=f"{os.environ.get('PATH', '')}:{_SBIN}") for t in TOOLS),
        reason="needs an MIT KDC: apt-get install krb5-kdc krb5-admin-server krb5-user",
    ),
]


def _tool(name: str) -> str:
    found = shutil.which(name, path=f"{os.environ.get('PATH', '')}:{_SBIN}")
    assert found is not None
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Kdc:
    """A throw-away KDC: its files under one folder, its process stopped by pid."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = _free_port()
        self.conf = root / "krb5.conf"
        self.kdc_conf = root / "kdc.conf"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "KRB5_CONFIG": str(self.conf),
            "KRB5_KDC_PROFILE": str(self.kdc_conf),
        }

    def write_config(self) -> None:
        self.conf.write_text(
            f"[libdefaults]\n default_realm = {REALM}\n dns_lookup_kdc = false\n"
            " dns_lookup_realm = false\n udp_preference_limit = 1\n"
            f"[realms]\n {REALM} = {{\n  kdc = 127.0.0.1:{self.port}\n }}\n"
        )
        self.kdc_conf.write_text(
            f"[kdcdefaults]\n kdc_ports = {self.port}\n kdc_tcp_ports = {self.port}\n"
            f"[realms]\n {REALM} = {{\n  database_name = {self.root / 'principal'}\n"
            f"  key_stash_file = {self.root / 'stash'}\n  acl_file = {self.root / 'kadm5.acl'}\n"
            "  max_life = 10h 0m 0s\n }\n"
            f"[logging]\n kdc = FILE:{self.root / 'kdc.log'}\n"
        )
        (self.root / "kadm5.acl").write_text("")

    def run(self, *argv: str) -> None:
        subprocess.run(list(argv), env=self.env, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        self.write_config()
        self.run(_tool("kdb5_util"), "create", "-s", "-r", REALM, "-P", "master-not-secret")
        self.process = subprocess.Popen(
            [_tool("krb5kdc"), "-n", "-r", REALM],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError("krb5kdc did not open its port")

    def principal(self, name: str, keytab: Path, max_life: str = "10 hours") -> None:
        kadmin = _tool("kadmin.local")
        self.run(kadmin, "-r", REALM, "-q", f'addprinc -randkey -maxlife "{max_life}" {name}')
        self.run(kadmin, "-r", REALM, "-q", f"ktadd -k {keytab} {name}")

    def delete(self, name: str) -> None:
        self.run(_tool("kadmin.local"), "-r", REALM, "-q", f"delprinc -force {name}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


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
    assert subprocess.run([_tool("klist"), "-s"], check=False).returncode == 0
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
