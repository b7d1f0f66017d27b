"""Issue 20's report layout: the Word report on A4 with charts, headings kept with what follows and
tables that fit; the HTML report without plotly's toolbar, signals in plain words, names not codes."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm
from report_dataset import Built

from petitionkit.reports import Period, PeriodReport, period_report, write_report
from petitionkit.reports.build import Labels
from petitionkit.reports.docx_report import TEXT_WIDTH
from petitionkit.reports.labels import region_label
from petitionkit.reports.model import TrendSignal
from petitionkit.reports.source import Dimension
from petitionkit.reports.wording import trend_sentence


@pytest.fixture(scope="module")
def report(built_sqlite: Built) -> PeriodReport:
    return period_report(built_sqlite.office, Period.month(2026, 3))


def test_the_word_report_is_a4_with_charts_headings_kept_and_tables_that_fit(
    report: PeriodReport, tmp_path: Path
) -> None:
    document = Document(str(write_report(report, tmp_path / "report.docx")))
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert (round(section.left_margin.cm, 1), round(section.right_margin.cm, 1)) == (2.8, 2.6)
    assert (round(section.top_margin.cm, 1), round(section.bottom_margin.cm, 1)) == (3.7, 3.5)
    fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    headings = [p for p in document.paragraphs if re.match(r"^[一二三四五六七八九十]+、", p.text)]
    assert len(headings) >= 6 and all(p.paragraph_format.keep_with_next for p in headings)
    assert len(document.inline_shapes) >= 4  # trend, categories, regions, organs, timeliness
    assert all(abs(s.width - Cm(TEXT_WIDTH)) < Cm(0.05) for s in document.inline_shapes)
    for table in document.tables:
        header = table.rows[0]._tr.trPr
        assert header is not None and header.find(qn("w:tblHeader")) is not None  # repeats on each page
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        width = sum(cell.width for cell in table.rows[0].cells)
        assert abs(width - Cm(TEXT_WIDTH)) < Cm(0.05), width  # the text width, not the page's
        grid = [column.width for column in table.columns]  # what LibreOffice lays out by
        assert grid == [cell.width for cell in table.rows[0].cells], grid
    text = "\n".join(p.text for p in document.paragraphs)
    assert report.signals is not None and report.signals.trends
    assert all(s.sentence in text for s in report.signals.trends)
    assert text.index("统计说明") > max(text.index(s.sentence) for s in report.signals.trends)


def test_the_html_report_has_no_toolbar_and_signals_in_plain_words(report: PeriodReport, tmp_path: Path) -> None:
    html = write_report(report, tmp_path / "report.html").read_text(encoding="utf-8")
    assert '"displayModeBar": false' in html and '"displayModeBar": true' not in html
    assert "@media print" in html and ".modebar" in html.split("@media print", 1)[1].split("</style>", 1)[0]
    assert report.signals is not None
    note = html.index('<details class="note"')
    for signal in report.signals.trends:
        assert f'<li class="signal">{signal.sentence}' in html
    # The statistics (Benjamini-Hochberg, q-values) come after the sentences, in the note only.
    assert html.index("Benjamini-Hochberg") > note and html.index('<li class="signal">') < note
    organs = html.split("被反映较多的机关和单位", 2)[-1].split("</table>", 1)[0]
    assert organs.count("<tr>") > 1  # the organs table is filled


def _signal(current: int, history: tuple[int, ...], dimension: str = "category") -> TrendSignal:
    baseline = sum(history) / len(history)
    return TrendSignal(
        dimension, "labour", "劳动和社会保障", current, history, baseline, current / baseline, 1.0, 0.001, 0.01, 0, ()
    )


def test_a_signal_reads_as_a_sentence() -> None:
    assert trend_sentence(_signal(30, (12, 8, 9, 7)), "quarter") == (
        "本季度“劳动和社会保障”类信访比上季度明显增多（从 12 件增至 30 件）。"
    )
    assert trend_sentence(_signal(30, (31, 8, 9, 8)), "month") == (
        "本月“劳动和社会保障”类信访明显多于此前 4 个月的平均水平（平均 14 件，本月 30 件）。"
    )
    assert trend_sentence(_signal(30, (12, 8)), "quarter", "en") == (
        "This quarter, petitions about “劳动和社会保障” rose markedly compared with last quarter (from 12 to 30)."
    )
    assert "反映" in trend_sentence(_signal(9, (2, 3), "region"), "year")


def test_region_names_come_from_the_one_labels_function(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "petitionkit.regions", None)  # no division list (import fails): the code
    assert region_label("330109") == "330109"
    regions = types.ModuleType("petitionkit.regions")
    regions.region_name = lambda code, locale: {"330109": "杭州市萧山区"}.get(code)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "petitionkit.regions", regions)
    assert region_label("330109") == "杭州市萧山区"
    assert region_label("999999") == "999999"
    labels = Labels(None)
    assert labels.key(Dimension.REGION, "330109") == "杭州市萧山区"
    assert Labels(None, regions={"330109": "萧山"}).key(Dimension.REGION, "330109") == "萧山"  # settings first
