"""Kerberos for SQL Server with the real MIT tools (kinit, klist, ktutil), offline.

No KDC exists here, so every run fails; what is proven is *how*: a wrong keytab, principal or
realm is a one-line ConfigError (exit 3) with kinit's reason, and the private cache folder does
not outlive the failure.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

import pytest

from datakit.engines.sqlserver import kerberos
from datakit.errors import EXIT_CONFIG, ConfigError

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("kinit", "klist", "ktutil")),
    reason="MIT Kerberos tools (kinit, klist, ktutil) not installed: apt-get install krb5-user",
)


@pytest.fixture(autouse=True)
def offline_krb5(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A krb5.conf without realms or DNS lookups, a private temp dir and an empty cache."""
    conf = tmp_path / "krb5.conf"
    conf.write_text("[libdefaults]\n dns_lookup_kdc = false\n dns_lookup_realm = false\n")
    monkeypatch.setenv("KRB5_CONFIG", str(conf))
    monkeypatch.setenv("KRB5CCNAME", f"FILE:{tmp_path / 'nobody-cache'}")
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    kerberos.reset()
    yield temp
    kerberos.reset()


def keytab_for(principal: str, path: Path) -> Path:
    """A real keytab (ktutil) holding a key for *principal*."""
    script = (
        f"addent -password -p {principal} -k 1 -e aes256-cts-hmac-sha1-96\n"
        "not-a-real-password\n"
        f"wkt {path}\nquit\n"
    )
    subprocess.run(["ktutil"], input=script, text=True, capture_output=True, check=True)
    assert path.stat().st_size > 0
    return path


def obtain(env: dict[str, str]) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        kerberos.obtain_ticket(env)
    assert caught.value.exit_code == EXIT_CONFIG
    assert "\n" not in str(caught.value)
    return caught.value


def test_bogus_realm_is_a_config_error_with_kinits_reason(
    tmp_path: Path, offline_krb5: Path
) -> None:
    keytab = keytab_for("etl@BOGUS.EXAMPLE", tmp_path / "etl.keytab")
    error = obtain(
        {
            kerberos.KEYTAB_VARIABLE: str(keytab),
            kerberos.PRINCIPAL_VARIABLE: "etl@BOGUS.EXAMPLE",
        }
    )
    assert "Cannot find KDC for realm" in str(error) and "BOGUS.EXAMPLE" in str(error)
    assert kerberos.KEYTAB_VARIABLE in str(error)
    assert list(offline_krb5.iterdir()) == []  # the private cache folder is gone


def test_principal_not_in_keytab(tmp_path: Path) -> None:
    keytab = keytab_for("etl@BOGUS.EXAMPLE", tmp_path / "etl.keytab")
    error = obtain(
        {kerberos.KEYTAB_VARIABLE: str(keytab), kerberos.PRINCIPAL_VARIABLE: "other@BOGUS.EXAMPLE"}
    )
    assert "failed:" in str(error) and "other@BOGUS.EXAMPLE" in str(error)


def test_invalid_keytab_file(tmp_path: Path) -> None:
    keytab = tmp_path / "garbage.keytab"
    keytab.write_bytes(b"this is not a keytab")
    error = obtain(
        {kerberos.KEYTAB_VARIABLE: str(keytab), kerberos.PRINCIPAL_VARIABLE: "etl@BOGUS.EXAMPLE"}
    )
    assert "kinit with keytab" in str(error)


def test_missing_keytab_or_principal(tmp_path: Path) -> None:
    error = obtain(
        {
            kerberos.KEYTAB_VARIABLE: str(tmp_path / "absent.keytab"),
            kerberos.PRINCIPAL_VARIABLE: "etl@BOGUS.EXAMPLE",
        }
    )
    assert "is not a readable file" in str(error)
    error = obtain({kerberos.KEYTAB_VARIABLE: str(tmp_path / "x.keytab")})
    assert kerberos.PRINCIPAL_VARIABLE in str(error)


def test_no_ticket_in_the_cache(tmp_path: Path) -> None:
    error = obtain({"KRB5CCNAME": f"FILE:{tmp_path / 'empty-cache'}", "PATH": "/usr/bin:/bin"})
    assert "holds no valid ticket" in str(error) and kerberos.KEYTAB_VARIABLE in str(error)


def test_renewal_time_from_klist_output() -> None:
    output = (
        "Ticket cache: FILE:/tmp/x\nDefault principal: etl@CORP.EXAMPLE\n\n"
        "Valid starting       Expires              Service principal\n"
        "12/02/2026 10:00:00  12/02/2026 20:00:00  krbtgt/CORP.EXAMPLE@CORP.EXAMPLE\n"
    )
    assert kerberos.seconds_left(output, now=datetime(2026, 12, 2, 12, 0, 0)) == 8 * 3600
    assert kerberos.seconds_left("no ticket here") is None
