"""What a person who clones the repository meets first: `make bootstrap` and the markdown files.

These check the repository as a whole, not runner-postgres, and live here because one
component's tests have to hold them (as ``test_workflows.py`` does for the workflows).

- ``make bootstrap`` on a stock Debian Python (externally managed, PEP 668: ``pip install``
  outside a virtual environment is refused) installs uv into the private ``.tools/venv`` and
  the other targets use it from there.
- Every relative link and every backquoted file path in the repository's markdown files
  resolves, so no document points at a file a clone does not have.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
SKIP_DIRS = {".git", ".venv", "node_modules", ".tools", ".demo", ".pytest_cache", "dbt_packages"}


def test_bootstrap_installs_uv_into_a_private_venv_when_uv_is_not_on_path(
    tmp_path: Path,
) -> None:
    system_bin = Path("/usr/bin")
    if not (system_bin / "python3").exists() or (system_bin / "uv").exists():
        pytest.skip("needs a system python3 in /usr/bin and no uv there")
    probe = subprocess.run(
        [str(system_bin / "python3"), "-c", "import ensurepip, venv"], capture_output=True
    )
    if probe.returncode != 0:
        pytest.skip("the system python3 has no venv module (Debian: python3-venv)")
    shutil.copy(REPO_ROOT / "Makefile", tmp_path / "Makefile")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}

    done = subprocess.run(
        ["make", "--no-print-directory", "bootstrap"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    private_uv = tmp_path / ".tools" / "venv" / "bin" / "uv"
    dry_run = subprocess.run(
        ["make", "--no-print-directory", "-n", "test-runner-postgres"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "installing it into" in done.stdout
    version = subprocess.run([str(private_uv), "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("uv "), version
    assert f"{private_uv} sync --frozen --all-extras" in dry_run.stdout, dry_run.stdout


# [text](target) and ![alt](target), not inside code; reference targets are rare here.
_LINK = re.compile(r"!?\[[^\]]*\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
# `path/to/file.ext` or `folder/` in backquotes: a file reference a reader will look for.
_CODE_PATH = re.compile(r"`(?P<path>(?:\.{1,2}/)?\w[\w.-]*(?:/[\w.*-]+)*/?)`")
_FILE_LIKE = re.compile(r"(/|\.(md|py|yml|yaml|toml|lock|txt|sql|json|cfg|ini|sh)$)")
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)


def _markdown_files() -> list[Path]:
    files = []
    for root, dirs, names in os.walk(REPO_ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith(".venv")]
        files += [Path(root) / name for name in names if name.endswith(".md")]
    return sorted(files)


def _anchors(markdown: str) -> set[str]:
    """GitHub's anchors for the headings of *markdown*."""
    anchors = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*$", _FENCE.sub("", markdown), re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        anchors.add(slug)
    return anchors


# Written by a run, never committed: a document may name them although a clone has none yet.
GENERATED = {".demo/", ".tools/", "target/", "target/partial_parse.msgpack", "return.json"}
#: How a file would point at the starting brief outside the repository (spelled in parts so
#: that this file does not contain them itself).
OUTSIDE_MARKERS = ("DESIGN" + ".md", ".." + "/shared/")
#: Folders only a run creates (gitignored): anything under them is a run's output.
GENERATED_FOLDERS = {".demo", ".tools", ".tls", ".state"}


def _component_files(component: Path) -> list[str]:
    files = []
    for root, dirs, names in os.walk(component):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith(".venv")]
        relative = Path(root).relative_to(component).as_posix()
        files += [f"{relative}/{name}" for name in [*names, *(f"{d}/" for d in dirs)]]
    return files


def _exists(base: Path, reference: str) -> bool:
    """True when *reference* names a file or folder a reader can find from the document.

    From the document's folder, the repository root, or anywhere inside the document's
    component (a README's table of ``load/protocol.py`` means the one under ``src/``).
    """
    if any(ch in reference for ch in "*<>{}$") or reference in GENERATED:
        return True  # a pattern or a placeholder, or a run's output
    if GENERATED_FOLDERS & set(Path(reference).parts):
        return True  # e.g. registry/.tls/ca.crt: written by `make platform`, never committed
    if ".venv" in Path(reference).parts:
        return True  # a component's environment: created by `uv sync`, never committed
    if any((start / reference).exists() for start in (base, REPO_ROOT)):
        return True
    relative = base.relative_to(REPO_ROOT).parts
    component = REPO_ROOT / relative[0] if relative else REPO_ROOT
    if component == REPO_ROOT:  # "each component has its own `pyproject.toml`"
        return any((folder / reference).exists() for folder in REPO_ROOT.iterdir())
    suffix = "/" + reference.removeprefix("./")
    return any(("/" + name).endswith(suffix) for name in _component_files(component))


def _broken_references(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    prose = _FENCE.sub("", text)
    broken = []
    for match in _LINK.finditer(prose):
        target = match["target"]
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("mailto:"):
            continue  # https://..., an absolute URL
        file_part, _, anchor = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        if not resolved.exists():
            broken.append(f"link {target}")
        elif (
            anchor
            and resolved.suffix == ".md"
            and anchor not in _anchors(resolved.read_text(encoding="utf-8"))
        ):
            broken.append(f"link {target} (no heading #{anchor})")
    for match in _CODE_PATH.finditer(_LINK.sub("", prose)):  # a link's text: checked above
        reference = match["path"]
        if not _FILE_LIKE.search(reference) or reference.startswith(("/", "~")):
            continue
        if not _exists(path.parent, reference):
            broken.append(f"file reference `{reference}`")
    return broken


@pytest.mark.parametrize(
    "markdown", _markdown_files(), ids=lambda path: str(path.relative_to(REPO_ROOT))
)
def test_every_relative_link_and_file_reference_resolves(markdown: Path) -> None:
    broken = _broken_references(markdown)

    assert not broken, f"{markdown.relative_to(REPO_ROOT)}: " + "; ".join(broken)


def test_no_document_points_outside_the_repository() -> None:
    """The starting brief lived next to the repository, not in it: a clone does not have it."""
    offenders = []
    for root, dirs, names in os.walk(REPO_ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith(".venv")]
        for name in names:
            file = Path(root) / name
            if file == Path(__file__).resolve():
                continue
            if file.suffix not in {".md", ".py", ".yml", ".yaml", ".toml", ""} and name not in {
                "Dockerfile",
                "Makefile",
            }:
                continue
            try:
                text = file.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            if any(marker in text for marker in OUTSIDE_MARKERS):
                offenders.append(str(file.relative_to(REPO_ROOT)))

    assert not offenders, f"references to a document outside the repository: {offenders}"
