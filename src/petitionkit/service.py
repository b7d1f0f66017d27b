"""The service layer: one method per use case, each run in one unit of work.

``open_office(config)`` is the composition root: it builds the plugin manager, picks the
storage backend by URL scheme, the rule set and the notifier by name, and returns an
:class:`Office`.  Every use case loads the case, asks the lifecycle to decide, and writes the case,
its events and outbox messages in one transaction; observers hear of the events after commit.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from typing import Any, TypeVar

import attrs
import pluggy

from petitionkit import hookspecs
from petitionkit.config import OfficeConfig
from petitionkit.domain import lifecycle as lc
from petitionkit.domain.clocks import Clock as ClockName
from petitionkit.domain.drafts import PetitionDraft, check_draft
from petitionkit.domain.events import ChainBreak, Event, verify_chain
from petitionkit.domain.model import (
    Case,
    CaseState,
    DeclineChannel,
    EvaluationRating,
    Obligation,
    Party,
    Petition,
    PetitionKind,
    ReferralMode,
    ReplyOutcome,
)
from petitionkit.domain.ports import Rules
from petitionkit.domain.protection import case_protection, normalise_respondent
from petitionkit.domain.tracking import (
    identity_digest,
    new_query_code,
    query_code_digest,
    tracking_number,
)
from petitionkit.errors import (
    ConfigurationError,
    FieldError,
    InvalidInput,
    NotFound,
    PetitionkitError,
    ProtectionRefusal,
)
from petitionkit.i18n import translate
from petitionkit.network import OfficeNetwork, referred_draft
from petitionkit.notifications import dispatch as notify_dispatch
from petitionkit.notifications.planner import DUE_DATES_MOVED, SCHEDULE_MISSING, Planner
from petitionkit.notifications.routing import ChannelRouter, build_router
from petitionkit.notify import Notifier
from petitionkit.plugins import (
    make_plugin_manager,
    notify_observers,
    registered_predicates,
    storage_backends,
    url_scheme,
)
from petitionkit.rules.calendar import RuleCalendar, ScheduleWarning
from petitionkit.rules.decisions import DeadlineExplanation, RoutingDecision, ScreeningDecision
from petitionkit.rules.predicates import using_predicates
from petitionkit.serialization import structure_draft
from petitionkit.settings import check_settings
from petitionkit.storage.base import CaseQuery, OutboxMessage, OutboxStatus, Storage, Transaction

log = logging.getLogger("petitionkit")

Clock = Callable[[], datetime]
T = TypeVar("T")


def _utc_now() -> datetime:
    return datetime.now(UTC)


@attrs.frozen
class Registration:
    """The result of registering a petition.  ``query_code`` is shown once and never stored."""

    petition: Petition
    case: Case
    query_code: str
    joined_existing_case: bool


@attrs.frozen
class Progress:
    """What a petitioner sees with a query code: no personal data, no content."""

    tracking_number: str
    state: CaseState
    received_at: datetime
    next_due: date | None
    replied_on: date | None
    updated_at: datetime | None


@attrs.frozen
class RejectedRow:
    row: int  # 1-based position in the input
    errors: tuple[FieldError, ...]


@attrs.frozen
class ImportReport:
    imported: int
    rejected: tuple[RejectedRow, ...]
    skipped: int = 0  # rows whose source_ref was imported before


@attrs.frozen
class DispatchResult:
    sent: int
    failed: int
    dead: int


class Office:
    """A working petition office.  Create it with :func:`open_office`."""

    def __init__(
        self,
        config: OfficeConfig,
        *,
        storage: Storage,
        rules: Rules,
        notifier: Notifier,
        plugin_manager: pluggy.PluginManager,
        clock: Clock = _utc_now,
    ) -> None:
        self.config = config
        self.storage = storage
        self.rules = rules
        self.notifier = notifier
        self.pm = plugin_manager
        self._clock = clock
        self.zone = config.zone
        self.network = OfficeNetwork(self)

    # --- plumbing -------------------------------------------------------------------------

    def now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ConfigurationError("clock", "the clock must return timezone-aware times")
        return now.astimezone(self.zone)

    def today(self) -> date:
        return self.now().date()

    def _context(
        self, actor: str | None, now: datetime, case: Case | None = None, petitions: Sequence[Petition] = ()
    ) -> lc.Context:
        """The lifecycle's context; the guard comes from every petition of ``case`` (see ``protection``)."""
        protection = None if case is None else case_protection(case, petitions, self.rules)
        return lc.Context(
            rules=self.rules,
            now=now,
            today=now.date(),
            actor=actor or self.config.actor,
            guarded_bodies=protection.guarded_bodies if protection else frozenset(),
            unresolved_respondents=protection.unresolved if protection else (),
        )

    def _resolve(self, tx: Transaction, case_ref: str) -> Case:
        case = tx.get_case(case_ref)
        if case is None:
            petition = tx.petition_by_tracking_number(self.config.office_code, case_ref)
            case = tx.get_case(petition.case_id) if petition else None
        if case is None or case.office_code != self.config.office_code:
            raise NotFound("case", case_ref)
        return case

    def _outbox(
        self,
        events: Sequence[Event],
        now: datetime,
        tx: Transaction | None = None,
        case: Case | None = None,
    ) -> list[OutboxMessage]:
        """The messages ``events`` imply (notices, letters, alerts), rendered, to enqueue in ``tx``.

        ``case`` is the case after the change (other cases are read in ``tx``); petitions are read in
        ``tx`` too, so nothing is queued for a change that rolls back.  Without ``tx`` (bulk imports:
        registration implies no message) nothing is planned.
        """
        if tx is None:
            return []
        planner = self._notification_planner()
        messages: list[OutboxMessage] = []
        for case_id in dict.fromkeys(e.case_id for e in events):
            mine = [e for e in events if e.case_id == case_id]
            if not planner.handles(mine):
                continue  # e.g. a registration: no message, no read
            current = case if case is not None and case.id == case_id else tx.get_case(case_id)
            messages.extend(planner.outbox(mine, current, tx.petitions_of_case(case_id), now))
        return messages

    def _notification_planner(self) -> Planner:
        planner = self.__dict__.get("_planner")
        if planner is None:
            planner = self.__dict__["_planner"] = Planner(self.config, self.rules)
        return planner

    def _notification_router(self) -> ChannelRouter:
        if isinstance(self.notifier, ChannelRouter):
            return self.notifier
        router = self.__dict__.get("_router")
        if router is None:
            router = self.__dict__["_router"] = build_router(self.pm, self.config, default=self.notifier)
        return router

    def _write(
        self,
        tx: Transaction,
        decision: lc.Decision,
        expected_version: int | None,
        now: datetime,
        petitions: Sequence[tuple[Petition, Sequence[str]]] = (),
    ) -> None:
        """Save the case, then ``petitions`` (they reference it), then events and the notices they imply."""
        if expected_version is None:
            tx.insert_cases([decision.case])
        else:
            tx.update_case(decision.case, expected_version)
        if petitions:
            tx.add_petitions(petitions)
        tx.append_events(decision.events)
        tx.enqueue(self._outbox(decision.events, now, tx, decision.case))

    def _publish(self, events: Sequence[Event]) -> None:
        for event in events:
            notify_observers(self.pm, event, self)  # each observer on its own; failures are logged

    def _run(self, case_ref: str, command: lc.Command, actor: str | None) -> Case:
        now = self.now()
        try:
            with self.storage.transaction() as tx:
                case = self._resolve(tx, case_ref)
                context = self._context(actor, now, case, tx.petitions_of_case(case.id))
                decision = lc.decide(case, command, context)
                self._write(tx, decision, case.version, now)
                handed = self.network.after(tx, decision, actor, now) if self.network.active else []
        except ProtectionRefusal as refusal:
            self._record_refusal(case_ref, refusal, actor, now)
            raise
        self._publish(decision.events)
        for office, events in handed:
            office._publish(events)
        return decision.case

    def receive_referral(
        self, tx: Transaction, upstream: Case, referral_id: str, actor: str | None
    ) -> tuple[Event, ...]:
        """Register, inside ``tx``, a referral from another office of the network (once per referral)."""
        now = self.now()
        draft = referred_draft(upstream, tx.petitions_of_case(upstream.id), referral_id, now)
        respondent, _ = normalise_respondent(draft.respondent, self.rules.bodies(), strict=False)
        draft = attrs.evolve(draft, respondent=respondent)
        assert draft.source_ref is not None
        if tx.existing_source_refs(self.config.office_code, [draft.source_ref]):
            return ()
        sequence = tx.next_tracking_sequence(self.config.office_code, now.year)
        _registration, decision = self._register_in(tx, draft, sequence, self._context(actor, now))
        return decision.events

    def _record_refusal(
        self,
        case_ref: str,
        refusal: ProtectionRefusal,
        actor: str | None,
        now: datetime,
        event: str = "ReferralRefused",
    ) -> None:
        """A refused disclosure is itself recorded (audit of attempted disclosure): who, what, which rule."""
        with self.storage.transaction() as tx:
            case = self._resolve(tx, case_ref)
            change = lc.record_refusal(case, refusal, self._context(actor, now, case), event)
            self._write(tx, change, case.version, now)
        self._publish(change.events)

    # --- registration -------------------------------------------------------------------------

    def register(self, petition: PetitionDraft | Mapping[str, Any], *, actor: str | None = None) -> Registration:
        """Register a petition (登记).  A draft with ``joins_case`` joins that case as a repeat.

        Raises :class:`InvalidInput` naming every bad field; nothing is stored then.
        """
        now = self.now()
        draft = self._checked_draft(petition, now)
        ctx = self._context(actor, now)
        with self.storage.transaction() as tx:
            year = draft.received_at.astimezone(self.zone).year
            sequence = tx.next_tracking_sequence(self.config.office_code, year)
            registration, decision = self._register_in(tx, draft, sequence, ctx)
        self._publish(decision.events)
        return registration

    def import_petitions(
        self,
        rows: Iterable[PetitionDraft | Mapping[str, Any] | InvalidInput],
        *,
        actor: str | None = None,
        batch_size: int = 1000,
    ) -> ImportReport:
        """Register many petitions (e.g. from a legacy system), one transaction per batch.

        Rows are streamed: memory stays flat however many there are.  A bad row is reported with its
        row number and fields and never half-written; the good rows of its batch are still stored.
        Query codes of imported petitions are not returned (offices issue them when a petitioner asks).
        Observers are not called for imported rows; their events are in the audit trail and the outbox.
        """
        imported, skipped, rejected = 0, 0, []
        for batch in _batched(enumerate(rows, start=1), batch_size):
            now = self.now()
            ctx = self._context(actor, now)
            good: list[PetitionDraft] = []
            for number, row in batch:
                if isinstance(row, InvalidInput):  # the reader could not even parse this row
                    rejected.append(RejectedRow(number, row.errors))
                    continue
                try:
                    good.append(self._checked_draft(row, now))
                except InvalidInput as exc:
                    rejected.append(RejectedRow(number, exc.errors))
            if not good:
                continue
            with self.storage.transaction() as tx:
                good, duplicates = _without_imported(tx, self.config.office_code, good)
                skipped += duplicates
                years = Counter(d.received_at.astimezone(self.zone).year for d in good)
                next_seq = {y: tx.next_tracking_sequence(self.config.office_code, y, n) for y, n in years.items()}
                cases: list[Case] = []
                petitions: list[tuple[Petition, list[str]]] = []
                events: list[Event] = []
                for draft in good:
                    year = draft.received_at.astimezone(self.zone).year
                    sequence, next_seq[year] = next_seq[year], next_seq[year] + 1
                    if draft.joins_case:
                        self._register_in(tx, draft, sequence, ctx)
                        continue
                    record, decision = self._new_case(draft, sequence, new_query_code(), ctx)
                    cases.append(decision.case)
                    petitions.append((record, _identity_digests(record)))
                    events.extend(decision.events)
                tx.insert_cases(cases)
                tx.add_petitions(petitions)
                tx.append_events(events)
                tx.enqueue(self._outbox(events, now))
            imported += len(good)
        return ImportReport(imported, tuple(rejected), skipped)

    def _checked_draft(self, petition: PetitionDraft | Mapping[str, Any], now: datetime) -> PetitionDraft:
        draft = petition if isinstance(petition, PetitionDraft) else structure_draft(petition)
        errors = check_draft(draft, now, self.rules)
        respondent, respondent_errors = normalise_respondent(draft.respondent, self.rules.bodies())
        draft = attrs.evolve(draft, respondent=respondent)
        errors.extend(respondent_errors)
        categories = self.rules.categories()
        if categories and draft.category not in categories:
            errors.append(FieldError("category", "choice", {"choices": ", ".join(categories)}))
        if errors:
            raise InvalidInput(errors)
        return draft

    def _petition_record(self, draft: PetitionDraft, sequence: int, code: str, case_id: str, now: datetime) -> Petition:
        year = draft.received_at.astimezone(self.zone).year
        return Petition(
            id=uuid.uuid4().hex,
            office_code=self.config.office_code,
            tracking_number=tracking_number(self.config.office_code, year, sequence),
            query_code_digest=query_code_digest(code),
            case_id=case_id,
            channel=draft.channel,
            received_at=draft.received_at,
            registered_at=now,
            kind=draft.kind,
            subject=draft.subject,
            content=draft.content,
            category=draft.category,
            region_code=draft.region_code,
            petitioners=draft.petitioners,
            anonymous=draft.anonymous,
            confidential=draft.confidential,
            headcount=draft.headcount,
            respondent=draft.respondent,
            attachments=draft.attachments,
            referred_from=draft.referred_from,
            source_ref=draft.source_ref,
        )

    def _new_case(
        self, draft: PetitionDraft, sequence: int, code: str, ctx: lc.Context
    ) -> tuple[Petition, lc.Decision]:
        record = self._petition_record(draft, sequence, code, uuid.uuid4().hex, ctx.now)
        case = Case(
            id=record.case_id,
            office_code=self.config.office_code,
            state=CaseState.REGISTERED,
            version=1,
            kind=draft.kind,
            category=draft.category,
            region_code=draft.region_code,
            subject=draft.subject,
            opened_at=draft.received_at,
            petition_ids=(record.id,),
            first_tracking_number=record.tracking_number,
            confidential=draft.confidential,
            anonymous=draft.anonymous,
            respondent=draft.respondent,
        )
        return record, lc.open_case(case, _registration_payload(record), ctx, notifiable=not draft.anonymous)

    def _register_in(
        self, tx: Transaction, draft: PetitionDraft, sequence: int, ctx: lc.Context
    ) -> tuple[Registration, lc.Decision]:
        code = new_query_code()
        if draft.joins_case:
            existing = self._resolve(tx, draft.joins_case)
            record = self._petition_record(draft, sequence, code, existing.id, ctx.now)
            decision = lc.join_case(existing, record.id, _registration_payload(record), ctx)
            self._write(tx, decision, existing.version, ctx.now, [(record, _identity_digests(record))])
        else:
            record, decision = self._new_case(draft, sequence, code, ctx)
            self._write(tx, decision, None, ctx.now, [(record, _identity_digests(record))])
        return Registration(record, decision.case, code, bool(draft.joins_case)), decision

    def reissue_query_code(self, tracking_number: str, *, actor: str | None = None) -> str:
        """Issue a new query code for a petition (the old one stops working); shown once, never stored."""
        code = new_query_code()
        now = self.now()
        with self.storage.transaction() as tx:
            petition = tx.petition_by_tracking_number(self.config.office_code, tracking_number)
            if petition is None:
                raise NotFound("petition", tracking_number)
            case = self._resolve(tx, petition.case_id)
            tx.set_query_digest(petition.id, query_code_digest(code))
            decision = lc.record(
                case, "QueryCodeReissued", {"tracking_number": tracking_number}, self._context(actor, now, case)
            )
            self._write(tx, decision, case.version, now)
        self._publish(decision.events)
        return code

    def export_for_body(self, body_code: str, *, actor: str | None = None) -> Iterator[dict[str, Any]]:
        """Petition documents of the cases referred to ``body_code``, safe to hand to that body.

        Every document goes through the redaction policy (:mod:`petitionkit.redaction`): a case
        guarded against the body, or with an unresolved accusation respondent, is never exported (an
        ``ExportRefused`` event records each refusal); protected identities are withheld, also where
        they appear in the subject or content.
        """
        from petitionkit.exchange import export_for_body  # noqa: PLC0415 - exchange reads the office

        return export_for_body(self, body_code, actor=actor)

    def resolve_respondent(
        self,
        case_ref: str,
        *,
        body: str | None = None,
        unlisted: bool = False,
        petition: str | None = None,
        actor: str | None = None,
    ) -> Case:
        """A clerk resolves an accusation's respondent unit (确认被检举单位); recorded as an event.

        See :func:`petitionkit.respondents.resolve_respondent`.
        """
        from petitionkit.respondents import resolve_respondent  # noqa: PLC0415 - it uses the office

        return resolve_respondent(self, case_ref, body=body, unlisted=unlisted, petition=petition, actor=actor)

    def find_repeats(self, petition: PetitionDraft | Mapping[str, Any]) -> list[Case]:
        """Cases by the same petitioner (ID number, or name and phone) in the same category.

        The office decides whether the matter is substantially the same ("same person + same matter").
        """
        draft = petition if isinstance(petition, PetitionDraft) else structure_draft(petition)
        digests = [d for p in draft.petitioners if (d := identity_digest(p.id_number, p.name, p.phone))]
        with self.storage.transaction() as tx:
            ids = tx.case_ids_by_identity(self.config.office_code, digests)
            cases = [c for i in ids if (c := tx.get_case(i)) is not None]
        return [c for c in cases if c.category == draft.category]

    # --- screening and referral ---------------------------------------------------------------

    def accept(self, case_ref: str, *, note: str = "", actor: str | None = None) -> Case:
        """Accept the case for handling by the office or its Standing Committee body (受理)."""
        return self._run(case_ref, lc.Accept(note), actor)

    def decline(self, case_ref: str, *, reason: str, channel: DeclineChannel | str, actor: str | None = None) -> Case:
        """Decline (不予受理), telling the petitioner why and which channel to use instead."""
        return self._run(case_ref, lc.DeclineCase(reason, DeclineChannel(channel)), actor)

    def transfer(self, case_ref: str, *, body: str, note: str = "", actor: str | None = None) -> Case:
        """Transfer (转送) to the competent body; no report is owed back."""
        return self._run(case_ref, lc.Transfer(body, note), actor)

    def assign(
        self, case_ref: str, *, body: str, note: str = "", report_days: int | None = None, actor: str | None = None
    ) -> Case:
        """Assign (交办) to a body, which owes a result report by the rule set's deadline (or ``report_days``)."""
        return self._run(case_ref, lc.Assign(body, note, report_days), actor)

    def screen(self, case_ref: str, *, facts: Sequence[str] = ()) -> ScreeningDecision:
        """What the rules advise for the case: accept, or decline with the channel to use (诉访分离).

        ``facts`` are the screening facts a clerk established (e.g. ``in_litigation``). Advice only:
        record the decision with :meth:`accept` or :meth:`decline`.
        """
        case = self.case(case_ref)
        return self.rules.screen(
            case.kind, case.category, facts=facts, region_code=case.region_code, respondent=case.respondent
        )

    def route(self, case_ref: str, *, facts: Sequence[str] = ()) -> RoutingDecision:
        """The competent body and referral mode by the routing rules, with the rule that matched.

        For an accusation, rules leading to the accused's unit are passed over (whistleblower guard).
        """
        case = self.case(case_ref)
        petitions = self.petitions(case.id)
        headcount = max((p.headcount for p in petitions), default=1)
        return self.rules.route(
            case.category, case.region_code, case.kind, case.respondent, headcount=headcount, facts=facts
        )

    def refer(self, case_ref: str, *, facts: Sequence[str] = (), note: str = "", actor: str | None = None) -> Case:
        """Route the case and transfer or assign it as the matching rule says."""
        decision = self.route(case_ref, facts=facts)
        command: lc.Command
        if decision.mode is ReferralMode.ASSIGNMENT:
            command = lc.Assign(decision.body_code, note, decision.report_days, decision.rule_id)
        else:
            command = lc.Transfer(decision.body_code, note, decision.rule_id)
        return self._run(case_ref, command, actor)

    def record_objection(self, case_ref: str, *, reason: str, actor: str | None = None) -> Case:
        """The receiving body objects that the matter is outside its competence; the case is re-routed."""
        return self._run(case_ref, lc.Object(reason), actor)

    def record_feedback(self, case_ref: str, *, text: str, actor: str | None = None) -> Case:
        """Feedback a body sends on a transfer."""
        return self._run(case_ref, lc.RecordFeedback(text), actor)

    def record_report(
        self,
        case_ref: str,
        *,
        outcome: ReplyOutcome | str,
        text: str,
        delivered_on: date | None = None,
        actor: str | None = None,
    ) -> Case:
        """An assigned body's result report (办结报告), with the reply it gave the petitioner."""
        return self._run(case_ref, lc.RecordReport(ReplyOutcome(outcome), text, delivered_on), actor)

    def supervise(self, case_ref: str, *, reason: str, actor: str | None = None) -> Case:
        """Supervise (督办) an assignment that is late or badly handled."""
        return self._run(case_ref, lc.Supervise(reason), actor)

    # --- handling -----------------------------------------------------------------------------

    def extend(self, case_ref: str, *, days: int, reason: str, approved_by: str, actor: str | None = None) -> Case:
        """Extend the handling (or report) period once, with approval; the petitioner is told why."""
        return self._run(case_ref, lc.Extend(days, reason, approved_by), actor)

    def reply(
        self,
        case_ref: str,
        *,
        outcome: ReplyOutcome | str,
        text: str,
        delivered_on: date | None = None,
        actor: str | None = None,
    ) -> Case:
        """Record the written reply (处理意见书); its delivery starts the review window."""
        return self._run(case_ref, lc.ReplyToPetitioner(ReplyOutcome(outcome), text, delivered_on), actor)

    def evaluate(
        self, case_ref: str, *, rating: EvaluationRating | str, comment: str = "", actor: str | None = None
    ) -> Case:
        """Record the petitioner's satisfaction rating (满意度评价)."""
        return self._run(case_ref, lc.Evaluate(EvaluationRating(rating), comment), actor)

    def request_review(
        self, case_ref: str, *, reason: str, organ: str, requested_on: date | None = None, actor: str | None = None
    ) -> Case:
        """The petitioner requests review (复查) within the window."""
        return self._run(case_ref, lc.RequestReview(reason, organ, requested_on), actor)

    def decide_review(
        self,
        case_ref: str,
        *,
        outcome: ReplyOutcome | str,
        opinion: str,
        delivered_on: date | None = None,
        actor: str | None = None,
    ) -> Case:
        """Record the review opinion; its delivery starts the re-review window."""
        return self._run(case_ref, lc.DecideReview(ReplyOutcome(outcome), opinion, delivered_on), actor)

    def request_rereview(
        self, case_ref: str, *, reason: str, organ: str, requested_on: date | None = None, actor: str | None = None
    ) -> Case:
        """The petitioner requests re-review (复核) within the window."""
        return self._run(case_ref, lc.RequestRereview(reason, organ, requested_on), actor)

    def decide_rereview(
        self, case_ref: str, *, outcome: ReplyOutcome | str, opinion: str, actor: str | None = None
    ) -> Case:
        """Record the re-review opinion; the matter is then terminated (2022 art. 36)."""
        return self._run(case_ref, lc.DecideRereview(ReplyOutcome(outcome), opinion), actor)

    def terminate(self, case_ref: str, *, reason: str, actor: str | None = None) -> Case:
        """Terminate (终结) once the review or re-review window has lapsed."""
        return self._run(case_ref, lc.Terminate(reason), actor)

    def withdraw(self, case_ref: str, *, reason: str = "", actor: str | None = None) -> Case:
        """The petitioner withdraws (撤回); every open obligation is waived."""
        return self._run(case_ref, lc.Withdraw(reason), actor)

    # --- queries --------------------------------------------------------------------------------

    def case(self, case_ref: str) -> Case:
        """A case by id or by the tracking number of any of its petitions."""
        with self.storage.transaction() as tx:
            return self._resolve(tx, case_ref)

    def petitions(self, case_ref: str) -> list[Petition]:
        with self.storage.transaction() as tx:
            return tx.petitions_of_case(self._resolve(tx, case_ref).id)

    def events(self, case_ref: str) -> list[Event]:
        with self.storage.transaction() as tx:
            return tx.events_of_case(self._resolve(tx, case_ref).id)

    def explain_deadline(
        self,
        clock: ClockName | str,
        start: date,
        kind: PetitionKind | str = PetitionKind.CLAIM,
        *,
        extension_days: int = 0,
    ) -> DeadlineExplanation | None:
        """Why a clock started on ``start`` falls due when it does (``None``: it does not apply to ``kind``)."""
        return self.rules.explain_deadline(ClockName(clock), start, PetitionKind(kind), extension_days=extension_days)

    def explain_obligations(self, case_ref: str) -> list[tuple[Obligation, DeadlineExplanation]]:
        """Each obligation of the case with the explanation of its due date, from its recorded basis."""
        case = self.case(case_ref)
        return [(o, self.rules.explain_basis(o.basis)) for o in case.obligations]

    def recompute_deadlines(self, *, actor: str | None = None) -> list[Case]:
        """Recompute open clocks counted on outdated calendar data (e.g. provisional due dates after the
        year's official holiday schedule was added); every recomputed clock is a ``DueDateRecomputed``
        event, and one notice to the office staff lists the due dates that moved. Returns the changed
        cases; a second run changes nothing."""
        with self.storage.transaction() as tx:
            case_ids = sorted({o.case_id for o in tx.open_obligations_due(self.config.office_code, date.max)})
        changed = []
        moved: list[tuple[Case, Event]] = []
        for case_id in case_ids:
            now = self.now()
            with self.storage.transaction() as tx:
                case = self._resolve(tx, case_id)
                decision = lc.recompute_due_dates(case, self._context(actor, now, case))
                if decision is None:
                    continue
                self._write(tx, decision, case.version, now)
            self._publish(decision.events)
            changed.append(decision.case)
            moved.extend((decision.case, e) for e in decision.events if e.payload.get("changed"))
        if moved:
            self._notify_moved_due_dates(moved)
        return changed

    def _notify_moved_due_dates(self, moved: Sequence[tuple[Case, Event]]) -> None:
        """One staff notice for a recompute run (its events are the durable record of each move)."""
        planner = self._notification_planner()
        lines = [
            {
                "tracking_number": case.first_tracking_number,
                "clock": translate("clock." + e.payload["clock"], planner.settings.locale),
                "old_due": e.payload["old_due"],
                "new_due": e.payload["new_due"],
                "days_moved": e.payload["days_moved"],
                "provisional": e.payload["provisional"],
            }
            for case, e in moved
        ]
        key = "recompute:" + hashlib.sha256("|".join(e.digest for _, e in moved).encode()).hexdigest()[:16]
        now = self.now()
        planned = planner.staff_messages(DUE_DATES_MOVED, {"moves": lines, "count": len(lines)}, key)
        with self.storage.transaction() as tx:
            tx.enqueue([m.to_outbox(now) for m in planned])

    def schedule_warning(self) -> ScheduleWarning | None:
        """Whether next year's holiday schedule is missing and today is within 60 days of the data's end."""
        calendar = self.rules.calendar
        return calendar.schedule_warning(self.today()) if isinstance(calendar, RuleCalendar) else None

    def warn_staff_of_missing_schedule(self) -> ScheduleWarning | None:
        """Queue the schedule warning (if any) to the office staff; its idempotency key is the missing year
        and today, so receivers see one notice a day however often the reminder run is started."""
        warning = self.schedule_warning()
        if warning is None:
            return None
        now = self.now()
        planner = self._notification_planner()
        params = {"text": warning.text(planner.settings.locale), "missing_year": warning.missing_year}
        key = f"calendar-warning:{warning.missing_year}:{self.today().isoformat()}"
        with self.storage.transaction() as tx:
            tx.enqueue([m.to_outbox(now) for m in planner.staff_messages(SCHEDULE_MISSING, params, key)])
        return warning

    def verify_audit_trail(self, case_ref: str) -> ChainBreak | None:
        """``None`` if the case's stored events are intact, else where the hash chain breaks."""
        return verify_chain(self.events(case_ref))

    def lookup(self, query_code: str) -> Progress:
        """What the petitioner may see with the query code (查询码)."""
        with self.storage.transaction() as tx:
            petition = tx.petition_by_query_digest(query_code_digest(query_code))
            if petition is None or petition.office_code != self.config.office_code:
                raise NotFound("query_code", "****")  # never echo a secret
            case = self._resolve(tx, petition.case_id)
        dues = [o.due for o in case.open_obligations if o.owed_by is not Party.PETITIONER]
        return Progress(
            tracking_number=petition.tracking_number,
            state=case.state,
            received_at=petition.received_at,
            next_due=min(dues) if dues else None,
            replied_on=case.reply.delivered_on if case.reply else None,
            updated_at=case.updated_at,
        )

    def search(
        self,
        *,
        states: Sequence[CaseState | str] = (),
        kind: PetitionKind | str | None = None,
        category: str | None = None,
        region_prefix: str | None = None,
        respondent_body: str | None = None,
        text: str | None = None,
        opened_from: datetime | None = None,
        opened_before: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Case]:
        """List cases of this office, oldest first; every argument narrows the result."""
        query = CaseQuery(
            office_code=self.config.office_code,
            states=frozenset(CaseState(s) for s in states),
            kind=PetitionKind(kind) if kind else None,
            category=category,
            region_prefix=region_prefix,
            opened_from=opened_from,
            opened_before=opened_before,
            respondent_body=respondent_body,
            text=text,
            limit=limit,
            offset=offset,
        )
        with self.storage.transaction() as tx:
            return tx.search_cases(query)

    def iter_cases_with_petitions(self, *, page_size: int = 500) -> Iterator[tuple[Case, list[Petition]]]:
        """Every case of the office with its petitions, oldest first, one page per transaction."""
        offset = 0
        while True:
            page = self.search(limit=page_size, offset=offset)
            for case in page:
                yield case, self.petitions(case.id)
            if len(page) < page_size:
                return
            offset += page_size

    def due_within(self, days: int) -> list[Obligation]:
        """Open duties (not petitioners' windows) due within ``days`` days, overdue ones included."""
        until = self.today() + timedelta(days=days)
        with self.storage.transaction() as tx:
            found = tx.open_obligations_due(self.config.office_code, until)
        return [o for o in found if o.owed_by is not Party.PETITIONER]

    def overdue(self) -> list[Obligation]:
        """Open duties whose due date has passed."""
        today = self.today()
        return [o for o in self.due_within(-1) if o.due < today]

    # --- delivery -------------------------------------------------------------------------------

    def dispatch(
        self,
        *,
        worker: str = "dispatcher",
        limit: int = 100,
        max_attempts: int | None = None,
        lease_seconds: int = 300,
    ) -> DispatchResult:
        """Deliver one batch of queued messages, each through the notifier of its channel.

        A failed message is retried after an exponentially growing delay; after ``max_attempts``
        (default ``[settings.notifications] max_attempts``) it is dead and a staff alert is queued in
        the same transaction.  Several dispatchers may run at once: a claimed message is leased to
        one worker.  Delivery is at least once; receivers deduplicate by the idempotency key.
        """
        planner = self._notification_planner()
        settings = planner.settings
        cap = max_attempts if max_attempts is not None else settings.max_attempts
        router = self._notification_router()
        now = self.now()
        with self.storage.transaction() as tx:
            batch = tx.claim_outbox(worker, limit, now, now + timedelta(seconds=lease_seconds))
        sent = failed = dead = 0
        for item in batch:
            message = notify_dispatch.message_of(item, self.config)
            attempts = item.attempts + 1
            alerts: list[OutboxMessage] = []
            error: str | None = None
            next_try: datetime | None = None
            try:
                router.send(message)
            except Exception as exc:
                error = notify_dispatch.describe_error(exc)
                log.warning("delivery of %s %s failed (attempt %d): %s", item.topic, item.id, attempts, error)
                if attempts >= cap:
                    status, dead = OutboxStatus.DEAD, dead + 1
                    alerts = notify_dispatch.dead_letter_alerts(planner, item, message, attempts, error, now)
                else:
                    status, failed = OutboxStatus.PENDING, failed + 1
                    next_try = now + timedelta(seconds=settings.backoff(attempts))
            else:
                status, sent = OutboxStatus.SENT, sent + 1
            with self.storage.transaction() as tx:
                tx.finish_outbox(item.id, worker, status=status, attempts=attempts, error=error, retry_at=next_try)
                if alerts:
                    tx.enqueue(alerts)
        return DispatchResult(sent, failed, dead)

    def close(self) -> None:
        self.storage.close()

    def __enter__(self) -> Office:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _registration_payload(p: Petition) -> dict[str, Any]:
    """What the audit trail and integrations learn of a new petition: no names, no content."""
    return {
        "petition_id": p.id,
        "tracking_number": p.tracking_number,
        "channel": p.channel.value,
        "kind": p.kind.value,
        "category": p.category,
        "region_code": p.region_code,
        "received_at": p.received_at.isoformat(),
        "anonymous": p.anonymous,
        "confidential": p.confidential,
        "headcount": p.headcount,
        "petitioner_count": len(p.petitioners),
    }


def _without_imported(
    tx: Transaction, office_code: str, drafts: list[PetitionDraft]
) -> tuple[list[PetitionDraft], int]:
    """Drop drafts whose source_ref was imported before or repeats within the batch."""
    refs = [d.source_ref for d in drafts if d.source_ref]
    seen = tx.existing_source_refs(office_code, refs) if refs else set()
    kept: list[PetitionDraft] = []
    for draft in drafts:
        if draft.source_ref:
            if draft.source_ref in seen:
                continue
            seen.add(draft.source_ref)
        kept.append(draft)
    return kept, len(drafts) - len(kept)


def _batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _identity_digests(p: Petition) -> list[str]:
    return sorted(
        {d for person in p.petitioners if (d := identity_digest(person.id_number, person.name, person.phone))}
    )


def open_office(
    config: OfficeConfig | Mapping[str, Any] | None = None,
    *,
    plugin_manager: pluggy.PluginManager | None = None,
    storage: Storage | None = None,
    rules: Rules | None = None,
    notifier: Notifier | None = None,
    clock: Clock = _utc_now,
) -> Office:
    """Assemble an office from its configuration (the composition root).

    ``storage``, ``rules`` and ``notifier`` override what the configuration names, for embedding
    and tests.  Raises :class:`ConfigurationError` or :class:`StorageError` for bad settings.
    """
    if config is None:
        config = OfficeConfig()
    elif not isinstance(config, OfficeConfig):
        config = OfficeConfig.from_mapping(config)
    pm = plugin_manager or make_plugin_manager(allow=config.plugins_allow, block=config.plugins_block)
    check_settings(pm, config)  # every declared [settings.<name>] table, before anything opens
    if storage is None:
        backends = storage_backends(pm)
        scheme = url_scheme(config.database_url)
        if scheme not in backends:
            raise ConfigurationError(
                "database_url",
                f"no storage plugin serves '{scheme}:'; installed: {', '.join(sorted(backends)) or 'none'}",
            )
        storage = backends[scheme].factory(config.database_url, config)
    try:
        if rules is None:
            with using_predicates(registered_predicates(pm)):  # packs name predicates plugins registered
                rules = _pick(pm.hook.petitionkit_register_rules, config.rules, "rules")(config)
        if notifier is None:
            notifier = build_router(pm, config)  # every channel's notifier, so bad settings fail now
    except PetitionkitError:
        storage.close()
        raise
    return Office(config, storage=storage, rules=rules, notifier=notifier, plugin_manager=pm, clock=clock)


def _pick(hook: Callable[..., Any], name: str, setting: str) -> Any:
    found = hookspecs.collect(hook)
    if name not in found:
        raise ConfigurationError(
            setting, f"'{name}' is not registered; installed: {', '.join(sorted(found)) or 'none'}"
        )
    return found[name]
