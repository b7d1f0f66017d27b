"""HTML (rendered in a real headless browser), JSON, CSV and DOCX outputs of a period report."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from docx import Document
from report_dataset import Built

from petitionkit.reports import Period, PeriodReport, period_report, render, write_report
from petitionkit.reports.charts import COLOURS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def report(built_sqlite: Built) -> PeriodReport:
    return period_report(built_sqlite.office, Period.month(2026, 3))


def test_json_is_the_whole_report(report: PeriodReport) -> None:
    data = json.loads(render(report, "json"))
    assert data["period"]["label"] == "2026年3月" and data["period"]["previous_label"] == "2026年2月"
    assert data["totals"][0]["key"] == "petitions" and data["totals"][0]["current"] == report.total("petitions").current
    assert data["signals"]["trends"][0]["key"] == "environment"
    assert "Benjamini-Hochberg" in data["signals"]["trend_method"]["description"]


def test_csv_is_long_format_with_every_figure(report: PeriodReport) -> None:
    text = render(report, "csv").decode("utf-8")
    assert text.startswith("\ufeff")  # spreadsheet programs need the BOM to read Chinese
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert set(rows[0]) == {"section", "key", "label", "metric", "value"}
    value = {(r["section"], r["key"], r["metric"]): r["value"] for r in rows}
    assert value[("totals", "petitions", "current")] == str(report.total("petitions").current)
    category = report.breakdown("category")
    assert category is not None
    first = category.rows[0]
    assert value[("category", first.key, "last_year")] == str(first.last_year)
    assert value[("trend_signal", "category:environment", "current")] == str(report.signals.trends[0].current)  # type: ignore[union-attr]
    assert ("cluster", "cluster:1", "petitioners") in value


def test_docx_has_title_summary_tables_and_signals(report: PeriodReport, tmp_path: Path) -> None:
    path = write_report(report, tmp_path / "report.docx")
    document = Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    assert report.title in text and report.summary in text
    assert "苗头性、倾向性问题" in text and "Benjamini-Hochberg" in text
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert "生态环境" in cells and str(report.total("petitions").current) in cells
    assert len(document.tables) >= 8


def test_html_is_self_contained(report: PeriodReport, tmp_path: Path) -> None:
    html = (write_report(report, tmp_path / "report.html")).read_text(encoding="utf-8")
    assert report.title in html and 'id="chart-trend"' in html and 'id="chart-category-bars"' in html
    # Nothing is fetched at view time: no external scripts, styles, images or frames.
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=[\"']?(https?:)?//", html, re.I)
    assert "Plotly.newPlot" in html and len(html) > 1_000_000  # plotly.js is inside


def _png_pixels(path: Path, max_rows: int) -> tuple[int, int, list[bytes]]:
    """Decode the top ``max_rows`` rows of an 8-bit RGB/RGBA, non-interlaced PNG (what Chromium writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(min(height, max_rows)):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line) if bpp == 3 else bytes(v for j, v in enumerate(line) if j % 4 != 3))
        previous = line
    return width, height, rows


def test_html_renders_charts_in_a_headless_browser(report: PeriodReport, tmp_path: Path) -> None:
    """Chromium draws the page: the screenshot is not blank and shows the charts' bars and lines."""
    if CHROMIUM is None:
        if os.environ.get("PETITIONKIT_REQUIRE_BROWSER") == "1":
            pytest.fail("PETITIONKIT_REQUIRE_BROWSER=1 but chromium is not installed", pytrace=False)
        pytest.skip("chromium is not installed: run scripts/install-system-deps.sh (CI installs it)")
    page = write_report(report, tmp_path / "report.html")
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1280,2000",
            "--virtual-time-budget=5000",
            page.resolve().as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert shot.exists() and shot.stat().st_size > 20_000
    width, height, rows = _png_pixels(shot, 2000)
    assert (width, height) == (1280, 2000)
    pixels = [row[i : i + 3] for row in rows[::4] for i in range(0, len(row), 12)]
    assert len(set(pixels)) > 50  # not a blank page
    blue = bytes(int(COLOURS[1][k : k + 2], 16) for k in (1, 3, 5))  # only the charts use this colour
    assert sum(1 for p in pixels if p == blue) > 100
