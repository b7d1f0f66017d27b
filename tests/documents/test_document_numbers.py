"""Document numbers (文号) and the register (发文登记): per kind and year, the act's date, never reused.

A reprint finds the register's entry (same number, same date), a second act gets N+1, the first issue
is an event in the audit trail; concurrent issuers on SQLite and PostgreSQL never share a number.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from docx import Document

from petitionkit.documents import make_document
from petitionkit.domain.documents import IssuedDocument
from petitionkit.errors import InvalidInput
from petitionkit.service import Office
from petitionkit.service.documents import KIND_WORDS, number_prefix
from petitionkit.storage.sql import SqlStorage
from petitionkit.testing import DIRECTOR, SHANGHAI, FakeClock, office_settings, open_test_office, sample_petition

T = TypeVar("T")
HEADER = "萧山区人民代表大会常务委员会信访室"
#: A label with nothing after it (``住址：。``, ``联系电话：`` at a line's end); an addressee's ``单位：`` is not one.
EMPTY_LABEL = re.compile(
    r"：\s*[。；;，]|(住址|联系电话|信访人|主要内容|编号|信访件编号|文号|电子邮箱|身份证号码)：\s*$", re.M
)


def _settings(**documents: Any) -> dict[str, Any]:
    settings = dict(office_settings(office_name="萧山区人大常委会信访室"))
    settings["settings"] = {"documents": {"header": HEADER, "numbers": {"transfer-letter": "萧人信转"}, **documents}}
    return settings


def _text(path: Path) -> str:
    return "\n".join(p.text for p in Document(str(path)).paragraphs)


@pytest.fixture
def office() -> Iterator[tuple[Office, FakeClock]]:
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    found = open_test_office(_settings(), clock=clock)
    yield found, clock
    found.close()


def test_a_reprint_keeps_number_and_act_date_and_a_second_referral_gets_the_next(
    office: tuple[Office, FakeClock], tmp_path: Path
) -> None:
    o, clock = office
    first = o.register(sample_petition()).petition.tracking_number
    o.transfer(first, body="GOV-HRSS")
    clock.advance(days=3)  # printed three days after the referral
    made = make_document(o, "transfer-letter", first, tmp_path / "a.docx")
    clock.advance(days=5)
    again = make_document(o, "transfer-letter", first, tmp_path / "b.docx")
    assert made.number == again.number == "萧人信转〔2026〕1号"
    assert made.dated == again.dated == "2026-03-02"  # the referral's day, not the printing day
    text = _text(tmp_path / "b.docx")
    assert HEADER in text and "萧人信转〔2026〕1号" in text and "2026年3月2日" in text and "（盖章）" in text

    second = o.register(sample_petition()).petition.tracking_number
    o.transfer(second, body="GOV-HRSS")
    assert make_document(o, "transfer-letter", second, tmp_path / "c.docx").number == "萧人信转〔2026〕2号"
    # another kind counts on its own, with the default prefix
    third = o.register(sample_petition()).petition.tracking_number
    o.accept(third)
    assert make_document(o, "acceptance-notice", third, tmp_path / "d.docx").number == "人信受〔2026〕1号"

    register = o.document_register()
    assert [(d.number, d.tracking_number) for d in register] == [
        ("人信受〔2026〕1号", third),
        ("萧人信转〔2026〕1号", first),
        ("萧人信转〔2026〕2号", second),
    ]
    issued = [e for e in o.events(first) if e.name == "DocumentIssued"]
    assert len(issued) == 1 and issued[0].payload["number"] == "萧人信转〔2026〕1号"
    assert o.document_register(case_ref=second)[0].number == "萧人信转〔2026〕2号"


def test_a_reprint_with_another_date_is_refused(office: tuple[Office, FakeClock], tmp_path: Path) -> None:
    o, _ = office
    ref = o.register(sample_petition()).petition.tracking_number
    o.transfer(ref, body="GOV-HRSS")
    made = make_document(o, "transfer-letter", ref, tmp_path / "a.docx", issue_date=date(2026, 3, 4))
    assert made.dated == "2026-03-04"  # signed two days after the referral: the first issue may say so
    with pytest.raises(InvalidInput) as refused:
        make_document(o, "transfer-letter", ref, tmp_path / "b.docx", issue_date=date(2026, 3, 5))
    assert refused.value.fields == ("issue_date",)
    assert make_document(o, "transfer-letter", ref, tmp_path / "c.docx").dated == "2026-03-04"


def test_empty_fields_are_left_out(office: tuple[Office, FakeClock], tmp_path: Path) -> None:
    o, _ = office
    person = {"name": "王五"}  # no phone, no address
    ref = o.register(sample_petition(petitioners=[person])).petition.tracking_number
    o.transfer(ref, body="GOV-HRSS")
    text = _text(Path(make_document(o, "transfer-letter", ref, tmp_path / "a.docx").path))
    assert "信访人：王五。" in text
    assert "住址" not in text and "联系电话：；" not in text and "：。" not in text
    assert not EMPTY_LABEL.search(text), EMPTY_LABEL.search(text)


def test_number_prefixes_come_from_the_office_settings() -> None:
    assert number_prefix({}, "transfer-letter") == "人信转"
    assert number_prefix({"agency_code": "萧人信"}, "assignment-letter") == "萧人信交"
    assert number_prefix({"agency_code": "萧人信", "numbers": {"assignment-letter": "萧交"}}, "assignment-letter") == (
        "萧交"
    )


# --- concurrency on a real database -------------------------------------------------------------------


def _in_threads(count: int, work: Callable[[int], T]) -> list[T | BaseException]:
    results: list[T | BaseException] = [RuntimeError("did not run")] * count

    def run(i: int) -> None:
        try:
            results[i] = work(i)
        except BaseException as exc:  # collected and asserted on below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def sql_office(db_url: str) -> Iterator[Office]:
    storage = SqlStorage(db_url, busy_timeout=60.0)
    found = open_test_office(_settings(), storage=storage, clock=FakeClock())
    yield found
    storage.close()


def test_concurrent_issuers_never_share_a_number(sql_office: Office) -> None:
    refs = []
    for _ in range(6):
        ref = sql_office.register(sample_petition()).petition.tracking_number
        sql_office.transfer(ref, body="GOV-HRSS")
        refs.append(ref)
    start = threading.Barrier(len(refs) + 2)
    day = sql_office.today()

    def issue(i: int) -> IssuedDocument:
        start.wait()
        ref = refs[i] if i < len(refs) else refs[0]  # the last two race on the first case's act
        return sql_office.issue_document("transfer-letter", ref, "referral-x", day)

    results = _in_threads(len(refs) + 2, issue)
    issued = [r for r in results if isinstance(r, IssuedDocument)]
    assert len(issued) == len(results), results
    by_case: dict[str, set[str]] = {}
    for entry in issued:
        by_case.setdefault(entry.tracking_number, set()).add(entry.number)
    assert all(len(numbers) == 1 for numbers in by_case.values()), by_case  # one act, one number
    register = sql_office.document_register(kind="transfer-letter")
    assert sorted(d.sequence for d in register) == list(range(1, len(refs) + 1))  # no gap, no repeat
    assert len({d.number for d in register}) == len(refs)
    events = [e for ref in refs for e in sql_office.events(ref) if e.name == "DocumentIssued"]
    assert len(events) == len(refs)


def test_every_kind_is_numbered_on_its_own_and_dated_on_its_act(
    office: tuple[Office, FakeClock], tmp_path: Path
) -> None:
    o, clock = office
    dates: dict[str, str] = {}

    def act(kind: str) -> None:
        dates[kind] = clock.current.date().isoformat()
        clock.advance(days=1)

    handled = o.register(sample_petition()).petition.tracking_number
    declined = o.register(sample_petition(petitioners=[{"name": "赵六"}], subject="另一事项")).petition.tracking_number
    assigned = o.register(sample_petition(petitioners=[{"name": "孙七"}], subject="第三事项")).petition.tracking_number
    o.accept(handled)
    act("acceptance-notice")
    o.decline(declined, reason="属于劳动争议，应当通过仲裁解决。", channel="arbitration")
    act("non-acceptance-notice")
    o.assign(assigned, body="GOV-HRSS")
    act("assignment-letter")
    o.extend(handled, days=30, reason="案情复杂", approved_by=DIRECTOR)
    act("extension-notice")
    clock.advance(days=80)
    o.supervise(assigned, reason="已超过办结报告期限。")
    act("supervision-notice")
    o.record_report(assigned, outcome="support", text="已责令支付。")  # a body's report is the reply
    act("handling-opinion")
    refs = {
        "acceptance-notice": handled,
        "non-acceptance-notice": declined,
        "assignment-letter": assigned,
        "supervision-notice": assigned,
        "extension-notice": handled,
        "handling-opinion": assigned,
    }
    clock.advance(days=10)
    for kind, ref in refs.items():
        made = make_document(o, kind, ref, tmp_path / f"{kind}.docx")
        assert made.number == f"人信{KIND_WORDS[kind]}〔2026〕1号", kind
        assert made.dated == dates[kind], kind
        text = _text(tmp_path / f"{kind}.docx")
        assert made.number in text and not EMPTY_LABEL.search(text), (kind, EMPTY_LABEL.search(text))
    assert len(o.document_register()) == len(refs)
