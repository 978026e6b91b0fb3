"""The generic SDK modules hold no engine: no driver import, no Postgres SQL, no Postgres default.

"Generic" is everything in ``datakit/`` outside an engine's package (``warehouses/<engine>/``,
``sources/<engine>/``, ``engines/<engine>/``), the type maps, the test kit and the sample
generator. Engine facts (default schema, folding, identifier length, quoting, SQL) belong to the
engine's plug-ins (``datakit.dialects``, the warehouse's hooks); this test keeps it that way by
parsing every generic module. A docstring may name engines and SQL; code and string constants
may not. Also: no SDK module passes an option through ``os.environ``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import datakit

SDK = Path(datakit.__file__).resolve().parent
_ENGINE_PACKAGES = ("warehouses", "sources", "engines")
_NOT_GENERIC = ("typemaps", "testing", "sample")
_DRIVERS = ("psycopg", "psycopg2", "pyodbc", "pyspark")
#: An engine's package: reached through the plug-in registries, never imported by name.
_ENGINE_PACKAGE = re.compile(r"^datakit\.(warehouses|sources|engines)\.(?!registry\b)[a-z]+\b")
#: Postgres SQL and defaults a string constant of a generic module must not contain.
_POSTGRES = {
    "a Postgres cast (::type)": re.compile(r"[\w)'\"]::[a-z]"),
    "a Postgres catalog or function (pg_*)": re.compile(r"\bpg_[a-z_]+"),
    "DISTINCT ON": re.compile(r"\bDISTINCT ON\b", re.I),
    "ILIKE": re.compile(r"\bILIKE\b", re.I),
    "a psycopg placeholder in SQL": re.compile(
        r"\b(SELECT|INSERT|UPDATE|DELETE|WHERE)\b.*%[s(]", re.I | re.S
    ),
    "the Postgres default schema": re.compile(r"^public$"),
    "a libpq connection parameter": re.compile(
        r"^(keepalives\w*|tcp_user_timeout|sslmode|target_session_attrs)$"
    ),
}
#: Engine names a parameter of a generic function must not default to: the caller (a runner)
#: names its engines, so no engine is the SDK's by default.
_ENGINE_NAMES = frozenset({"postgres", "postgresql", "sqlserver", "mssql", "spark"})
#: (module, what) pairs allowed, each with its reason. Empty today.
ALLOWED: dict[tuple[str, str], str] = {}


def generic_modules() -> list[Path]:
    """Every generic module of the SDK (see the module docstring)."""
    found = []
    for path in sorted(SDK.rglob("*.py")):
        parts = path.relative_to(SDK).parts
        if parts[0] in _NOT_GENERIC:
            continue
        if parts[0] in _ENGINE_PACKAGES and len(parts) > 2:
            continue  # warehouses/<engine>/..., sources/<engine>/..., engines/<engine>/...
        found.append(path)
    return found


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def engine_problems(source: str) -> list[str]:
    """What in *source* (one module's text) is an engine's: driver imports, Postgres SQL and
    defaults in string constants, Postgres' 63-byte identifier limit as a number."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            names = []
        for name in names:
            if name.split(".")[0] in _DRIVERS:
                problems.append(f"line {node.lineno}: imports {name}")
            elif _ENGINE_PACKAGE.match(name):
                problems.append(f"line {node.lineno}: imports engine package {name}")
        if isinstance(node, ast.arguments):
            for default in (*node.defaults, *node.kw_defaults):
                if isinstance(default, ast.Constant) and default.value in _ENGINE_NAMES:
                    problems.append(f"line {default.lineno}: engine default {default.value!r}")
        if not isinstance(node, ast.Constant) or id(node) in docstrings:
            continue
        if isinstance(node.value, str):
            for what, pattern in _POSTGRES.items():
                if pattern.search(node.value):
                    problems.append(f"line {node.lineno}: {what} in {node.value[:60]!r}")
        elif node.value == 63 and not isinstance(node.value, bool):
            problems.append(f"line {node.lineno}: 63 (Postgres' identifier limit)")
    return problems


@pytest.mark.parametrize("path", generic_modules(), ids=lambda p: str(p.relative_to(SDK)))
def test_a_generic_module_holds_no_engine(path: Path) -> None:
    module = str(path.relative_to(SDK))
    problems = [
        problem
        for problem in engine_problems(path.read_text(encoding="utf-8"))
        if (module, problem.split(": ", 1)[1]) not in ALLOWED
    ]
    assert problems == [], f"{module}: move these into the engine's package: {problems}"


def test_the_rule_finds_what_it_forbids() -> None:
    """The checker itself, on the kinds of code the generic modules used to hold."""
    found = engine_problems(
        '"""A docstring may say public, ::text and import psycopg."""\n'
        "import psycopg\n"
        "from psycopg import sql\n"
        "from datakit.warehouses.postgres.builds import last_builds\n"
        "def f(schema: str = 'public', limit: int = 63, *, engine: str = 'postgres') -> str:\n"
        "    KEEPALIVES = {'keepalives_idle': 30}\n"
        '    return "SELECT max(x)::text FROM pg_class WHERE a = %s"\n'
    )
    assert len(found) == 10, found
    assert engine_problems('"""Nothing here."""\nNAME = "bronze"\n') == []


def test_the_generic_modules_are_the_ones_meant() -> None:
    names = {str(path.relative_to(SDK)) for path in generic_modules()}
    assert {"naming.py", "identifiers.py", "monitoring.py", "operations.py"} <= names
    assert {"cli/status.py", "cli/extract.py", "warehouses/registry.py"} <= names
    assert not any(
        name.startswith(("warehouses/postgres/", "typemaps/", "testing/", "sample/"))
        for name in names
    )


_ENV_WRITE = re.compile(
    r"os\.environ\[[^\]]+\]\s*=(?!=)|os\.environ\.(setdefault|update|pop)\(|os\.putenv\("
)
#: Writes of the environment that are not options: each with its reason.
ENV_WRITES_ALLOWED = {
    # The GSSAPI library the ODBC driver loads reads the ticket cache from KRB5CCNAME only.
    "engines/sqlserver/kerberos.py",
}


def test_no_sdk_module_passes_an_option_through_the_environment() -> None:
    writers = {
        str(path.relative_to(SDK))
        for path in SDK.rglob("*.py")
        if "testing" not in path.relative_to(SDK).parts
        and _ENV_WRITE.search(path.read_text(encoding="utf-8"))
    }
    assert writers <= ENV_WRITES_ALLOWED, sorted(writers - ENV_WRITES_ALLOWED)
