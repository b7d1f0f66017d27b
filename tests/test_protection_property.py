"""Property: canary identities never reach a guarded body, and protected identities never reach any body.

Random cases are built from petitions carrying canary identities (names, ID numbers, phones,
addresses, e-mails unique to the example): claims, suggestions and accusations joined in any order,
some confidential, respondents given by code, by a code typed differently, by name or by an unknown
unit; free text (subjects, contents, referral notes, supervision reasons) quotes the canaries, also
with spaces and full-width digits.  The case then goes through random referrals, supervision,
exports, documents and a report.  Whatever was addressed to a body is collected: outbox messages
(and their webhook documents), ``export_for_body`` documents, Word documents; the report is read as
a report reader.  Then:

* nothing at all is addressed to a body the case is guarded against;
* no identity of a protected petitioner (confidential, or any petitioner of a case with an
  accusation) appears in anything addressed to any body;
* while an accusation's respondent is unresolved, nothing is addressed to any body;
* no petitioner's identity appears in the report.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from petitionkit.domain.identity import id_check_digit
from petitionkit.errors import PetitionkitError
from petitionkit.service import Office
from petitionkit.testing import FakeClock, office_settings, open_test_office, rendered, sample_petition

BODIES = ("GOV", "GOV-HRSS", "GOV-HOUSING", "GOV-LAND", "SUPERVISION", "COURT")
PARENT = {"GOV-HRSS": "GOV", "GOV-HOUSING": "GOV", "GOV-LAND": "GOV"}
CONTACTS = {
    code: {"email": f"{code.lower()}@gov.example.cn", "webhook": f"https://oa.example.cn/{code}"} for code in BODIES
}
# How a respondent may be given, and the body it resolves to (None: unresolved).
RESPONDENTS: tuple[tuple[dict[str, str] | None, str | None], ...] = (
    (None, None),
    ({"body_code": "GOV-HOUSING"}, "GOV-HOUSING"),
    ({"body_code": " gov-hrss "}, "GOV-HRSS"),
    ({"body_code": "ＧＯＶ－ＬＡＮＤ"}, "GOV-LAND"),
    ({"unit_name": "区人民法院"}, "COURT"),
    ({"unit_name": "区 住房和城乡建设局"}, "GOV-HOUSING"),
    ({"unit_name": "某村委会", "person_name": "村主任"}, None),
)


def canary(i: int) -> dict[str, str]:
    """A petitioner whose every value is unique to petition ``i`` of the example."""
    stem = f"11010519{80 + i:02d}0101{i:03d}"
    return {
        "name": f"金丝雀{i:02d}号",
        "id_number": stem + id_check_digit(stem),
        "phone": f"1390000{i:04d}",
        "address": f"金丝雀路{i:02d}弄",
        "email": f"canary{i:02d}@example.com",
    }


def values(person: dict[str, str]) -> list[str]:
    return [person[k] for k in ("name", "id_number", "phone", "address", "email")]


def disguised(person: dict[str, str], style: int) -> str:
    """A canary as a petitioner might write it into free text."""
    phone, id_number = person["phone"], person["id_number"]
    if style == 1:
        phone = f"{phone[:3]} {phone[3:7]} {phone[7:]}"
        id_number = f"{id_number[:6]} {id_number[6:14]} {id_number[14:]}"
    elif style == 2:
        phone = phone.translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})
    return f"{person['name']}（身份证{id_number}，电话{phone}，住{person['address']}，邮箱{person['email']}）"


petition_specs = st.lists(
    st.fixed_dictionaries(
        {
            "kind": st.sampled_from(["claim", "accusation", "suggestion"]),
            "confidential": st.booleans(),
            "respondent": st.integers(0, len(RESPONDENTS) - 1),
            "quotes": st.lists(st.integers(0, 3), max_size=3),  # whose canaries the content quotes
            "style": st.integers(0, 2),
        }
    ),
    min_size=1,
    max_size=4,
)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("transfer"), st.sampled_from(BODIES)),
        st.tuples(st.just("assign"), st.sampled_from(BODIES)),
        st.tuples(st.just("supervise"), st.just("")),
        st.tuples(st.just("object"), st.just("")),
        st.tuples(st.just("export"), st.sampled_from(BODIES)),
        st.tuples(st.just("document"), st.sampled_from(["transfer-letter", "assignment-letter", "supervision-notice"])),
    ),
    min_size=1,
    max_size=6,
)


@given(specs=petition_specs, resolution=st.sampled_from([None, "unlisted", "SUPERVISION", "GOV-LAND"]), plan=steps)
def test_no_canary_reaches_a_guarded_body_and_no_protected_identity_any_body(  # noqa: PLR0915 - one story
    specs: list[dict[str, Any]], resolution: str | None, plan: list[tuple[str, str]], tmp_path_factory: Any
) -> None:
    clock = FakeClock()
    data = dict(office_settings())
    data["bodies"] = [{**b, "contacts": CONTACTS[b["code"]]} if b["code"] in CONTACTS else b for b in data["bodies"]]
    data["settings"] = {"notifications": {"body_channels": ["email", "webhook"], "staff": {"email": ["s@rd.cn"]}}}
    office = open_test_office(data, clock=clock)
    people = [canary(i) for i in range(len(specs))]

    # --- the case: the first petition opens it, the others join in order ------------------------
    case_id, first_number = "", ""
    guarded: set[str] = set()
    unresolved = False
    protected: list[dict[str, str]] = []
    has_accusation = any(s["kind"] == "accusation" for s in specs)
    for i, spec in enumerate(specs):
        given_respondent, resolves_to = RESPONDENTS[spec["respondent"]]
        quoted = " ".join(disguised(people[j % len(specs)], spec["style"]) for j in spec["quotes"])
        overrides: dict[str, Any] = {
            "kind": spec["kind"],
            "confidential": spec["confidential"],
            "category": "housing",
            "subject": f"反映问题{people[i]['name']}",
            "content": f"本人{disguised(people[i], spec['style'])}反映：{quoted}某单位有问题。",
            "petitioners": [people[i]],
            "received_at": (clock() - timedelta(hours=len(specs) - i)).isoformat(),
        }
        if given_respondent is not None:
            overrides["respondent"] = given_respondent
        if i:
            overrides["joins_case"] = first_number
        reg = office.register(sample_petition(**overrides))
        case_id, first_number = reg.case.id, first_number or reg.petition.tracking_number
        if spec["kind"] == "accusation":
            if resolves_to is None:
                unresolved = True
            else:
                guarded |= {resolves_to, *([PARENT[resolves_to]] if resolves_to in PARENT else [])}
        if spec["confidential"] or has_accusation or (i == 0 and spec["confidential"]):
            protected.append(people[i])
    if specs[0]["confidential"]:
        protected = list(people)  # a case opened confidential protects every petitioner
    if unresolved and resolution is not None:
        if resolution == "unlisted":
            office.resolve_respondent(case_id, unlisted=True)
        else:
            office.resolve_respondent(case_id, body=resolution)
            guarded |= {resolution, *([PARENT[resolution]] if resolution in PARENT else [])}
        unresolved = False

    # --- random steps; collect everything addressed to each body ----------------------------------
    to_body: dict[str, list[str]] = {code: [] for code in BODIES}
    folder = Path(tmp_path_factory.mktemp("docs"))
    for n, (action, arg) in enumerate(plan):
        clock.advance(days=3)
        note = f"请核查{disguised(people[n % len(people)], n % 3)}反映的问题"
        try:
            if action in ("transfer", "assign"):
                getattr(office, action)(case_id, body=arg, note=note)
            elif action == "supervise":
                office.supervise(case_id, reason=note)
            elif action == "object":
                office.record_objection(case_id, reason="不属本单位职责")
            elif action == "export":
                to_body[arg].extend(json.dumps(d, ensure_ascii=False) for d in office.export_for_body(arg))
            else:
                to_body.update(_document(office, case_id, arg, folder / f"{n}.docx", to_body))
        except PetitionkitError:
            continue
    rows: list[Any] = list(office.storage.outbox.values())  # type: ignore[attr-defined]
    webhook = pytest.importorskip("petitionkit_webhook")
    for row in rows:
        code = row.payload.get("body_code")
        if row.payload.get("audience") == "body" and code:
            to_body[code].append(json.dumps(row.payload, ensure_ascii=False))
            to_body[code].append(webhook.WebhookNotifier.document(rendered(office, row)).decode("utf-8"))

    for code, texts in to_body.items():
        if code in guarded:
            assert texts == [], f"something was addressed to guarded body {code}"
        if unresolved:
            assert texts == [], f"{code} was reached while an accusation's respondent is unresolved"
        text = "\n".join(texts)
        for person in protected:
            for value in values(person):
                assert value not in text, f"{value} reached {code}"

    # --- a report: the report reader sees no petitioner's identity -------------------------------
    clock.advance(days=120)
    report_text = _report_text(office)
    for person in people:
        for value in values(person):
            assert value not in report_text, f"{value} in the report"


def _document(office: Office, case_id: str, kind: str, target: Path, to_body: dict[str, list[str]]) -> dict[str, Any]:
    pytest.importorskip("docxtpl")
    from docx import Document  # type: ignore[import-untyped]

    from petitionkit.documents import make_document

    made = make_document(office, kind, case_id, target)
    case = office.case(case_id)
    mode = "transfer" if kind == "transfer-letter" else "assignment"
    body = next(r.body_code for r in reversed(case.referrals) if r.mode.value == mode)
    text = "\n".join(p.text for p in Document(made.path).paragraphs)
    text += "\n".join(cell.text for table in Document(made.path).tables for row in table.rows for cell in row.cells)
    return {body: [*to_body[body], text]}


def _report_text(office: Office) -> str:
    pytest.importorskip("docxtpl")
    from petitionkit.reports import Period, period_report
    from petitionkit.reports.output import to_json

    today = office.today()
    start = date(today.year, today.month, 1)
    report = period_report(office, Period.month(start.year, start.month), signals=False)
    return to_json(report)
