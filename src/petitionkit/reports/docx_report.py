"""The report as a Word document, in the layout offices hand to the Standing Committee (python-docx).

A4 with the margins of GB/T 9704 (top 37 mm, bottom 35 mm, left 28 mm, right 26 mm); title in
方正小标宋 (falling back to SimSun), text in 仿宋_GB2312, headings in 黑体, each also set as the East Asian
font so Word and LibreOffice use it for Chinese; numbered sections 一、二、… with the summary paragraph
first, then tables and the charts (PNG images drawn by matplotlib, :mod:`petitionkit.reports.images`),
then the trend signals in plain words with the statistics in a note.  Headings keep with the next
paragraph, tables span the text width with fixed column widths, their header row repeats on every
page and no row splits across pages.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from petitionkit.reports.build import percent
from petitionkit.reports.labels import label
from petitionkit.reports.model import Figure, PeriodReport
from petitionkit.reports.periods import chinese_date

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
NUMBERS = "一二三四五六七八九十"
#: A4 and the margins of GB/T 9704 (党政机关公文格式), in cm; the text is 15.6 cm wide.
PAGE_WIDTH, PAGE_HEIGHT = 21.0, 29.7
TOP, BOTTOM, LEFT, RIGHT = 3.7, 3.5, 2.8, 2.6
TEXT_WIDTH = PAGE_WIDTH - LEFT - RIGHT


def _font(run: Any, name: str, size: float, *, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _paragraph(document: Any, text: str, *, size: float = 16, indent: bool = True, font: str = BODY_FONT) -> Any:
    paragraph = document.add_paragraph()
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    paragraph.paragraph_format.line_spacing = Pt(28)
    _font(paragraph.add_run(text), font, size)
    return paragraph


def _heading(document: Any, number: int, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Pt(32)
    paragraph.paragraph_format.space_before = Pt(8)
    paragraph.paragraph_format.keep_with_next = True  # never stranded at a page's foot
    _font(paragraph.add_run(f"{_number(number)}、{text}"), HEADING_FONT, 16)


def _subheading(document: Any, text: str) -> None:
    _paragraph(document, text, font=HEADING_FONT, size=14).paragraph_format.keep_with_next = True


def _page(document: Any) -> None:
    """A4 portrait with the official margins."""
    for section in document.sections:
        section.page_width, section.page_height = Cm(PAGE_WIDTH), Cm(PAGE_HEIGHT)
        section.top_margin, section.bottom_margin = Cm(TOP), Cm(BOTTOM)
        section.left_margin, section.right_margin = Cm(LEFT), Cm(RIGHT)


def _picture(document: Any, png: bytes | None) -> None:
    if png is None:
        return
    document.add_picture(io.BytesIO(png), width=Cm(TEXT_WIDTH))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _repeat_header(row: Any) -> None:
    """The row repeats at the top of every page the table runs onto (w:tblHeader)."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _no_split(row: Any) -> None:
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))


def _widths(count: int, weights: Sequence[float] | None) -> list[float]:
    """Column widths in cm filling the text width: the first (label) column twice as wide by default."""
    found = list(weights) if weights is not None else [2.2] + [1.0] * (count - 1)
    total = sum(found)
    return [TEXT_WIDTH * w / total for w in found]


def _number(n: int) -> str:
    if n <= 10:
        return NUMBERS[n - 1]
    return f"十{NUMBERS[n - 11]}" if n < 20 else str(n)


def _table(
    document: Any,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    weights: Sequence[float] | None = None,
    size: float = 11,
    left: int = 1,
) -> None:
    """A table over the text width (fixed layout, ``weights`` per column); the first ``left`` columns are text."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = [Cm(w) for w in _widths(len(header), weights)]
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid (w:gridCol), which LibreOffice follows; the cells' own widths for Word
    _repeat_header(table.rows[0])
    for cell, text, width in zip(table.rows[0].cells, header, widths, strict=True):
        cell.text = ""
        cell.width = width
        _font(cell.paragraphs[0].add_run(str(text)), HEADING_FONT, size)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        cell.paragraphs[0].paragraph_format.keep_with_next = True
    for row in rows:
        added = table.add_row()
        _no_split(added)
        for i, (cell, value, width) in enumerate(zip(added.cells, row, widths, strict=True)):
            cell.text = ""
            cell.width = width
            _font(cell.paragraphs[0].add_run("" if value is None else str(value)), BODY_FONT, size)
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT if i < left else WD_ALIGN_PARAGRAPH.RIGHT
    document.add_paragraph()


def _change(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:+.1f}%"


def _figure_rows(rows: Sequence[Figure], limit: int = 20) -> list[list[Any]]:
    return [
        [f.label, f.current, f.previous, _change(f.change_previous), f.last_year, _change(f.change_last_year)]
        for f in rows[:limit]
    ]


def to_docx(report: PeriodReport, *, charts: bool = True) -> bytes:  # noqa: PLR0915 - one section after another
    """The report as DOCX bytes; ``charts=False`` leaves the chart images out (and matplotlib unloaded)."""
    loc = report.locale

    def w(key: str) -> str:
        return label(key, loc)

    pictures: dict[str, bytes] = {}
    if charts:
        from petitionkit.reports.images import images  # noqa: PLC0415 - matplotlib loads only here

        pictures = images(report)
    document = Document()
    _page(document)
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(report.title), TITLE_FONT, 22)
    period = document.add_paragraph()
    period.alignment = WD_ALIGN_PARAGRAPH.CENTER
    span = (
        f"{chinese_date(report.period.start)}—{chinese_date(report.period.end)}"
        if loc != "en"
        else (f"{report.period.start.isoformat()} – {report.period.end.isoformat()}")
    )
    _font(period.add_run(f"（{span}）" if loc != "en" else f"({span})"), BODY_FONT, 16)

    compared = [
        w("report.column.item"),
        w("report.column.current"),
        w("report.column.previous"),
        w("report.column.change_previous"),
        w("report.column.last_year"),
        w("report.column.change_last_year"),
    ]
    n = 0

    n += 1
    _heading(document, n, w("report.section.totals"))
    _paragraph(document, report.summary)
    _table(document, compared, _figure_rows(report.totals))
    _picture(document, pictures.get("trend"))

    n += 1
    _heading(document, n, w("report.section.breakdowns"))
    for b in report.breakdowns:
        _subheading(document, b.title)
        _table(document, [b.title, *compared[1:]], _figure_rows(b.rows))
        _picture(document, pictures.get(b.dimension))

    n += 1
    _heading(document, n, w("report.section.respondents"))
    _table(
        document,
        [
            w("report.column.body"),
            w("report.column.petitions"),
            w("report.column.cases"),
            w("report.column.previous"),
            w("report.column.last_year"),
            w("report.column.referrals"),
        ],
        [[r.label, r.petitions, r.cases, r.previous, r.last_year, r.referrals] for r in report.respondents],
        weights=[3, 1, 1, 1, 1, 1],
    )
    _picture(document, pictures.get("respondents"))

    n += 1
    _heading(document, n, f"{w('report.section.referrals')}、{w('report.section.supervision')}")
    ref = report.referrals
    _table(
        document,
        [
            w("report.column.body"),
            w("report.column.transfers"),
            w("report.column.assignments"),
            w("report.column.open"),
            w("report.column.reported"),
            w("report.column.objected"),
        ],
        [[r.label, r.transfers, r.assignments, r.open, r.reported, r.objected] for r in ref.by_body]
        + [["∑", ref.transfers, ref.assignments, ref.open, ref.reported, ref.objected]],
    )
    sup = report.supervision
    _table(
        document,
        [
            w("report.column.body"),
            w("report.figure.supervisions"),
            w("report.column.met"),
            w("report.column.late"),
            w("report.column.open"),
        ],
        [[r.label, r.notices, r.met, r.late, r.open] for r in sup.by_body]
        + [["∑", sup.notices, sup.met, sup.late, sup.open]],
    )

    n += 1
    _heading(document, n, w("report.section.timeliness"))
    t = report.timeliness
    _table(
        document,
        [
            w("report.column.clock"),
            w("report.column.met"),
            w("report.column.late"),
            w("report.column.overdue"),
            w("report.column.pending"),
            w("report.column.on_time_rate"),
        ],
        [[r.label, r.met, r.late, r.overdue, r.pending, percent(r.on_time_rate)] for r in (*t.by_clock, t.overall)],
    )
    _picture(document, pictures.get("timeliness"))
    o = report.overdue
    _paragraph(document, f"{w('report.section.overdue')}：{o.cases}（{o.as_of.isoformat()}）")
    if o.oldest:
        _table(
            document,
            [
                w("report.column.tracking_number"),
                w("report.column.subject"),
                w("report.column.body"),
                w("report.column.due"),
                w("report.column.days_overdue"),
            ],
            [[x.tracking_number, x.subject, x.body_label, x.due_label(loc), x.days_overdue] for x in o.oldest[:15]],
            weights=[2.2, 3, 2.2, 1.6, 1],
            left=3,
        )

    n += 1
    _heading(document, n, f"{w('report.section.evaluations')}、{w('report.section.reviews')}")
    e, rv, c = report.evaluations, report.reviews, report.conclusions
    _table(
        document,
        [w("report.column.item"), w("report.column.count"), w("report.column.share")],
        [[r.label, r.count, percent(r.share)] for r in e.by_rating]
        + [
            [w("report.figure.satisfaction_rate"), e.total, percent(e.satisfaction_rate)],
            [w("report.figure.replies"), rv.replies, ""],
            [w("report.figure.review_requests"), rv.review_requests, percent(rv.review_rate)],
            [w("report.figure.rereview_requests"), rv.rereview_requests, percent(rv.rereview_rate)],
            [w("report.figure.extensions"), c.extensions, ""],
            [w("report.figure.closure_rate"), f"{c.closed}/{c.opened}", percent(c.closure_rate)],
        ],
    )

    if report.signals is not None:
        g = report.signals
        n += 1
        _heading(document, n, w("report.section.signals"))
        for s in g.trends:  # in plain words; the statistics follow in the note
            cases = "、".join(r.tracking_number for r in s.cases[:5]) + ("…" if s.case_count > 5 else "")
            _paragraph(
                document, f"{s.sentence}（{w('report.column.tracking_number')}：{cases}）" if cases else s.sentence
            )
        if g.clusters:
            _subheading(document, w("report.section.clusters"))
            _table(
                document,
                [
                    w("report.column.subject"),
                    w("report.column.terms"),
                    w("report.column.petitioners"),
                    w("report.column.cases"),
                ],
                [
                    [
                        x.subject,
                        "、".join(x.terms),
                        x.petitioners,
                        "、".join(r.tracking_number for r in x.cases[:5]) + ("…" if x.case_count > 5 else ""),
                    ]
                    for x in g.clusters
                ],
                weights=[3, 3, 1, 3],
                left=2,
            )
        _subheading(document, w("report.section.signal_note"))
        _paragraph(document, g.trend_method.description, size=12)
        if g.trends:
            _table(
                document,
                [
                    w("report.column.item"),
                    w("report.column.current"),
                    w("report.column.baseline"),
                    w("report.column.ratio"),
                    w("report.column.q_value"),
                ],
                [
                    [
                        f"{s.label}（{w('report.dimension.' + s.dimension)}）",
                        s.current,
                        s.baseline,
                        "—" if s.ratio is None else s.ratio,
                        f"{s.q_value:.2g}",
                    ]
                    for s in g.trends
                ],
                weights=[3, 1, 1, 1, 1],
                size=10,
            )
        if g.cluster_method.description:
            _paragraph(document, g.cluster_method.description, size=12)

    closing = document.add_paragraph()
    closing.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _font(closing.add_run(report.office_name), BODY_FONT, 16)
    dated = document.add_paragraph()
    dated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _font(
        dated.add_run(
            chinese_date(report.generated_at.date()) if loc != "en" else report.generated_at.date().isoformat()
        ),
        BODY_FONT,
        16,
    )

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
