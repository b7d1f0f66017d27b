"""The report as a Word document, in the layout offices hand to the Standing Committee (python-docx).

Title in 方正小标宋 (falling back to SimSun), text in 仿宋_GB2312 as official documents use (GB/T 9704),
numbered sections 一、二、… with the summary paragraph first, then tables, then the trend signals
with the method that found them.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from petitionkit.reports.build import percent
from petitionkit.reports.labels import label
from petitionkit.reports.model import Figure, PeriodReport
from petitionkit.reports.periods import chinese_date

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
NUMBERS = "一二三四五六七八九十"


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
    _font(paragraph.add_run(f"{_number(number)}、{text}"), HEADING_FONT, 16)


def _number(n: int) -> str:
    if n <= 10:
        return NUMBERS[n - 1]
    return f"十{NUMBERS[n - 11]}" if n < 20 else str(n)


def _table(document: Any, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(str(text)), HEADING_FONT, 11)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for row in rows:
        cells = table.add_row().cells
        for i, (cell, value) in enumerate(zip(cells, row, strict=True)):
            cell.text = ""
            _font(cell.paragraphs[0].add_run("" if value is None else str(value)), BODY_FONT, 11)
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT if i == 0 else WD_ALIGN_PARAGRAPH.RIGHT
    document.add_paragraph()


def _change(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:+.1f}%"


def _figure_rows(rows: Sequence[Figure], limit: int = 20) -> list[list[Any]]:
    return [
        [f.label, f.current, f.previous, _change(f.change_previous), f.last_year, _change(f.change_last_year)]
        for f in rows[:limit]
    ]


def to_docx(report: PeriodReport) -> bytes:  # noqa: PLR0915 - one section after another
    """The report as DOCX bytes."""
    loc = report.locale

    def w(key: str) -> str:
        return label(key, loc)

    document = Document()
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

    n += 1
    _heading(document, n, w("report.section.breakdowns"))
    for b in report.breakdowns:
        _paragraph(document, b.title, indent=True, font=HEADING_FONT, size=14)
        _table(document, [b.title, *compared[1:]], _figure_rows(b.rows))

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
        ],
        [[r.label, r.petitions, r.cases, r.previous, r.last_year] for r in report.respondents],
    )

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
        if g.trends:
            _table(
                document,
                [
                    w("report.column.item"),
                    w("report.column.current"),
                    w("report.column.baseline"),
                    w("report.column.ratio"),
                    w("report.column.q_value"),
                    w("report.column.cases"),
                ],
                [
                    [
                        f"{s.label}（{w('report.dimension.' + s.dimension)}）",
                        s.current,
                        s.baseline,
                        "—" if s.ratio is None else s.ratio,
                        f"{s.q_value:.2g}",
                        "、".join(r.tracking_number for r in s.cases[:5]) + ("…" if s.case_count > 5 else ""),
                    ]
                    for s in g.trends
                ],
            )
        if g.clusters:
            _paragraph(document, w("report.section.clusters"), font=HEADING_FONT, size=14)
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
            )
        _paragraph(document, f"{w('report.section.method')}：{g.trend_method.description}", size=12)
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
