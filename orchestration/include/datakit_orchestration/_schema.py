"""JSON Schema errors turned into one-line, located problems a person can act on.

jsonschema's own messages are precise but written for programmers ("'cursor' is a required
property", "... is not valid under any of the given schemas"). This module rewrites the common
ones into ``path: message`` form, points a missing key at the key's own path, and unpacks
``oneOf`` to the branch that matches the value's type, so a table entry that is a mapping is
judged as a mapping.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from datakit_orchestration._yaml import PathPart, YamlDocument, YamlError, format_path, parse_yaml
from datakit_orchestration.errors import Problem

_JSON_TYPES = {
    dict: "a mapping",
    list: "a list",
    str: "a string",
    bool: "true/false",
    int: "a number",
    float: "a number",
    type(None): "null",
}


if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError


@cache
def _schema(schema_file: Path) -> dict[str, Any]:
    return json.loads(schema_file.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


GENERATED_DIR = Path(__file__).resolve().parent / "_generated"


def _schema_hash(schema_file: Path) -> str:
    return hashlib.sha256(schema_file.read_bytes()).hexdigest()


def generated_module_name(schema_file: Path) -> str:
    """``tenant.schema.json`` -> ``tenant_schema``."""
    return schema_file.name.removesuffix(".json").replace(".", "_").replace("-", "_")


def generate_validator_code(schema_file: Path) -> str:
    """Python source of a fastjsonschema validator for *schema_file*, stamped with its hash."""
    import fastjsonschema

    code = fastjsonschema.compile_to_code(_schema(schema_file))
    entry = re.search(r"^def (validate\w*)\(", code, re.MULTILINE)
    assert entry is not None, "fastjsonschema output has no validate function"
    code += f"\n\nvalidate = {entry[1]}\n"
    return (
        f"# Generated from {schema_file.name} by `python -m datakit_orchestration._generate`.\n"
        "# Do not edit; regenerate after changing the schema (a test checks it is current).\n"
        "# ruff: noqa\n"
        f'SCHEMA_SHA256 = "{_schema_hash(schema_file)}"\n' + code
    )


@cache
def _fast_validator(schema_file: Path) -> Callable[[Any], Any]:
    """The happy path: fastjsonschema's compiled validator, ~20x faster than jsonschema.

    DAG parsing validates every tenant file at every parse, and nearly all of them are valid.
    The validator is generated ahead of time into ``_generated/`` (compiling it costs tens of
    milliseconds per parse); if the schema changed since, it is compiled here instead.
    """
    import importlib

    name = generated_module_name(schema_file)
    try:
        module = importlib.import_module(f"datakit_orchestration._generated.{name}")
    except ImportError:
        module = None
    if module is not None and _schema_hash(schema_file) == module.SCHEMA_SHA256:
        validate: Callable[[Any], Any] = module.validate
        return validate
    import fastjsonschema

    compiled: Callable[[Any], Any] = fastjsonschema.compile(_schema(schema_file))
    return compiled


@cache
def validator_for(schema_file: Path) -> Draft202012Validator:
    """The reporting path: jsonschema, which lists every error with its path (invalid files)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_schema(schema_file))


def is_valid(schema_file: Path, data: Any) -> bool:
    import fastjsonschema

    try:
        _fast_validator(schema_file)(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def _sentence(text: Any) -> str:
    """A schema description as the tail of a message: first letter lower-case, no final dot."""
    if not isinstance(text, str) or not text:
        return ""
    sentence: str = text.rstrip(".")
    return sentence[0].lower() + sentence[1:]


#: ``scheme://user:password@`` in a value someone pasted where an id belongs (a connection URL).
_CREDENTIALS = re.compile(r"(://[^/:@\s'\"]*:)[^@\s'\"]*@")
#: A URL's path and query after its host: webhook URLs (Slack, Teams) carry their token there.
_URL_TAIL = re.compile(r"(://[^/?#\s'\"]+)[/?#][^\s'\"]*")


def _shown(value: Any) -> str:
    """A rejected value as echoed in a message, with any URL password masked.

    Problems become Airflow import errors, visible to every user of the deployment's UI, and CI
    logs: a connection URL pasted into ``connection`` must not carry its password there, nor
    a webhook URL its token (in the path or query, after the host).
    """
    return _URL_TAIL.sub(r"\1/***", _CREDENTIALS.sub(r"\1***@", repr(value)))


def _kind(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _expected_types(schema_type: str | list[str]) -> str:
    names = {
        "object": "a mapping",
        "array": "a list",
        "string": "a string",
        "integer": "an integer",
        "number": "a number",
        "boolean": "true/false",
        "null": "null",
    }
    kinds = [schema_type] if isinstance(schema_type, str) else schema_type
    return " or ".join(names.get(kind, kind) for kind in kinds)


def _explain(error: ValidationError) -> Iterator[tuple[tuple[PathPart, ...], str]]:
    path = tuple(error.absolute_path)
    validator: Any = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance: Any = error.instance
    expected: Any = error.validator_value
    if validator in ("oneOf", "anyOf") and error.context:
        # Keep the branch whose type matched: its errors are about the content, not the shape.
        content = [sub for sub in error.context if sub.validator != "type"]
        if content:
            for sub in content:
                yield from _explain(sub)
            return
        hint = _sentence(schema.get("description")) or "a value of another shape"
        yield path, f"expected {hint}, got {_kind(instance)}"
        return
    if validator == "required":
        present = instance if isinstance(instance, dict) else {}
        for name in expected:
            if name not in present:
                yield (*path, name), "required"
        return
    if validator == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extra = sorted(set(instance) - set(allowed)) if isinstance(instance, dict) else []
        for name in extra:
            hint = f" (expected one of: {', '.join(allowed)})" if allowed else ""
            yield (*path, name), f"unknown field{hint}"
        return
    if validator == "type":
        yield path, f"expected {_expected_types(expected)}, got {_kind(instance)}"
        return
    if validator == "enum":
        choices = ", ".join(str(choice) for choice in expected)
        yield path, f"{_shown(instance)} is not one of: {choices}"
        return
    if validator == "pattern":
        rule = _sentence(schema.get("description")) or f"must match {expected}"
        if "propertyNames" in error.absolute_schema_path:
            # The offending value is a key: point at the key itself.
            yield (*path, instance), f"name not allowed: {rule}"
        else:
            yield path, f"{_shown(instance)} is not allowed: {rule}"
        return
    if validator in ("minItems", "minProperties"):
        yield path, "must not be empty"
        return
    yield path, _CREDENTIALS.sub(r"\1***@", error.message)


def read_checked(file: Path, schema_file: Path) -> tuple[YamlDocument | None, list[Problem]]:
    """Read *file* and check it against *schema_file*: the document and its problems.

    An unreadable or unparsable file is one problem at its line and no document.
    """
    try:
        document = parse_yaml(file.read_text(encoding="utf-8"))
    except OSError as exc:
        return None, [Problem(file, 1, "(file)", f"cannot read: {exc.strerror}")]
    except YamlError as exc:
        return None, [Problem(file, exc.line, "(file)", exc.message)]
    return document, schema_problems(schema_file, document, file)


def schema_problems(schema_file: Path, document: YamlDocument, file: Path) -> list[Problem]:
    """Every schema violation in *document*, each with its line and dotted path."""
    if is_valid(schema_file, document.data):
        return []
    problems = []
    for error in validator_for(schema_file).iter_errors(document.data):
        for path, message in _explain(error):
            problems.append(Problem(file, document.line_of(path), format_path(path), message))
    return sorted(set(problems))


def locate(document: YamlDocument, file: Path, path: Sequence[PathPart], message: str) -> Problem:
    """A problem found by a semantic rule, at *path* in *document*."""
    return Problem(file, document.line_of(path), format_path(path), message)
