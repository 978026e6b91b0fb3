"""The bronze demo script (``scripts/demo.py``, run from runner-postgres' environment)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
SCRIPT = REPO_ROOT / "scripts" / "demo.py"


def _make_target_recipe(makefile: str, target: str) -> str:
    """The recipe lines of *target* in *makefile* (tab-indented lines after ``target:``)."""
    match = re.search(rf"^{re.escape(target)}:[^\n]*\n((?:\t[^\n]*\n)*)", makefile, re.MULTILINE)
    assert match is not None, f"the Makefile has no target {target!r}"
    return match[1]


def test_demo_docstring_names_the_make_target_that_runs_it() -> None:
    """The docstring once said `make demo`, which runs orchestration's demo, not this script."""
    docstring = ast.get_docstring(ast.parse(SCRIPT.read_text(encoding="utf-8"))) or ""
    named = re.match(r"`make ([\w-]+)`", docstring)
    assert named is not None, f"docstring does not start with a `make TARGET`: {docstring[:80]!r}"
    recipe = _make_target_recipe((REPO_ROOT / "Makefile").read_text(encoding="utf-8"), named[1])
    assert "scripts/demo.py" in recipe and "orchestration" not in recipe, recipe
