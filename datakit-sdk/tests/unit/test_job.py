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
