"""Build every runner image (``runner-*/Dockerfile``) with the container engine this machine has.

``make images``, the image tests (``datakit.testing.containers.build_images``) and the GitHub
workflows all run this one script, so an image is built the same way everywhere:

1. The engine: Docker where ``docker info`` answers, podman otherwise (with
   ``images/containers.conf``). Nothing is installed here: a missing tool is named, exit 3.
2. The base: the official ``python:3.11-slim-bookworm`` image where it can be pulled, else the
   air-gapped base built from Debian packages (``images/base/rootfs.sh``, debootstrap), imported
   as ``localhost/datakit-base:<hash of its recipe>`` and reused while the recipe is unchanged.
3. Each runner: built from the repository root with ``--build-arg BASE_IMAGE=...``, tagged
   ``<registry>/<group>/<runner>:<version>`` and ``:sha-<git sha>``, labelled with the hash of
   its build context; when an image with that hash exists the build is skipped (retag only).

usage: build.py [--registry R] [--group G] [--base auto|official|airgapped] [--json] [RUNNER...]

Runs with the interpreter of any Datakit venv (it imports ``datakit.testing.containers``):
``cd datakit-sdk && uv run --frozen python ../images/build.py``. Exit codes: 0 built, 2 usage,
3 no engine / missing tool / not root for the air-gapped base, 1 a build failed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import asdict
from pathlib import Path

from datakit.testing.containers import (
    DEFAULT_GROUP,
    DEFAULT_REGISTRY,
    BuiltImage,
    Engine,
    detect_engine,
    image_repository,
    missing_tools,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
OFFICIAL_BASE = "docker.io/library/python:3.11.14-slim-bookworm"
BASE_REPOSITORY = "localhost/datakit-base"
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
HASH_LABEL = "io.datakit.content-hash"
TITLE_LABEL = "org.opencontainers.image.title"
#: Folders of a component that never reach an image (also in .dockerignore).
CONTEXT_SKIPPED = ("tests", "benchmarks")
#: The air-gapped base's environment: builds trust the machine's CA bundle (pip, uv, apt).
BASE_ENV = (
    "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
    "PIP_CERT=/etc/ssl/certs/ca-certificates.crt",
    "REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt",
    "UV_NATIVE_TLS=1",
    "LANG=C.UTF-8",
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
)


class Failure(Exception):
    """A one-line reason and the exit code it maps to."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def log(message: str) -> None:
    print(f"images: {message}", file=sys.stderr, flush=True)


# --- the base ----------------------------------------------------------------------------------


def apt_mirrors() -> tuple[str, str]:
    """The Debian mirror and security mirror apt uses here (deb822 .sources or sources.list)."""
    main, security = "", ""
    files = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]
    for path in files:
        if not path.is_file() or not path.name.endswith((".list", ".sources")):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        entries: list[tuple[str, list[str]]] = []
        for stanza in re.split(r"\n\s*\n", text):
            fields = dict(re.findall(r"^(\w[\w-]*):\s*(.+)$", stanza, flags=re.MULTILINE))
            if fields.get("URIs") and fields.get("Suites"):
                entries.append((fields["URIs"].split()[0], fields["Suites"].split()))
        for line in text.splitlines():
            words = re.sub(r"\[[^]]*\]", "", line).split()
            if len(words) >= 3 and words[0] == "deb":
                entries.append((words[1], [words[2]]))
        for uri, suites in entries:
            if any(s.endswith("-security") for s in suites):
                security = security or uri
            elif "debian" in uri:
                main = main or uri
    if not main:
        raise Failure("no Debian mirror in /etc/apt/sources.list(.d): cannot debootstrap", 3)
    return main.rstrip("/"), security.rstrip("/")


def base_recipe_hash(mirror: str, security: str) -> str:
    digest = hashlib.sha256()
    digest.update((REPO_ROOT / "images" / "base" / "rootfs.sh").read_bytes())
    digest.update("\n".join((mirror, security, *BASE_ENV)).encode())
    digest.update(CA_BUNDLE.read_bytes() if CA_BUNDLE.is_file() else b"")
    return digest.hexdigest()[:16]


def build_airgapped_base(engine: Engine) -> str:
    """``localhost/datakit-base:<recipe hash>``, built from Debian packages unless present."""
    mirror, security = apt_mirrors()
    ref = f"{BASE_REPOSITORY}:{base_recipe_hash(mirror, security)}"
    if engine.image_exists(ref):
        log(f"air-gapped base {ref} exists (same recipe): reused")
        return ref
    if shutil.which("debootstrap", path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin") is None:
        raise Failure("debootstrap is missing (apt-get install debootstrap)", 3)
    if os.geteuid() != 0:
        raise Failure("the air-gapped base needs root (debootstrap chroots): run as root", 3)
    log(f"building the air-gapped base {ref} from {mirror} (debootstrap, about 70 s)")
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="datakit-base-", dir="/var/tmp"))
    rootfs = work / "rootfs"
    try:
        subprocess.run(
            ["sh", str(REPO_ROOT / "images" / "base" / "rootfs.sh"), str(rootfs), mirror,
             security, str(CA_BUNDLE)],
            check=True, stdout=sys.stderr, stderr=sys.stderr,
        )  # fmt: skip
        changes: list[str] = []
        for item in BASE_ENV:
            changes += ["--change", f"ENV {item}"]
        changes += ["--change", 'CMD ["python3"]']
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        imported = subprocess.run(
            engine.command("import", *changes, "-", ref),
            stdin=tar.stdout,
            env={**os.environ, **engine.env},
            stdout=subprocess.DEVNULL,
            stderr=sys.stderr,
            check=False,
        )
        if tar.stdout is not None:
            tar.stdout.close()
        if tar.wait() != 0 or imported.returncode != 0:
            raise Failure(f"importing the base {ref} failed", 1)
    except subprocess.CalledProcessError as error:
        raise Failure(f"images/base/rootfs.sh failed (exit {error.returncode})", 1) from error
    finally:
        _remove_rootfs(work)
    log(f"air-gapped base {ref} built in {time.monotonic() - started:.0f} s")
    return ref


def _remove_rootfs(work: Path) -> None:
    """Remove the build folder unless a failed debootstrap left something mounted in it."""
    mounts = Path("/proc/self/mounts").read_text(encoding="utf-8").split("\n")
    if any(f" {work}/" in line for line in mounts):
        log(f"left {work} in place: something is still mounted in it (umount, then remove)")
        return
    shutil.rmtree(work, ignore_errors=True)


def resolve_base(engine: Engine, choice: str) -> tuple[str, str]:
    """(base image, flavor): the official image where it is present or can be pulled."""
    if choice in ("auto", "official"):
        if engine.image_exists(OFFICIAL_BASE):
            return OFFICIAL_BASE, "official"
        pulled = engine.call(["pull", OFFICIAL_BASE], timeout_seconds=600)
        if pulled.returncode == 0:
            return OFFICIAL_BASE, "official"
        if choice == "official":
            raise Failure(f"cannot pull {OFFICIAL_BASE}: {pulled.stderr.strip()[-300:]}", 3)
        log(f"{OFFICIAL_BASE} cannot be pulled here: air-gapped build")
    return build_airgapped_base(engine), "airgapped"


# --- the runners -------------------------------------------------------------------------------


def runners(requested: list[str]) -> list[str]:
    found = sorted(path.parent.name for path in REPO_ROOT.glob("runner-*/Dockerfile"))
    unknown = [name for name in requested if name not in found]
    if unknown:
        raise Failure(f"no {unknown[0]}/Dockerfile (runners with an image: {found})", 2)
    return requested or found


def version_of(component: str) -> str:
    with (REPO_ROOT / component / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])


def git_sha() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    return result.stdout.strip() if result.returncode == 0 else "unknown"


def context_hash(component: str, base: str, version: str) -> str:
    """Hash of what the build reads: the runner's and the SDK's files (git's view, untracked
    included, tests and benchmarks excluded as in .dockerignore), images/, the base, the version."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "-co", "--exclude-standard", "--", "datakit-sdk", component,
         "images", ".dockerignore"],
        cwd=REPO_ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    digest = hashlib.sha256(f"{base}\n{version}\n".encode())
    for name in sorted(set(filter(None, listed))):
        parts = Path(name).parts
        path = REPO_ROOT / name
        if (len(parts) > 1 and parts[1] in CONTEXT_SKIPPED) or not path.is_file():
            continue
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


def existing_image(engine: Engine, component: str, content_hash: str) -> str | None:
    """The final image built from this content, if any. The title label is checked too: podman
    also stamps ``--label`` on a multi-stage build's builder image, which must never be reused."""
    result = engine.call(
        ["images", "--quiet", "--no-trunc", "--filter", f"label={HASH_LABEL}={content_hash}"]
    )
    for image_id in dict.fromkeys(result.stdout.split() if result.returncode == 0 else []):
        labels = engine.inspect(image_id)["Config"].get("Labels") or {}
        if labels.get(TITLE_LABEL) == component and labels.get(HASH_LABEL) == content_hash:
            return image_id
    return None


def remove_older_images(engine: Engine, repository: str, keep: str) -> None:
    """Untag and remove this runner's earlier images (each change leaves one behind, with its
    sha- tags, and a runner-dbt image is 1 GB); one a container still uses stays (no --force)."""
    listed = engine.call(["images", "--no-trunc", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}"])
    for line in listed.stdout.splitlines() if listed.returncode == 0 else []:
        image_id, _, ref = line.partition(" ")
        if ref.rsplit(":", 1)[0] != repository or keep.endswith(image_id.removeprefix("sha256:")):
            continue
        if engine.kind == "podman":
            engine.call(["untag", image_id, ref])
            engine.call(["rmi", image_id])
        else:  # docker removes a tag with rmi, and the image with its last tag
            engine.call(["rmi", ref])


def build_runner(
    engine: Engine, component: str, *, base: str, flavor: str, registry: str, group: str
) -> BuiltImage:
    version, sha = version_of(component), git_sha()
    repository = image_repository(component, registry=registry, group=group)
    tags = (f"{repository}:{version}", f"{repository}:sha-{sha}")
    content_hash = context_hash(component, base, version)
    started = time.monotonic()
    image_id = existing_image(engine, component, content_hash)
    if image_id is not None:
        log(f"{component}: image for content {content_hash} exists: reused, retagged")
        for tag in tags:
            engine.call(["tag", image_id, tag])
    else:
        log(f"{component}: building {tags[0]} on {base} ({flavor} base, {engine.kind})")
        argv = ["build", "--network", "host", "-f", f"{component}/Dockerfile"]
        if engine.kind == "podman":
            # docker format keeps SHELL and HEALTHCHECK; never pull: the base is local.
            argv += ["--format", "docker", "--pull=never" if flavor == "airgapped" else "--pull"]
        for arg in (f"BASE_IMAGE={base}", f"BASE_FLAVOR={flavor}", f"VERSION={version}",
                    f"REVISION={sha}"):  # fmt: skip
            argv += ["--build-arg", arg]
        argv += ["--label", f"{HASH_LABEL}={content_hash}"]
        for tag in tags:
            argv += ["-t", tag]
        result = subprocess.run(
            engine.command(*argv, "."),
            cwd=REPO_ROOT,
            env={**os.environ, **engine.env},
            stdout=sys.stderr,
            stderr=sys.stderr,
            check=False,
        )
        if result.returncode != 0:
            raise Failure(f"{component}: {engine.kind} build failed (exit {result.returncode})", 1)
    seconds = time.monotonic() - started
    remove_older_images(engine, repository, keep=engine.inspect(tags[0])["Id"])
    size = engine.image_size(tags[0])
    log(f"{component}: {tags[0]} {size / 1e6:.0f} MB, {'reused' if image_id else 'built'} "
        f"in {seconds:.0f} s")  # fmt: skip
    return BuiltImage(
        component=component,
        ref=tags[0],
        tags=tags,
        version=version,
        content_hash=content_hash,
        base=base,
        built=image_id is None,
        seconds=round(seconds, 1),
        size_bytes=size,
    )


def no_engine_message() -> str:
    if os.environ.get("DATAKIT_CONTAINER_ENGINE", "").strip().lower() == "none":
        return "DATAKIT_CONTAINER_ENGINE=none: no container engine to build with"
    missing = missing_tools()
    advice = (
        f"podman route: apt-get install {' '.join(missing)}"
        if missing
        else "podman is installed but `podman info` fails (see images/containers.conf)"
    )
    return f"no container engine answers: `docker info` fails or docker is absent; {advice}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="images/build.py", description=__doc__.split("\n")[0])
    parser.add_argument("runners", nargs="*", metavar="RUNNER", help="e.g. runner-postgres")
    parser.add_argument(
        "--registry", default=os.environ.get("DATAKIT_REGISTRY") or DEFAULT_REGISTRY
    )
    parser.add_argument("--group", default=os.environ.get("DATAKIT_IMAGE_GROUP") or DEFAULT_GROUP)
    parser.add_argument(
        "--base",
        choices=("auto", "official", "airgapped"),
        default=os.environ.get("DATAKIT_BASE") or "auto",
        help="official python image, the air-gapped Debian base, or the first that works",
    )
    parser.add_argument("--json", action="store_true", help="one JSON line per image on stdout")
    options = parser.parse_args(argv)
    try:
        components = runners(options.runners)
        engine = detect_engine(REPO_ROOT)
        if engine is None:
            raise Failure(no_engine_message(), 3)
        base, flavor = resolve_base(engine, options.base)
        for component in components:
            image = build_runner(
                engine, component, base=base, flavor=flavor,
                registry=options.registry, group=options.group,
            )  # fmt: skip
            if options.json:
                print(json.dumps(asdict(image)), flush=True)
    except Failure as failure:
        print(f"images/build.py: {failure}", file=sys.stderr)
        return failure.code
    return 0


if __name__ == "__main__":
    sys.exit(main())
