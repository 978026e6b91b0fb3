"""pytest plugin (auto-loaded through the ``pytest11`` entry point): real Postgres fixtures.

- ``postgres_server``: one server per test session (testcontainers or embedded, same interface);
- ``pg_database``: a fresh database per test, dropped afterwards, as a URL;
- ``source_url`` / ``warehouse_url``: two fresh databases on that server for a runner test;
- ``container_engine``: Docker or podman (:mod:`datakit.testing.containers`), else a visible skip;
- ``runner_image``: this runner's image, built once per session by ``images/build.py`` (a no-op
  when an image of the same content exists); ``runner_images``: every runner's image.

The ``container`` marker is registered here for every component: tests that need an engine.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext

import pytest

# Shared test modules live in the SDK, outside the runners' test folders: have pytest rewrite
# their asserts too, so a failing check shows the values it compared.
pytest.register_assert_rewrite("datakit.testing.acceptance", "datakit.testing.image_checks")

from datakit.testing.containers import (  # noqa: E402
    BuildError,
    BuiltImage,
    Engine,
    build_images,
    detect_engine,
    find_repo_root,
    missing_tools,
)
from datakit.testing.postgres import PostgresServer, start_postgres  # noqa: E402

_counter = itertools.count()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "container: needs a container engine (Docker or podman) and the built images"
    )


@pytest.fixture(scope="session")
def postgres_server(pytestconfig: pytest.Config) -> Iterator[PostgresServer]:
    # Not captured: creating the datakit-pg system user (as root) is said on the terminal.
    with _uncaptured(pytestconfig):
        server = start_postgres()
    try:
        yield server
        with _uncaptured(pytestconfig):
            _report_server_crashes(server)
    finally:
        server.stop()


def _uncaptured(config: pytest.Config) -> AbstractContextManager[object]:
    """Output in this block reaches the terminal (and CI's log) even under pytest's capture."""
    capture = config.pluginmanager.getplugin("capturemanager")
    return nullcontext() if capture is None else capture.global_and_fixture_disabled()


#: Server log lines that mean a backend died or the server restarted under the tests: every test
#: connecting in the seconds after fails with "not yet accepting connections", far from the cause.
_CRASH_MARKERS = (
    "PANIC",
    "terminated by signal",
    "was terminated by",
    "reinitializing",
    "out of memory",
)


def _report_server_crashes(server: PostgresServer) -> None:
    """Print the server's crash lines at the end of the session, where CI keeps the output."""
    crashes = [
        line for line in server.log_text().splitlines() if any(m in line for m in _CRASH_MARKERS)
    ]
    if crashes:
        print("\nthe test Postgres server logged a crash:", *crashes[:40], sep="\n  ")


def _fresh_database(server: PostgresServer, label: str) -> Iterator[str]:
    import psycopg
    from psycopg import sql

    name = f"t{os.getpid()}_{next(_counter)}_{label}"
    url = server.create_database(name)
    try:
        yield url
    finally:
        with psycopg.connect(server.url(), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def pg_database(postgres_server: PostgresServer) -> Iterator[str]:
    yield from _fresh_database(postgres_server, "db")


@pytest.fixture
def source_url(postgres_server: PostgresServer) -> Iterator[str]:
    yield from _fresh_database(postgres_server, "src")


@pytest.fixture
def warehouse_url(postgres_server: PostgresServer) -> Iterator[str]:
    yield from _fresh_database(postgres_server, "wh")


@pytest.fixture(scope="session")
def container_engine(request: pytest.FixtureRequest) -> Engine:
    """The engine ``make images`` would use; skips, naming what is missing, where none answers."""
    try:
        repo_root = find_repo_root(request.config.rootpath)
    except FileNotFoundError as error:
        pytest.skip(f"needs the repository's images/ folder: {error}")
    engine = detect_engine(repo_root)
    if engine is None:
        if os.environ.get("DATAKIT_CONTAINER_ENGINE", "").strip().lower() == "none":
            pytest.skip("DATAKIT_CONTAINER_ENGINE=none: container tests left to another job")
        missing = missing_tools()
        pytest.skip(
            "needs a container engine: `docker info` fails and podman does not answer"
            + (f" (apt-get install {' '.join(missing)})" if missing else "")
        )
    return engine


def _build(request: pytest.FixtureRequest, components: list[str]) -> list[BuiltImage]:
    try:
        return build_images(find_repo_root(request.config.rootpath), components)
    except BuildError as error:
        pytest.fail(f"make images failed:\n{error}", pytrace=False)


@pytest.fixture(scope="session")
def runner_images(
    container_engine: Engine, request: pytest.FixtureRequest
) -> dict[str, BuiltImage]:
    """Every runner's image, by component (e.g. ``runner_images["runner-dbt"].ref``)."""
    return {image.component: image for image in _build(request, [])}


@pytest.fixture(scope="session")
def runner_image(container_engine: Engine, request: pytest.FixtureRequest) -> BuiltImage:
    """The image of the runner under test (the pytest rootdir, e.g. runner-postgres)."""
    component = request.config.rootpath.name
    if not (request.config.rootpath / "Dockerfile").is_file():
        pytest.skip(f"{component} has no Dockerfile: no image")
    (image,) = _build(request, [component])
    return image
