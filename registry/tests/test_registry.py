"""The registry process: TLS only, anonymous access refused, the generated credentials work,
no secret on argv or in its log, and a push then a pull by digest give back the same image."""

from __future__ import annotations

import http.client
import json
import stat
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from datakit.testing.containers import Engine
from datakit_registry.paths import PlatformPaths
from datakit_registry.push import login, manifest_digest, push_one
from datakit_registry.server import Credentials, probe, ssl_context

pytestmark = pytest.mark.registry


def test_anonymous_v2_is_401_with_a_basic_challenge(
    platform_paths: PlatformPaths, registry: tuple[str, Credentials]
) -> None:
    addr, _ = registry
    request = urllib.request.Request(f"https://{addr}/v2/")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10, context=ssl_context(platform_paths))
    assert caught.value.code == 401
    assert caught.value.headers["WWW-Authenticate"].startswith('Basic realm="datakit-registry"')


def test_anonymous_pull_of_a_repository_is_401(
    platform_paths: PlatformPaths, registry: tuple[str, Credentials]
) -> None:
    addr, _ = registry
    request = urllib.request.Request(f"https://{addr}/v2/datakit/runner-postgres/tags/list")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10, context=ssl_context(platform_paths))
    assert caught.value.code == 401


def test_the_generated_credentials_log_in_and_wrong_ones_do_not(
    platform_paths: PlatformPaths, registry: tuple[str, Credentials]
) -> None:
    addr, creds = registry
    assert probe(platform_paths, addr, auth=creds) == 200
    wrong = Credentials(creds.username, creds.password + "x")
    assert probe(platform_paths, addr, auth=wrong) == 401


def test_plain_http_is_refused(registry: tuple[str, Credentials]) -> None:
    addr, creds = registry
    host, port = addr.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", "/v2/", headers={"Authorization": creds.basic_auth()})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    # Go's TLS server answers a plain request with 400 and no registry API at all.
    assert response.status == 400, (response.status, body)
    assert response.getheader("Docker-Distribution-Api-Version") is None


def test_a_certificate_from_another_ca_is_not_trusted(
    registry: tuple[str, Credentials], tmp_path: Path
) -> None:
    from datakit_registry.tls import ensure_tls

    addr, _ = registry
    stranger = PlatformPaths(tmp_path)
    ensure_tls(stranger)
    with pytest.raises(urllib.error.URLError) as caught:
        probe(stranger, addr)
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)


def test_secrets_are_private_and_never_on_argv_or_in_the_log(
    platform_paths: PlatformPaths, registry: tuple[str, Credentials]
) -> None:
    addr, creds = registry
    assert probe(platform_paths, addr, auth=creds) == 200  # the log has seen an authorised call
    state = platform_paths.state
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    for path in (platform_paths.credentials, platform_paths.htpasswd, platform_paths.config):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert json.loads(platform_paths.credentials.read_text())["password"] == creds.password
    assert creds.password not in platform_paths.htpasswd.read_text()  # a bcrypt hash only
    assert platform_paths.htpasswd.read_text().split(":", 1)[1].startswith("$2")
    pid = int(platform_paths.pidfile.read_text())
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode()
    environ = Path(f"/proc/{pid}/environ").read_bytes().decode()
    assert creds.password not in argv and creds.password not in environ
    assert creds.password not in platform_paths.log.read_text()


@pytest.mark.container
def test_push_then_pull_by_digest_gives_the_same_image(
    platform_paths: PlatformPaths,
    registry: tuple[str, Credentials],
    engine: Engine,
    tiny_image: str,
) -> None:
    addr, creds = registry
    login(engine, platform_paths, addr, creds)
    assert stat.S_IMODE(platform_paths.authfile.stat().st_mode) == 0o600
    pushed = push_one(engine, platform_paths, addr, creds, tiny_image)
    assert pushed.target == f"{addr}/datakit-test/tiny:1.0.0"
    by_digest = f"{addr}/datakit-test/tiny@{pushed.digest}"
    # The registry's own answer, read independently of podman: the tag and the digest serve
    # manifest bytes whose sha256 is the pushed digest.
    assert manifest_digest(platform_paths, addr, creds, pushed.target) == pushed.digest
    assert manifest_digest(platform_paths, addr, creds, by_digest) == pushed.digest
    assert engine.inspect(by_digest)["Id"] == engine.inspect(tiny_image)["Id"]


@pytest.mark.container
def test_an_anonymous_engine_cannot_push(
    platform_paths: PlatformPaths,
    registry: tuple[str, Credentials],
    engine: Engine,
    tiny_image: str,
    tmp_path: Path,
) -> None:
    addr, _ = registry
    empty_auth = tmp_path / "auth.json"
    empty_auth.write_text("{}")
    result = engine.call(
        ["push", "--authfile", str(empty_auth), "--cert-dir", str(platform_paths.cert_dir),
         tiny_image, f"{addr}/datakit-test/anonymous:1"],
    )  # fmt: skip
    assert result.returncode != 0
    assert "authentication required" in result.stderr.lower() or "401" in result.stderr
