"""The runner-sqlserver CLI as a real subprocess, offline: FreeTDS against a closed port, bad URLs,
Kerberos with a keytab for a realm that does not exist, usage errors.

No SQL Server runs here; what these prove is the contract around the connection: exit codes,
one result line, no secret and no traceback anywhere in the output.
"""

from __future__ import annotations

import ctypes.util
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from datakit.testing.kdc import REALM, Kdc
from datakit.testing.kdc import missing_tools as kdc_missing
from datakit.testing.runner_process import RunnerOutput, RunnerProcess
from datakit.testing.usage_errors import RUNNER_USAGE_CASES, BadArgv, check_bad_argv
from datakit_runner_sqlserver import __version__

RUNNER = RunnerProcess([sys.executable, "-m", "datakit_runner_sqlserver"])
PASSWORD = "S3cret;pw}x"
ENCODED = "S3cret%3Bpw%7Dx"
WAREHOUSE = "postgresql://wh:WhPassw0rd@127.0.0.1:1/warehouse"  # never reached: source first


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def assert_clean_failure(out: RunnerOutput, exit_code: int) -> str:
    assert out.exit_code == exit_code, out.stdout + out.stderr
    lines = [line for line in out.stdout.splitlines() if line.strip()]
    assert len(lines) == 1 and out.result and out.result["status"] == "failed"
    message = out.error_message
    assert "\n" not in message
    for text in (out.stdout, out.stderr):
        assert PASSWORD not in text and ENCODED not in text and "WhPassw0rd" not in text
        assert "Traceback" not in text
    return message


def test_version() -> None:
    out = RUNNER.run("--version", timeout=60)
    assert out.exit_code == 0 and out.stdout.strip() == f"runner-sqlserver {__version__}"


@pytest.mark.skipif(
    not Path("/usr/lib/x86_64-linux-gnu/odbc/libtdsodbc.so").exists()
    and not list(Path("/usr/lib").glob("*/odbc/libtdsodbc.so")),
    reason="FreeTDS ODBC driver not installed (apt-get install tdsodbc unixodbc)",
)
def test_check_against_a_closed_port_is_transient() -> None:
    port = closed_port()
    out = RUNNER.run(
        "check",
        env={
            "DATAKIT_SOURCE_URL": f"mssql://sa:{ENCODED}@127.0.0.1:{port}/shop?driver=freetds",
            "DATAKIT_WAREHOUSE_URL": WAREHOUSE,
        },
        timeout=120,
    )
    message = assert_clean_failure(out, 4)
    assert message.startswith("unreachable: source mssql://sa:***@127.0.0.1:")
    assert out.seconds < 60


@pytest.mark.skipif(
    ctypes.util.find_library("odbc") is None,
    reason="unixODBC's driver manager (libodbc) not installed: apt-get install unixodbc",
)
def test_a_driver_that_is_not_installed_is_a_config_error() -> None:
    out = RUNNER.run(
        "check",
        env={
            "DATAKIT_SOURCE_URL": f"mssql://sa:{ENCODED}@127.0.0.1:{closed_port()}/shop"
            "?driver=No%20Such%20Driver%2099",
            "DATAKIT_WAREHOUSE_URL": WAREHOUSE,
        },
        timeout=60,
    )
    message = assert_clean_failure(out, 3)
    assert "ODBC driver not installed" in message


@pytest.mark.parametrize(
    ("query", "named"),
    [("?colour=red", "unknown URL parameter 'colour'"), ("?encrypt=perhaps", "?encrypt=")],
)
def test_bad_url_parameters_name_the_parameter(query: str, named: str) -> None:
    out = RUNNER.run(
        "check",
        env={
            "DATAKIT_SOURCE_URL": f"mssql://sa:{ENCODED}@127.0.0.1:1/shop{query}",
            "DATAKIT_WAREHOUSE_URL": WAREHOUSE,
        },
        timeout=60,
    )
    assert named in assert_clean_failure(out, 3)


@pytest.mark.skipif(
    not shutil.which("ktutil"), reason="MIT Kerberos tools not installed (krb5-user)"
)
def test_kerberos_with_a_keytab_for_an_unknown_realm(tmp_path: Path) -> None:
    keytab = tmp_path / "etl.keytab"
    subprocess.run(
        ["ktutil"],
        input=f"addent -password -p etl@BOGUS.EXAMPLE -k 1 -e aes256-cts-hmac-sha1-96\n"
        f"{PASSWORD}\nwkt {keytab}\nquit\n",
        text=True,
        capture_output=True,
        check=True,
    )
    conf = tmp_path / "krb5.conf"
    conf.write_text("[libdefaults]\n dns_lookup_kdc = false\n")
    out = RUNNER.run(
        "check",
        env={
            "DATAKIT_SOURCE_URL": "mssql://db.example:1433/shop?trusted_connection=yes&driver=freetds",
            "DATAKIT_WAREHOUSE_URL": WAREHOUSE,
            "DATAKIT_KERBEROS_KEYTAB_FILE": str(keytab),
            "DATAKIT_KERBEROS_PRINCIPAL": "etl@BOGUS.EXAMPLE",
            "KRB5_CONFIG": str(conf),
        },
        timeout=60,
    )
    message = assert_clean_failure(out, 3)
    assert "Cannot find KDC for realm" in message and "BOGUS.EXAMPLE" in message


@pytest.mark.parametrize("case", RUNNER_USAGE_CASES, ids=lambda case: case.label)
def test_bad_command_lines_exit_with_their_class(case: BadArgv) -> None:
    check_bad_argv(case, RUNNER.run(*case.argv, timeout=60))


@pytest.mark.skipif(kdc_missing() is not None, reason=str(kdc_missing()))
def test_kerberos_keytab_login_through_the_cli(tmp_path: Path) -> None:
    """A keytab the private KDC accepts: the ticket is obtained (no exit 3), then the closed port
    is what fails (exit 4); nothing of the ticket or the keytab's key reaches the output."""
    kdc = Kdc(tmp_path / "kdc")
    kdc.root.mkdir()
    kdc.start()
    try:
        keytab = tmp_path / "etl.keytab"
        kdc.principal(f"etl@{REALM}", keytab)
        out = RUNNER.run(
            "check",
            env={
                "DATAKIT_SOURCE_URL": f"mssql://127.0.0.1:{closed_port()}/shop"
                "?trusted_connection=yes&driver=freetds",
                "DATAKIT_WAREHOUSE_URL": WAREHOUSE,
                "DATAKIT_KERBEROS_KEYTAB_FILE": str(keytab),
                "DATAKIT_KERBEROS_PRINCIPAL": f"etl@{REALM}",
                "KRB5_CONFIG": str(kdc.conf),
                "KRB5CCNAME": None,
            },
            timeout=120,
        )
    finally:
        kdc.stop()
    message = assert_clean_failure(out, 4)
    assert message.startswith("unreachable: source mssql://127.0.0.1:")
    assert "krbtgt" not in out.stdout + out.stderr
    (event,) = out.events_named("kerberos_ticket")
    assert event["principal"] == f"etl@{REALM}" and event["renew_in_seconds"] > 0
