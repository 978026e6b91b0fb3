"""YAML loading that remembers where every value came from.

Validation messages must say ``acme.yaml:12 sources.erp.tables[0].cursor: ...``, so the loader
keeps the node tree next to the data and answers "which line is this path on?". It uses
PyYAML's libyaml composer (C speed: tenant files are read at every DAG parse) and refuses
duplicate keys, which plain PyYAML would silently resolve to the last value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import yaml

try:  # libyaml ships in every PyYAML wheel; the pure-Python loader is the fallback.
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover
    _BaseLoader = yaml.SafeLoader

PathPart = str | int


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """Safe loader without the timestamp resolver: dates stay strings, as JSON Schema expects."""

    # PyYAML reads resolvers from this class attribute by design (a per-class table).
    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, Any]]]] = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }


class YamlError(Exception):
    """A file that is not valid YAML (or repeats a key): carries the 1-based line."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class YamlDocument:
    """Plain data (dicts, lists, scalars) plus the node tree it was built from."""

    data: Any
    root: yaml.Node | None

    def line_of(self, path: Sequence[PathPart]) -> int:
        """1-based line of the deepest node on *path* that exists (a key's own line for mappings).

        A missing key (``required``) resolves to its parent mapping, which is where it belongs.
        """
        node = self.root
        line = node.start_mark.line + 1 if node is not None else 1
        for part in path:
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                        line = key.start_mark.line + 1
                        node = value
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    return line
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                return line
        return line


def _check_duplicate_keys(node: yaml.Node | None) -> None:
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    line = key.start_mark.line + 1
                    if key.value in seen:
                        raise YamlError(
                            f"duplicate key {key.value!r} (first on line {seen[key.value]})", line
                        )
                    seen[key.value] = line
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)


def parse_yaml(text: str) -> YamlDocument:
    """Parse one YAML document; raise :class:`YamlError` with a line on any syntax problem."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        _check_duplicate_keys(root)
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(f"invalid YAML: {problem}", line) from exc
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", 1) from exc
    finally:
        loader.dispose()
    return YamlDocument(data=data, root=root)


def format_path(path: Sequence[PathPart]) -> str:
    """``("sources", "erp", "tables", 0, "cursor")`` -> ``sources.erp.tables[0].cursor``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(file)"
