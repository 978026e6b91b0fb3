"""The container engine layer shared by ``images/build.py``, ``make images`` and the tests.

Why one module: the build script, the runners' image tests and the orchestration demo's
docker/pod modes must find the same engine, configure it the same way and run containers the
same way; a copy per caller would drift (as the per-runner ``docker/install.sh`` did).

API (stable; other components import it):

``find_repo_root(start=None) -> Path``
    The repository root (the folder holding ``images/build.py``), searched upwards.
``detect_engine(repo_root=None) -> Engine | None``
    Docker when ``docker info`` answers, podman otherwise (configured with the project's
    ``images/containers.conf``: runc, no default ulimits), ``None`` when neither answers.
    ``DATAKIT_CONTAINER_ENGINE=docker|podman`` forces one, ``none`` disables both (a CI job
    that leaves the ``container`` tests to the job that builds the images).
``missing_tools() -> list[str]``
    The Debian packages the podman route still needs (``podman buildah runc catatonit
    debootstrap``); ``make images`` prints them instead of installing anything.
``Engine``
    ``.kind`` ("docker"/"podman"), ``.binary``, ``.env`` (the environment every call gets),
    ``.command(*args)`` (argv), ``.call(args)``, ``.image_exists(ref)``, ``.inspect(ref)``,
    ``.run_container(image, args, env=..., secret_files=..., entrypoint=..., user=...)``
    (``--rm --network host --pull never --read-only --tmpfs /tmp``, env passed by name so no
    value is in argv, each secret a private file mounted at ``/run/secrets/<name>`` with
    ``<NAME>_FILE`` set), ``.run_args(...)`` (the same argv, to run it yourself).

pytest fixtures over this module (``datakit.testing.plugin``): ``container_engine``,
``runner_image`` (the runner under test) and ``runner_images`` (all), session-scoped.
``build_images(repo_root, components=(), registry=None, group=None) -> list[BuiltImage]``
    Runs ``images/build.py`` (the script ``make images`` and CI run) and returns what it
    built or reused (``.ref`` = ``<registry>/<group>/<runner>:<version>``, ``.tags``, ``.base``,
    ``.built``, ``.seconds``, ``.size_bytes``); a no-op per image when an image for the same
    content hash exists. Registry and group default to ``DATAKIT_REGISTRY`` /
    ``DATAKIT_IMAGE_GROUP``, else ``registry.localhost`` / ``datakit``.
``image_repository(component, registry=DEFAULT_REGISTRY, group=DEFAULT_GROUP) -> str``
    ``<registry>/<group>/<component>``, the name the build script tags.

Containers always use ``--network host``: tests reach servers on 127.0.0.1, and nothing is sent
to the private bridge addresses podman hands out.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

DEFAULT_REGISTRY = "registry.localhost"
DEFAULT_GROUP = "datakit"
#: Where a runner reads a secret mounted with ``secret_files``.
SECRETS_DIR = "/run/secrets"
#: What the podman route needs, as Debian package names (``.ci/run`` installs them with apt).
PODMAN_PACKAGES: tuple[tuple[str, str], ...] = (
    ("podman", "podman"),
    ("buildah", "buildah"),
    ("runc", "runc"),
    ("catatonit", "catatonit"),
    ("debootstrap", "debootstrap"),
)
_SBIN_PATH = os.pathsep.join(("/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/libexec/podman"))


def find_repo_root(start: Path | None = None) -> Path:
    """The folder above *start* (default: the working directory, then this file) that holds
    ``images/build.py``; raises ``FileNotFoundError`` naming where it looked."""
    starts = [start] if start is not None else [Path.cwd(), Path(__file__).resolve()]
    for origin in starts:
        for folder in [origin, *origin.parents]:
            if (folder / "images" / "build.py").is_file():
                return folder
    raise FileNotFoundError(f"no images/build.py above {', '.join(map(str, starts))}")


def _which(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path=_SBIN_PATH)


def missing_tools() -> list[str]:
    """Debian packages of the podman route that are not installed (empty: nothing missing)."""
    return [package for tool, package in PODMAN_PACKAGES if _which(tool) is None]


@dataclass(frozen=True)
class Engine:
    """A container engine CLI and the environment every call to it needs."""

    kind: Literal["docker", "podman"]
    binary: str
    env: Mapping[str, str] = field(default_factory=dict)

    def command(self, *args: str) -> list[str]:
        return [self.binary, *args]

    def call(
        self,
        args: Sequence[str],
        *,
        timeout_seconds: float = 120,
        extra_env: Mapping[str, str] | None = None,
        input_text: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``<engine> args`` and capture its output (never raises on a non-zero exit)."""
        return subprocess.run(
            self.command(*args),
            env={**os.environ, **self.env, **(extra_env or {})},
            capture_output=True,
            text=True,
            input=input_text,
            timeout=timeout_seconds,
            check=False,
        )

    def image_exists(self, ref: str) -> bool:
        return self.call(["image", "inspect", ref], timeout_seconds=60).returncode == 0

    def inspect(self, ref: str) -> dict[str, Any]:
        """``image inspect`` of *ref* as a dict; raises ``LookupError`` when it is missing."""
        result = self.call(["image", "inspect", ref], timeout_seconds=60)
        if result.returncode != 0:
            raise LookupError(f"{self.kind}: no image {ref}: {result.stderr.strip()}")
        return dict(json.loads(result.stdout)[0])

    def image_size(self, ref: str) -> int:
        return int(self.inspect(ref)["Size"])

    def run_args(
        self,
        image: str,
        args: Sequence[str],
        *,
        env_names: Sequence[str] = (),
        mounts: Sequence[tuple[Path, str]] = (),
        entrypoint: str | None = None,
        read_only: bool = True,
        name: str | None = None,
        user: str | None = None,
    ) -> list[str]:
        """The ``run`` argv: host network, no pull, read-only root with a writable /tmp, env
        passed by name only (values come from the engine's environment, never argv)."""
        argv = ["run", "--rm", "--network", "host", "--pull", "never"]
        if read_only:
            argv += ["--read-only", "--tmpfs", "/tmp"]
        if name:
            argv += ["--name", name]
        if user is not None:
            argv += ["--user", user]
        for variable in env_names:
            argv += ["-e", variable]
        for source, target in mounts:
            argv += ["-v", f"{source}:{target}:ro"]
        if entrypoint is not None:
            argv += ["--entrypoint", entrypoint]
        return [*argv, image, *args]

    def run_container(
        self,
        image: str,
        args: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        secret_files: Mapping[str, str] | None = None,
        entrypoint: str | None = None,
        read_only: bool = True,
        user: str | None = None,
        timeout_seconds: float = 300,
    ) -> subprocess.CompletedProcess[str]:
        """Run *image* once, as ``docker run --rm IMAGE args`` would, and capture its output.

        *env* values reach the container by name. *secret_files* maps an environment variable
        to a secret's value: the value is written to a private file mounted read-only at
        ``/run/secrets/<name>`` and the container gets ``<NAME>_FILE`` pointing there, the way
        a Kubernetes Secret volume delivers it.
        """
        env = dict(env or {})
        with _secret_mounts(secret_files or {}) as (file_env, mounts):
            env.update(file_env)
            argv = self.run_args(
                image,
                args,
                env_names=sorted(env),
                mounts=mounts,
                entrypoint=entrypoint,
                read_only=read_only,
                user=user,
            )
            return self.call(argv, timeout_seconds=timeout_seconds, extra_env=env)


@contextmanager
def _secret_mounts(
    secrets: Mapping[str, str],
) -> Iterator[tuple[dict[str, str], list[tuple[Path, str]]]]:
    """Each secret as a file in a private folder (0700; the file 0644 so uid 10001 can read it
    inside the container), removed afterwards."""
    if not secrets:
        yield {}, []
        return
    with tempfile.TemporaryDirectory(prefix="datakit-secrets-") as folder:
        env: dict[str, str] = {}
        mounts: list[tuple[Path, str]] = []
        for variable, value in secrets.items():
            file_name = variable.lower()
            path = Path(folder) / file_name
            path.write_text(value, encoding="utf-8")
            path.chmod(0o644)
            target = f"{SECRETS_DIR}/{file_name}"
            env[f"{variable}_FILE"] = target
            mounts.append((path, target))
        yield env, mounts


def _answers(argv: list[str], env: Mapping[str, str]) -> bool:
    try:
        result = subprocess.run(
            argv,
            env={**os.environ, **env},
            capture_output=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def podman_env(repo_root: Path) -> dict[str, str]:
    """The project's podman configuration, unless the caller already points CONTAINERS_CONF
    somewhere; sbin on PATH so podman finds runc and catatonit from any shell."""
    conf = os.environ.get("CONTAINERS_CONF") or str(repo_root / "images" / "containers.conf")
    path = os.environ.get("PATH", "")
    return {"CONTAINERS_CONF": conf, "PATH": f"{path}{os.pathsep}{_SBIN_PATH}"}


def detect_engine(repo_root: Path | None = None) -> Engine | None:
    """Docker when its daemon answers ``docker info``, else podman when ``podman info`` works
    with the project's configuration, else ``None``."""
    forced = os.environ.get("DATAKIT_CONTAINER_ENGINE", "").strip().lower()
    if forced not in ("", "docker", "podman", "none"):
        raise ValueError(f"DATAKIT_CONTAINER_ENGINE={forced!r}: expected docker, podman or none")
    docker = _which("docker")
    if forced in ("", "docker") and docker and _answers([docker, "info"], {}):
        return Engine(kind="docker", binary=docker)
    podman = _which("podman")
    if forced in ("", "podman") and podman:
        env = podman_env(repo_root or find_repo_root())
        if _answers([podman, "info"], env):
            return Engine(kind="podman", binary=podman, env=env)
    return None


def image_repository(
    component: str, *, registry: str = DEFAULT_REGISTRY, group: str = DEFAULT_GROUP
) -> str:
    return f"{registry}/{group}/{component}"


@dataclass(frozen=True)
class BuiltImage:
    """One line of ``images/build.py --json``."""

    component: str
    #: ``<registry>/<group>/<component>:<version>``
    ref: str
    tags: tuple[str, ...]
    version: str
    content_hash: str
    base: str
    built: bool
    seconds: float
    size_bytes: int


class BuildError(RuntimeError):
    """The build script failed; the message holds its output."""


def build_images(
    repo_root: Path,
    components: Sequence[str] = (),
    *,
    registry: str | None = None,
    group: str | None = None,
    timeout_seconds: float = 3600,
) -> list[BuiltImage]:
    """Build (or reuse, by content hash) the runner images with ``images/build.py``: the same
    script as ``make images`` and CI, run with this interpreter. *registry* and *group* default
    to ``DATAKIT_REGISTRY`` / ``DATAKIT_IMAGE_GROUP``, else ``registry.localhost`` / ``datakit``."""
    argv = [sys.executable, str(repo_root / "images" / "build.py"), "--json"]
    if registry is not None:
        argv += ["--registry", registry]
    if group is not None:
        argv += ["--group", group]
    argv += list(components)
    result = subprocess.run(
        argv,
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=timeout_seconds,
        check=False,
    )
    if result.returncode != 0:
        raise BuildError(
            f"images/build.py exited {result.returncode}\n{result.stderr[-6000:]}{result.stdout}"
        )
    built = []
    for line in result.stdout.splitlines():
        data = json.loads(line)
        data["tags"] = tuple(data["tags"])
        built.append(BuiltImage(**data))
    return built


__all__ = [
    "DEFAULT_GROUP",
    "DEFAULT_REGISTRY",
    "PODMAN_PACKAGES",
    "SECRETS_DIR",
    "BuildError",
    "BuiltImage",
    "Engine",
    "build_images",
    "detect_engine",
    "find_repo_root",
    "image_repository",
    "missing_tools",
    "podman_env",
]
