"""pytest plugin (auto-loaded through the ``pytest11`` entry point): real Postgres fixtures.

- ``postgres_server``: one server per test session (testcontainers or embedded, same interface);
- ``pg_database``: a fresh database per test, dropped afterwards, as a URL;
- ``source_url`` / ``warehouse_url``: two fresh databases on that server for a runner test.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pytest

# Shared test modules live in the SDK, outside the runners' test folders: have pytest rewrite
# their asserts too, so a failing check shows the values it compared.
pytest.register_assert_rewrite("datakit.testing.acceptance", "datakit.testing.image_checks")

from datakit.testing.postgres import PostgresServer, start_postgres  # noqa: E402

_counter = itertools.count()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()


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
