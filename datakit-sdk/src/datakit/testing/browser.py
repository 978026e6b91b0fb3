"""A real headless browser for the HTML status page: Debian's ``chromium``, no network.

The page (``datakit status --html``) is what people open, so its tests look at it the way a
browser does: :func:`screenshot` renders it to a PNG (``--screenshot``), :func:`dump_dom` returns
the DOM after parsing (``--dump-dom``), and :func:`png_facts` reads the PNG's size and whether
it shows anything (read with zlib, no imaging library). Chromium runs with a throw-away
profile, no sandbox (tests may run as root), no GPU, and network access switched off with a
proxy that does not exist, so a page that tried to load anything would show it missing.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

_OFFLINE = ("--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>")


def chromium() -> str | None:
    """The chromium binary on PATH (Debian's package installs ``/usr/bin/chromium``)."""
    return shutil.which("chromium")


def _run(page: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    binary = chromium()
    if binary is None:
        raise FileNotFoundError("chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="datakit-chromium-") as profile:
        return subprocess.run(
            [
                binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-extensions", "--hide-scrollbars", f"--user-data-dir={profile}",
                *_OFFLINE, *args, page.resolve().as_uri(),
            ],
            capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip


def screenshot(page: Path, png: Path, *, width: int = 1200, height: int = 1600) -> None:
    """Render *page* to *png* at *width* x *height*; a failure raises with chromium's stderr."""
    done = _run(page, f"--window-size={width},{height}", f"--screenshot={png}")
    if done.returncode != 0 or not png.exists():
        raise RuntimeError(
            f"chromium --screenshot failed ({done.returncode}): {done.stderr[-2000:]}"
        )


def dump_dom(page: Path) -> str:
    """The DOM chromium built from *page* (serialised HTML)."""
    done = _run(page, "--dump-dom")
    if done.returncode != 0:
        raise RuntimeError(f"chromium --dump-dom failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


@dataclass(frozen=True)
class PngFacts:
    width: int
    height: int
    #: distinct encoded scanlines: 1-3 for a blank page (every row alike), hundreds for a page
    #: with text, tables and charts on it
    distinct_rows: int


def png_facts(data: bytes) -> PngFacts:
    """Size and a blankness measure of an 8-bit RGB/RGBA PNG (what chromium writes).

    Rows are compared as stored (filter byte + filtered bytes): identical rows of a blank
    page stay identical after filtering, so no pixel decoding is needed.
    """
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    offset, idat, header = 8, b"", b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    width, height, depth, colour_type = struct.unpack(">IIBB", header[:10])
    if depth != 8 or colour_type not in (2, 6):
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour_type}")
    stride = width * (3 if colour_type == 2 else 4) + 1
    raw = zlib.decompress(idat)
    rows = {raw[y * stride : (y + 1) * stride] for y in range(height)}
    return PngFacts(width=width, height=height, distinct_rows=len(rows))


__all__ = ["PngFacts", "chromium", "dump_dom", "png_facts", "screenshot"]
