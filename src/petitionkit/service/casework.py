"""Casework use cases: reception talks (接谈), investigations (调查核实), the knowledge a clerk cites.

Each change runs in the office's unit of work (``office.uow.run``): the case is loaded and locked, the
principal's permission checked, the record written whole and an event carrying its digest appended to
the case's audit trail, in one transaction.  Receiving needs ``register`` (the staff who register
visitors receive them); investigating needs ``screen``; reading casework is a read of personal data
(``read_personal_data``, on record) that a handling body's principal makes only through the redaction
policy (:func:`petitionkit.redaction.casework_visibility`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

import attrs

from petitionkit.domain import event_types as ev
from petitionkit.domain import lifecycle as lc
from petitionkit.domain.access import Permission
from petitionkit.domain.casework import (
    BasisUse,
    CaseworkRecord,
    Evidence,
    Inquiry,
    InquiryKind,
    Investigation,
    InvestigationMode,
    LegalBasis,
    Reception,
    ReceptionChannel,
    casework_breaks,
    check_evidence,
    kind_of,
    record_digest,
    required,
)
from petitionkit.domain.ids import new_id
from petitionkit.domain.knowledge import Citation, CitationStatus, Knowledge, Provision, Snippet, basis_lines
from petitionkit.domain.model import Case
from petitionkit.domain.normalise import LIMITS, text
from petitionkit.errors import FieldError, InvalidInput, NotFound
from petitionkit.i18n import translate
from petitionkit.redaction import Disclosure, Item, Visibility, casework_visibility
from petitionkit.search import index_casework
from petitionkit.service.base import OfficeBase
from petitionkit.storage.base import Transaction

if TYPE_CHECKING:
    from petitionkit.service.office import Office

_TEXT = LIMITS["text"]
_Growth = ev.InquiryRecorded | ev.EvidenceRecorded | ev.FindingsRecorded


def _texts(**values: object) -> dict[str, str]:
    """Each text normalised (or refused naming its field) and, when required, non-empty."""
    return {name: text(value, name, limit=_TEXT, multiline=True) for name, value in values.items()}


def cited_labels(citations: Sequence[Citation]) -> list[str]:
    """What events record of citations: ``provision@version``."""
    return [f"{c.provision_id}@{c.version}" for c in citations]


@attrs.frozen
class KnowledgeView:
    """What a clerk sees of the knowledge for a category on a day: provisions in force and snippets."""

    category: str | None
    on: date
    provisions: tuple[Provision, ...]
    snippets: tuple[Snippet, ...]


@attrs.frozen
class CitationView:
    """A citation a case holds, as stored, with how it stands today (superseded ones are marked)."""

    record_id: str
    record_kind: str
    citation: Citation
    status: CitationStatus


def knowledge_view(knowledge: Knowledge, category: str | None, on: date) -> KnowledgeView:
    return KnowledgeView(category, on, tuple(knowledge.relevant(category, on)), tuple(knowledge.snippets_for(category)))


def redacted_record(record: CaseworkRecord, seen: Disclosure | None) -> CaseworkRecord:
    """``record`` as a body may read it: every text with the identities it may not see struck."""
    if seen is None:
        return record

    def note(value: str) -> str:
        return seen.text(Item.NOTES, value)

    match record:
        case Reception():
            return attrs.evolve(
                record, asked=note(record.asked), explained=note(record.explained), response=note(record.response)
            )
        case Investigation():
            return attrs.evolve(
                record,
                purpose=note(record.purpose),
                places=tuple(note(p) for p in record.places),
                inquiries=tuple(
                    attrs.evolve(q, place=note(q.place), persons=note(q.persons), summary=note(q.summary))
                    for q in record.inquiries
                ),
                evidence=tuple(attrs.evolve(e, description=note(e.description)) for e in record.evidence),
                findings=None if record.findings is None else note(record.findings),
            )
        case LegalBasis():
            return record


class CaseworkUseCases(OfficeBase):
    """Reception, investigation and knowledge use cases of an :class:`~petitionkit.service.office.Office`."""

    # --- knowledge --------------------------------------------------------------------------------

    def knowledge(self, category: str | None = None, *, on: date | None = None) -> KnowledgeView:
        """The provisions in force and the explanation snippets for ``category`` (every one for ``None``).

        Office staff only (a body's principal reads no office guidance); no personal data.
        """
        self.access.require_office_staff("knowledge")
        return knowledge_view(self.rules.knowledge(), category, on or self.today())

    def case_knowledge(self, case_ref: str) -> KnowledgeView:
        """:meth:`knowledge` for the case's category: what a clerk sees screening, receiving, replying."""
        self.access.require_office_staff("knowledge")
        with self.storage.transaction() as tx:
            case = self.uow.resolve(tx, case_ref)
        self.access.require(Permission.SCREEN, case)
        return knowledge_view(self.rules.knowledge(), case.category, self.today())

    # --- reception --------------------------------------------------------------------------------

    def receive(
        self,
        case_ref: str,
        *,
        channel: ReceptionChannel | str,
        asked: str,
        explained: str,
        response: str = "",
        settled: bool = False,
        citations: Sequence[str] = (),
        petitioner_ref: str | None = None,
        received_at: datetime | None = None,
    ) -> Reception:
        """Record a reception talk (接谈) on a case: a visit or call received by the bound principal.

        ``petitioner_ref`` is the tracking number of the petition whose petitioner came (default: the
        case's first); ``citations`` are provision ids of the rule packs' knowledge, stored as snapshots.
        """
        try:
            kind = ReceptionChannel(channel)
        except ValueError:
            raise InvalidInput(
                [FieldError("channel", "choice", {"choices": ", ".join(c.value for c in ReceptionChannel)})]
            ) from None
        texts = _texts(asked=asked, explained=explained, response=response)
        required({"asked": texts["asked"], "explained": texts["explained"]})
        now = self.now()
        at = received_at or now
        if at.tzinfo is None:
            raise InvalidInput([FieldError("received_at", "utc_offset")])
        if at > now:
            raise InvalidInput([FieldError("received_at", "future")])
        cited = self.rules.knowledge().cite(citations, at.date())
        made: list[Reception] = []

        def decide(tx: Transaction, case: Case, ctx: lc.Context) -> lc.Decision:
            ref = petitioner_ref or case.first_tracking_number
            if not any(p.tracking_number == ref for p in tx.petitions_of_case(case.id)):
                raise InvalidInput([FieldError("petitioner_ref", "no_such_petition")])
            principal = self.access.principal("receive")
            record = Reception(
                id=new_id(),
                case_id=case.id,
                office_code=case.office_code,
                channel=kind,
                received_at=at,
                received_by=principal.id,
                petitioner_ref=ref,
                asked=texts["asked"],
                explained=texts["explained"],
                citations=cited,
                response=texts["response"],
                settled=settled,
                recorded_at=now,
                recorded_by=ctx.actor,
            )
            tx.put_casework(record)
            index_casework(tx, case, [record])  # a word said in the talk is found by search
            made.append(record)
            event = ev.ReceptionRecorded(
                reception_id=record.id,
                channel=kind.value,
                received_at=at.isoformat(),
                petitioner_ref=ref,
                settled=settled,
                citations=cited_labels(cited),
                digest=record_digest(record),
            )
            return lc.record(case, event, ctx)

        self.uow.run(case_ref, decide, permission=Permission.REGISTER)
        return made[0]

    # --- investigation ----------------------------------------------------------------------------

    def plan_investigation(
        self,
        case_ref: str,
        *,
        mode: InvestigationMode | str,
        investigators: Sequence[str],
        places: Sequence[str],
        due_on: date,
        purpose: str,
    ) -> Investigation:
        """Plan an investigation (调查核实方案): who goes (principal ids), where, openly or unannounced, by when."""
        try:
            how = InvestigationMode(mode)
        except ValueError:
            raise InvalidInput(
                [FieldError("mode", "choice", {"choices": ", ".join(m.value for m in InvestigationMode)})]
            ) from None
        goers = tuple(text(v, f"investigators[{i}]", limit=LIMITS["code"]) for i, v in enumerate(investigators))
        where = tuple(text(v, f"places[{i}]", limit=LIMITS["address"]) for i, v in enumerate(places))
        texts = _texts(purpose=purpose)
        required({"purpose": texts["purpose"], "investigators": ",".join(goers), "places": ",".join(where)})
        if due_on < self.today():
            raise InvalidInput([FieldError("due_on", "due_before_today")])
        now = self.now()
        made: list[Investigation] = []

        def decide(tx: Transaction, case: Case, ctx: lc.Context) -> lc.Decision:
            record = Investigation(
                id=new_id(),
                case_id=case.id,
                office_code=case.office_code,
                mode=how,
                investigators=goers,
                places=where,
                due_on=due_on,
                purpose=texts["purpose"],
                planned_by=ctx.actor,
                planned_at=now,
            )
            tx.put_casework(record)
            index_casework(tx, case, [record])
            made.append(record)
            event = ev.InvestigationPlanned(
                investigation_id=record.id,
                mode=how.value,
                due_on=due_on.isoformat(),
                investigators=list(goers),
                digest=record_digest(record),
            )
            return lc.record(case, event, ctx)

        self.uow.run(case_ref, decide, permission=Permission.SCREEN)
        return made[0]

    def _grow(
        self,
        case_ref: str,
        investigation_id: str,
        change: Callable[[Transaction, Investigation, str], tuple[Investigation, _Growth]],
    ) -> Investigation:
        """Change an open investigation in the unit of work; ``change(tx, record, actor) -> (record, event)``."""
        made: list[Investigation] = []

        def decide(tx: Transaction, case: Case, ctx: lc.Context) -> lc.Decision:
            found = next(
                (r for r in tx.casework_of_case(case.id) if isinstance(r, Investigation) and r.id == investigation_id),
                None,
            )
            if found is None:
                raise NotFound("investigation", investigation_id)
            if found.concluded_at is not None:
                raise InvalidInput([FieldError("investigation", "investigation_concluded")])
            record, event = change(tx, found, ctx.actor)
            event = attrs.evolve(event, digest=record_digest(record))  # the record as this change leaves it
            tx.put_casework(record)
            index_casework(tx, case, [record])
            made.append(record)
            return lc.record(case, event, ctx)

        self.uow.run(case_ref, decide, permission=Permission.SCREEN)
        return made[0]

    def record_inquiry(
        self,
        case_ref: str,
        investigation_id: str,
        *,
        kind: InquiryKind | str,
        place: str,
        summary: str,
        persons: str = "",
        at: datetime | None = None,
    ) -> Investigation:
        """Record an interview (约谈) or a site visit (实地查看) of an open investigation."""
        try:
            what = InquiryKind(kind)
        except ValueError:
            raise InvalidInput(
                [FieldError("kind", "choice", {"choices": ", ".join(k.value for k in InquiryKind)})]
            ) from None
        texts = _texts(place=place, persons=persons, summary=summary)
        required({"place": texts["place"], "summary": texts["summary"]})
        now = self.now()
        when = at or now
        if when.tzinfo is None:
            raise InvalidInput([FieldError("at", "utc_offset")])
        if when > now:
            raise InvalidInput([FieldError("at", "future")])

        def change(_tx: Transaction, record: Investigation, actor: str) -> tuple[Investigation, ev.InquiryRecorded]:
            inquiry = Inquiry(new_id(), what, when, texts["place"], texts["persons"], texts["summary"], actor)
            grown = attrs.evolve(record, inquiries=(*record.inquiries, inquiry))
            return grown, ev.InquiryRecorded(
                investigation_id=record.id, inquiry_id=inquiry.id, kind=what.value, at=when.isoformat()
            )

        return self._grow(case_ref, investigation_id, change)

    def add_evidence(
        self,
        case_ref: str,
        investigation_id: str,
        *,
        attachment_id: str,
        digest: str | None = None,
        description: str,
        inquiry_id: str | None = None,
    ) -> Investigation:
        """Add evidence to an open investigation: an attachment of the case by id, and what it shows.

        The attachment must exist in the attachment store's table and belong to this case; ``digest``
        (SHA-256), when given, must equal the one it was attached with (``None``: that one is taken).
        Otherwise an :class:`~petitionkit.errors.InvalidInput` names ``attachment_id`` or ``digest`` and
        nothing is written.  The id and digest are bound into the audit trail here (``EvidenceRecorded``).
        """
        given = (digest or "").strip().lower() or None
        check_evidence(attachment_id, given or "0" * 64)
        texts = _texts(description=description)
        required(texts)
        now = self.now()

        def change(tx: Transaction, record: Investigation, actor: str) -> tuple[Investigation, ev.EvidenceRecorded]:
            if inquiry_id is not None and not any(q.id == inquiry_id for q in record.inquiries):
                raise NotFound("inquiry", inquiry_id)
            attachment = tx.get_attachment(attachment_id)
            if attachment is None or attachment.case_id != record.case_id:  # another case's file is no evidence here
                raise InvalidInput([FieldError("attachment_id", "no_such_attachment")])
            if given is not None and given != attachment.digest:
                raise InvalidInput([FieldError("digest", "attachment_digest_mismatch")])
            item = Evidence(new_id(), attachment_id, attachment.digest, texts["description"], inquiry_id, actor, now)
            grown = attrs.evolve(record, evidence=(*record.evidence, item))
            return grown, ev.EvidenceRecorded(
                investigation_id=record.id,
                evidence_id=item.id,
                attachment_id=attachment_id,
                attachment_digest=attachment.digest,
            )

        return self._grow(case_ref, investigation_id, change)

    def record_findings(self, case_ref: str, investigation_id: str, *, findings: str) -> Investigation:
        """Record the investigation's findings (调查结论); it is then concluded and takes no more records."""
        texts = _texts(findings=findings)
        required(texts)
        now = self.now()

        def change(_tx: Transaction, record: Investigation, _actor: str) -> tuple[Investigation, ev.FindingsRecorded]:
            done = attrs.evolve(record, findings=texts["findings"], concluded_at=now)
            return done, ev.FindingsRecorded(investigation_id=record.id)

        return self._grow(case_ref, investigation_id, change)

    # --- reading ----------------------------------------------------------------------------------

    def casework(self, case_ref: str, *, purpose: str = "") -> list[CaseworkRecord]:
        """The case's receptions, investigations and legal bases, oldest first: a read of personal data.

        Needs ``read_personal_data`` (on record).  A handling body's principal reads only what the
        redaction policy lets it (:func:`~petitionkit.redaction.casework_visibility`): nothing of a case
        guarded against it, no investigation of an accusation, texts with protected identities struck.
        """
        with self.storage.transaction() as tx:
            case = self.uow.resolve(tx, case_ref)
            principal = self.access.require(Permission.READ_PERSONAL_DATA, case)
            seen = self.access.body_view(principal, case, tx.petitions_of_case(case.id))
            records = tx.casework_of_case(case.id)
            if seen is not None:
                records = [r for r in records if casework_visibility(seen, kind_of(r)) is not Visibility.WITHHELD]
            self.access.record(tx, principal, "casework", count=len(records), case_id=case.id, purpose=purpose)
        return [redacted_record(r, seen) for r in records]

    def verify_casework(self, case_ref: str) -> list[str]:
        """Ids of the case's casework records that no longer match the audit trail (empty: all verify).

        Each event of a record carries the record's digest as it left it; a record edited behind
        petitionkit's back (or an evidence item's attachment digest swapped) no longer matches.  Office
        staff only; it returns ids, no text.
        """
        self.access.require_office_staff("verify_casework")
        with self.storage.transaction() as tx:
            case = self.uow.resolve(tx, case_ref)
            return casework_breaks(tx.casework_of_case(case.id), tx.events_of_case(case.id))

    def receptions(self, case_ref: str, *, purpose: str = "") -> list[Reception]:
        return [r for r in self.casework(case_ref, purpose=purpose) if isinstance(r, Reception)]

    def investigations(self, case_ref: str, *, purpose: str = "") -> list[Investigation]:
        return [r for r in self.casework(case_ref, purpose=purpose) if isinstance(r, Investigation)]

    def citations(self, case_ref: str) -> list[CitationView]:
        """Every provision the case's records cite, as stored, each marked as it stands today."""
        return citation_views(self.casework(case_ref, purpose="citations"), self.rules.knowledge(), self.today())


def citation_views(records: Sequence[CaseworkRecord], knowledge: Knowledge, on: date) -> list[CitationView]:
    """Every citation of ``records`` (as read through :meth:`CaseworkUseCases.casework`), marked as it stands ``on``."""
    return [
        CitationView(record.id, kind_of(record), c, knowledge.status(c, on))
        for record in records
        for c in getattr(record, "citations", ())
    ]


def with_basis(
    office: Office,
    case_ref: str,
    command: lc.Command,
    *,
    permission: Permission,
    used_in: BasisUse,
    citations: Sequence[str],
    findings_of: str | None,
) -> Case:
    """Run a decline or reply ``command`` citing provisions and (a reply) an investigation's findings.

    The notice text gets the findings and the cited provisions appended (so the letter carries
    them); a :class:`~petitionkit.domain.casework.LegalBasis` keeps the snapshots, and a
    ``LegalBasisCited`` event binds it to the trail, in the transaction of the command itself.
    """
    cited = office.rules.knowledge().cite(citations, office.today())
    now = office.now()

    def decide(tx: Transaction, case: Case, ctx: lc.Context) -> lc.Decision:
        findings = None
        if findings_of is not None:
            found = next(
                (r for r in tx.casework_of_case(case.id) if isinstance(r, Investigation) and r.id == findings_of),
                None,
            )
            if found is None:
                raise NotFound("investigation", findings_of)
            if found.findings is None:
                raise InvalidInput([FieldError("findings_of", "no_findings")])
            findings = found.findings
        done = lc.decide(case, with_texts(command, findings, cited, office.config.locale), ctx)
        basis = LegalBasis(new_id(), case.id, case.office_code, used_in, cited, findings_of, now, ctx.actor)
        tx.put_casework(basis)
        event = ev.LegalBasisCited(
            basis_id=basis.id,
            used_in=used_in.value,
            citations=cited_labels(cited),
            findings_of=findings_of or "",
            digest=record_digest(basis),
        )
        more = lc.record(done.case, event, ctx)
        return lc.Decision(attrs.evolve(more.case, version=done.case.version), done.events + more.events)

    return office.uow.run(case_ref, decide, permission=permission)


def with_texts(
    command: lc.Command, findings: str | None, cited: Sequence[Citation], locale: str = "zh-CN"
) -> lc.Command:
    """A reply with the findings and the cited provisions appended to its text (in ``locale``): the written
    handling opinion states them.  Other commands are unchanged (their notices name the basis)."""
    parts: list[str] = []
    if findings:
        parts.append(translate("casework.findings_heading", locale, findings=findings))
    if cited:
        parts.append(translate("casework.basis_heading", locale) + "\n" + basis_lines(cited, locale))
    if isinstance(command, lc.ReplyToPetitioner) and parts:
        return attrs.evolve(command, text="\n\n".join([command.text, *parts]))
    return command  # a decline keeps its reason: its notice names the basis (template ``basis``)
