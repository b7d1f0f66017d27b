"""What can happen to a case: one frozen class per event, in the past tense, with a registry.

An :class:`~petitionkit.domain.events.Event` is the stored record (case, sequence, actor, time,
hash chain) and keeps its data as a JSON-shaped payload, so the audit trail verifies the same
whatever the code version; ``event.data`` gives the typed event back.  Code that reacts to events
matches on these classes (``match event.data: case CaseAccepted(note=note): …``), so a misspelt
event is a NameError at import, not a silently dropped notice.

Only registered classes can be recorded (:func:`payload_of` refuses the others) and every
subclass of :class:`DomainEvent` must be in :data:`EVENT_TYPES` (a test checks it).  Field values
are JSON primitives as stored: dates as ISO strings, enums as their values.  A field added after
events of its class were first stored has a default, so older audit trails still read back.

Size: over 500 lines: one small frozen class per event of the case's life, kept in one registry so a
name is defined once (the casework events of reception and investigation are the last group).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

import attrs

E = TypeVar("E", bound="DomainEvent")


class DomainEvent:
    """Base of every event class; ``name`` is the stored event name (e.g. ``"CaseAccepted"``)."""

    name: ClassVar[str]

    def to_payload(self) -> dict[str, Any]:
        """The payload as stored and hashed (every field, JSON primitives)."""
        return attrs.asdict(self)  # type: ignore[arg-type]


class UnregisteredEvent(TypeError):
    """An event class that is not in :data:`EVENT_TYPES` (or a stored name no class has)."""


# --- registration and the case's start --------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _PetitionFacts(DomainEvent):
    """What integrations learn of a new petition: no names, no content."""

    petition_id: str
    tracking_number: str
    channel: str
    kind: str
    category: str
    region_code: str
    received_at: str
    anonymous: bool
    confidential: bool
    headcount: int | None = None
    petitioner_count: int = 0


@attrs.frozen(kw_only=True)
class PetitionRegistered(_PetitionFacts):
    """登记: a petition opened a new case."""

    name: ClassVar[str] = "PetitionRegistered"


@attrs.frozen(kw_only=True)
class RepeatPetitionJoined(_PetitionFacts):
    """重复信访: a petition joined the case it repeats."""

    name: ClassVar[str] = "RepeatPetitionJoined"
    case_state: str = ""


@attrs.frozen(kw_only=True)
class RepeatCandidatesDismissed(DomainEvent):
    """The clerk registered a new matter although repeat detection showed candidate cases, and said why."""

    name: ClassVar[str] = "RepeatCandidatesDismissed"
    tracking_number: str
    candidates: list[str]  # tracking numbers of the candidate cases shown
    reason: str


@attrs.frozen(kw_only=True)
class ClosedMatterRepeated(DomainEvent):
    """重复信访 of a closed matter: the petition opened this case as the rule pack says (``[repeats.closed]``)."""

    name: ClassVar[str] = "ClosedMatterRepeated"
    tracking_number: str  # the new petition
    repeats: str  # tracking number of the closed case
    repeats_state: str  # terminated, withdrawn
    action: str  # decline, new_case
    rule_set: str = ""


@attrs.frozen(kw_only=True)
class RespondentResolved(DomainEvent):
    """A clerk resolved an accusation's respondent unit to a body (or declared it unlisted)."""

    name: ClassVar[str] = "RespondentResolved"
    petition: str
    body_code: str | None = None
    unlisted: bool = False


@attrs.frozen(kw_only=True)
class QueryCodeReissued(DomainEvent):
    name: ClassVar[str] = "QueryCodeReissued"
    tracking_number: str


# --- clocks ----------------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ObligationOpened(DomainEvent):
    """A reply clock started (its basis is on the obligation)."""

    name: ClassVar[str] = "ObligationOpened"
    obligation_id: str
    clock: str
    owed_by: str
    owed_to: str
    start: str
    due: str
    body_code: str | None = None
    rule_set: str = ""
    calendar: str = ""
    provisional: bool = False


@attrs.frozen(kw_only=True)
class ObligationClosed(DomainEvent):
    name: ClassVar[str] = "ObligationClosed"
    obligation_id: str
    clock: str
    status: str


@attrs.frozen(kw_only=True)
class HandlingExtended(DomainEvent):
    """延期: the handling (or report) period was extended once, with approval."""

    name: ClassVar[str] = "HandlingExtended"
    obligation_id: str
    clock: str
    days: int
    reason: str
    approved_by: str
    old_due: str
    new_due: str
    provisional: bool = False


@attrs.frozen(kw_only=True)
class DueDateRecomputed(DomainEvent):
    """A clock recounted on new calendar data (e.g. a provisional date once the schedule is out)."""

    name: ClassVar[str] = "DueDateRecomputed"
    obligation_id: str
    clock: str
    old_due: str
    new_due: str
    changed: bool
    days_moved: int = 0
    old_calendar: str = ""
    calendar: str = ""
    old_provisional: bool = False
    provisional: bool = False


@attrs.frozen(kw_only=True)
class _DutyNotice(DomainEvent):
    """A notice about an open duty (obligation), queued once per threshold."""

    obligation_id: str
    clock: str
    due: str
    owed_by: str
    body_code: str | None = None
    provisional: bool = False


@attrs.frozen(kw_only=True)
class ReminderQueued(_DutyNotice):
    """A reminder (days before) or overdue notice for an open duty was queued once."""

    name: ClassVar[str] = "ReminderQueued"
    threshold: str
    days_left: int = 0


@attrs.frozen(kw_only=True)
class EscalatedToParent(_DutyNotice):
    """A body late with its report was escalated to its parent body."""

    name: ClassVar[str] = "EscalatedToParent"
    parent_code: str
    days_overdue: int


# --- screening and referral ------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class CaseAccepted(DomainEvent):
    name: ClassVar[str] = "CaseAccepted"
    note: str = ""


@attrs.frozen(kw_only=True)
class CaseDeclined(DomainEvent):
    name: ClassVar[str] = "CaseDeclined"
    reason: str
    channel: str


@attrs.frozen(kw_only=True)
class _Referred(DomainEvent):
    referral_id: str
    body_code: str
    note: str = ""
    rule_id: str | None = None  # the routing rule that chose the body, if any


@attrs.frozen(kw_only=True)
class CaseTransferred(_Referred):
    """转送: no report is owed back."""

    name: ClassVar[str] = "CaseTransferred"


@attrs.frozen(kw_only=True)
class CaseAssigned(_Referred):
    """交办: the body owes a result report by a deadline."""

    name: ClassVar[str] = "CaseAssigned"


@attrs.frozen(kw_only=True)
class ReferralObjected(DomainEvent):
    name: ClassVar[str] = "ReferralObjected"
    referral_id: str
    body_code: str
    reason: str


@attrs.frozen(kw_only=True)
class CompetenceDisputeRaised(DomainEvent):
    """Two bodies each deny competence; their common superior decides (2022 art. 24)."""

    name: ClassVar[str] = "CompetenceDisputeRaised"
    bodies: list[str]
    superior: str | None = None
    rule: str = ""


@attrs.frozen(kw_only=True)
class FeedbackRecorded(DomainEvent):
    """A body's feedback on a transfer; ``number`` counts the referral's feedbacks (1 for the first)."""

    name: ClassVar[str] = "FeedbackRecorded"
    referral_id: str
    body_code: str
    # Defaults: before release 0.2 an event carried neither (a later feedback replaced the earlier).
    received_on: str = ""
    number: int = 1


@attrs.frozen(kw_only=True)
class ReportRecorded(DomainEvent):
    """办结报告: an assigned body reported its result (its reply to the petitioner)."""

    name: ClassVar[str] = "ReportRecorded"
    referral_id: str
    body_code: str
    outcome: str
    delivered_on: str


@attrs.frozen(kw_only=True)
class CaseSupervised(DomainEvent):
    name: ClassVar[str] = "CaseSupervised"
    referral_id: str
    body_code: str
    reason: str


@attrs.frozen(kw_only=True)
class _Refused(DomainEvent):
    """Something of the case was kept from a body (2022 art. 30): who tried is the event's actor."""

    body_code: str | None
    rule: str
    # Defaults: release 0.1 recorded only the body and the rule (a refusal was always the guard).
    action: str = ""
    refusal: str = "whistleblower_guard"
    petitions: list[str] = attrs.field(factory=list)  # unresolved accusation petitions, if that was the rule


@attrs.frozen(kw_only=True)
class ReferralRefused(_Refused):
    name: ClassVar[str] = "ReferralRefused"


@attrs.frozen(kw_only=True)
class ExportRefused(_Refused):
    name: ClassVar[str] = "ExportRefused"


@attrs.frozen(kw_only=True)
class DocumentRefused(_Refused):
    name: ClassVar[str] = "DocumentRefused"


RefusalEvent = ReferralRefused | ExportRefused | DocumentRefused


@attrs.frozen(kw_only=True)
class DocumentIssued(DomainEvent):
    """A formal document was numbered and entered in the register (发文登记); a reprint records nothing."""

    name: ClassVar[str] = "DocumentIssued"
    document: str  # the kind, e.g. "transfer-letter"
    number: str  # 文号
    act: str
    act_date: str


# --- replies, reviews, the end ------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ReplyRecorded(DomainEvent):
    name: ClassVar[str] = "ReplyRecorded"
    outcome: str
    delivered_on: str


@attrs.frozen(kw_only=True)
class EvaluationRecorded(DomainEvent):
    name: ClassVar[str] = "EvaluationRecorded"
    rating: str


@attrs.frozen(kw_only=True)
class _Requested(DomainEvent):
    requested_on: str
    organ: str


@attrs.frozen(kw_only=True)
class ReviewRequested(_Requested):
    """复查申请."""

    name: ClassVar[str] = "ReviewRequested"


@attrs.frozen(kw_only=True)
class ReviewDecided(DomainEvent):
    name: ClassVar[str] = "ReviewDecided"
    outcome: str
    delivered_on: str


@attrs.frozen(kw_only=True)
class RereviewRequested(_Requested):
    """复核申请."""

    name: ClassVar[str] = "RereviewRequested"


@attrs.frozen(kw_only=True)
class RereviewDecided(DomainEvent):
    name: ClassVar[str] = "RereviewDecided"
    outcome: str


@attrs.frozen(kw_only=True)
class CaseTerminated(DomainEvent):
    name: ClassVar[str] = "CaseTerminated"
    reason: str


@attrs.frozen(kw_only=True)
class CaseWithdrawn(DomainEvent):
    name: ClassVar[str] = "CaseWithdrawn"
    reason: str = ""


@attrs.frozen(kw_only=True)
class CasePurged(DomainEvent):
    """保存期限届满: kinds of the case's records were erased (docs/security.md "Retention").

    ``state_before`` is the state digest of the case's rows before the erasure (the one the previous
    event sealed), so the trail still says what the rows were bound to; ``erased`` counts the values
    erased per field; ``run`` names the purge run that did it; ``redacted`` binds the earlier events
    whose notes it erased; ``attachments`` names the stored attachments it deleted, with their digests.
    """

    name: ClassVar[str] = "CasePurged"
    kinds: list[str]
    ended_at: str
    periods: dict[str, str] = attrs.field(factory=dict)
    source: str = ""
    state_before: str = ""
    erased: dict[str, int] = attrs.field(factory=dict)
    run: str = ""
    # Earlier events of the case whose notes were erased: sequence -> the event digest recomputed over
    # the erased payload (petitionkit.domain.events.verify_chain accepts exactly that payload).
    redacted: dict[str, str] = attrs.field(factory=dict)
    # Stored attachments deleted (the attachments kind): attachment id -> the SHA-256 of the file, as its
    # AttachmentAdded event carried it; never a file name.
    attachments: dict[str, str] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class AttachmentAdded(DomainEvent):
    """附件: a file was attached; ``digest`` (SHA-256 of the file as received) binds it to the audit chain
    (``petitionkit attachments verify``).  No file name: it may name a person."""

    name: ClassVar[str] = "AttachmentAdded"
    attachment_id: str
    kind: str
    media_type: str
    size: int
    digest: str
    petition_id: str | None = None


# --- migration ---------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class StepImported(DomainEvent):
    """迁移: a step of a case's history imported from another system (petitionkit.migration).

    Recorded right after the events the step produced (decided at ``original_at``, the date it really
    happened; the events themselves carry the time of the import).  ``action`` is ``register``, ``join``
    or a lifecycle action; ``step`` where it is in the imported line: 0 for the registration, the
    petition's index in ``petitions`` for a join, the step's index in ``steps`` plus one otherwise.
    """

    name: ClassVar[str] = "StepImported"
    action: str
    legacy_system: str
    legacy_case_id: str
    step: int
    original_at: str


# --- casework: reception, investigation, legal basis (petitionkit.domain.casework) -------------------
# No free text in these payloads (the records hold it, encrypted at rest); ``digest`` is the record's
# petitionkit.domain.casework.record_digest after the change, binding the stored record to the trail.


@attrs.frozen(kw_only=True)
class ReceptionRecorded(DomainEvent):
    """接谈: a visit or call was received; ``citations`` are ``provision@version`` of what was explained."""

    name: ClassVar[str] = "ReceptionRecorded"
    reception_id: str
    channel: str
    received_at: str
    petitioner_ref: str
    settled: bool
    citations: list[str] = attrs.field(factory=list)
    digest: str = ""


@attrs.frozen(kw_only=True)
class InvestigationPlanned(DomainEvent):
    """调查核实方案: who goes (principal ids), openly or unannounced, by when."""

    name: ClassVar[str] = "InvestigationPlanned"
    investigation_id: str
    mode: str
    due_on: str
    investigators: list[str] = attrs.field(factory=list)
    digest: str = ""


@attrs.frozen(kw_only=True)
class InquiryRecorded(DomainEvent):
    """An interview or site visit of an investigation was recorded."""

    name: ClassVar[str] = "InquiryRecorded"
    investigation_id: str
    inquiry_id: str
    kind: str
    at: str
    digest: str = ""


@attrs.frozen(kw_only=True)
class EvidenceRecorded(DomainEvent):
    """Evidence was added: the attachment's id and SHA-256 digest are bound into the trail."""

    name: ClassVar[str] = "EvidenceRecorded"
    investigation_id: str
    evidence_id: str
    attachment_id: str
    attachment_digest: str
    digest: str = ""


@attrs.frozen(kw_only=True)
class FindingsRecorded(DomainEvent):
    """调查结论: the investigation's findings were recorded (it is concluded)."""

    name: ClassVar[str] = "FindingsRecorded"
    investigation_id: str
    digest: str = ""


@attrs.frozen(kw_only=True)
class LegalBasisCited(DomainEvent):
    """A decline or reply cited provisions (``provision@version``) and, for a reply, an investigation's findings."""

    name: ClassVar[str] = "LegalBasisCited"
    basis_id: str
    used_in: str
    citations: list[str] = attrs.field(factory=list)
    findings_of: str = ""
    digest: str = ""


def _registry(*classes: type[DomainEvent]) -> Mapping[str, type[DomainEvent]]:
    found: dict[str, type[DomainEvent]] = {}
    for cls in classes:
        if cls.name in found:
            raise ValueError(f"two event classes named {cls.name}")
        found[cls.name] = cls
    return found


#: Every event that can be recorded, by stored name.
EVENT_TYPES: Mapping[str, type[DomainEvent]] = _registry(
    PetitionRegistered,
    RepeatPetitionJoined,
    RepeatCandidatesDismissed,
    ClosedMatterRepeated,
    RespondentResolved,
    QueryCodeReissued,
    ObligationOpened,
    ObligationClosed,
    HandlingExtended,
    DueDateRecomputed,
    ReminderQueued,
    EscalatedToParent,
    CaseAccepted,
    CaseDeclined,
    CaseTransferred,
    CaseAssigned,
    ReferralObjected,
    CompetenceDisputeRaised,
    FeedbackRecorded,
    ReportRecorded,
    CaseSupervised,
    ReferralRefused,
    ExportRefused,
    DocumentRefused,
    DocumentIssued,
    ReplyRecorded,
    EvaluationRecorded,
    ReviewRequested,
    ReviewDecided,
    RereviewRequested,
    RereviewDecided,
    CaseTerminated,
    CaseWithdrawn,
    CasePurged,
    StepImported,
    ReceptionRecorded,
    InvestigationPlanned,
    InquiryRecorded,
    EvidenceRecorded,
    FindingsRecorded,
    LegalBasisCited,
    AttachmentAdded,
)


def payload_of(event: DomainEvent) -> tuple[str, dict[str, Any]]:
    """The stored name and payload of ``event``; refuses a class that is not registered."""
    if EVENT_TYPES.get(event.name) is not type(event):
        raise UnregisteredEvent(f"{type(event).__name__} is not in EVENT_TYPES")
    return event.name, event.to_payload()


def from_payload(name: str, payload: Mapping[str, Any]) -> DomainEvent:
    """The typed event of a stored one (fields a newer version added take their defaults)."""
    cls = EVENT_TYPES.get(name)
    if cls is None:
        raise UnregisteredEvent(f"no event class is registered for {name!r}")
    fields = attrs.fields_dict(cls)  # type: ignore[arg-type]
    return cls(**{k: v for k, v in payload.items() if k in fields})
