"""``datakit status --html FILE``: the status report as one self-contained HTML page.

The page is what people actually open (issue 13): per bronze table the last load, its age
against the freshness window (stale highlighted), and two small charts of the successful loads
over time, rows and seconds per load. It is built from the same :class:`TableStatus` verdicts
as the terminal and JSON output, plus the load series the warehouse engine's
:class:`~datakit.monitoring.HistoryReader` reads. Decisions:

- **self-contained**: inline CSS and inline SVG drawn in Python, no script, font or CDN, so the
  file opens offline, attaches to a mail and cannot phone home;
- **charted loads**: the newest :data:`HISTORY_LOADS` *successful* loads, oldest first (a failed
  load has no row count; it shows as the table's last failure instead); one point per load;
- **no secret, no markup from data**: every value from the warehouse (table names, run ids,
  error messages) is masked with :func:`datakit.secrets.mask_text` and then HTML-escaped;
- **written 0600, atomically**: a temporary file in the target folder, then ``os.replace``, so
  a reader sees the old page or the new one, never half of one.
"""

from __future__ import annotations

import html
import os
import tempfile
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from datakit.monitoring import LastBuild, LoadPoint, TableStatus, format_age
from datakit.secrets import mask_text

#: How many successful loads per table the charts show (newest, drawn oldest first).
HISTORY_LOADS = 30

_WIDTH, _HEIGHT, _PAD = 320, 110, 24


def _text(value: object) -> str:
    """Masked, then escaped: the only way warehouse text enters the page."""
    return html.escape(mask_text(str(value)), quote=True)


def svg_chart(title: str, points: Sequence[LoadPoint], value: str, unit: str) -> str:
    """A small line chart of ``getattr(point, value)`` over the loads, one circle per load.

    Drawn on an even x scale (one step per load, not per hour) so irregular schedules stay
    readable; each circle's ``<title>`` gives the exact value and time on hover.
    """
    values = [float(getattr(point, value)) for point in points]
    top = max(values, default=0.0) or 1.0
    step = (_WIDTH - 2 * _PAD) / max(len(values) - 1, 1)
    coords = [
        (_PAD + i * step, _HEIGHT - _PAD - (v / top) * (_HEIGHT - 2 * _PAD))
        for i, v in enumerate(values)
    ]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-points="{len(values)}"'
        f' width="{_WIDTH}" height="{_HEIGHT}" viewBox="0 0 {_WIDTH} {_HEIGHT}"'
        f' role="img" aria-label="{_text(title)}">',
        f"<title>{_text(title)}</title>",
        f'<line x1="{_PAD}" y1="{_HEIGHT - _PAD}" x2="{_WIDTH - _PAD}" y2="{_HEIGHT - _PAD}"'
        ' class="axis"/>',
        f'<text x="2" y="{_PAD - 8}" class="label">{_text(f"{top:g} {unit}")}</text>',
    ]
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline points="{path}" class="line"/>')
    for (x, y), point, v in zip(coords, points, values, strict=True):
        label = f"{point.finished_at.isoformat()[:16]}: {v:g} {unit}"
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" class="point"><title>{_text(label)}'
            "</title></circle>"
        )
    if not coords:
        parts.append(f'<text x="{_PAD}" y="{_HEIGHT // 2}" class="label">no loads</text>')
    parts.append("</svg>")
    return "".join(parts)


_CSS = """
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
section{border:1px solid #ccc;border-radius:6px;padding:.8em 1em;margin:1em 0}
section.stale{border-color:#c00;background:#fff3f3}
.stale-badge{color:#fff;background:#c00;padding:0 .4em;border-radius:3px}
.anomaly-badge{color:#000;background:#fc0;padding:0 .4em;border-radius:3px}
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}
dt{font-weight:600} .failure{color:#900;white-space:pre-wrap}
.chart .axis{stroke:#999} .chart .line{fill:none;stroke:#36c;stroke-width:1.5}
.chart .point{fill:#36c} .chart .label{font-size:10px;fill:#555}
table.builds{border-collapse:collapse} table.builds td,table.builds th{border:1px solid #ccc;
padding:.2em .5em;text-align:left} tr.failed td{background:#fff3f3}
"""


def _builds(builds: Sequence[LastBuild]) -> str:
    """The last silver/gold build of each selection, with its tests and failing tests."""
    if not builds:
        return '<div class="builds"><h2>builds</h2><p>no builds recorded</p></div>'
    head = ("schema", "selection", "command", "finished (UTC)", "status", "tests passed",
            "tests failed", "failing", "run by")  # fmt: skip
    rows = []
    for build in builds:
        failing = "; ".join(
            f"{f.get('name')} ({f.get('failures') or 0} rows)" for f in build.failures
        )
        cells = (build.schema, build.selection or "(all)", build.command,
                 build.finished_at[:19].replace("T", " "), build.status, build.tests_passed,
                 build.tests_failed, failing or "-", build.run_by or "-")  # fmt: skip
        rows.append(
            f'<tr class="{_text(build.status)}">'
            + "".join(f"<td>{_text(cell)}</td>" for cell in cells)
            + "</tr>"
        )
    header = "".join(f"<th>{name}</th>" for name in head)
    return (
        '<div class="builds"><h2>last builds (silver, gold)</h2>'
        f'<table class="builds"><tr>{header}</tr>{"".join(rows)}</table></div>'
    )


def _section(item: TableStatus, points: Sequence[LoadPoint]) -> str:
    name = f"{item.schema}.{item.table}"
    badges = []
    if item.stale:
        badges.append('<span class="stale-badge">STALE</span>')
    if item.volume_anomaly:
        badges.append(
            f'<span class="anomaly-badge">LOW VOLUME (median {item.volume_median:g})</span>'
        )
    failure = (
        "none"
        if item.last_failure_at is None
        else f"{_text(item.last_failure_at)} run {_text(item.last_failure_run_id)}:"
        f' <span class="failure">{_text(item.last_failure_error or "")}</span>'
    )
    fields = {
        "last load (UTC)": "-" if item.last_load_at is None else _text(item.last_load_at),
        "last run": "-" if item.last_run_id is None else _text(item.last_run_id),
        "last rows": "-" if item.last_rows is None else _text(item.last_rows),
        "age / window": f"{format_age(item.age_seconds)} / {format_age(item.freshness_seconds)}",
        "last failure": failure,
    }
    rows = "".join(f"<dt>{key}</dt><dd>{value}</dd>" for key, value in fields.items())
    return (
        f'<section class="table{" stale" if item.stale else ""}" data-table="{_text(name)}">'
        f"<h2>{_text(name)} {' '.join(badges)}</h2><dl>{rows}</dl>"
        f"{svg_chart(f'rows per load: {name}', points, 'rows', 'rows')}"
        f"{svg_chart(f'seconds per load: {name}', points, 'seconds', 's')}"
        "</section>"
    )


def render_html(
    report: Sequence[TableStatus],
    series: Mapping[tuple[str, str], Sequence[LoadPoint]],
    generated_at: datetime,
    builds: Sequence[LastBuild] = (),
) -> str:
    """The whole page: the last builds, then one ``<section>`` per table of *report*, charts
    from *series*."""
    sections = "".join(_section(item, series.get((item.schema, item.table), [])) for item in report)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>datakit status</title>"
        f"<style>{_CSS}</style></head><body><h1>datakit status</h1>"
        f"<p>Generated {_text(generated_at.isoformat(timespec='seconds'))}; charts show the"
        f" newest {HISTORY_LOADS} successful loads per table, oldest first.</p>"
        f"{_builds(builds)}{sections or '<p>no loads recorded</p>'}</body></html>\n"
    )


def write_private(path: Path, text: str) -> None:
    """Write *text* to *path* as 0600 via a temporary file and ``os.replace`` (old-or-new)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


__all__ = ["HISTORY_LOADS", "render_html", "svg_chart", "write_private"]
