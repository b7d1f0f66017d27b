"""Reception, investigation and knowledge through the service: counts, citations marked when superseded,
the audit trail binding each record, the redaction policy, and the rule pack's typed errors."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from petitionkit.domain.casework import Reception, anonymised, searchable_texts
from petitionkit.domain.knowledge import CitationStatus
from petitionkit.errors import InvalidInput, PermissionDenied
from petitionkit.redaction import CASEWORK_POLICY, Recipient, Visibility
from petitionkit.reports import Period, period_report
from petitionkit.rules.builtin import BuiltinNationalRules
from petitionkit.rules.errors import RulePackError
from petitionkit.rules.schema import parse_pack
from petitionkit.service import Office
from petitionkit.storage.memory import MemoryStorage
from petitionkit.testing import SAMPLE_BODIES, FakeClock, sample_petition

BODY = "GOV-HRSS"
ACCUSER = "欧阳检举人"
PACK = """
[pack]
name = "county"
{body}
"""


def _pack(body: str) -> str:
    return PACK.format(body=body)


def test_receptions_and_those_settled_in_talk_are_counted_in_the_period_report(office: Office) -> None:
    ref = office.register(sample_petition()).case.id
    office.receive(ref, channel="visit", asked="问", explained="答", settled=True)
    office.receive(ref, channel="call", asked="问", explained="答")
    report = period_report(office, Period.month(office.today().year, office.today().month), signals=False)
    assert report.receptions is not None and report.receptions_settled is not None
    assert (report.receptions.current, report.receptions_settled.current) == (2, 1)
    assert report.receptions.label == "接谈次数"
    assert report.total("receptions_settled").current == 1  # listed with the totals: every output shows it


def test_a_superseded_provision_stays_as_cited_and_is_marked(office: Office, clock: FakeClock) -> None:
    ref = office.register(sample_petition()).case.id
    cited = office.receive(ref, channel="visit", asked="问", explained="答", citations=["xfgztl-2022-art34"])
    text = cited.citations[0].text
    amended = _pack("""
[[knowledge.provisions]]
id = "xfgztl-2022-art34"
level = "regulation"
title = { "zh-CN" = "《信访工作条例》", en = "Regulations" }
article = { "zh-CN" = "第三十四条", en = "article 34" }
text = { "zh-CN" = "新文本", en = "new text" }
source = "test"
effective_from = 2022-05-01
effective_to = 2026-03-31
superseded_by = "local-2026-1"

[[knowledge.provisions]]
id = "local-2026-1"
level = "local"
title = { "zh-CN" = "《某县办法》", en = "County measures" }
article = { "zh-CN" = "第一条", en = "article 1" }
text = { "zh-CN" = "新规定", en = "new rule" }
source = "test"
effective_from = 2026-04-01
""")
    office.rules = BuiltinNationalRules(SAMPLE_BODIES, packs=[parse_pack(amended, "county.toml")])
    (view,) = office.citations(ref)
    assert view.status is CitationStatus.SUPERSEDED and view.citation.text == text  # as cited, not changed
    clock.advance(days=60)
    with pytest.raises(InvalidInput) as refused:
        office.receive(ref, channel="visit", asked="问", explained="答", citations=["xfgztl-2022-art34"])
    assert refused.value.fields == ("citations[0]",)
    assert [p.id for p in office.knowledge().provisions if p.level.value == "local"] == ["local-2026-1"]


@pytest.mark.parametrize(
    ("body", "key", "problem"),
    [
        ('[[knowledge.provisions]]\nid = "a"\nlevel = "law"\n', "knowledge.provisions[0].title", "required"),
        (
            '[[knowledge.provisions]]\nid = "a"\nlevel = "statute"\n',
            "knowledge.provisions[0].level",
            "choice",
        ),
        ('[[knowledge.snippets]]\nid = "s"\ntext = { "zh-CN" = "x", en = "x" }\ncites = ["nope"]\n', "", ""),
        ("[knowledge]\nprovision = []\n", "knowledge.provision", "unknown_key"),
    ],
)
def test_a_broken_knowledge_section_is_a_typed_error_naming_the_field(body: str, key: str, problem: str) -> None:
    if not key:  # a snippet citing an undeclared provision: found when the packs are composed
        with pytest.raises(RulePackError) as composed:
            BuiltinNationalRules(SAMPLE_BODIES, packs=[parse_pack(_pack(body), "county.toml")])
        assert composed.value.key_path == "knowledge.snippets[0].cites[0]"
        assert composed.value.problem == "unknown_provision"
        return
    with pytest.raises(RulePackError) as error:
        parse_pack(_pack(body), "county.toml")
    assert (error.value.key_path, error.value.problem) == (key, problem)


def test_a_provision_ending_before_it_starts_is_refused() -> None:
    body = """
[[knowledge.provisions]]
id = "a"
level = "local"
title = { "zh-CN" = "t", en = "t" }
article = { "zh-CN" = "a", en = "a" }
text = { "zh-CN" = "x", en = "x" }
source = "s"
effective_from = 2026-01-01
effective_to = 2025-01-01
"""
    with pytest.raises(RulePackError) as error:
        parse_pack(_pack(body), "county.toml")
    assert error.value.key_path == "knowledge.provisions[0].effective_to"
    assert error.value.problem == "ends_before_start" and "effective_from" in error.value.message("en")


def test_every_record_verifies_against_the_audit_trail_and_an_edit_is_found(clock: FakeClock, tmp_path: Path) -> None:
    from petitionkit.testing import office_settings, open_test_office
    from petitionkit.testing.files import TINY_PNG

    storage = MemoryStorage()
    settings = {**office_settings(), "settings": {"attachments": {"folder": str(tmp_path / "blobs")}}}
    office = open_test_office(settings, clock=clock, storage=storage)
    ref = office.register(sample_petition()).case.id
    office.receive(ref, channel="visit", asked="问", explained="答")
    plan = office.plan_investigation(
        ref, mode="open", investigators=["li"], places=["工地"], due_on=office.today(), purpose="核实"
    )
    photo = office.attach(ref, TINY_PNG, filename="a.png", kind="photo")
    grown = office.add_evidence(ref, plan.id, attachment_id=photo.id, digest=photo.digest, description="照片")
    assert office.verify_casework(ref) == []
    swapped = attrs.evolve(grown, evidence=(attrs.evolve(grown.evidence[0], digest="cd" * 32),))
    storage.casework[grown.id] = swapped  # behind petitionkit's back
    assert office.verify_casework(ref) == [grown.id]


def test_bad_evidence_and_blank_texts_are_refused_naming_the_field(office: Office) -> None:
    ref = office.register(sample_petition()).case.id
    plan = office.plan_investigation(
        ref, mode="unannounced", investigators=["li"], places=["工地"], due_on=office.today(), purpose="核实"
    )
    with pytest.raises(InvalidInput) as bad:
        office.add_evidence(ref, plan.id, attachment_id="../etc", digest="XYZ", description="照片")
    assert bad.value.fields == ("attachment_id", "digest")
    with pytest.raises(InvalidInput) as blank:
        office.receive(ref, channel="visit", asked="  ", explained="答")
    assert blank.value.fields == ("asked",)
    with pytest.raises(InvalidInput) as late:
        office.plan_investigation(
            ref, mode="open", investigators=["li"], places=["x"], due_on=office.today() - timedelta(days=1), purpose="p"
        )
    assert late.value.fields == ("due_on",)
    assert len(office.events(ref)) == 3  # registration, its clock, the plan: nothing half-written


def test_a_referred_body_reads_receptions_redacted_and_no_investigation_of_an_accusation(office: Office) -> None:
    reg = office.register(
        sample_petition(
            kind="accusation",
            petitioners=[{"name": ACCUSER, "phone": "13900139000"}],
            respondent={"person_name": "某科长", "unit_name": "某街道城管中队"},
        )
    )
    ref = reg.case.id
    office.resolve_respondent(ref, unlisted=True)
    office.receive(ref, channel="call", asked=f"{ACCUSER}问进展", explained="依法保密")
    office.plan_investigation(ref, mode="open", investigators=["li"], places=["x"], due_on=office.today(), purpose="p")
    office.assign(ref, body=BODY)
    body = office.acting_as(_body_principal())
    seen = body.casework(ref)
    assert [type(r) for r in seen] == [Reception]
    assert ACCUSER not in seen[0].asked and "***" in seen[0].asked
    with pytest.raises(PermissionDenied):
        office.acting_as(_body_principal("GOV-LAND")).casework(ref)  # not referred there


def _body_principal(code: str = BODY):  # type: ignore[no-untyped-def]
    from petitionkit.domain.access import Principal

    return Principal("body-user", roles=frozenset({"handling_body"}), body_codes=frozenset({code}))


def test_the_policy_sends_casework_to_no_one_outside_the_office_but_referred_bodies() -> None:
    for recipient, kinds in CASEWORK_POLICY.items():
        shown = {k for k, v in kinds.items() if v is not Visibility.WITHHELD}
        expected = (
            {"reception", "investigation", "basis"}
            if recipient in (Recipient.OFFICE_STAFF, Recipient.HANDLING_BODY)
            else set()
        )
        assert shown == expected, recipient


def test_searchable_texts_and_purge_erasure(office: Office) -> None:
    ref = office.register(sample_petition()).case.id
    plan = office.plan_investigation(
        ref, mode="open", investigators=["li"], places=["某工地"], due_on=office.today(), purpose="核实欠薪"
    )
    grown = office.record_inquiry(ref, plan.id, kind="interview", place="宿舍", persons="诸葛证人", summary="欠薪")
    texts = searchable_texts(grown)
    assert {"核实欠薪", "某工地", "诸葛证人", "欠薪"} <= set(texts)
    blank = anonymised(grown, personal=True, content=False)
    assert "诸葛证人" not in searchable_texts(blank) and "欠薪" in searchable_texts(blank)
    assert searchable_texts(anonymised(grown, personal=True, content=True)) == []


def test_knowledge_is_for_office_staff(office: Office) -> None:
    court = office.knowledge("court_work")
    assert {s.id for s in court.snippets} == {"accusation-confidential", "handling-period", "litigation-channel"}
    assert "litigation-channel" not in {s.id for s in office.knowledge("labour").snippets}
    assert "xfcl-2005-art14" not in {p.id for p in court.provisions}  # repealed in 2022: not offered
    with pytest.raises(PermissionDenied):
        office.acting_as(_body_principal()).knowledge()


def test_decline_and_reply_notices_carry_the_cited_provisions(office: Office) -> None:
    from petitionkit.testing import rendered

    declined = office.register(sample_petition(subject="法院判决不服")).case.id
    office.decline(declined, reason="属于诉讼途径", channel="litigation", citations=["xfgztl-2022-art31"])
    replied = office.register(sample_petition(subject="工资问题")).case.id
    office.accept(replied)
    office.reply(replied, outcome="support", text="支持", citations=["xfgztl-2022-art35"])
    with office.storage.transaction() as tx:
        letters = [m for ref in (declined, replied) for m in tx.outbox_of_case(ref)]
    bodies = [rendered(office, m).body for m in letters if m.topic in ("declined", "reply")]
    assert any("依据：《信访工作条例》第二十九条至第三十一条" in b for b in bodies)
    assert any("依据：《信访工作条例》第三十五条" in b for b in bodies)
    assert office.case(declined).decline.reason == "属于诉讼途径"  # type: ignore[union-attr]
    assert office.case(replied).reply.text.startswith("支持")  # type: ignore[union-attr]


def test_the_casework_table_in_docs_security_md_is_the_policy() -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "security.md"
    lines = [line.strip() for line in doc.read_text(encoding="utf-8").splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("| casework recipient |"))
    header = [c.strip() for c in lines[start].strip("|").split("|")][1:]
    rows = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[Recipient(cells[0].strip("`"))] = dict(zip(header, (Visibility(c) for c in cells[1:]), strict=True))
    assert rows == {r: dict(kinds) for r, kinds in CASEWORK_POLICY.items()}


def test_the_accused_body_reads_none_of_it_through_the_service(office: Office) -> None:
    reg = office.register(
        sample_petition(
            kind="accusation",
            petitioners=[{"name": ACCUSER, "phone": "13900139000"}],
            respondent={"person_name": "某科长", "unit_name": "区人力资源和社会保障局"},
        )
    )
    ref = reg.case.id
    assert reg.case.respondent is not None and reg.case.respondent.body_code == BODY
    office.receive(ref, channel="visit", asked=f"{ACCUSER}检举", explained="依法保密", citations=["xfgztl-2022-art30"])
    plan = office.plan_investigation(
        ref, mode="unannounced", investigators=["li"], places=["人社局"], due_on=office.today(), purpose="核实"
    )
    office.record_findings(ref, plan.id, findings="属实")
    accused = office.acting_as(_body_principal())
    reads = (accused.casework, accused.receptions, accused.investigations, accused.citations, accused.verify_casework)
    for read in reads:
        with pytest.raises(PermissionDenied):
            read(ref)
    with pytest.raises(PermissionDenied):
        accused.receive(ref, channel="call", asked="a", explained="b")
    with pytest.raises(PermissionDenied):
        accused.case_knowledge(ref)
    assert all(r.principal_id != "body-user" for r in office.access_records())
