"""The built image (``make images``): ``--version``, and ``check`` against a closed port inside the
container, through the ODBC driver the image carries (FreeTDS in the air-gapped build, Microsoft's
Driver 18 otherwise): exit 4, one result line, no secret, no traceback.

The connection URLs reach the container as ``*_FILE`` secret mounts. Skipped, with the reason,
where no container engine answers.
"""

from __future__ import annotations

import socket
import time

import pytest

from datakit.testing.containers import BuiltImage, Engine
from datakit.testing.runner_process import RunnerOutput, parse_output
from datakit_runner_sqlserver import __version__

pytestmark = [pytest.mark.integration, pytest.mark.container]

PASSWORD = "Cont41ner;Secret"
ENCODED = "Cont41ner%3BSecret"


def in_container(
    engine: Engine, image: BuiltImage, secrets: dict[str, str], *args: str
) -> RunnerOutput:
    started = time.monotonic()
    result = engine.run_container(image.ref, list(args), secret_files=secrets)
    return parse_output(result.returncode, result.stdout, result.stderr, time.monotonic() - started)


def driver_of(engine: Engine, image: BuiltImage) -> str:
    """The URL's ?driver= for the ODBC driver this image carries."""
    flavor = engine.inspect(image.ref)
    labels = (flavor.get("Config") or {}).get("Labels") or {}
    return "freetds" if labels.get("io.datakit.base.flavor") == "airgapped" else "odbc18"


def test_version_in_the_container(container_engine: Engine, runner_image: BuiltImage) -> None:
    out = in_container(container_engine, runner_image, {}, "--version")
    assert out.exit_code == 0 and out.stdout.strip() == f"runner-sqlserver {__version__}"


def test_check_against_a_closed_port_in_the_container(
    container_engine: Engine, runner_image: BuiltImage
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    driver = driver_of(container_engine, runner_image)
    out = in_container(
        container_engine,
        runner_image,
        {
            "DATAKIT_SOURCE_URL": f"mssql://sa:{ENCODED}@127.0.0.1:{port}/shop?driver={driver}"
            "&encrypt=no",
            "DATAKIT_WAREHOUSE_URL": "postgresql://wh:WhS3cret@127.0.0.1:1/warehouse",
        },
        "check",
    )
    assert out.exit_code == 4, out.stdout + out.stderr
    lines = [line for line in out.stdout.splitlines() if line.strip()]
    assert len(lines) == 1 and out.result and out.result["status"] == "failed"
    assert out.error_message.startswith("unreachable: source mssql://sa:***@127.0.0.1:")
    for text in (out.stdout, out.stderr):
        assert PASSWORD not in text and ENCODED not in text and "WhS3cret" not in text
        assert "Traceback" not in text


def test_image_carries_kerberos_tools_and_a_registered_odbc_driver(
    container_engine: Engine, runner_image: BuiltImage
) -> None:
    """kinit/klist for ?trusted_connection=yes, and the driver pyodbc will find by name."""
    result = container_engine.run_container(
        runner_image.ref,
        [
            "-c",
            "command -v kinit && command -v klist && "
            'python -c "import pyodbc; print(pyodbc.drivers())"',
        ],
        entrypoint="sh",
    )
    assert result.returncode == 0, result.stderr
    expected = (
        "FreeTDS" if driver_of(container_engine, runner_image) == "freetds" else "ODBC Driver 18"
    )
    assert expected in result.stdout
