"""``make push``: every runner image, with its version and sha tags, to the local registry, and
the proof that a pull by digest returns the same image.

Why the proof: a push that "succeeded" can still leave a registry serving something else (a
stale tag, a re-compressed layer set with a different config). After each push the manifest is
read back over HTTPS and its sha256 compared with the digest the push reported, then the image
is pulled by that digest and its image ID (the config digest) compared with the local image's.

Podman only (this machine's engine): it takes the login file and the CA folder as options
(``--authfile``, ``--cert-dir``), so nothing is written to the user's engine configuration and
no trust step is needed. The password reaches podman on stdin (``--password-stdin``).
"""

from __future__ import annotations

import hashlib
import tempfile
import tomllib
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from datakit.testing.containers import DEFAULT_REGISTRY, Engine, image_repository
from datakit_registry.paths import PlatformPaths
from datakit_registry.server import Credentials, PlatformError, ssl_context

#: What a manifest GET accepts: the formats podman and Docker push.
MANIFEST_TYPES = ", ".join(
    (
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    )
)


@dataclass(frozen=True)
class Pushed:
    """One pushed tag: where it went, the digest the registry holds, the image ID."""

    source: str
    target: str
    digest: str
    image_id: str


def _engine_flags(paths: PlatformPaths) -> list[str]:
    return ["--authfile", str(paths.authfile), "--cert-dir", str(paths.cert_dir)]


def _require_podman(engine: Engine) -> None:
    if engine.kind != "podman":
        raise PlatformError(
            f"make push drives podman (--authfile, --cert-dir); found {engine.kind}: "
            "use `docker login` and `docker push` after the trust step in the README"
        )


def login(engine: Engine, paths: PlatformPaths, addr: str, creds: Credentials) -> None:
    """``podman login`` into ``.state/auth.json`` with the password on stdin (never on argv)."""
    _require_podman(engine)
    result = engine.call(
        ["login", *_engine_flags(paths), "--username", creds.username, "--password-stdin", addr],
        input_text=creds.password + "\n",
    )
    if result.returncode != 0:
        raise PlatformError(f"podman login {addr} failed: {result.stderr.strip()}")
    paths.authfile.chmod(0o600)


def runner_tags(
    engine: Engine,
    repo_root: Path,
    registry: str = DEFAULT_REGISTRY,
    components: Sequence[str] = (),
) -> list[str]:
    """Every local tag of every runner image (or of *components*): ``<runner>:<version>`` and
    the ``sha-*`` tags of the same image (the ones ``make images`` gave it); a runner never
    built, or an unknown runner name, is an error."""
    known = sorted(p.parent.name for p in repo_root.glob("runner-*/Dockerfile"))
    unknown = sorted(set(components) - set(known))
    if unknown:
        raise PlatformError(f"unknown runner {', '.join(unknown)} (known: {', '.join(known)})")
    refs: list[str] = []
    for component in components or known:
        pyproject = repo_root / component / "pyproject.toml"
        version = tomllib.loads(pyproject.read_text())["project"]["version"]
        repository = image_repository(component, registry=registry)
        versioned = f"{repository}:{version}"
        if not engine.image_exists(versioned):
            raise PlatformError(f"no image {versioned}: run `make images` first")
        image_id = engine.inspect(versioned)["Id"]
        listed = engine.call(
            ["images", "--no-trunc", "--format", "{{.Tag}} {{.ID}}", repository]
        ).stdout.split("\n")
        shas = sorted(
            f"{repository}:{tag}"
            for tag, _, tag_id in (line.partition(" ") for line in listed if line.strip())
            if tag.startswith("sha-")
            and tag_id.removeprefix("sha256:") == image_id.removeprefix("sha256:")
        )
        refs += [versioned, *shas]
    return refs


def target_ref(source: str, addr: str) -> str:
    """The source reference with its registry host replaced by *addr*."""
    _, _, path = source.partition("/")
    return f"{addr}/{path}"


def manifest_digest(paths: PlatformPaths, addr: str, creds: Credentials, ref: str) -> str:
    """sha256 of the manifest bytes the registry serves for *ref* (``host/name@digest`` or
    ``host/name:tag``), fetched over HTTPS with the credentials: the registry's own answer."""
    name_and_ref = ref.removeprefix(f"{addr}/")
    if "@" in name_and_ref:
        name, reference = name_and_ref.split("@", 1)
    else:
        name, reference = name_and_ref.rsplit(":", 1)
    request = urllib.request.Request(
        f"https://{addr}/v2/{name}/manifests/{reference}",
        headers={"Accept": MANIFEST_TYPES, "Authorization": creds.basic_auth()},
    )
    with urllib.request.urlopen(request, timeout=30, context=ssl_context(paths)) as response:
        return "sha256:" + hashlib.sha256(response.read()).hexdigest()


def push_one(
    engine: Engine, paths: PlatformPaths, addr: str, creds: Credentials, source: str
) -> Pushed:
    """Push *source* to the registry, then prove it: the served manifest hashes to the pushed
    digest, and a pull by that digest yields the local image ID."""
    _require_podman(engine)
    target = target_ref(source, addr)
    with tempfile.TemporaryDirectory() as tmp:
        digestfile = Path(tmp) / "digest"
        result = engine.call(
            ["push", *_engine_flags(paths), "--digestfile", str(digestfile), source, target],
            timeout_seconds=1800,
        )
        if result.returncode != 0:
            raise PlatformError(f"podman push {target} failed: {result.stderr.strip()}")
        digest = digestfile.read_text().strip()
    repository = target.rsplit(":", 1)[0]
    by_digest = f"{repository}@{digest}"
    served = manifest_digest(paths, addr, creds, by_digest)
    if served != digest:
        raise PlatformError(f"{by_digest}: the registry serves a manifest hashing to {served}")
    pulled = engine.call(
        ["pull", *_engine_flags(paths), "--quiet", by_digest], timeout_seconds=1800
    )
    if pulled.returncode != 0:
        raise PlatformError(f"podman pull {by_digest} failed: {pulled.stderr.strip()}")
    local_id = engine.inspect(source)["Id"]
    pulled_id = engine.inspect(by_digest)["Id"]
    if pulled_id != local_id:
        raise PlatformError(f"{by_digest} pulled image {pulled_id}, pushed {local_id}")
    return Pushed(source=source, target=target, digest=digest, image_id=local_id)


def push_all(
    engine: Engine,
    paths: PlatformPaths,
    addr: str,
    creds: Credentials,
    refs: Sequence[str],
) -> list[Pushed]:
    """Log in once, then push and verify every reference in order."""
    login(engine, paths, addr, creds)
    return [push_one(engine, paths, addr, creds, ref) for ref in refs]
