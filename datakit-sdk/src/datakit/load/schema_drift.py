"""Comparing a source table with its bronze table, and the drift policy (evolve or fail)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from datakit.contracts import METADATA_COLUMNS, SchemaChangePolicy
from datakit.errors import ContractError
from datakit.typemaps.base import TypeMapper


@dataclass
class SchemaPlan:
    """What the load must do to the bronze table before writing, and how to read the source.

    ``read_as`` maps each source column to the type the source must send it as (``None``: as is).
    """

    create: list[tuple[str, str]] = field(default_factory=list)
    add: list[tuple[str, str]] = field(default_factory=list)
    widen: list[tuple[str, str, str]] = field(default_factory=list)
    kept_missing: list[str] = field(default_factory=list)
    read_as: dict[str, str | None] = field(default_factory=dict)

    def changes(self) -> list[str]:
        """Human-readable list of what changed, for the log and the result."""
        out = [f"added {name} {type_}" for name, type_ in self.add]
        out += [f"widened {name} {old} -> {new}" for name, old, new in self.widen]
        out += [f"kept {name} (gone from source, now NULL)" for name in self.kept_missing]
        return out


def plan_schema(
    *,
    table: str,
    source_columns: Sequence[tuple[str, str, str | None]],
    bronze_columns: Mapping[str, str] | None,
    mapper: TypeMapper,
    policy: SchemaChangePolicy,
) -> SchemaPlan:
    """Decide how the source's columns land in the existing (or missing) bronze table.

    *source_columns* holds ``(name, bronze type, cast)`` after the type map. Raises
    :class:`ContractError` naming the column and the change when the policy refuses it.
    """
    plan = SchemaPlan()
    if bronze_columns is None:
        plan.create = [(name, type_) for name, type_, _ in source_columns]
        plan.read_as = {name: cast for name, _, cast in source_columns}
        return plan

    refused: list[str] = []
    for name, new_type, cast in source_columns:
        old_type = bronze_columns.get(name)
        if old_type is None:
            if policy == "fail":
                refused.append(f"column {name!r} was added ({new_type})")
            plan.add.append((name, new_type))
            plan.read_as[name] = cast
        elif _same(old_type, new_type):
            plan.read_as[name] = cast
        elif mapper.is_safe_widening(new_type, old_type):
            # The source got narrower than bronze (or bronze was widened before): a source of the
            # warehouse's own type system sends bronze's type (binary COPY needs it exactly);
            # any other pair sends the value as mapped, and the wider bronze column takes it.
            same_types = getattr(mapper, "source_casts_to_warehouse_types", True)
            plan.read_as[name] = old_type if same_types else cast
        elif mapper.is_safe_widening(old_type, new_type):
            if policy == "fail":
                refused.append(f"column {name!r} changed type {old_type} -> {new_type}")
            plan.widen.append((name, old_type, new_type))
            plan.read_as[name] = cast
        else:
            refused.append(
                f"column {name!r} changed type {old_type} -> {new_type}, which is not a safe widening "
                "(full-refresh into a new --target-table, or cast in the source)"
            )
    source_names = {name for name, _, _ in source_columns}
    for name in bronze_columns:
        if name not in source_names and name not in METADATA_COLUMNS:
            if policy == "fail":
                refused.append(f"column {name!r} was removed from the source")
            plan.kept_missing.append(name)
    if refused:
        raise ContractError(
            f"contract violation: schema change in {table} refused by --on-schema-change {policy}: "
            + "; ".join(refused)
        )
    return plan


def _same(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()


__all__ = ["SchemaPlan", "plan_schema"]
