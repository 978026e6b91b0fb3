"""Fixtures: a platform home in a temp folder, a running registry on a free loopback port
(stopped at the end of the session), the container engine, a tiny image to push."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from datakit.testing.containers import Engine, detect_engine, find_repo_root
from datakit_registry.paths import PlatformPaths
from datakit_registry.server import Credentials, registry_binary, start, stop

REPO_ROOT = find_repo_root(Path(__file__).resolve())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def platform_paths(tmp_path_factory: pytest.TempPathFactory) -> PlatformPaths:
    return PlatformPaths(tmp_path_factory.mktemp("platform"))


@pytest.fixture(scope="session")
def registry(platform_paths: PlatformPaths) -> Iterator[tuple[str, Credentials]]:
    """A real docker-registry process with TLS and htpasswd auth, stopped after the session."""
    if registry_binary() is None:
        pytest.skip("docker-registry is not installed (Debian: apt-get install docker-registry)")
    addr = f"127.0.0.1:{_free_port()}"
    creds = start(platform_paths, addr)
    try:
        yield addr, creds
    finally:
        stop(platform_paths)


@pytest.fixture(scope="session")
def engine() -> Engine:
    found = detect_engine(REPO_ROOT)
    if found is None:
        pytest.skip("no container engine answers (podman or Docker)")
    if found.kind != "podman":
        pytest.skip(f"make push drives podman; this machine's engine is {found.kind}")
    return found


@pytest.fixture(scope="session")
def tiny_image(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A one-file image built FROM scratch (a few bytes: tests never push the runner images)."""
    context = tmp_path_factory.mktemp("tiny")
    (context / "hello.txt").write_text("datakit registry test\n")
    (context / "Containerfile").write_text("FROM scratch\nCOPY hello.txt /hello.txt\n")
    ref = "registry.localhost/datakit-test/tiny:1.0.0"
    built = engine.call(
        ["build", "--quiet", "--network", "host", "--pull=never", "-t", ref, str(context)]
    )
    assert built.returncode == 0, built.stderr
    image_id = str(engine.inspect(ref)["Id"])
    yield ref
    # By ID: also drops the names a pull by digest added (127.0.0.1:<port>/...@sha256:...).
    engine.call(["rmi", "--force", image_id])
