"""A private MIT KDC for tests: ``krb5kdc`` on a free local port with its own realm and files.

Used by the SDK's Kerberos tests and runner-sqlserver's CLI test. :func:`missing_tools` names
what to install where the KDC tools are absent, so a test can skip with that reason.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

REALM = "DATAKIT.TEST"
TOOLS = ("krb5kdc", "kdb5_util", "kadmin.local", "kinit", "klist")
_SBIN = "/usr/sbin:/sbin"


def tool(name: str) -> str:
    """The path of a Kerberos tool (``/usr/sbin`` searched too: Debian keeps the KDC there)."""
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
        self.run(tool("kdb5_util"), "create", "-s", "-r", REALM, "-P", "master-not-secret")
        self.process = subprocess.Popen(
            [tool("krb5kdc"), "-n", "-r", REALM],
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
        kadmin = tool("kadmin.local")
        self.run(kadmin, "-r", REALM, "-q", f'addprinc -randkey -maxlife "{max_life}" {name}')
        self.run(kadmin, "-r", REALM, "-q", f"ktadd -k {keytab} {name}")

    def delete(self, name: str) -> None:
        self.run(tool("kadmin.local"), "-r", REALM, "-q", f"delprinc -force {name}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def missing_tools() -> str | None:
    """Why no KDC can run here (``None``: it can)."""
    if all(shutil.which(t, path=f"{os.environ.get('PATH', '')}:{_SBIN}") for t in TOOLS):
        return None
    return "needs an MIT KDC: apt-get install krb5-kdc krb5-admin-server krb5-user"


__all__ = ["REALM", "Kdc", "missing_tools", "tool"]
