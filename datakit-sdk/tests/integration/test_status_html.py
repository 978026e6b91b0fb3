"""``datakit status --html FILE`` on a real Postgres with a seeded ``_datakit_loads`` history.

The page is parsed with :mod:`html.parser` (structure, values, one point per load), checked for
escaping and masking, and, where Debian's chromium is installed, rendered headless to a PNG.
"""

from __future__ import annotations

import stat
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from test_status import DAY, NOW, result, run_status, seed

from datakit.testing.browser import chromium, dump_dom, png_facts, screenshot

pytestmark = pytest.mark.integration

HOSTILE = "<script>alert(1)</script>"


class Page(HTMLParser):
    """Sections (by data-table), their text, their SVGs and each SVG's circles, and any script."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, dict[str, Any]] = {}
        self.scripts = 0
        self.external: list[str] = []
        self._section: dict[str, Any] | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "script":
            self.scripts += 1
        for key in ("src", "href"):
            if attr.get(key):
                self.external.append(str(attr[key]))
        if tag == "section":
            self._section = {"classes": (attr.get("class") or "").split(), "svgs": [], "text": ""}
            self.sections[str(attr["data-table"])] = self._section
        elif self._section is not None and tag == "svg":
            self._section["svgs"].append({"points": 0, "declared": int(str(attr["data-points"]))})
        elif self._section is not None and tag == "circle":
            self._section["svgs"][-1]["points"] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._section = None

    def handle_data(self, data: str) -> None:
        if self._section is not None:
            self._section["text"] += data


def parse(path: Path) -> tuple[Page, str]:
    text = path.read_text(encoding="utf-8")
    page = Page()
    page.feed(text)
    page.close()
    return page, text


@pytest.fixture
def history(warehouse_url: str) -> str:
    """Healthy, low-volume and stale tables, plus a hostile name and an error with a secret."""
    password = warehouse_url.split("@")[0].split(":")[-1]
    loads: list[tuple[str, str, str, int | None, datetime, str | None]] = []
    for day in range(6, 0, -1):
        loads.append(
            ("shop__products", f"run-{day}", "succeeded", 1000 + day, NOW - day * DAY, None)
        )
    loads.append(("shop__customers", "run-4", "succeeded", 50, NOW - 4 * DAY, None))
    loads.append(
        (
            "shop__customers",
            "run-2",
            "failed",
            None,
            NOW - 2 * DAY,
            f"{HOSTILE} connect to postgresql://datakit:{password}@db failed; token {password}",
        )
    )
    for day in (3, 2):
        loads.append((HOSTILE, f"run-{day}", "succeeded", 7, NOW - day * DAY, None))
    seed(warehouse_url, "demo_bronze", loads)
    return warehouse_url


def test_page_has_a_section_per_table_with_its_last_load_and_charts(
    history: str, tmp_path: Path
) -> None:
    target = tmp_path / "status.html"
    report = result(run_status(history, "--schema", "demo_bronze", "--json", "--html", str(target)))
    assert report["html"] == str(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["status.html"]  # no temporary left behind
    page, _ = parse(target)
    assert page.scripts == 0 and page.external == []  # self-contained: nothing to fetch or run
    assert set(page.sections) == {
        "demo_bronze.shop__products",
        "demo_bronze.shop__customers",
        f"demo_bronze.{HOSTILE}",
    }
    by_name = {t["table"]: t for t in report["tables"]}
    expected_points = {"shop__products": 6, "shop__customers": 1, HOSTILE: 2}
    for table, points in expected_points.items():
        section = page.sections[f"demo_bronze.{table}"]
        facts = by_name[table]
        assert facts["last_load_at"] in section["text"]
        assert facts["last_run_id"] in section["text"]
        assert str(facts["last_rows"]) in section["text"]
        assert [svg["points"] for svg in section["svgs"]] == [points, points]
        assert [svg["declared"] for svg in section["svgs"]] == [points, points]
    products = page.sections["demo_bronze.shop__products"]
    assert "24.0h / 26.0h" in products["text"] and "stale" not in products["classes"]
    customers = page.sections["demo_bronze.shop__customers"]
    assert "stale" in customers["classes"] and "STALE" in customers["text"]
    assert "4.0d / 26.0h" in customers["text"] and "run-2" in customers["text"]


def test_hostile_names_and_errors_are_escaped_and_secrets_masked(
    history: str, tmp_path: Path
) -> None:
    target = tmp_path / "status.html"
    result(run_status(history, "--schema", "demo_bronze", "--json", "--html", str(target)))
    page, text = parse(target)
    assert "<script" not in text.lower()
    assert page.scripts == 0
    assert text.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2  # the name and the error
    customers = page.sections["demo_bronze.shop__customers"]["text"]
    assert f"{HOSTILE} connect to postgresql://datakit:***@db failed; token ***" in customers
    password = history.split("@")[0].split(":")[-1]
    assert password not in text


def test_bad_html_target_is_a_usage_error_and_nothing_is_written(
    history: str, tmp_path: Path
) -> None:
    missing = tmp_path / "no" / "status.html"
    completed = run_status(history, "--html", str(missing))
    assert completed.returncode == 2 and "--html" in completed.stderr
    assert len(completed.stderr.strip().splitlines()) == 1
    completed = run_status(history, "--html", str(tmp_path))
    assert completed.returncode == 2 and "is a directory" in completed.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_rewrite_replaces_the_page_whole(history: str, tmp_path: Path) -> None:
    target = tmp_path / "status.html"
    target.write_text("old page")
    target.chmod(0o644)
    result(run_status(history, "--json", "--html", str(target)))
    _, text = parse(target)
    assert text.startswith("<!DOCTYPE html>") and "old page" not in text
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.skipif(
    chromium() is None,
    reason="Debian's chromium is not installed here (apt-get install chromium; .ci/run does); "
    "the headless screenshot of the HTML status page was not taken",
)
def test_chromium_renders_the_page_headless(history: str, tmp_path: Path) -> None:
    """A real browser, offline: a non-blank PNG of the window's size, and a DOM with a section
    per table, two charts each with their points, and the builds part."""
    target = tmp_path / "status.html"
    result(run_status(history, "--json", "--html", str(target)))
    shot = tmp_path / "status.png"
    screenshot(target, shot, width=1200, height=1600)
    facts = png_facts(shot.read_bytes())
    assert (facts.width, facts.height) == (1200, 1600)
    assert facts.distinct_rows > 100, f"a blank page? {facts}"

    text = dump_dom(target)
    dom = Page()
    dom.feed(text)
    assert set(dom.sections) == {
        "demo_bronze.shop__products", "demo_bronze.shop__customers", f"demo_bronze.{HOSTILE}",
    }  # fmt: skip
    assert dom.scripts == 0 and dom.external == []
    products = dom.sections["demo_bronze.shop__products"]
    assert [svg["points"] for svg in products["svgs"]] == [6, 6]
    assert 'class="builds"' in text
