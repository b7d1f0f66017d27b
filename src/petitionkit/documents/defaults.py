"""The default zh-CN templates shipped in ``petitionkit/documents/templates``, and how they are built.

The ``.docx`` files are generated from :data:`TEMPLATES` with python-docx so that every placeholder
sits in one run (Word splits runs when a person types; docxtpl copes with that, but a generated
file starts clean).  Regenerate them after editing the texts::

    python -m petitionkit.documents.defaults src/petitionkit/documents/templates

Layout after GB/T 9704 (党政机关公文格式): the 版头 (issuing organ, red 小标宋) and the 文号 above a red
separator line, a seal area (盖章) above the issuer and the date, title in 方正小标宋 二号 (22 pt), text
in 仿宋_GB2312 三号 (16 pt) on a fixed 28 pt line, first lines indented two characters, issuer and date right.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"

# Each paragraph: (style, text). Styles: header (版头, red), docnumber (文号 above the red line),
# title, number (right-aligned reference), to (addressee), body (indented), seal (the 盖章 area),
# sign (right-aligned), note (small), tag (a docxtpl ``{%p %}`` paragraph: it disappears when rendered,
# so a paragraph whose value is empty is left out instead of printing an empty label).
Paragraphs = tuple[tuple[str, str], ...]
RED = "C00000"

_HEAD: Paragraphs = (
    ("header", "{{ header_organ }}"),
    ("docnumber", "{{ document_number }}"),
)

_SIGN: Paragraphs = (
    ("seal", "（盖章）"),
    ("sign", "{{ issuer }}"),
    ("sign", "{{ issue_date }}"),
    ("tag", "{%p if contact_phone %}"),
    ("note", "联系电话：{{ contact_phone }}"),
    ("tag", "{%p endif %}"),
)

#: The petitioner line of a letter to a body, each part only when it has a value (no ``住址：。``).
_PETITIONER = (
    "信访人：{{ petitioner_name }}{% if petitioner_phone %}；联系电话：{{ petitioner_phone }}{% endif %}"
    "{% if petitioner_address %}；住址：{{ petitioner_address }}{% endif %}。"
)


def _optional(name: str, text: str) -> Paragraphs:
    """A body paragraph printed only when ``name`` has a value."""
    return (("tag", f"{{%p if {name} %}}"), ("body", text), ("tag", "{%p endif %}"))


TEMPLATES: dict[str, Paragraphs] = {
    "acceptance-notice": (
        *_HEAD,
        ("title", "信访事项受理告知书"),
        ("number", "信访件编号：{{ tracking_number }}"),
        ("to", "{{ petitioner_name }}："),
        (
            "body",
            "你于{{ received_date }}反映的“{{ subject }}”信访事项，本机关已收悉。根据《信访工作条例》第二十三条的规定，"
            "经审查，本机关已于{{ accepted_date }}依法受理。",
        ),
        (
            "body",
            "{% if handling_due %}本机关将在{{ handling_days }}日内（{{ handling_due }}前）办结，并书面答复你。"
            "{% else %}本机关将依法办理，并书面答复你。{% endif %}",
        ),
        ("body", "你可以凭信访件编号和查询码查询办理进展，并对办理情况作出评价。"),
        ("body", "特此告知。"),
        *_SIGN,
    ),
    "non-acceptance-notice": (
        *_HEAD,
        ("title", "信访事项不予受理告知书"),
        ("number", "信访件编号：{{ tracking_number }}"),
        ("to", "{{ petitioner_name }}："),
        (
            "body",
            "你于{{ received_date }}反映的“{{ subject }}”信访事项，本机关已收悉。经审查，{{ decline_reason }}"
            "根据《信访工作条例》的有关规定，本机关不予受理。",
        ),
        ("body", "对该事项，你可以{{ decline_channel }}。"),
        ("body", "特此告知。"),
        *_SIGN,
    ),
    "transfer-letter": (
        *_HEAD,
        ("title", "信访事项转送函"),
        ("number", "信访件编号：{{ tracking_number }}"),
        ("to", "{{ body_name }}："),
        (
            "body",
            "{{ received_date }}，本机关收到{{ petitioner_name }}反映“{{ subject }}”的信访事项。根据《信访工作条例》"
            "第二十二条、第二十三条的规定，现于{{ transfer_date }}转送你单位依法处理。",
        ),
        ("body", _PETITIONER),
        ("body", "主要内容：{{ content }}"),  # a petition always has content
        *_optional("note", "{{ note }}"),
        *_optional(
            "objection_due", "如认为该事项不属于你单位职权范围，请于{{ objection_due }}前向本机关说明理由并退回。"
        ),
        *_SIGN,
    ),
    "assignment-letter": (
        *_HEAD,
        ("title", "信访事项交办函"),
        ("number", "信访件编号：{{ tracking_number }}"),
        ("to", "{{ body_name }}："),
        (
            "body",
            "{{ received_date }}，本机关收到{{ petitioner_name }}反映“{{ subject }}”的信访事项。经研究，现于"
            "{{ assignment_date }}交由你单位办理。",
        ),
        ("body", _PETITIONER),
        ("body", "主要内容：{{ content }}"),  # a petition always has content
        (
            "body",
            "请你单位依法认真办理{% if report_due %}，并于{{ report_due }}前将办理结果书面报送本机关（办结报告）"
            "{% endif %}。{% if note %}{{ note }}{% endif %}",
        ),
        *_SIGN,
    ),
    "supervision-notice": (
        *_HEAD,
        ("title", "信访事项督办函"),
        ("number", "信访件编号：{{ tracking_number }}"),
        ("to", "{{ body_name }}："),
        (
            "body",
            "本机关于{{ assignment_date }}交你单位办理的“{{ subject }}”信访事项（编号：{{ tracking_number }}），"
            "应于{{ report_due }}前报送办理结果。{{ supervision_reason }}",
        ),
        (
            "body",
            "根据《信访工作条例》的有关规定，现予督办。请你单位高度重视，抓紧办理，并于{{ supervision_reply_due }}前"
            "将办理情况书面报送本机关。",
        ),
        *_SIGN,
    ),
    "extension-notice": (
        *_HEAD,
        ("title", "信访事项延期办理告知书"),
        ("number", "信访件编号：{{ tracking_number }}"),
        ("to", "{{ petitioner_name }}："),
        (
            "body",
            "你反映的“{{ subject }}”信访事项，因{{ extension_reason }}，经本机关负责人批准，办理期限延长"
            "{{ extension_days }}日，延长至{{ new_due }}。",
        ),
        ("body", "根据《信访工作条例》第三十四条的规定，特此告知。"),
        *_SIGN,
    ),
    "handling-opinion": (
        *_HEAD,
        ("title", "信访事项处理意见书"),
        ("number", "信访件编号：{{ tracking_number }}"),
        ("to", "{{ petitioner_name }}："),
        ("body", "你于{{ received_date }}反映的“{{ subject }}”信访事项，经调查核实，现提出处理意见如下："),
        ("body", "{{ reply_text }}"),
        ("body", "处理结果：{{ reply_outcome }}。"),
        (
            "body",
            "如对本处理意见不服，可以自收到本意见书之日起{{ review_days }}日内，向{{ review_organ }}请求复查。",
        ),
        *_SIGN,
    ),
}


def _run(paragraph: object, text: str, font: str, size: float, *, color: str | None = None) -> None:
    run = paragraph.add_run(text)  # type: ignore[attr-defined]
    run.font.name = font
    run.font.size = Pt(size)
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _red_line(paragraph: object) -> None:
    """The red separator line (红色分隔线) under the 文号: the paragraph's bottom border, 1.5 pt."""
    properties = paragraph._p.get_or_add_pPr()  # type: ignore[attr-defined]
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "6"), ("w:color", RED)):
        bottom.set(qn(key), value)
    borders.append(bottom)
    properties.append(borders)


def build_template(paragraphs: Paragraphs, target: Path) -> Path:
    """Write one template as a ``.docx`` file."""
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    for style, text in paragraphs:
        paragraph = document.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.line_spacing = Pt(28)
        if style == "header":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            fmt.line_spacing = Pt(40)
            _run(paragraph, text, TITLE_FONT, 24, color=RED)
        elif style == "docnumber":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            fmt.space_before, fmt.space_after = Pt(14), Pt(28)
            _run(paragraph, text, BODY_FONT, 16)
            _red_line(paragraph)
        elif style == "tag":
            paragraph.add_run(text)
        elif style == "seal":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            fmt.space_before = Pt(28)
            _run(paragraph, text, BODY_FONT, 12, color="808080")
        elif style == "title":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            fmt.space_after = Pt(14)
            _run(paragraph, text, TITLE_FONT, 22)
        elif style in ("number", "sign"):
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _run(paragraph, text, BODY_FONT, 16)
        elif style == "to":
            _run(paragraph, text, BODY_FONT, 16)
        elif style == "note":
            _run(paragraph, text, BODY_FONT, 12)
        else:
            fmt.first_line_indent = Pt(32)
            _run(paragraph, text, BODY_FONT, 16)
    target.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(target))
    return target


def write_defaults(folder: Path) -> list[Path]:
    """Write every default template into ``folder`` (``<kind>.docx``)."""
    return [build_template(paragraphs, folder / f"{name}.docx") for name, paragraphs in TEMPLATES.items()]


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    for path in write_defaults(Path(sys.argv[1] if len(sys.argv) > 1 else ".")):
        print(path)
