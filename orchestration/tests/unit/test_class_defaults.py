"""No class of the package shares a mutable default (a list/dict/set) between its instances.

``RunnerDockerOperator.secret_env`` was a class-level ``{}``: one in-place update would have
leaked a connection into every Docker task. ruff's RUF012 catches new ones at lint time; this
test checks the classes as Python sees them (annotated ``ClassVar`` tables are deliberate).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import datakit_orchestration

_MUTABLE = (list, dict, set, bytearray)


def _package_classes() -> list[type]:
    found: list[type] = []
    for info in pkgutil.walk_packages(datakit_orchestration.__path__, "datakit_orchestration."):
        if "._generated" in info.name or info.name.endswith(("._generate", ".validate")):
            continue
        module = importlib.import_module(info.name)
        found += [
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if cls.__module__ == module.__name__
        ]
    return found


def test_no_class_shares_a_mutable_default() -> None:
    offenders = []
    for cls in _package_classes():
        annotations = inspect.get_annotations(cls)
        for name, value in vars(cls).items():
            if name.startswith("__") or not isinstance(value, _MUTABLE):
                continue
            if "ClassVar" in str(annotations.get(name, "")):
                continue
            offenders.append(f"{cls.__module__}.{cls.__qualname__}.{name}")
    assert len(_package_classes()) > 10
    assert not offenders, f"mutable class-level defaults: {offenders}"
