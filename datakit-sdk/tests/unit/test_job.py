from __future__ import annotations

from pathlib import Path

import pytest

from datakit.errors import ConfigError
from datakit.job import load_job


def test_job_with_defaults_and_short_entries(tmp_path: Path) -> None:
    path = tmp_path / "job.yaml"
    path.write_text(
        "source_name: erp\nparallel: 3\ndefaults: {on_schema_change: fail}\n"
        "tables:\n  - shop.a\n  - {table: shop.b, mode: incremental, cursor: ts, primary_key: 'x, y'}\n"
    )
    job = load_job(path)
    assert job.source_name == "erp" and job.parallel == 3
    assert job.tables[0].table == "shop.a"
    assert job.tables[0].options == {"on_schema_change": "fail"}
    assert job.tables[1].options["primary_key"] == ["x", "y"]


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "job.yaml"
    path.write_text("tables:\n  - [unclosed\n")
    with pytest.raises(ConfigError, match=r"job.yaml:\d+: not valid YAML"):
        load_job(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_job(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("value", "shown"), [("lots", "'lots'"), ("1.5", "1.5"), ("true", "True"), ("0", "0")]
)
def test_batch_rows_must_be_a_positive_integer(tmp_path: Path, value: str, shown: str) -> None:
    path = tmp_path / "job.yaml"
    path.write_text(f"tables:\n  - {{table: a.b, batch_rows: {value}}}\n")
    with pytest.raises(ConfigError) as raised:
        load_job(path)
    assert f"{path} tables[0].batch_rows: must be a positive integer, got {shown}" in str(
        raised.value
    )


def test_option_types_are_checked_in_defaults_and_entries(tmp_path: Path) -> None:
    path = tmp_path / "job.yaml"
    path.write_text(
        "defaults: {batch_rows: many}\n"
        "tables:\n  - {table: a.b, primary_key: [1, 2], cursor: [x], lookback: {h: 2}}\n"
    )
    with pytest.raises(ConfigError) as raised:
        load_job(path)
    message = str(raised.value)
    assert f"{path} defaults.batch_rows: must be a positive integer" in message
    assert "tables[0].primary_key: must be a column name or a list" in message
    assert "tables[0].cursor: must be a string" in message
    assert "tables[0].lookback: must be an interval" in message


def test_good_option_types_pass(tmp_path: Path) -> None:
    path = tmp_path / "job.yaml"
    path.write_text(
        "tables:\n  - {table: a.b, batch_rows: 10, lookback: 2, primary_key: id, cursor: ts}\n"
    )
    assert load_job(path).tables[0].options["batch_rows"] == 10
