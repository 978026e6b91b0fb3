"""``python -m datakit_registry pull-secret``: the image pull Secret Kubernetes pulls runner
images with, rendered from the credentials file (run as a subprocess, as ``make pull-secret``)."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from base64 import b64decode
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from datakit.testing.containers import Engine, find_repo_root
from datakit_registry.paths import PlatformPaths
from datakit_registry.pull_secret import DEFAULT_SECRET_NAME, SECRET_TYPE
from datakit_registry.push import login, push_one
from datakit_registry.server import Credentials, ensure_credentials, probe

#: The version orchestration's tests validate its rendered objects against.
KUBERNETES_VERSION = "1.30.0"
REPO_ROOT = find_repo_root(Path(__file__).resolve())
PLATFORM_YAML = REPO_ROOT / "orchestration" / "include" / "platform.yaml"


def _run(home: Path, *args: str, addr: str = "127.0.0.1:5000") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATAKIT_PLATFORM_HOME": str(home), "DATAKIT_REGISTRY_ADDR": addr}
    return subprocess.run(
        [sys.executable, "-m", "datakit_registry", "pull-secret", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _docker_config(secret: dict[str, object]) -> dict[str, dict[str, dict[str, str]]]:
    data = secret["data"]
    assert isinstance(data, dict)
    return json.loads(b64decode(data[".dockerconfigjson"]))


def _decoded(secret: dict[str, object], server: str) -> Credentials:
    auth = b64decode(_docker_config(secret)["auths"][server]["auth"]).decode()
    user, _, password = auth.partition(":")
    return Credentials(user, password)


def test_the_default_name_is_the_one_orchestration_references(tmp_path: Path) -> None:
    platform = yaml.safe_load(PLATFORM_YAML.read_text())
    assert platform["kubernetes"]["image_pull_secret"] == DEFAULT_SECRET_NAME
    ensure_credentials(PlatformPaths(tmp_path))
    out = tmp_path / "secret.yaml"
    result = _run(tmp_path, "--namespace", "datakit-acme", "--out", str(out))
    assert result.returncode == 0, result.stderr
    (secret,) = yaml.safe_load_all(out.read_text())
    assert secret["metadata"]["name"] == platform["kubernetes"]["image_pull_secret"]
    # Keyed by the host the pods' image references name (platform.yaml `registry`).
    assert platform["registry"] in _docker_config(secret)["auths"]


def test_one_strictly_valid_secret_per_namespace_in_a_private_file(tmp_path: Path) -> None:
    paths = PlatformPaths(tmp_path)
    creds = ensure_credentials(paths)
    result = _run(
        tmp_path, "--namespace", "datakit-acme", "--namespace", "datakit-globex",
        "--namespace", "datakit-acme", "--name", "pull-creds",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = paths.state / "k8s" / "pull-secret.yaml"  # the default: under the ignored .state/
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert creds.password not in result.stdout + result.stderr
    secrets = list(yaml.safe_load_all(out.read_text()))
    assert [s["metadata"]["namespace"] for s in secrets] == ["datakit-acme", "datakit-globex"]
    for secret in secrets:
        kubernetes_validate.validate(secret, KUBERNETES_VERSION, strict=True)
        assert secret["kind"] == "Secret" and secret["type"] == SECRET_TYPE
        assert secret["metadata"]["name"] == "pull-creds"
        assert set(_docker_config(secret)["auths"]) == {"registry.localhost", "127.0.0.1:5000"}
        assert _decoded(secret, "127.0.0.1:5000") == creds
    # Strict validation can fail: a misspelt field of the same Secret is refused.
    broken = {**secrets[0], "datas": secrets[0]["data"]}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_the_default_output_folder_is_ignored_by_git() -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "registry/.state/k8s/pull-secret.yaml"],
        cwd=REPO_ROOT,
        check=False,
    )
    assert ignored.returncode == 0


def test_out_dash_prints_it_and_nothing_else_does(tmp_path: Path) -> None:
    creds = ensure_credentials(PlatformPaths(tmp_path))
    printed = _run(tmp_path, "--namespace", "datakit-acme", "--out", "-")
    assert printed.returncode == 0, printed.stderr
    (secret,) = yaml.safe_load_all(printed.stdout)
    assert _decoded(secret, "registry.localhost") == creds
    assert not (tmp_path / ".state" / "k8s").exists()


def test_an_existing_out_folder_keeps_its_mode(tmp_path: Path) -> None:
    ensure_credentials(PlatformPaths(tmp_path))
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    result = _run(tmp_path, "--namespace", "datakit-acme", "--out", str(shared / "s.yaml"))
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755
    assert stat.S_IMODE((shared / "s.yaml").stat().st_mode) == 0o600
    assert [p.name for p in shared.iterdir()] == ["s.yaml"]  # no temp file left


def test_missing_credentials_are_exit_3_in_one_line_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    result = _run(tmp_path, "--namespace", "datakit-acme")
    assert result.returncode == 3
    assert result.stderr.strip().splitlines() == [
        f"datakit-platform pull-secret: no registry credentials at "
        f"{tmp_path / '.state' / 'credentials.json'}: run `make platform` first"
    ]
    assert result.stdout == ""
    assert not (tmp_path / ".state").exists()  # the credentials are never generated here


def test_a_broken_credentials_file_is_exit_3_without_its_content(tmp_path: Path) -> None:
    paths = PlatformPaths(tmp_path)
    paths.state.mkdir()
    paths.credentials.write_text('{"user": "datakit", "pass": "s3cret-value"}')
    result = _run(tmp_path, "--namespace", "datakit-acme")
    assert result.returncode == 3
    assert len(result.stderr.strip().splitlines()) == 1
    assert str(paths.credentials) in result.stderr and "s3cret-value" not in result.stderr
    assert not (paths.state / "k8s").exists()


def test_the_cli_takes_no_password(tmp_path: Path) -> None:
    help_text = _run(tmp_path, "--help")
    assert help_text.returncode == 0
    options = set(re.findall(r"--[a-z][a-z-]*", help_text.stdout))
    assert options == {"--help", "--namespace", "--name", "--server", "--out"}
    refused = _run(tmp_path, "--namespace", "datakit-acme", "--password", "x")
    assert refused.returncode == 2 and "unrecognized arguments: --password" in refused.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("--namespace", "Datakit_Acme"),
        ("--namespace", "datakit-acme", "--name", "bad_name"),
        (),
    ],
)
def test_bad_names_are_usage_errors_and_nothing_is_written(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    ensure_credentials(PlatformPaths(tmp_path))
    result = _run(tmp_path, *args)
    assert result.returncode == 2
    assert "--namespace" in result.stderr or "--name" in result.stderr
    assert not (tmp_path / ".state" / "k8s").exists()


@pytest.mark.registry
def test_the_decoded_secret_logs_in_to_the_running_registry(
    platform_paths: PlatformPaths, registry: tuple[str, Credentials], tmp_path: Path
) -> None:
    addr, creds = registry
    out = tmp_path / "secret.yaml"
    result = _run(platform_paths.root, "--namespace", "datakit-acme", "--out", str(out), addr=addr)
    assert result.returncode == 0, result.stderr
    (secret,) = yaml.safe_load_all(out.read_text())
    decoded = _decoded(secret, addr)
    assert decoded == creds
    assert probe(platform_paths, addr, auth=decoded) == 200
    assert probe(platform_paths, addr) == 401


@pytest.mark.registry
@pytest.mark.container
def test_an_engine_pulls_with_the_secret_as_its_auth_file(
    platform_paths: PlatformPaths,
    registry: tuple[str, Credentials],
    engine: Engine,
    tiny_image: str,
    tmp_path: Path,
) -> None:
    """``.dockerconfigjson`` is the auth file format kubelet and podman both read: a pull with
    the decoded Secret succeeds where the same pull without it is refused."""
    addr, creds = registry
    login(engine, platform_paths, addr, creds)
    pushed = push_one(engine, platform_paths, addr, creds, tiny_image)
    out = tmp_path / "secret.yaml"
    result = _run(platform_paths.root, "--namespace", "datakit-acme", "--out", str(out), addr=addr)
    assert result.returncode == 0, result.stderr
    (secret,) = yaml.safe_load_all(out.read_text())
    authfile = tmp_path / "auth.json"
    authfile.write_bytes(b64decode(secret["data"][".dockerconfigjson"]))
    empty = tmp_path / "empty.json"
    empty.write_text("{}")
    by_digest = f"{addr}/datakit-test/tiny@{pushed.digest}"
    flags = ["--cert-dir", str(platform_paths.cert_dir), "--quiet", by_digest]
    refused = engine.call(["pull", "--authfile", str(empty), *flags])
    assert refused.returncode != 0
    pulled = engine.call(["pull", "--authfile", str(authfile), *flags])
    assert pulled.returncode == 0, pulled.stderr
    assert engine.inspect(by_digest)["Id"] == engine.inspect(tiny_image)["Id"]
