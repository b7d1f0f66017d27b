"""The storage contract: what every backend must do, as a pytest suite shipped with the library.

Subclass :class:`StorageContract` and provide a ``storage`` fixture that yields an *empty* backend.
The suite drives the backend both directly and through the service layer.

Size: just over 500 lines: one suite every backend runs, kept whole so a plugin author subclasses one
class; the paging and web-account parts already live in their own mixins.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

from petitionkit.domain.access import AccessQuery, AccessRecord
from petitionkit.domain.attachments import Attachment, AttachmentKind
from petitionkit.domain.events import GENESIS_DIGEST, verify_chain
from petitionkit.domain.ids import new_id
from petitionkit.domain.model import CaseState, ObligationStatus, PetitionKind
from petitionkit.domain.retention import ERASED
from petitionkit.errors import ConcurrencyConflict, NotFound
from petitionkit.service import Office
from petitionkit.storage.base import OutboxStatus, SearchDocument, Storage, TextQuery
from petitionkit.testing import (
    DIRECTOR,
    SAMPLE_ID_NUMBERS,
    SHANGHAI,
    FakeClock,
    office_settings,
    open_test_office,
    sample_petition,
)
from petitionkit.testing.files import TINY_PNG
from petitionkit.testing.paging_contract import PagingContract
from petitionkit.testing.web_contract import WebAccountsContract


class StorageContract(PagingContract, WebAccountsContract):
    """Every test gets a fresh, empty ``storage`` from the subclass's fixture."""

    @pytest.fixture
    def storage(self) -> Iterator[Storage]:
        raise NotImplementedError("provide a 'storage' fixture yielding an empty backend")

    @pytest.fixture
    def clock(self) -> FakeClock:
        return FakeClock()

    @pytest.fixture
    def office(self, storage: Storage, clock: FakeClock) -> Office:
        return open_test_office(office_settings(), storage=storage, clock=clock)

    # --- registration round trip ----------------------------------------------------------------

    def test_access_records_append_read_back_and_roll_back(self, storage: Storage, clock: FakeClock) -> None:
        def record(n: int, case_id: str | None, principal: str, at: datetime) -> AccessRecord:
            return AccessRecord(f"a{n}", "XS", principal, "handler", at, "petitions", case_id, "", n, "核实")

        start = clock()
        first, second = record(1, "c1", "li", start), record(2, None, "wang", start + timedelta(hours=1))
        with storage.transaction() as tx:
            tx.append_access([first, second])
            tx.append_access([attrs.evolve(first, id="other", office_code="YH")])
        with pytest.raises(RuntimeError), storage.transaction() as tx:
            tx.append_access([record(3, "c1", "li", start)])
            raise RuntimeError("the read failed: its record goes too")
        with storage.transaction() as tx:
            assert tx.access_records(AccessQuery("XS")) == [first, second]
            assert tx.access_records(AccessQuery("XS", case_id="c1")) == [first]
            assert tx.access_records(AccessQuery("XS", principal_id="wang")) == [second]
            assert tx.access_records(AccessQuery("XS", since=start + timedelta(minutes=1))) == [second]
            assert tx.access_records(AccessQuery("XS", limit=1)) == [first]
            assert tx.access_records(AccessQuery("XS", limit=1, newest_first=True)) == [second]
            assert tx.access_records(AccessQuery("XS", offset=1, newest_first=True)) == [first]
        assert not hasattr(tx, "delete_access") and not hasattr(tx, "update_access")  # append-only

    def test_registered_petition_and_case_read_back_equal(self, office: Office) -> None:
        reg = office.register(
            sample_petition(
                respondent={"person_name": "李四", "unit_name": "某公司"},
                attachments=[{"name": "工资条.jpg", "uri": "s3://bucket/a.jpg", "sha256": "ab" * 32}],
                confidential=True,
            )
        )
        assert office.case(reg.case.id) == reg.case
        assert office.petitions(reg.case.id) == [reg.petition]
        stored = office.petitions(reg.petition.tracking_number)[0]
        assert stored.received_at == reg.petition.received_at and stored.received_at.tzinfo is not None

    def test_provisional_due_dates_read_back_provisional(self, storage: Storage) -> None:
        """A due date counted before its year's holiday schedule was out stays marked after a round trip."""
        december = FakeClock(datetime(2026, 12, 20, 9, tzinfo=SHANGHAI))
        office = open_test_office({**office_settings(), "rules": {"set": "national"}}, storage=storage, clock=december)
        reg = office.register(sample_petition(received_at="2026-12-20T09:00:00+08:00"))
        notice = reg.case.obligations[0]
        assert notice.basis.provisional_years == (2027,) and notice.due == date(2027, 1, 4)
        assert office.case(reg.case.id) == reg.case
        with storage.transaction() as tx:
            (listed,) = tx.open_obligations_due("XS", date(2027, 12, 31))
        assert listed.basis == notice.basis

    def test_case_is_found_by_any_petition_tracking_number(self, office: Office) -> None:
        first = office.register(sample_petition())
        repeat = office.register(sample_petition(joins_case=first.petition.tracking_number))
        assert repeat.joined_existing_case and repeat.case.id == first.case.id
        assert office.case(repeat.petition.tracking_number).petition_ids == (first.petition.id, repeat.petition.id)

    def test_tracking_sequences_are_per_office_and_year_and_reserve_blocks(self, storage: Storage) -> None:
        with storage.transaction() as tx:
            assert tx.next_tracking_sequence("XS", 2026) == 1
            assert tx.next_tracking_sequence("XS", 2026, 10) == 2
            assert tx.next_tracking_sequence("XS", 2026) == 12
            assert tx.next_tracking_sequence("XS", 2027) == 1
            assert tx.next_tracking_sequence("BJ", 2026) == 1

    def test_query_code_finds_the_petition_and_nothing_else(self, office: Office) -> None:
        reg = office.register(sample_petition())
        office.register(sample_petition())
        progress = office.lookup(reg.query_code.lower().replace("-", " "))
        assert progress.tracking_number == reg.petition.tracking_number
        assert progress.state is CaseState.REGISTERED

    # --- atomicity and locking --------------------------------------------------------------------

    def test_stale_version_is_a_conflict_and_changes_nothing(self, office: Office, storage: Storage) -> None:
        reg = office.register(sample_petition())
        accepted = office.accept(reg.case.id)
        stale = attrs.evolve(reg.case, subject="changed")
        with pytest.raises(ConcurrencyConflict), storage.transaction() as tx:
            tx.update_case(stale, expected_version=reg.case.version)
        assert office.case(reg.case.id) == accepted

    def test_exception_inside_a_transaction_rolls_everything_back(self, office: Office, storage: Storage) -> None:
        reg = office.register(sample_petition())
        before_events = office.events(reg.case.id)
        with pytest.raises(RuntimeError), storage.transaction() as tx:
            case = tx.get_case(reg.case.id)
            assert case is not None
            tx.update_case(attrs.evolve(case, version=case.version + 1, subject="x"), case.version)
            tx.next_tracking_sequence("XS", 2026)
            raise RuntimeError("crash in the middle of a use case")
        assert office.case(reg.case.id) == reg.case
        assert office.events(reg.case.id) == before_events
        with storage.transaction() as tx:
            assert tx.next_tracking_sequence("XS", 2026) == 2

    def test_attachments_and_search_documents_read_back_and_roll_back(self, office: Office, storage: Storage) -> None:
        case = office.register(sample_petition(subject="工地欠薪", content="某工地拖欠工资")).case
        code = case.office_code
        kind, digest, ref = AttachmentKind.PHOTO, "d" * 64, "b" * 64
        found = Attachment("a" * 32, code, case.id, kind, "image/png", 3, digest, ref, "照片.png", office.now(), "wang")
        doc = SearchDocument(code, case.id, "reception", "r1", "接谈 记录")
        with storage.transaction() as tx:
            sealed, key_id = tx.seal_blob(code, "a:ctx", b"bytes")
            assert tx.open_blob("a:ctx", sealed) == b"bytes" and b"bytes" not in sealed[:-5]
            found = attrs.evolve(found, sealed_with=key_id)
            assert {h.case_id for h in tx.search_documents(TextQuery(code, ("欠薪",)))} == {case.id}  # registration
        with pytest.raises(RuntimeError), storage.transaction() as tx:
            tx.add_attachment(found)
            tx.put_search_documents([doc])
            raise RuntimeError("crash")
        with storage.transaction() as tx:
            assert tx.get_attachment(found.id) is None and tx.search_documents(TextQuery(code, ("接谈",))) == []
            tx.add_attachment(found)
            tx.put_search_documents([doc])
        with storage.transaction() as tx:
            assert tx.get_attachment(found.id) == found and tx.attachments_of_case(case.id) == [found]
            assert (
                tx.attachments_of_office(code, None, 10) == [found]
                and tx.attachments_of_office(code, found.id, 9) == []
            )
            assert [h.source_id for h in tx.search_documents(TextQuery(code, ("接谈", "记录")))] == ["r1"]
            assert tx.search_documents(TextQuery("OTHER", ("接谈",))) == []
            tx.put_search_documents([attrs.evolve(doc, text="另一 文本")])  # the same key: replaced
            assert tx.search_documents(TextQuery(code, ("接谈",))) == []

    def test_a_purge_removes_a_cases_attachments_and_rolls_back(self, office: Office, storage: Storage) -> None:
        ended, other = (office.register(sample_petition(subject=s)).case for s in ("工地欠薪", "噪音扰民"))
        now, kind = office.now(), AttachmentKind.PHOTO

        def made(n: int, case_id: str) -> Attachment:
            digest, ref = f"{n}" * 64, "e" * 64
            return Attachment(f"{n}" * 32, "XS", case_id, kind, "image/png", 3, digest, ref, "x.png", now, "w")

        with storage.transaction() as tx:
            for n, case_id in ((2, ended.id), (1, ended.id), (3, other.id)):
                tx.add_attachment(made(n, case_id))
        with pytest.raises(RuntimeError), storage.transaction() as tx:
            assert tx.remove_attachments(ended.id) == [("1" * 32, "1" * 64, "e" * 64), ("2" * 32, "2" * 64, "e" * 64)]
            raise RuntimeError("crash before the commit")
        with storage.transaction() as tx:
            assert tx.count_attachments(ended.id) == 2
            assert len(tx.remove_attachments(ended.id)) == 2
        with storage.transaction() as tx:
            assert tx.count_attachments(ended.id) == 0 and tx.attachments_of_case(ended.id) == []
            assert tx.remove_attachments(ended.id) == [] and tx.count_attachments(other.id) == 1
            assert tx.blob_in_use("e" * 64)  # the other case's attachment still names the blob

    def test_released_blobs_are_recorded_once_roll_back_and_know_a_blob_still_named(
        self, office: Office, storage: Storage
    ) -> None:
        case = office.register(sample_petition()).case
        code, now = case.office_code, office.now()
        named, free, other = "a" * 64, "b" * 64, "c" * 64
        kind = AttachmentKind.PHOTO
        found = Attachment("a" * 32, code, case.id, kind, "image/png", 3, "d" * 64, named, "x.png", now, "w")
        with pytest.raises(RuntimeError), storage.transaction() as tx:
            tx.release_blobs(code, [free], now)
            raise RuntimeError("crash before the commit")
        with storage.transaction() as tx:
            assert tx.released_blobs(code, 10) == []
            tx.add_attachment(found)
            tx.release_blobs(code, [named, free], now)
            tx.release_blobs(code, [free], now)  # twice: recorded once
            tx.release_blobs("OTHER", [other], now)
        with storage.transaction() as tx:
            assert sorted(tx.released_blobs(code, 10)) == [named, free] and len(tx.released_blobs(code, 1)) == 1
            assert tx.blob_in_use(named) and not tx.blob_in_use(free)
        with pytest.raises(RuntimeError), storage.transaction() as tx:
            tx.forget_released_blobs(code, [named, free])
            raise RuntimeError("crash before the commit")
        with storage.transaction() as tx:
            assert sorted(tx.released_blobs(code, 10)) == [named, free]
            tx.forget_released_blobs(code, [named, free])
        with storage.transaction() as tx:
            assert tx.released_blobs(code, 10) == [] and tx.released_blobs("OTHER", 10) == [other]

    def test_documents_of_a_case_inserted_in_the_same_transaction_replace_each_other(
        self, office: Office, storage: Storage
    ) -> None:
        # the SQL store skips the delete of old documents for a case inserted in the same transaction
        # (issue 21): only its first put may, a second put of the same source still replaces the first
        case = office.register(sample_petition()).case
        new = attrs.evolve(case, id=new_id(), obligations=(), referrals=(), last_sequence=0, last_digest=GENESIS_DIGEST)
        doc = SearchDocument(case.office_code, new.id, "case", new.id, "第一 文本")
        with storage.transaction() as tx:
            tx.insert_cases([new])
            tx.put_search_documents([doc])
            tx.put_search_documents([attrs.evolve(doc, text="第二 文本")])
        with storage.transaction() as tx:
            assert [(h.case_id, h.source_id) for h in tx.search_documents(TextQuery(case.office_code, ("文本",)))] == [
                (new.id, new.id)
            ]
            assert tx.search_documents(TextQuery(case.office_code, ("第一",))) == []
            tx.put_search_documents([attrs.evolve(doc, text="第三 文本")])  # a later transaction: replaced too
        with storage.transaction() as tx:
            assert len(tx.search_documents(TextQuery(case.office_code, ("文本",)))) == 1

    # --- lifecycle through the backend -----------------------------------------------------------

    def test_full_lifecycle_persists_every_step(self, office: Office, clock: FakeClock) -> None:
        reg = office.register(sample_petition())
        ref = reg.petition.tracking_number
        office.assign(ref, body="GOV-HRSS", note="请于期限内报告")
        clock.advance(days=70)
        assert [o.clock.value for o in office.overdue()] == ["referral_report"]
        office.supervise(ref, reason="逾期未报")
        office.record_report(ref, outcome="support", text="已督促支付")
        office.evaluate(ref, rating="dissatisfied")
        office.request_review(ref, reason="金额不对", organ="区政府")
        office.decide_review(ref, outcome="support", opinion="维持")
        office.request_rereview(ref, reason="仍不服", organ="市政府")
        final = office.decide_rereview(ref, outcome="not_support", opinion="维持")
        assert final.state is CaseState.TERMINATED
        assert office.case(ref) == final
        assert not final.open_obligations
        statuses = {o.clock.value: o.status for o in final.obligations}
        assert statuses["referral_report"] is ObligationStatus.LATE
        events = office.events(ref)
        assert [e.sequence for e in events] == list(range(1, len(events) + 1))
        assert verify_chain(events) is None

    def test_stored_event_payloads_round_trip_exactly(self, office: Office) -> None:
        reg = office.register(sample_petition())
        office.extend(office.accept(reg.case.id).id, days=30, reason="案情复杂", approved_by=DIRECTOR)
        events = office.events(reg.case.id)
        extended = next(e for e in events if e.name == "HandlingExtended")
        assert extended.payload["days"] == 30 and extended.payload["reason"] == "案情复杂"
        assert office.verify_audit_trail(reg.case.id) is None

    # --- queries --------------------------------------------------------------------------------

    def test_search_filters_narrow_the_result(self, office: Office) -> None:
        office.register(sample_petition(category="housing", region_code="330110", subject="房屋征收补偿"))
        labour = office.register(sample_petition())
        office.register(sample_petition(kind="suggestion", category="environment", region_code="330109"))
        office.accept(labour.case.id)
        assert [c.id for c in office.search(category="labour")] == [labour.case.id]
        assert len(office.search(region_prefix="3301")) == 3
        assert len(office.search(region_prefix="330109")) == 2
        assert [c.id for c in office.search(states=["accepted"])] == [labour.case.id]
        assert len(office.search(kind=PetitionKind.SUGGESTION)) == 1
        assert len(office.search(text="征收")) == 1
        assert len(office.search(limit=2)) == 2 and len(office.search(limit=2, offset=2)) == 1

    def test_search_by_respondent_body(self, office: Office) -> None:
        office.register(sample_petition(respondent={"unit_name": "区住建局", "body_code": "GOV-HOUSING"}))
        office.register(sample_petition())
        assert len(office.search(respondent_body="GOV-HOUSING")) == 1

    def test_a_resolved_respondent_is_stored_on_the_petition_and_the_case(self, office: Office) -> None:
        reg = office.register(
            sample_petition(kind="accusation", respondent={"person_name": "某科长", "unit_name": "某街道城管中队"})
        )
        assert reg.petition.respondent is not None and reg.petition.respondent.body_code is None
        office.resolve_respondent(reg.case.id, body="gov-housing")
        stored = office.petitions(reg.case.id)[0].respondent
        assert stored is not None and (stored.body_code, stored.unit_name, stored.unlisted) == (
            "GOV-HOUSING",
            "某街道城管中队",
            False,
        )
        assert office.case(reg.case.id).respondent == stored
        assert len(office.search(respondent_body="GOV-HOUSING")) == 1
        joined = office.register(
            sample_petition(kind="accusation", respondent={"unit_name": "某公司"}, joins_case=reg.case.id)
        )
        office.resolve_respondent(reg.case.id, unlisted=True)
        assert office.petitions(reg.case.id)[1].respondent.unlisted is True  # type: ignore[union-attr]
        assert office.events(reg.case.id)[-1].payload == {
            "petition": joined.petition.tracking_number,
            "body_code": None,
            "unlisted": True,
        }

    def test_open_obligations_due_are_ordered_and_bounded(self, office: Office, storage: Storage) -> None:
        early = office.register(sample_petition(received_at="2026-02-20T08:00:00+08:00"))
        late = office.register(sample_petition())
        with storage.transaction() as tx:
            found = tx.open_obligations_due("XS", date(2026, 3, 31))
            assert [o.case_id for o in found] == [early.case.id, late.case.id]
            assert tx.open_obligations_due("XS", date(2026, 3, 1)) == []
            assert tx.open_obligations_due("OTHER", date(2030, 1, 1)) == []

    def test_case_ids_by_identity(self, office: Office, storage: Storage) -> None:
        reg = office.register(sample_petition())
        office.register(
            sample_petition(petitioners=[{"name": "王五", "id_number": SAMPLE_ID_NUMBERS[1], "phone": "13900139000"}])
        )
        candidates = office.find_repeats(sample_petition())
        assert [c.id for c in candidates] == [reg.case.id]

    # --- retention (petitionkit purge) -------------------------------------------------------------

    def test_retention_writes_replace_what_they_name_and_roll_back(self, office: Office, storage: Storage) -> None:
        reg = office.register(sample_petition())
        office.accept(reg.case.id, note="受理备注")
        office.withdraw(reg.case.id, reason="撤回理由")
        now = office.now()
        with storage.transaction() as tx:
            sent = tx.claim_outbox("w", 10, now, now + timedelta(minutes=5))
            for message in sent[:1]:
                tx.finish_outbox(message.id, "w", status=OutboxStatus.SENT, attempts=1)
            petition = tx.petitions_of_case(reg.case.id)[0]
            identities = tx.identity_rows(reg.case.id)
            events = tx.events_of_case(reg.case.id)
        assert identities and sent

        def rewrite(tx: Any) -> int:
            tx.replace_petitions([attrs.evolve(petition, content="—", petitioners=())])
            tx.replace_identities(reg.case.id, petition.office_code, [(p, "f" * 64) for p, _ in identities])
            accepted = next(e for e in events if e.name == "CaseAccepted")
            tx.erase_event_payloads([attrs.evolve(accepted, payload={**accepted.payload, "note": ERASED})])
            return int(tx.drop_finished_outbox(reg.case.id))

        with pytest.raises(RuntimeError), storage.transaction() as tx:
            rewrite(tx)
            raise RuntimeError("roll back")
        with storage.transaction() as tx:
            assert tx.petitions_of_case(reg.case.id)[0] == petition
            assert tx.identity_rows(reg.case.id) == identities
            assert tx.events_of_case(reg.case.id) == events
        with storage.transaction() as tx:
            assert rewrite(tx) == 1  # the delivered message; pending ones stay
        with storage.transaction() as tx:
            stored = tx.petitions_of_case(reg.case.id)[0]
            assert (stored.content, stored.petitioners, stored.tracking_number) == ("—", (), petition.tracking_number)
            assert {d for _, d in tx.identity_rows(reg.case.id)} == {"f" * 64}
            assert [e.payload.get("note") for e in tx.events_of_case(reg.case.id) if e.name == "CaseAccepted"] == [
                ERASED
            ]
            assert [e.digest for e in tx.events_of_case(reg.case.id)] == [e.digest for e in events]
            assert tx.drop_finished_outbox(reg.case.id) == 0

    def test_case_refs_for_audit_name_cases_in_id_order_without_reading_them(self, office: Office) -> None:
        made = sorted(
            (r.case.id, r.case.first_tracking_number)
            for r in (office.register(sample_petition(subject=f"第{i}件")) for i in range(3))
        )
        with office.storage.transaction() as tx:
            assert tx.case_refs_for_audit("XS", None, 10) == made
            assert tx.case_refs_for_audit("XS", made[0][0], 1) == [made[1]]
            assert tx.case_refs_for_audit("YH", None, 10) == []

    # --- outbox -----------------------------------------------------------------------------------

    def test_outbox_is_written_with_the_change_and_claimed_once(self, office: Office, storage: Storage) -> None:
        reg = office.register(sample_petition())
        office.accept(reg.case.id)
        office.reply(reg.case.id, outcome="support", text="已解决")
        now = office.now()
        with storage.transaction() as tx:
            first = tx.claim_outbox("w1", 10, now, now + timedelta(minutes=5))
        with storage.transaction() as tx:
            second = tx.claim_outbox("w2", 10, now, now + timedelta(minutes=5))
        assert [m.topic for m in first] == ["accepted", "reply", "evaluation_invitation"]
        assert second == []
        with storage.transaction() as tx:
            tx.finish_outbox(first[0].id, "w1", status=OutboxStatus.SENT, attempts=1)
            tx.finish_outbox(
                first[1].id,
                "w1",
                status=OutboxStatus.PENDING,
                attempts=1,
                error="timeout",
                retry_at=now + timedelta(minutes=1),
            )
            tx.finish_outbox(first[2].id, "w1", status=OutboxStatus.SENT, attempts=1)
        later = now + timedelta(minutes=2)
        with storage.transaction() as tx:
            retried = tx.claim_outbox("w2", 10, later, later + timedelta(minutes=5))
        assert [(m.topic, m.attempts, m.last_error) for m in retried] == [("reply", 1, "timeout")]

    def test_a_sent_or_dead_message_becomes_a_receipt_in_the_same_write(self, office: Office, storage: Storage) -> None:
        """Pending rows keep what delivery needs; a finished row keeps kind, channel, times and a digest."""
        reg = office.register(sample_petition())
        office.accept(reg.case.id)
        office.reply(reg.case.id, outcome="support", text="已解决")
        now = office.now()
        with storage.transaction() as tx:
            sent, dead, pending = tx.claim_outbox("w1", 10, now, now + timedelta(minutes=5))
        assert sent.payload["recipient"] and sent.payload["context"]  # what delivery needs, while pending
        done = now + timedelta(seconds=3)
        with storage.transaction() as tx:
            tx.finish_outbox(sent.id, "w1", status=OutboxStatus.SENT, attempts=1, digest="sha256:" + "a" * 64, at=done)
            tx.finish_outbox(dead.id, "w1", status=OutboxStatus.DEAD, attempts=5, error="HTTP 500", at=done)
            tx.finish_outbox(pending.id, "w1", status=OutboxStatus.PENDING, attempts=1, error="timeout", at=done)
        with storage.transaction() as tx:
            receipt, gave_up, waiting = (tx.outbox_message(m.id) for m in (sent, dead, pending))
            stored = tx.receipt_digest("sha256:" + "a" * 64)
            by_case = [m.id for m in tx.outbox_of_case(reg.case.id)]
            assert tx.outbox_message("no-such-message") is None
        assert receipt is not None and gave_up is not None and waiting is not None
        assert dict(receipt.payload) == {"type": "accepted", "audience": "petitioner", "channel": "sms"}
        assert receipt.finished_at == done and receipt.digest == stored and receipt.status is OutboxStatus.SENT
        assert (receipt.created_at, receipt.idempotency_key, receipt.case_id) == (
            sent.created_at,
            sent.idempotency_key,
            reg.case.id,
        )
        assert "recipient" not in gave_up.payload and "context" not in gave_up.payload
        assert (gave_up.status, gave_up.attempts, gave_up.last_error, gave_up.finished_at, gave_up.digest) == (
            OutboxStatus.DEAD,
            5,
            "HTTP 500",
            done,
            None,
        )
        assert waiting.payload == pending.payload and waiting.finished_at is None  # pending: nothing erased
        assert by_case == [sent.id, dead.id, pending.id]

    def test_a_receipt_is_not_written_by_a_worker_that_lost_the_lease(self, office: Office, storage: Storage) -> None:
        office.accept(office.register(sample_petition()).case.id)
        now = office.now()
        with storage.transaction() as tx:
            (msg,) = tx.claim_outbox("w1", 10, now, now + timedelta(seconds=30))
        after = now + timedelta(seconds=31)
        with storage.transaction() as tx:
            tx.claim_outbox("w2", 10, after, after + timedelta(seconds=30))
            tx.finish_outbox(msg.id, "w1", status=OutboxStatus.SENT, attempts=1, digest="sha256:00", at=after)
            kept = tx.outbox_message(msg.id)
        assert kept is not None and kept.payload == msg.payload and kept.status is OutboxStatus.PENDING

    def test_erasing_a_receipt_rolls_back_with_its_transaction(self, office: Office, storage: Storage) -> None:
        office.accept(office.register(sample_petition()).case.id)
        now = office.now()
        with storage.transaction() as tx:
            (msg,) = tx.claim_outbox("w1", 10, now, now + timedelta(seconds=30))
        with pytest.raises(RuntimeError), storage.transaction() as tx:
            tx.finish_outbox(msg.id, "w1", status=OutboxStatus.SENT, attempts=1, at=now)
            raise RuntimeError("the alert could not be queued: nothing of this write stays")
        with storage.transaction() as tx:
            kept = tx.outbox_message(msg.id)
        assert kept is not None and kept.payload == msg.payload and kept.status is OutboxStatus.PENDING

    def test_expired_lease_lets_another_worker_claim(self, office: Office, storage: Storage) -> None:
        office.accept(office.register(sample_petition()).case.id)
        now = office.now()
        with storage.transaction() as tx:
            (msg,) = tx.claim_outbox("w1", 10, now, now + timedelta(seconds=30))
        after = now + timedelta(seconds=31)
        with storage.transaction() as tx:
            (again,) = tx.claim_outbox("w2", 10, after, after + timedelta(seconds=30))
            assert again.id == msg.id
            tx.finish_outbox(msg.id, "w1", status=OutboxStatus.SENT, attempts=1)  # stale worker: ignored
        with storage.transaction() as tx:
            tx.finish_outbox(msg.id, "w2", status=OutboxStatus.SENT, attempts=1)
        with storage.transaction() as tx:
            assert tx.claim_outbox("w3", 10, after + timedelta(hours=1), after + timedelta(hours=2)) == []

    def test_a_lease_is_renewed_only_by_the_worker_that_still_holds_it(self, office: Office, storage: Storage) -> None:
        office.accept(office.register(sample_petition()).case.id)
        now = office.now()
        with storage.transaction() as tx:
            (msg,) = tx.claim_outbox("w1", 10, now, now + timedelta(seconds=30))
        with storage.transaction() as tx:
            assert tx.renew_outbox_lease(msg.id, "w1", now + timedelta(seconds=60))
            assert not tx.renew_outbox_lease(msg.id, "w2", now + timedelta(seconds=60))
        with storage.transaction() as tx:  # renewed: not claimable at 31 s
            assert tx.claim_outbox("w2", 10, now + timedelta(seconds=31), now + timedelta(seconds=90)) == []
        after = now + timedelta(seconds=61)
        with storage.transaction() as tx:
            (again,) = tx.claim_outbox("w2", 10, after, after + timedelta(seconds=30))
        with storage.transaction() as tx:  # w1 lost it: it must not send
            assert not tx.renew_outbox_lease(msg.id, "w1", after + timedelta(seconds=60))
            tx.finish_outbox(again.id, "w2", status=OutboxStatus.SENT, attempts=1)
        with storage.transaction() as tx:  # finished: nobody renews it
            assert not tx.renew_outbox_lease(msg.id, "w2", after + timedelta(seconds=60))
            assert not tx.renew_outbox_lease("no-such-message", "w2", after)

    def test_bulk_import_streams_and_reports_bad_rows(self, office: Office) -> None:
        rows = [sample_petition(subject=f"第{i}件") for i in range(25)]
        rows[3] = sample_petition(region_code="999999")
        rows[17] = {"channel": "letter"}
        report = office.import_petitions(iter(rows), batch_size=10)
        assert report.imported == 23
        assert [(r.row, r.errors[0].field) for r in report.rejected] == [(4, "region_code"), (18, "received_at")]
        cases = office.search(limit=100)
        assert len(cases) == 23
        numbers = sorted(c.first_tracking_number for c in cases)
        assert numbers[0] == "XS-2026-000001" and numbers[-1] == "XS-2026-000023"

    def test_reimporting_rows_with_a_source_ref_adds_nothing(self, office: Office, storage: Storage) -> None:
        rows = [sample_petition(source_ref=f"legacy-{i}") for i in range(12)]
        rows.append(sample_petition(source_ref="legacy-3"))  # a duplicate inside the same file
        first = office.import_petitions(rows, batch_size=5)
        assert (first.imported, first.skipped) == (12, 1)
        again = office.import_petitions(rows, batch_size=5)
        assert (again.imported, again.skipped) == (0, 13)
        assert len(office.search(limit=100)) == 12
        with storage.transaction() as tx:
            assert tx.existing_source_refs("XS", ["legacy-0", "legacy-11", "new"]) == {"legacy-0", "legacy-11"}

    def test_a_reissued_query_code_replaces_the_old_one(self, office: Office) -> None:
        reg = office.register(sample_petition())
        new_code = office.reissue_query_code(reg.petition.tracking_number)
        assert office.lookup(new_code).tracking_number == reg.petition.tracking_number
        with pytest.raises(NotFound):
            office.lookup(reg.query_code)
        assert office.events(reg.case.id)[-1].name == "QueryCodeReissued"

    # --- casework (reception, investigation, legal basis) -----------------------------------------

    def test_casework_reads_back_equal_grows_in_place_and_is_counted(
        self, office: Office, storage: Storage, clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        ref = office.register(sample_petition()).case.id
        talk = office.receive(
            ref, channel="visit", asked="问", explained="答", settled=True, citations=["xfgztl-2022-art34"]
        )
        clock.advance(minutes=5)
        plan = office.plan_investigation(
            ref, mode="unannounced", investigators=["li"], places=["工地"], due_on=office.today(), purpose="核实"
        )
        grown = office.record_inquiry(ref, plan.id, kind="site_visit", place="工地", summary="看到")
        monkeypatch.chdir(tmp_path)  # the office's attachment folder is relative: the test's own, not the checkout
        photo = office.attach(ref, TINY_PNG, filename="工地.png", kind="evidence")
        grown = office.add_evidence(ref, plan.id, attachment_id=photo.id, description="照片")
        assert office.casework(ref) == [talk, grown]  # the investigation replaced in place, whole
        now = office.now()
        with storage.transaction() as tx:
            counts = tx.reception_counts(office.config.office_code, now - timedelta(days=1), now + timedelta(days=1))
            assert counts == (1, 1)
            assert tx.reception_counts(office.config.office_code, now + timedelta(days=1), now + timedelta(days=2)) == (
                0,
                0,
            )
            assert tx.reception_counts("OTHER", now - timedelta(days=1), now + timedelta(days=1)) == (0, 0)
        with pytest.raises(RuntimeError), storage.transaction() as tx:
            tx.put_casework(attrs.evolve(talk, settled=False))
            raise RuntimeError("roll back")
        assert office.receptions(ref) == [talk]


def storage_contract_office(storage: Storage, clock: FakeClock | None = None) -> Office:
    """An office on ``storage`` with the sample bodies, for backend authors' own tests."""
    return open_test_office(office_settings(), storage=storage, clock=clock or FakeClock())
