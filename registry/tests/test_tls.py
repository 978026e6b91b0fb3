"""The CA and service certificates: private files, a chain that verifies, idempotent runs."""

from __future__ import annotations

import ipaddress
import stat
import subprocess
from pathlib import Path

import pytest
from cryptography import x509

from datakit_registry.paths import PlatformPaths
from datakit_registry.tls import SERVICES, ensure_tls


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_are_private(tmp_path: Path) -> None:
    paths = PlatformPaths(tmp_path)
    ensure_tls(paths)
    assert _mode(paths.tls) == 0o700
    assert _mode(paths.cert_dir) == 0o700
    files = [p for p in paths.tls.rglob("*") if p.is_file()]
    assert len(files) == 1 + 2 + 2 * len(SERVICES)  # client/ca.crt, CA pair, a pair per service
    assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_chain_verifies_with_openssl(tmp_path: Path, service: str) -> None:
    paths = PlatformPaths(tmp_path)
    ensure_tls(paths)
    for name in SERVICES[service]:
        flag = "-verify_ip" if _is_ip(name) else "-verify_hostname"
        result = subprocess.run(
            ["openssl", "verify", "-CAfile", str(paths.ca_cert), "-purpose", "sslserver",
             flag, name, str(paths.cert(service))],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert result.returncode == 0, f"{name}: {result.stdout}{result.stderr}"
    other = subprocess.run(
        ["openssl", "verify", "-CAfile", str(paths.ca_cert), "-verify_hostname", "example.com",
         str(paths.cert(service))],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert other.returncode != 0, "a host the certificate does not name must not verify"


def test_a_foreign_ca_does_not_verify(tmp_path: Path) -> None:
    ours, theirs = PlatformPaths(tmp_path / "a"), PlatformPaths(tmp_path / "b")
    ensure_tls(ours)
    ensure_tls(theirs)
    result = subprocess.run(
        ["openssl", "verify", "-CAfile", str(theirs.ca_cert), str(ours.cert("registry"))],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0


def test_second_run_keeps_everything(tmp_path: Path) -> None:
    paths = PlatformPaths(tmp_path)
    first = ensure_tls(paths)
    before = {p: p.read_bytes() for p in paths.tls.rglob("*") if p.is_file()}
    second = ensure_tls(paths)
    assert first.written and second.written == ()
    assert {p: p.read_bytes() for p in paths.tls.rglob("*") if p.is_file()} == before


def test_a_broken_service_certificate_is_reissued_under_the_same_ca(tmp_path: Path) -> None:
    paths = PlatformPaths(tmp_path)
    ensure_tls(paths)
    ca_before = paths.ca_cert.read_bytes()
    paths.cert("registry").write_bytes(b"not a certificate")
    result = ensure_tls(paths)
    assert result.written == ("registry.crt", "registry.key")
    assert paths.ca_cert.read_bytes() == ca_before
    cert = x509.load_pem_x509_certificate(paths.cert("registry").read_bytes())
    cert.verify_directly_issued_by(x509.load_pem_x509_certificate(ca_before))


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True
