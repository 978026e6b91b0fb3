"""Where the dbt projects are: baked into the package (image), or beside the sources (dev)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from datakit.errors import ConfigError, UsageError

PROJECTS_DIR_VARIABLE = "DATAKIT_DBT_PROJECTS_DIR"
DEFAULT_PROJECT = "warehouse"
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")


def projects_root() -> Path:
    """The folder holding one folder per dbt project.

    ``DATAKIT_DBT_PROJECTS_DIR`` wins; otherwise the copy shipped inside the wheel (the image),
    then the component's ``projects/`` folder (an editable development install).
    """
    explicit = os.environ.get(PROJECTS_DIR_VARIABLE)
    if explicit:
        path = Path(explicit)
        if not path.is_dir():
            raise ConfigError(f"config error: {PROJECTS_DIR_VARIABLE}={explicit} is not a folder")
        return path
    packaged = Path(__file__).resolve().parent / "projects"
    if packaged.is_dir():
        return packaged
    development = Path(__file__).resolve().parents[2] / "projects"
    if development.is_dir():
        return development
    raise ConfigError(
        f"config error: no dbt projects found (set {PROJECTS_DIR_VARIABLE} to their folder)"
    )


def available_projects(root: Path | None = None) -> list[str]:
    root = root or projects_root()
    return sorted(p.name for p in root.iterdir() if (p / "dbt_project.yml").is_file())


def resolve_project(name: str) -> Path:
    """The folder of project *name*; an unknown name lists the known ones (a usage error, 2).

    A projects folder that is missing is a configuration error (3): the environment is wrong.
    """
    if not _NAME.match(name):
        raise UsageError(f"usage error: --project {name!r} is not a project name")
    root = projects_root()
    path = root / name
    if not (path / "dbt_project.yml").is_file():
        known = ", ".join(available_projects(root)) or "none"
        raise UsageError(f"usage error: --project {name}: no such dbt project (known: {known})")
    return path


__all__ = [
    "DEFAULT_PROJECT",
    "PROJECTS_DIR_VARIABLE",
    "available_projects",
    "projects_root",
    "resolve_project",
]
