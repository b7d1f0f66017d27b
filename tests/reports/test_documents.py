"""Formal documents: every type filled from its template, identity withheld from bodies where the law says so,
and a template with a wrong placeholder rejected before anything is written."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from petitionkit.documents import (
    KINDS,
    DocumentNotApplicable,
    TemplateError,
    check_templates,
    make_document,
)
from petitionkit.documents.defaults import TEMPLATES, build_template
from petitionkit.errors import InvalidInput, NotNotifiable
from petitionkit.service import Office
from petitionkit.testing import (
    DIRECTOR,
    SAMPLE_ID_NUMBERS,
    SHANGHAI,
    FakeClock,
    office_settings,
    open_test_office,
    sample_petition,
)

NAME, PHONE, ADDRESS, EMAIL = "张三", "13800138000", "某街道1号", "zhangsan@example.com"
IDENTITY = (NAME, SAMPLE_ID_NUMBERS[0], PHONE, ADDRESS, EMAIL)
CONTENT = f"本人{NAME}（电话{PHONE}，住{ADDRESS}，邮箱{EMAIL}）在某工地务工，被拖欠工资三个月，请求依法处理。"


def _petition(**overrides: Any) -> dict[str, Any]:
    person = {"name": NAME, "id_number": SAMPLE_ID_NUMBERS[0], "phone": PHONE, "address": ADDRESS, "email": EMAIL}
    return sample_petition(**{"content": CONTENT, "petitioners": [person], **overrides})


def _office(tmp_path: Path, **documents: Any) -> tuple[Office, FakeClock]:
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    settings = dict(office_settings(office_name="萧山区人大常委会信访室"))
    settings["settings"] = {
        "documents": {"templates": str(tmp_path / "templates"), "contact_phone": "0571-12345678", **documents}
    }
    return open_test_office(settings, clock=clock), clock


def _text(path: Path) -> str:
    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def _xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist() if n.endswith(".xml"))


@pytest.fixture
def cases(tmp_path: Path) -> Iterator[tuple[Office, dict[str, str]]]:
    """One case per document situation, each taken as far as its document needs."""
    office, clock = _office(tmp_path)
    refs: dict[str, str] = {}

    def register(**overrides: Any) -> str:
        return office.register(_petition(**overrides)).petition.tracking_number

    refs["handled"] = register()
    office.accept(refs["handled"])
    refs["declined"] = register()
    office.decline(refs["declined"], reason="该事项属于劳动争议，依法应当通过仲裁解决。", channel="arbitration")
    refs["transferred"] = register()
    office.transfer(refs["transferred"], body="GOV-HRSS", note="请依法处理并告知信访人。")
    refs["confidential"] = register(confidential=True)
    office.assign(refs["confidential"], body="GOV-HRSS")
    refs["accusation"] = register(kind="accusation", respondent={"person_name": "李某", "body_code": "GOV-LAND"})
    office.assign(refs["accusation"], body="SUPERVISION")
    refs["accusation_transfer"] = register(kind="accusation", category="government_work")
    office.resolve_respondent(refs["accusation_transfer"], unlisted=True)  # no unit named: the clerk confirms
    office.transfer(refs["accusation_transfer"], body="SUPERVISION")
    refs["anonymous"] = register(anonymous=True, petitioners=[])
    office.accept(refs["anonymous"])
    clock.advance(days=50)
    office.extend(refs["handled"], days=30, reason="案情复杂，需要进一步调查核实", approved_by=DIRECTOR)
    clock.advance(days=15)
    office.reply(refs["handled"], outcome="support", text="经核实，责令用工单位于十日内足额支付拖欠工资。")
    office.reply(refs["anonymous"], outcome="explain", text="已答复。")
    for ref in ("confidential", "accusation"):
        office.supervise(refs[ref], reason="已超过办结报告期限，尚未报送办理结果。")
    yield office, refs
    office.close()


# (document type, case, texts that must appear)
EXPECTED = [
    (
        "acceptance-notice",
        "handled",
        ["信访事项受理告知书", NAME, "拖欠工资问题", "2026年3月2日", "依法受理", "60日内"],
    ),
    ("non-acceptance-notice", "declined", ["不予受理告知书", "依法应当通过仲裁解决", "依法申请仲裁", NAME]),
    ("transfer-letter", "transferred", ["转送函", "区人力资源和社会保障局", NAME, PHONE, "请依法处理并告知信访人"]),
    ("assignment-letter", "confidential", ["交办函", "区人力资源和社会保障局", "2026年5月1日", "（依法保密）"]),
    ("supervision-notice", "accusation", ["督办函", "区监察委员会", "已超过办结报告期限", "2026年6月5日"]),
    ("extension-notice", "handled", ["延期办理告知书", "案情复杂", "30日", "2026年6月1日", NAME]),
    ("handling-opinion", "handled", ["处理意见书", "足额支付拖欠工资", "支持", "30日内", "请求复查", NAME]),
]


@pytest.mark.parametrize(("kind", "case", "expected"), EXPECTED, ids=[e[0] for e in EXPECTED])
def test_each_document_is_filled(
    cases: tuple[Office, dict[str, str]], tmp_path: Path, kind: str, case: str, expected: list[str]
) -> None:
    office, refs = cases
    made = make_document(office, kind, refs[case], tmp_path / "out" / f"{kind}.docx", issue_date=date(2026, 5, 8))
    text = _text(Path(made.path))
    assert "{{" not in text and "{%" not in text and "}}" not in text
    for value in [refs[case], "萧山区人大常委会信访室", "2026年5月8日", "0571-12345678", *expected]:
        assert value in text, value
    assert made.template_source == "default" and made.audience == KINDS[kind].audience.value


@pytest.mark.parametrize(
    ("kind", "case"),
    [
        ("assignment-letter", "confidential"),
        ("supervision-notice", "confidential"),
        ("assignment-letter", "accusation"),
        ("supervision-notice", "accusation"),
        ("transfer-letter", "accusation_transfer"),
    ],
)
def test_no_identity_reaches_a_body_for_confidential_and_accusation_cases(
    cases: tuple[Office, dict[str, str]], tmp_path: Path, kind: str, case: str
) -> None:
    office, refs = cases
    made = make_document(office, kind, refs[case], tmp_path / f"{kind}.docx")
    xml = _xml(Path(made.path))
    for value in IDENTITY:
        assert value not in xml, value
    assert made.identity_withheld
    if kind != "supervision-notice":
        assert "被拖欠工资三个月" in _text(Path(made.path))  # the matter itself still reaches the body


def test_documents_to_the_petitioner_carry_the_identity(cases: tuple[Office, dict[str, str]], tmp_path: Path) -> None:
    office, refs = cases
    made = make_document(office, "handling-opinion", refs["handled"], tmp_path / "opinion.docx")
    assert NAME in _text(Path(made.path)) and not made.identity_withheld


def test_a_document_the_case_has_no_record_for_is_refused(cases: tuple[Office, dict[str, str]], tmp_path: Path) -> None:
    office, refs = cases
    target = tmp_path / "x.docx"
    with pytest.raises(DocumentNotApplicable) as refused:
        make_document(office, "non-acceptance-notice", refs["handled"], target)
    assert "不予受理告知书" in refused.value.message("zh-CN")
    with pytest.raises(NotNotifiable):
        make_document(office, "handling-opinion", refs["anonymous"], target)
    assert not target.exists()


def test_a_document_dated_before_the_case_existed_is_refused(
    cases: tuple[Office, dict[str, str]], tmp_path: Path
) -> None:
    """Issue 16: no recorded date before the case's registration (a later date is a document drafted ahead)."""
    office, refs = cases
    target = tmp_path / "x.docx"
    with pytest.raises(InvalidInput) as refused:
        make_document(office, "acceptance-notice", refs["handled"], target, issue_date=date(2025, 12, 31))
    assert [(e.field, e.problem) for e in refused.value.errors] == [("issue_date", "before_registration")]
    assert not target.exists()


def _write_template(folder: Path, kind: str, replace: dict[str, str]) -> Path:
    paragraphs = []
    for style, original in TEMPLATES[kind]:
        text = original
        for old, new in replace.items():
            text = text.replace(old, new)
        paragraphs.append((style, text))
    return build_template(tuple(paragraphs), folder / f"{kind}.docx")


def test_a_template_with_unknown_or_missing_placeholders_is_rejected_before_any_document(
    cases: tuple[Office, dict[str, str]], tmp_path: Path
) -> None:
    office, refs = cases
    _write_template(
        tmp_path / "templates",
        "transfer-letter",
        {"{{ petitioner_phone }}": "{{ petitioner_wechat }}", "主要内容：{{ content }}": "主要内容：见附件"},
    )
    target = tmp_path / "out" / "transfer.docx"
    with pytest.raises(TemplateError) as rejected:
        make_document(office, "transfer-letter", refs["transferred"], target)
    assert rejected.value.unknown == ("petitioner_wechat",) and rejected.value.missing == ("content",)
    for locale in ("zh-CN", "en"):
        message = rejected.value.message(locale)
        assert "petitioner_wechat" in message and "content" in message and "transfer-letter.docx" in message
    assert not target.exists() and not target.parent.exists()
    checks = {c.document: c for c in check_templates(office.config)}
    assert not checks["transfer-letter"].ok and checks["transfer-letter"].source == "office"
    assert all(c.ok for name, c in checks.items() if name != "transfer-letter")


def test_an_office_template_overrides_the_default(cases: tuple[Office, dict[str, str]], tmp_path: Path) -> None:
    office, refs = cases
    _write_template(tmp_path / "templates", "acceptance-notice", {"信访事项受理告知书": "萧山区信访事项受理通知"})
    made = make_document(office, "acceptance-notice", refs["handled"], tmp_path / "a.docx")
    assert made.template_source == "office" and "萧山区信访事项受理通知" in _text(Path(made.path))


def test_an_unreadable_template_is_rejected(cases: tuple[Office, dict[str, str]], tmp_path: Path) -> None:
    office, refs = cases
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "handling-opinion.docx").write_text("not a word file", encoding="utf-8")
    with pytest.raises(TemplateError) as rejected:
        make_document(office, "handling-opinion", refs["handled"], tmp_path / "o.docx")
    assert rejected.value.unreadable and not (tmp_path / "o.docx").exists()


def test_shipped_templates_are_the_documented_ones() -> None:
    """Every type has a shipped template that passes its own check."""
    from petitionkit.config import OfficeConfig

    checks = check_templates(OfficeConfig())
    assert {c.document for c in checks} == set(KINDS) == set(TEMPLATES)
    assert all(c.ok and c.source == "default" for c in checks)


def test_a_provisional_due_date_is_marked_in_the_document(tmp_path: Path) -> None:
    """A date counted before its year's holiday schedule was out says so in the letter itself."""
    clock = FakeClock(datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI))
    settings = {**office_settings(), "rules": {"set": "national"}}
    office = open_test_office(settings, clock=clock)
    reg = office.register(_petition(received_at="2026-12-07T09:00:00+08:00"))
    office.accept(reg.case.id)
    office.extend(reg.case.id, days=30, reason="需现场核查", approved_by=DIRECTOR)
    for kind in ("acceptance-notice", "extension-notice"):
        made = make_document(office, kind, reg.petition.tracking_number, tmp_path / f"{kind}.docx")
        assert "（预计，以国务院办公厅公布的节假日安排为准）" in _text(made.path), kind
