from __future__ import annotations

import pytest

from datakit.errors import ContractError
from datakit.load.schema_drift import plan_schema
from datakit.typemaps.postgres_postgres import MAPPER

META = {"_datakit_loaded_at": "timestamp with time zone", "_datakit_run_id": "text"}


def plan(
    source: list[tuple[str, str, str | None]], bronze: dict[str, str] | None, policy: str = "evolve"
):  # type: ignore[no-untyped-def]
    return plan_schema(
        table="s.t", source_columns=source, bronze_columns=bronze, mapper=MAPPER, policy=policy
    )  # type: ignore[arg-type]


def test_missing_table_is_created() -> None:
    p = plan([("id", "integer", None), ("m", "text", "text")], None)
    assert p.create == [("id", "integer"), ("m", "text")]
    assert p.read_as == {"id": None, "m": "text"}


def test_evolve_adds_widens_and_keeps() -> None:
    p = plan(
        [("id", "bigint", None), ("new", "text", None)],
        {"id": "integer", "old": "text", **META},
    )
    assert p.add == [("new", "text")]
    assert p.widen == [("id", "integer", "bigint")]
    assert p.kept_missing == ["old"]
    assert p.changes() == [
        "added new text",
        "widened id integer -> bigint",
        "kept old (gone from source, now NULL)",
    ]


def test_narrower_source_is_cast_to_bronze_type() -> None:
    p = plan([("id", "integer", None)], {"id": "bigint", **META})
    assert p.widen == [] and p.read_as == {"id": "bigint"}


@pytest.mark.parametrize(
    ("source", "bronze", "message"),
    [
        ([("id", "integer", None), ("x", "text", None)], {"id": "integer"}, "column 'x' was added"),
        ([("id", "bigint", None)], {"id": "integer"}, "column 'id' changed type integer -> bigint"),
        ([("id", "integer", None)], {"id": "integer", "gone": "text"}, "column 'gone' was removed"),
    ],
)
def test_fail_policy_refuses_any_change(source, bronze, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ContractError, match=message):
        plan(source, {**bronze, **META}, "fail")


def test_unsafe_change_is_refused_even_when_evolving() -> None:
    with pytest.raises(ContractError, match="not a safe widening"):
        plan([("a", "integer", None)], {"a": "text", **META})
