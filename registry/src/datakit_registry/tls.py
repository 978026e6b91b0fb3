"""A local certificate authority and the platform's service certificates.

Why our own CA: the registry must be served over TLS (an engine refuses a plain-HTTP registry
unless told it is "insecure", which also disables the check we want), and the hosts are local
(``registry.localhost``, ``127.0.0.1``) so no public CA can sign them. One CA per machine, trusted
once, signs every service certificate; re-running ``ensure_tls`` keeps what is still valid, so
the trust step is done once.

Keys are EC P-256, written 0600 in a 0700 folder; nothing here is ever committed (``.tls/`` is
gitignored).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from datakit_registry.paths import PlatformPaths, private_dir, write_private

CA_NAME = "Datakit local platform CA"
CA_DAYS = 3650
#: 825 days: the longest validity macOS and browsers accept for a server certificate.
SERVICE_DAYS = 825
#: Regenerate a service certificate that expires within this many days.
RENEW_DAYS = 30
#: Service name -> the host names and addresses its certificate covers. ``registry`` is served by
#: the registry process itself; ``edge`` is Traefik's default certificate for every routed host.
SERVICES: Mapping[str, Sequence[str]] = {
    "registry": ("registry.localhost", "localhost", "127.0.0.1", "::1"),
    "edge": (
        "traefik.localhost",
        "airflow.localhost",
        "registry.localhost",
        "localhost",
        "127.0.0.1",
    ),
}


@dataclass(frozen=True)
class TlsResult:
    """What ``ensure_tls`` did: the files it (re)wrote, empty when everything was kept."""

    written: tuple[str, ...]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _key_bytes(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _san(names: Sequence[str]) -> x509.SubjectAlternativeName:
    entries: list[x509.GeneralName] = []
    for name in names:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            entries.append(x509.DNSName(name))
    return x509.SubjectAlternativeName(entries)


def _load_ca(paths: PlatformPaths) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None:
    """The existing CA when both files parse, match and the CA is valid for a year more."""
    try:
        cert = x509.load_pem_x509_certificate(paths.ca_cert.read_bytes())
        key = serialization.load_pem_private_key(paths.ca_key.read_bytes(), password=None)
    except (OSError, ValueError):
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        return None
    if cert.public_key() != key.public_key():
        return None
    if cert.not_valid_after_utc < _now() + dt.timedelta(days=365):
        return None
    return cert, key


def _new_ca(paths: PlatformPaths) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME)])
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    write_private(paths.ca_key, _key_bytes(key))
    write_private(paths.ca_cert, cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def _service_valid(paths: PlatformPaths, service: str, ca: x509.Certificate) -> bool:
    """True when the service's certificate was issued by *ca*, covers exactly its names, matches
    its key and is not about to expire."""
    try:
        cert = x509.load_pem_x509_certificate(paths.cert(service).read_bytes())
        key = serialization.load_pem_private_key(paths.key(service).read_bytes(), password=None)
        cert.verify_directly_issued_by(ca)
    except Exception:  # any doubt (unreadable, wrong issuer, bad signature): reissue
        return False
    if cert.public_key() != key.public_key():
        return False
    if cert.not_valid_after_utc < _now() + dt.timedelta(days=RENEW_DAYS):
        return False
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return names == _san(SERVICES[service])


def _new_service(
    paths: PlatformPaths, service: str, ca: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    names = SERVICES[service]
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=SERVICE_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_san(names), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    write_private(paths.key(service), _key_bytes(key))
    write_private(paths.cert(service), cert.public_bytes(serialization.Encoding.PEM))


def ensure_tls(paths: PlatformPaths) -> TlsResult:
    """Create the CA and every service certificate that is missing or no longer valid; keep the
    rest byte for byte (idempotent: a second run writes nothing)."""
    private_dir(paths.tls)
    written: list[str] = []
    loaded = _load_ca(paths)
    if loaded is None:
        loaded = _new_ca(paths)
        written += [paths.ca_cert.name, paths.ca_key.name]
    ca, ca_key = loaded
    for service in SERVICES:
        if not _service_valid(paths, service, ca):
            _new_service(paths, service, ca, ca_key)
            written += [paths.cert(service).name, paths.key(service).name]
    client_ca = paths.cert_dir / "ca.crt"
    ca_bytes = paths.ca_cert.read_bytes()
    if not client_ca.is_file() or client_ca.read_bytes() != ca_bytes:
        write_private(client_ca, ca_bytes)
        written.append("client/ca.crt")
    return TlsResult(tuple(written))


def trust_instructions(paths: PlatformPaths, registry_addr: str) -> str:
    """How to trust the CA on this machine (printed by ``make platform``; also in the README)."""
    ca = paths.ca_cert
    return "\n".join(
        (
            f"Trust the local CA ({ca}) once per machine:",
            f"  Debian/Ubuntu: sudo cp {ca} /usr/local/share/ca-certificates/datakit-local-ca.crt"
            " && sudo update-ca-certificates",
            f"  podman: sudo install -D -m 0644 {ca} /etc/containers/certs.d/{registry_addr}/ca.crt"
            " (make push passes --cert-dir instead, so it needs no trust step)",
            f"  Docker: sudo install -D -m 0644 {ca} /etc/docker/certs.d/{registry_addr}/ca.crt"
            " (and /etc/docker/certs.d/registry.localhost/ca.crt for the compose file's Traefik)",
        )
    )
