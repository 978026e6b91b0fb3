"""runner-spark's image: the SDK's shared image checks (the built image where a container engine
answers, its install imitated on the host, the Dockerfile as text), plus what only this image
has: Java, Spark's JDBC drivers, and real runs inside the container (a check against a closed
port, an extract from the embedded Postgres into a catalog folder mounted in)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest

from datakit.testing.containers import BuiltImage, Engine
from datakit.testing.image_checks import *  # noqa: F403 - the shared tests are collected here
from datakit.testing.image_checks import ImageSpec
from datakit.testing.postgres import PostgresServer, free_port
from datakit.testing.runner_process import RunnerOutput, parse_output
from datakit.testing.spark_cluster import local_catalog_conf
from tests.conftest import TESTS_DIR

UID = "10001"


@pytest.fixture(scope="module")
def image_spec() -> ImageSpec:
    return ImageSpec(
        component_dir=Path(__file__).resolve().parents[2],
        cli="runner-spark",
        distribution="datakit_runner_spark",
        # Published as an sdist only: images/wheels.sh builds its wheel at the locked version.
        sdist_only=("pyspark",),
        commands=("extract", "run", "check", "discover"),
        own_distributions=("datakit_sdk", "datakit_runner_spark"),
    )


def test_dockerfile_puts_both_jdbc_drivers_on_sparks_classpath(image_spec: ImageSpec) -> None:
    text = image_spec.dockerfile.read_text()

    assert "openjdk-17-jre-headless" in text and "libpostgresql-jdbc-java" in text
    assert 'ln -s /usr/share/java/postgresql.jar "$jars/postgresql.jar"' in text
    for argument in ("MSSQL_JDBC_DOWNLOAD", "MSSQL_JDBC_SHA256", "MSSQL_JDBC_JAR"):
        assert f'ARG {argument}=""' in text, argument  # opt-in: Maven Central is unreachable here
    assert "sha256sum -c" in text  # a downloaded driver is verified, never trusted


def in_container(
    engine: Engine,
    image: BuiltImage,
    args: list[str],
    *,
    secrets: dict[str, str],
    env: dict[str, str] | None = None,
    folder: Path | None = None,
) -> RunnerOutput:
    """``runner-spark ARGS`` in the image: host network, read-only root, uid 10001; each secret
    as a file (``<NAME>_FILE``), *folder* mounted read-write at its own path (so the catalog's
    recorded locations hold on the host too)."""
    secret_dir = Path(os.environ.get("TMPDIR", "/tmp")) / f"datakit-secrets-{uuid.uuid4().hex}"
    secret_dir.mkdir(mode=0o700)
    try:
        variables = dict(env or {})
        mounts: list[str] = []
        for name, value in secrets.items():
            path = secret_dir / name.lower()
            path.write_text(value)
            path.chmod(0o644)
            mounts += ["-v", f"{path}:/run/secrets/{name.lower()}:ro"]
            variables[f"{name}_FILE"] = f"/run/secrets/{name.lower()}"
        if folder is not None:
            mounts += ["-v", f"{folder}:{folder}"]
        argv = engine.run_args(image.ref, args, env_names=sorted(variables), user=f"{UID}:{UID}")
        at = argv.index(image.ref)
        argv[at:at] = mounts
        done = engine.call(argv, timeout_seconds=600, extra_env=variables)
        return parse_output(done.returncode, done.stdout, done.stderr, 0.0)
    finally:
        for path in secret_dir.iterdir():
            path.unlink()
        secret_dir.rmdir()


@pytest.mark.container
def test_image_has_java_and_the_postgres_driver_in_sparks_jars(
    container_engine: Engine, runner_image: BuiltImage
) -> None:
    code = (
        "import os, pyspark; j = os.path.join(os.path.dirname(pyspark.__file__), 'jars'); "
        "p = os.path.join(j, 'postgresql.jar'); print(os.path.isfile(p), pyspark.__version__)"
    )
    python = container_engine.run_container(runner_image.ref, ["-c", code], entrypoint="python")
    java = container_engine.run_container(runner_image.ref, ["-version"], entrypoint="java")

    assert python.stdout.split() == ["True", "4.3.0"], python.stderr[-2000:]
    assert java.returncode == 0 and 'version "17.' in java.stderr, java.stderr[-2000:]


@pytest.mark.container
def test_image_check_against_a_closed_port_is_transient_and_keeps_the_secret(
    container_engine: Engine, runner_image: BuiltImage, tmp_path: Path
) -> None:
    password = f"pw-{uuid.uuid4().hex}"
    source = f"postgresql://reader:{password}@127.0.0.1:{free_port()}/shop?connect_timeout=3"
    warehouse = "spark+session:///?" + urlencode({"spark.master": "local[1]"})

    out = in_container(
        container_engine, runner_image, ["check"],
        secrets={"DATAKIT_SOURCE_URL": source, "DATAKIT_WAREHOUSE_URL": warehouse},
    )  # fmt: skip

    assert out.exit_code == 4, out.stderr[-3000:]
    assert out.error_message and "\n" not in out.error_message
    assert password not in out.stdout + out.stderr


@pytest.fixture
def shop(postgres_server: PostgresServer) -> Iterator[str]:
    name = f"rspark_img_{uuid.uuid4().hex[:8]}"
    url = postgres_server.create_database(name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE public.orders (id bigint PRIMARY KEY, customer text, "
            "amount numeric(12,2), placed date);"
            "INSERT INTO public.orders SELECT i, 'c' || (i % 13), i * 0.25, "
            "date '1500-01-01' + i FROM generate_series(1, 3000) AS i"
        )
    try:
        yield url
    finally:
        with psycopg.connect(postgres_server.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.integration
@pytest.mark.container
def test_image_extracts_into_a_mounted_catalog_equal_to_the_source(
    container_engine: Engine, runner_image: BuiltImage, shop: str, tmp_path: Path
) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    os.chown(catalog, int(UID), int(UID))
    conf = local_catalog_conf(catalog)
    warehouse = "spark+session:///?" + urlencode(conf)

    out = in_container(
        container_engine, runner_image,
        ["extract", "--table", "public.orders", "--source-name", "shop", "--partitions", "2"],
        secrets={"DATAKIT_SOURCE_URL": shop, "DATAKIT_WAREHOUSE_URL": warehouse},
        folder=catalog,
    )  # fmt: skip

    assert out.exit_code == 0, out.stderr[-3000:]
    assert out.result is not None and out.result["tables"][0]["rows"] == 3000
    read = subprocess.run(
        [sys.executable, str(TESTS_DIR / "spark_reader.py"), json.dumps(conf),
         json.dumps({"rows": "SELECT id, customer, amount, placed FROM bronze.shop__orders "
                             "ORDER BY id"})],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert read.returncode == 0, read.stderr[-3000:]
    with psycopg.connect(shop) as conn:
        source = conn.execute(
            "SELECT id, customer, amount, placed::text FROM public.orders ORDER BY id"
        ).fetchall()
    bronze = json.loads(read.stdout.strip().splitlines()[-1])["rows"]
    assert [[i, c, Decimal(a), d] for i, c, a, d in bronze] == [list(r) for r in source]
