"""The case lifecycle as an explicit state machine.

``TRANSITIONS`` is the one table of actions: from which states, to which, and the handler that
opens and closes the obligations (reply clocks) it implies; ``ALLOWED`` (which actions each state
admits) is derived from it.  Every command is a small attrs class named in the imperative, and
``decide(case, command, context)`` returns the changed case with the events the change produced,
or raises a typed error and changes nothing.  The commands themselves live in
:mod:`petitionkit.domain.commands` and are re-exported here.

Size: about 700 lines, on purpose: the transitions table, its handlers and the change they share
(``_Change``) are one state machine and are read together; the commands, the events and the
clock arithmetic are already in their own modules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import attrs

from petitionkit.domain import event_types as ev
from petitionkit.domain import ids
from petitionkit.domain.clocks import Clock, Deadline
from petitionkit.domain.commands import (  # the commands are part of the lifecycle's interface
    Accept,
    Assign,
    Command,
    DecideRereview,
    DecideReview,
    DeclineCase,
    Evaluate,
    Extend,
    Object,
    RecordFeedback,
    RecordReport,
    ReplyToPetitioner,
    RequestRereview,
    RequestReview,
    Supervise,
    Terminate,
    Transfer,
    Withdraw,
)
from petitionkit.domain.events import Event, record_event
from petitionkit.domain.model import (
    Body,
    Case,
    CaseState,
    Decline,
    Evaluation,
    Extension,
    Feedback,
    Obligation,
    ObligationStatus,
    Party,
    Referral,
    ReferralMode,
    ReferralStatus,
    Reply,
    Respondent,
    ReviewStep,
)
from petitionkit.domain.ports import Rules
from petitionkit.domain.recorded import DEFAULT_TOLERANCE, check_day, latest_day, require_texts
from petitionkit.errors import (
    ExtensionRefused,
    FieldError,
    IllegalTransition,
    InvalidInput,
    NotNotifiable,
    ProtectionRefusal,
    RespondentUnresolved,
    UnknownBody,
    WhistleblowerGuard,
    WindowError,
)

S = CaseState

WINDOW_CLOCKS = frozenset({Clock.REVIEW_REQUEST, Clock.REREVIEW_REQUEST})


__all__ = [
    "ALLOWED",
    "TRANSITIONS",
    "Accept",
    "Assign",
    "Command",
    "Context",
    "DecideRereview",
    "DecideReview",
    "Decision",
    "DeclineCase",
    "Evaluate",
    "Extend",
    "Object",
    "RecordFeedback",
    "RecordReport",
    "ReplyToPetitioner",
    "RequestRereview",
    "RequestReview",
    "Supervise",
    "Terminate",
    "Transfer",
    "Transition",
    "Withdraw",
    "allowed_actions",
    "decide",
    "join_case",
    "open_case",
    "recompute_due_dates",
    "record",
    "record_refusal",
    "resolve_respondents",
]


@attrs.frozen
class Context:
    """What a decision needs besides the case: rules, the clock, who acts."""

    rules: Rules
    now: datetime  # timezone-aware
    today: date  # the office's local date of ``now``
    actor: str
    new_id: Callable[[], str] = ids.new_id
    # Bodies the case must never reach: the unit of every accusation in it (the first petition's or a
    # joined one's) and, when configured, each unit's parent (petitionkit.domain.protection).
    guarded_bodies: frozenset[str] = frozenset()
    # Tracking numbers of accusation petitions whose respondent is unresolved: no body may be reached.
    unresolved_respondents: tuple[str, ...] = ()
    # How far ahead of ``now`` a recorded date may lie (a clerk's PC clock a few minutes fast).
    tolerance: timedelta = DEFAULT_TOLERANCE

    @property
    def latest_day(self) -> date:
        """The latest date a clerk may record (today, or tomorrow within ``tolerance`` of midnight)."""
        return latest_day(self.now, self.tolerance)

    # When the events are recorded, if not ``now``: a history import (petitionkit.service.history) decides
    # each step at the date it really happened (``now``) and records it at the time of the import.
    recorded_at: datetime | None = None


@attrs.frozen
class Decision:
    """The changed case and the events that record the change."""

    case: Case
    events: tuple[Event, ...]


def allowed_actions(case: Case) -> tuple[str, ...]:
    return ALLOWED[case.state]


class _Change:
    """Accumulates a case's new state and events while one command is decided."""

    def __init__(self, case: Case, ctx: Context) -> None:
        self.case = case
        self.ctx = ctx
        self.events: list[Event] = []

    def emit(self, data: ev.DomainEvent) -> None:
        case = self.case
        at = self.ctx.recorded_at or self.ctx.now
        event = record_event(case.last_digest, case.id, case.last_sequence + 1, data, self.ctx.actor, at)
        self.events.append(event)
        self.update(last_sequence=event.sequence, last_digest=event.digest)

    def finish(self, *, new: bool = False) -> Decision:
        if not new:
            self.update(version=self.case.version + 1)
        self.update(updated_at=self.ctx.now)
        return Decision(self.case, tuple(self.events))

    def update(self, **changes: Any) -> None:
        self.case = attrs.evolve(self.case, **changes)

    def open(
        self,
        clock: Clock,
        start: date,
        owed_by: Party,
        owed_to: Party,
        *,
        body_code: str | None = None,
        referral_id: str | None = None,
    ) -> Obligation | None:
        deadline = self.ctx.rules.deadline(clock, start, self.case.kind)
        if deadline is None:
            return None
        return self.open_deadline(deadline, owed_by, owed_to, body_code=body_code, referral_id=referral_id)

    def open_deadline(
        self,
        deadline: Deadline,
        owed_by: Party,
        owed_to: Party,
        *,
        body_code: str | None = None,
        referral_id: str | None = None,
    ) -> Obligation:
        ob = Obligation(
            id=self.ctx.new_id(),
            case_id=self.case.id,
            clock=deadline.basis.clock,
            owed_by=owed_by,
            owed_to=owed_to,
            status=ObligationStatus.OPEN,
            due=deadline.due,
            basis=deadline.basis,
            opened_at=self.ctx.now,
            body_code=body_code,
            referral_id=referral_id,
        )
        self.update(obligations=(*self.case.obligations, ob))
        self.emit(
            ev.ObligationOpened(
                obligation_id=ob.id,
                clock=ob.clock.value,
                owed_by=owed_by.value,
                owed_to=owed_to.value,
                start=deadline.basis.start.isoformat(),
                due=ob.due.isoformat(),
                body_code=body_code,
                rule_set=deadline.basis.rule_set,
                calendar=deadline.basis.calendar,
                provisional=deadline.basis.provisional,
            )
        )
        return ob

    def close(self, ob: Obligation, status: ObligationStatus | None = None, *, on: date | None = None) -> None:
        """Close ``ob``: met or late by ``on`` (default today), or the status given."""
        day = on or self.ctx.today
        final = status or (ObligationStatus.MET if day <= ob.due else ObligationStatus.LATE)
        self.replace_obligation(attrs.evolve(ob, status=final, closed_at=self.ctx.now))
        self.emit(ev.ObligationClosed(obligation_id=ob.id, clock=ob.clock.value, status=final.value))

    def close_clock(self, clock: Clock, status: ObligationStatus | None = None, *, on: date | None = None) -> None:
        ob = self.case.obligation(clock)
        if ob is not None:
            self.close(ob, status, on=on)

    def replace_obligation(self, new: Obligation) -> None:
        self.update(obligations=tuple(new if o.id == new.id else o for o in self.case.obligations))

    def replace_referral(self, new: Referral) -> None:
        self.update(referrals=tuple(new if r.id == new.id else r for r in self.case.referrals))


def decide(case: Case, command: Command, ctx: Context) -> Decision:
    """Apply ``command`` to ``case``; raise a typed error (and change nothing) if it is not allowed."""
    if command.action not in ALLOWED[case.state]:
        raise IllegalTransition(case.first_tracking_number, case.state.value, command.action, ALLOWED[case.state])
    change = _Change(case, ctx)
    _HANDLERS[type(command)](change, command)
    return change.finish()


def open_case(
    case: Case,
    registered: ev.PetitionRegistered,
    ctx: Context,
    *,
    notifiable: bool,
    also: Sequence[ev.DomainEvent] = (),
) -> Decision:
    """Record the registration of a new case's first petition and start its notice clock.

    ``also``: events recorded right after the registration (a dismissed repeat, a closed matter repeated).
    """
    change = _Change(case, ctx)
    change.emit(registered)
    for event in also:
        change.emit(event)
    if notifiable:
        change.open(Clock.NOTICE, case.opened_at.astimezone(ctx.now.tzinfo).date(), Party.OFFICE, Party.PETITIONER)
    return change.finish(new=True)


def join_case(case: Case, petition_id: str, registered: ev.PetitionRegistered, ctx: Context) -> Decision:
    """A repeat petition (重复信访) joins the case it repeats; no clock restarts."""
    change = _Change(case, ctx)
    change.update(petition_ids=(*case.petition_ids, petition_id))
    change.emit(ev.RepeatPetitionJoined(**attrs.asdict(registered), case_state=case.state.value))
    return change.finish()


# --- transitions --------------------------------------------------------------------------------


def _accept(c: _Change, cmd: Accept) -> None:
    c.close_clock(Clock.NOTICE)
    c.close_clock(Clock.ROUTING)  # after a misroute objection, taking it on meets the re-routing duty
    c.update(state=S.ACCEPTED)
    c.emit(ev.CaseAccepted(note=cmd.note))
    c.open(Clock.HANDLING, c.ctx.today, Party.OFFICE, Party.PETITIONER)


def _decline(c: _Change, cmd: DeclineCase) -> None:
    require_texts(reason=cmd.reason)
    c.close_clock(Clock.NOTICE)
    c.close_clock(Clock.ROUTING)
    c.update(state=S.DECLINED, decline=Decline(cmd.reason, cmd.channel, c.ctx.now), closed_reason=cmd.reason)
    c.emit(ev.CaseDeclined(reason=cmd.reason, channel=cmd.channel.value))


def _guard_referral(c: _Change, body_code: str, action: str) -> None:
    codes = {b.code for b in c.ctx.rules.bodies()}
    if body_code not in codes:
        raise UnknownBody(body_code)
    if body_code in c.ctx.guarded_bodies:
        raise WhistleblowerGuard(c.case.first_tracking_number, action, body_code)
    if c.ctx.unresolved_respondents:
        raise RespondentUnresolved(c.case.first_tracking_number, action, body_code, c.ctx.unresolved_respondents)


def _refer(c: _Change, body_code: str, mode: ReferralMode, note: str) -> Referral:
    _guard_referral(c, body_code, mode.value if mode is ReferralMode.TRANSFER else "assign")
    c.close_clock(Clock.NOTICE)
    c.close_clock(Clock.ROUTING)  # the re-referral meets the duty a misroute objection left
    objection = c.ctx.rules.deadline(Clock.MISROUTE_OBJECTION, c.ctx.today, c.case.kind)
    referral = Referral(
        id=c.ctx.new_id(),
        case_id=c.case.id,
        body_code=body_code,
        mode=mode,
        status=ReferralStatus.OPEN,
        referred_at=c.ctx.now,
        objection_due=objection.due if objection else None,
        note=note,
    )
    c.update(referrals=(*c.case.referrals, referral))
    return referral


def _transfer(c: _Change, cmd: Transfer) -> None:
    referral = _refer(c, cmd.body_code, ReferralMode.TRANSFER, cmd.note)
    c.update(state=S.TRANSFERRED)
    c.emit(ev.CaseTransferred(referral_id=referral.id, body_code=cmd.body_code, note=cmd.note, rule_id=cmd.rule_id))


def _assign(c: _Change, cmd: Assign) -> None:
    referral = _refer(c, cmd.body_code, ReferralMode.ASSIGNMENT, cmd.note)
    c.update(state=S.ASSIGNED)
    c.emit(ev.CaseAssigned(referral_id=referral.id, body_code=cmd.body_code, note=cmd.note, rule_id=cmd.rule_id))
    source = f"routing rule {cmd.rule_id}" if cmd.report_days is not None and cmd.rule_id else None
    deadline = c.ctx.rules.deadline(
        Clock.REFERRAL_REPORT, c.ctx.today, c.case.kind, days=cmd.report_days, source=source
    )
    if deadline is not None:
        c.open_deadline(deadline, Party.BODY, Party.OFFICE, body_code=cmd.body_code, referral_id=referral.id)


def _current_referral(c: _Change) -> Referral:
    referral = c.case.current_referral
    if referral is None:  # pragma: no cover - the state machine guarantees one
        raise IllegalTransition(c.case.first_tracking_number, c.case.state.value, "object", ALLOWED[c.case.state])
    return referral


def _object(c: _Change, cmd: Object) -> None:
    require_texts(reason=cmd.reason)
    referral = _current_referral(c)
    if referral.objection_due is not None and c.ctx.today > referral.objection_due:
        raise WindowError(
            c.case.first_tracking_number, Clock.MISROUTE_OBJECTION.value, referral.objection_due, closed=True
        )
    c.replace_referral(attrs.evolve(referral, status=ReferralStatus.OBJECTED, feedback=cmd.reason, closed_at=c.ctx.now))
    for clock in (Clock.REFERRAL_REPORT, Clock.SUPERVISION_REPLY):
        c.close_clock(clock, ObligationStatus.WAIVED)
    c.update(state=S.REGISTERED)
    c.emit(ev.ReferralObjected(referral_id=referral.id, body_code=referral.body_code, reason=cmd.reason))
    earlier = [
        r.body_code
        for r in c.case.referrals
        if r.status is ReferralStatus.OBJECTED and r.body_code != referral.body_code
    ]
    if earlier:
        # Two bodies each deny competence: they consult, failing that their common superior decides
        # (2022 art. 24).
        superior = common_superior(c.ctx.rules.bodies(), earlier[-1], referral.body_code)
        c.emit(
            ev.CompetenceDisputeRaised(bodies=[earlier[-1], referral.body_code], superior=superior, rule="2022 art. 24")
        )
    # The matter is back with the office, which owes it a new route: the rule set's `routing` clock
    # (2022 art. 22: 15 days; the law names no period for re-routing, the pack's note says so),
    # counted from the objection; met by the re-referral (or by accepting or declining the case).
    c.open(Clock.ROUTING, c.ctx.today, Party.OFFICE, Party.PETITIONER)


def _record_feedback(c: _Change, cmd: RecordFeedback) -> None:
    require_texts(text=cmd.text)
    referral = c.case.referrals[-1]
    received = _day(c, "received_on", cmd.received_on, (_local_day(c, referral.referred_at), "before_referral"))
    entry = Feedback(cmd.text, received, c.ctx.now, c.ctx.actor)
    c.replace_referral(
        attrs.evolve(
            referral,
            status=ReferralStatus.REPORTED,
            feedback=cmd.text,
            feedbacks=(*referral.feedbacks, entry),
            closed_at=referral.closed_at or c.ctx.now,
        )
    )
    c.emit(
        ev.FeedbackRecorded(
            referral_id=referral.id,
            body_code=referral.body_code,
            received_on=received.isoformat(),
            number=len(referral.feedbacks) + 1,
        )
    )


def _local_day(c: _Change, moment: datetime) -> date:
    return moment.astimezone(c.ctx.now.tzinfo).date()


def _day(c: _Change, field: str, day: date | None, *bounds: tuple[date | None, str]) -> date:
    """A date a clerk records (delivery, request, feedback): today by default; never after today (beyond
    the clock tolerance), before registration, or before the step it follows (``bounds``)."""
    if day is None:
        return c.ctx.today
    registered = (_local_day(c, c.case.opened_at), "before_registration")
    check_day(field, day, latest=c.ctx.latest_day, bounds=(registered, *bounds))
    return day


def _open_window(c: _Change, clock: Clock, start: date) -> None:
    if not c.case.anonymous:
        c.open(clock, start, Party.PETITIONER, Party.REVIEWING_ORGAN)


def _record_report(c: _Change, cmd: RecordReport) -> None:
    require_texts(text=cmd.text)
    referral = _current_referral(c)
    delivered = _day(c, "delivered_on", cmd.delivered_on, (_local_day(c, referral.referred_at), "before_referral"))
    c.close_clock(Clock.REFERRAL_REPORT)
    c.close_clock(Clock.SUPERVISION_REPLY)
    c.replace_referral(attrs.evolve(referral, status=ReferralStatus.REPORTED, feedback=cmd.text, closed_at=c.ctx.now))
    c.update(state=S.REPLIED, reply=Reply(cmd.outcome, cmd.text, c.ctx.now, delivered, referral.body_code))
    c.emit(
        ev.ReportRecorded(
            referral_id=referral.id,
            body_code=referral.body_code,
            outcome=cmd.outcome.value,
            delivered_on=delivered.isoformat(),
        )
    )
    _open_window(c, Clock.REVIEW_REQUEST, delivered)


def _supervise(c: _Change, cmd: Supervise) -> None:
    require_texts(reason=cmd.reason)
    referral = _current_referral(c)
    # An accusation that joined after the referral may make the body the accused's side.
    _guard_referral(c, referral.body_code, "supervise")
    c.close_clock(Clock.SUPERVISION_REPLY, ObligationStatus.WAIVED)  # a new notice supersedes the old
    c.emit(ev.CaseSupervised(referral_id=referral.id, body_code=referral.body_code, reason=cmd.reason))
    c.open(
        Clock.SUPERVISION_REPLY,
        c.ctx.today,
        Party.BODY,
        Party.OFFICE,
        body_code=referral.body_code,
        referral_id=referral.id,
    )


def _extend(c: _Change, cmd: Extend) -> None:
    clock = Clock.HANDLING if c.case.state is S.ACCEPTED else Clock.REFERRAL_REPORT
    if c.case.extension is not None:
        raise ExtensionRefused(c.case.first_tracking_number, "already extended once (2022 art. 34)")
    ob = c.case.obligation(clock)
    limit = 0 if ob is None else c.ctx.rules.max_extension_days(c.case.kind, ob.basis.days)
    if ob is None or limit == 0:
        raise ExtensionRefused(c.case.first_tracking_number, f"no {clock.value} period runs for this kind of case")
    if not 1 <= cmd.days <= limit:
        raise InvalidInput([FieldError("days", "at_most", {"limit": limit})])
    require_texts(reason=cmd.reason)
    if not cmd.approved_by.strip():
        raise InvalidInput([FieldError("approved_by", "required")])
    if c.ctx.today > ob.due:
        raise ExtensionRefused(c.case.first_tracking_number, f"the period already ended on {ob.due.isoformat()}")
    new = c.ctx.rules.recompute(attrs.evolve(ob.basis, extension_days=cmd.days))
    c.replace_obligation(attrs.evolve(ob, due=new.due, basis=new.basis))
    c.update(extension=Extension(cmd.days, cmd.reason, cmd.approved_by, c.ctx.now))
    c.emit(
        ev.HandlingExtended(
            obligation_id=ob.id,
            clock=clock.value,
            days=cmd.days,
            reason=cmd.reason,
            approved_by=cmd.approved_by,
            old_due=ob.due.isoformat(),
            new_due=new.due.isoformat(),
            provisional=new.basis.provisional,
        )
    )


def _reply(c: _Change, cmd: ReplyToPetitioner) -> None:
    require_texts(text=cmd.text)
    # A reply follows the acceptance: the handling clock's start where the kind has one.
    handling = c.case.obligation(Clock.HANDLING)
    accepted = (handling.basis.start if handling else None, "before_acceptance")
    delivered = _day(c, "delivered_on", cmd.delivered_on, accepted)
    c.close_clock(Clock.HANDLING)
    c.update(state=S.REPLIED, reply=Reply(cmd.outcome, cmd.text, c.ctx.now, delivered))
    c.emit(ev.ReplyRecorded(outcome=cmd.outcome.value, delivered_on=delivered.isoformat()))
    _open_window(c, Clock.REVIEW_REQUEST, delivered)


def _evaluate(c: _Change, cmd: Evaluate) -> None:
    if c.case.anonymous:
        raise NotNotifiable("evaluate")
    c.update(evaluations=(*c.case.evaluations, Evaluation(cmd.rating, cmd.comment, c.ctx.now)))
    c.emit(ev.EvaluationRecorded(rating=cmd.rating.value))


def _request(c: _Change, window: Clock, cmd: RequestReview | RequestRereview, action: str) -> date:
    if c.case.anonymous:
        raise NotNotifiable(action)
    require_texts(reason=cmd.reason, organ=cmd.organ)
    ob = c.case.obligation(window)
    # A request follows the delivery of the reply (or review opinion) that opened its window.
    day = _day(c, "requested_on", cmd.requested_on, (ob.basis.start if ob else None, "before_window"))
    if ob is None or day > ob.due:
        due = ob.due if ob else c.ctx.today
        raise WindowError(c.case.first_tracking_number, window.value, due, closed=True)
    c.close(ob, ObligationStatus.MET, on=day)
    return day


def _request_review(c: _Change, cmd: RequestReview) -> None:
    day = _request(c, Clock.REVIEW_REQUEST, cmd, "request_review")
    c.update(state=S.UNDER_REVIEW, review=ReviewStep(day, cmd.reason, cmd.organ))
    c.emit(ev.ReviewRequested(requested_on=day.isoformat(), organ=cmd.organ))
    c.open(Clock.REVIEW_OPINION, day, Party.REVIEWING_ORGAN, Party.PETITIONER)


def _decide_review(c: _Change, cmd: DecideReview) -> None:
    assert c.case.review is not None
    require_texts(opinion=cmd.opinion)
    delivered = _day(c, "delivered_on", cmd.delivered_on, (c.case.review.requested_on, "before_review_request"))
    c.close_clock(Clock.REVIEW_OPINION)
    c.update(
        state=S.REVIEWED,
        review=attrs.evolve(c.case.review, opinion=cmd.opinion, outcome=cmd.outcome, decided_at=c.ctx.now),
    )
    c.emit(ev.ReviewDecided(outcome=cmd.outcome.value, delivered_on=delivered.isoformat()))
    _open_window(c, Clock.REREVIEW_REQUEST, delivered)


def _request_rereview(c: _Change, cmd: RequestRereview) -> None:
    day = _request(c, Clock.REREVIEW_REQUEST, cmd, "request_rereview")
    c.update(state=S.UNDER_REREVIEW, rereview=ReviewStep(day, cmd.reason, cmd.organ))
    c.emit(ev.RereviewRequested(requested_on=day.isoformat(), organ=cmd.organ))
    c.open(Clock.REREVIEW_OPINION, day, Party.REVIEWING_ORGAN, Party.PETITIONER)


def _decide_rereview(c: _Change, cmd: DecideRereview) -> None:
    assert c.case.rereview is not None
    require_texts(opinion=cmd.opinion)
    c.close_clock(Clock.REREVIEW_OPINION)
    reason = "re-review concluded: the same facts and reasons are no longer accepted (2022 art. 36)"
    c.update(
        state=S.TERMINATED,
        closed_reason=reason,
        rereview=attrs.evolve(c.case.rereview, opinion=cmd.opinion, outcome=cmd.outcome, decided_at=c.ctx.now),
    )
    c.emit(ev.RereviewDecided(outcome=cmd.outcome.value))
    c.emit(ev.CaseTerminated(reason=reason))


def _terminate(c: _Change, cmd: Terminate) -> None:
    require_texts(reason=cmd.reason)
    window = Clock.REVIEW_REQUEST if c.case.state is S.REPLIED else Clock.REREVIEW_REQUEST
    ob = c.case.obligation(window)
    if ob is not None:
        if c.ctx.today <= ob.due:
            raise WindowError(c.case.first_tracking_number, window.value, ob.due, closed=False)
        c.close(ob, ObligationStatus.WAIVED)  # the petitioner let the window lapse
    c.update(state=S.TERMINATED, closed_reason=cmd.reason)
    c.emit(ev.CaseTerminated(reason=cmd.reason))


def _withdraw(c: _Change, cmd: Withdraw) -> None:
    for ob in c.case.open_obligations:
        c.close(ob, ObligationStatus.WAIVED)
    for referral in c.case.referrals:
        if referral.status is ReferralStatus.OPEN:
            c.replace_referral(attrs.evolve(referral, status=ReferralStatus.WITHDRAWN, closed_at=c.ctx.now))
    c.update(state=S.WITHDRAWN, closed_reason=cmd.reason or "withdrawn by the petitioner")
    c.emit(ev.CaseWithdrawn(reason=cmd.reason))


@attrs.frozen
class Transition:
    """One action of the state machine: from which states, to which, what it does to the clocks.

    This table is the one source of the allowed actions (:data:`ALLOWED`), the state diagram and the
    clock table in docs/concepts.md (``scripts/docs_lifecycle.py`` writes them; a test compares) and
    the case commands of the command line.
    """

    action: str
    command: type
    sources: tuple[CaseState, ...]
    target: CaseState | None  # None: the state does not change
    handler: Callable[[_Change, Any], None]
    closes: str  # what it closes, for the docs
    opens: str  # what it opens, for the docs


_OPEN_STATES = (S.REGISTERED, S.ACCEPTED, S.ASSIGNED, S.REPLIED, S.UNDER_REVIEW, S.REVIEWED, S.UNDER_REREVIEW)

TRANSITIONS: tuple[Transition, ...] = (
    Transition("accept", Accept, (S.REGISTERED,), S.ACCEPTED, _accept, "`notice`, `routing`",
               "`handling` (office → petitioner) when the rule set applies it to the case's kind"),
    Transition("decline", DeclineCase, (S.REGISTERED,), S.DECLINED, _decline, "`notice`, `routing`", "—"),
    Transition("transfer", Transfer, (S.REGISTERED,), S.TRANSFERRED, _transfer, "`notice`, `routing`",
               "— (the referral records the body's `objection_due`)"),
    Transition("assign", Assign, (S.REGISTERED,), S.ASSIGNED, _assign, "`notice`, `routing`",
               "`referral_report` (body → office)"),
    Transition("object", Object, (S.ASSIGNED, S.TRANSFERRED), S.REGISTERED, _object,
               "`referral_report`, `supervision_reply` (waived)",
               "`routing` (office → petitioner: the re-routing duty; a second objection also raises a competence "
               "dispute)"),
    Transition("extend", Extend, (S.ACCEPTED, S.ASSIGNED), None, _extend, "",
               "moves the `handling` / `referral_report` due date (once; counted from its original last day)"),
    Transition("supervise", Supervise, (S.ASSIGNED,), None, _supervise, "earlier `supervision_reply` (waived)",
               "`supervision_reply` (body → office)"),
    Transition("record_report", RecordReport, (S.ASSIGNED,), S.REPLIED, _record_report,
               "`referral_report`, `supervision_reply`", "`review_request` window (petitioner)"),
    Transition("record_feedback", RecordFeedback, (S.TRANSFERRED,), None, _record_feedback, "",
               "— (each feedback is kept, with the day it arrived)"),
    Transition("reply", ReplyToPetitioner, (S.ACCEPTED,), S.REPLIED, _reply, "`handling`",
               "`review_request` window (petitioner)"),
    Transition("evaluate", Evaluate, (S.REPLIED, S.REVIEWED, S.TERMINATED), None, _evaluate, "", "—"),
    Transition("request_review", RequestReview, (S.REPLIED,), S.UNDER_REVIEW, _request_review, "`review_request`",
               "`review_opinion` (reviewing organ → petitioner)"),
    Transition("decide_review", DecideReview, (S.UNDER_REVIEW,), S.REVIEWED, _decide_review, "`review_opinion`",
               "`rereview_request` window"),
    Transition("request_rereview", RequestRereview, (S.REVIEWED,), S.UNDER_REREVIEW, _request_rereview,
               "`rereview_request`", "`rereview_opinion`"),
    Transition("decide_rereview", DecideRereview, (S.UNDER_REREVIEW,), S.TERMINATED, _decide_rereview,
               "`rereview_opinion`", "— (terminated, 2022 art. 36)"),
    Transition("terminate", Terminate, (S.REPLIED, S.REVIEWED), S.TERMINATED, _terminate,
               "the lapsed request window (waived)", "—"),
    Transition("withdraw", Withdraw, _OPEN_STATES, S.WITHDRAWN, _withdraw, "every open obligation (waived)", "—"),
)  # fmt: skip

#: Which actions each state admits, in the order of :data:`TRANSITIONS`.
ALLOWED: Mapping[CaseState, tuple[str, ...]] = {
    state: tuple(t.action for t in TRANSITIONS if state in t.sources) for state in CaseState
}
_HANDLERS: Mapping[type, Callable[[_Change, Any], None]] = {t.command: t.handler for t in TRANSITIONS}


def state_diagram() -> str:
    """The state machine as a Mermaid ``stateDiagram-v2`` (for docs/concepts.md), from :data:`TRANSITIONS`."""
    lines = ["stateDiagram-v2", "    [*] --> registered: register"]
    for t in TRANSITIONS:
        if t.action == "withdraw":
            continue  # from every open state: one line below instead of seven arrows
        for source in t.sources:
            lines.append(f"    {source.value} --> {(t.target or source).value}: {t.action}")
    lines.append("    note right of withdrawn: withdraw, from every open state")
    for state in (S.DECLINED, S.TERMINATED, S.WITHDRAWN):
        lines.append(f"    {state.value} --> [*]")
    return "\n".join(lines)


def clock_table() -> str:
    """The Markdown table of what each transition closes and opens (for docs/concepts.md)."""
    rows = ["| transition | closes | opens (owed by → to) |", "|---|---|---|"]
    rows.append("| register | | `notice` (office → petitioner), unless anonymous |")
    rows.extend(f"| {t.action} | {t.closes} | {t.opens} |" for t in TRANSITIONS)
    return "\n".join(rows)


def record(case: Case, event: ev.DomainEvent, ctx: Context) -> Decision:
    """Record an event on a case that does not change its state (a reissued code, a reminder)."""
    change = _Change(case, ctx)
    change.emit(event)
    return change.finish()


def resolve_respondents(
    case: Case, resolutions: Sequence[ev.RespondentResolved], respondent: Respondent | None, ctx: Context
) -> Decision:
    """Record a clerk's resolution of accusation respondents (one ``RespondentResolved`` event each);
    ``respondent`` replaces the case's own when its first petition was among them."""
    change = _Change(case, ctx)
    if respondent is not None:
        change.update(respondent=respondent)
    for resolved in resolutions:
        change.emit(resolved)
    return change.finish()


def record_refusal(
    case: Case,
    refusal: ProtectionRefusal,
    ctx: Context,
    event: type[ev.RefusalEvent] = ev.ReferralRefused,
) -> Decision:
    """Record that something of the case was kept from a body (2022 art. 30): who tried, what, which rule.

    ``event`` is :class:`ReferralRefused` (transfer, assign, supervise), :class:`ExportRefused` or
    :class:`DocumentRefused`.  The payload names no person and quotes no petition text.
    """
    change = _Change(case, ctx)
    petitions = list(refusal.petitions) if isinstance(refusal, RespondentUnresolved) else []
    change.emit(
        event(
            action=refusal.action,
            body_code=refusal.body_code,
            rule=refusal.rule,
            refusal=refusal.code,
            petitions=petitions,
        )
    )
    return change.finish()


def common_superior(bodies: Sequence[Body], first: str, second: str) -> str | None:
    """The nearest body both ``first`` and ``second`` sit under (``None``: none is declared)."""
    parent = {b.code: b.parent_code for b in bodies}

    def chain(code: str | None) -> list[str]:
        seen: list[str] = []
        while code is not None and code not in seen:
            seen.append(code)
            code = parent.get(code)
        return seen

    above_second = set(chain(parent.get(second)))
    return next((code for code in chain(parent.get(first)) if code in above_second), None)


def recompute_due_dates(case: Case, ctx: Context) -> Decision | None:
    """Recompute open obligations counted on other calendar data than the rule set's current one
    (provisional due dates, once their year's official schedule is declared or installed).

    Each recomputed obligation is an event (``changed`` says whether its due date moved);
    ``None`` when nothing needed recomputing.
    """
    change = _Change(case, ctx)
    current = ctx.rules.calendar.name
    for ob in case.open_obligations:
        if ob.basis.calendar == current:
            continue
        new = ctx.rules.recompute(ob.basis)
        change.replace_obligation(attrs.evolve(ob, due=new.due, basis=new.basis))
        change.emit(
            ev.DueDateRecomputed(
                obligation_id=ob.id,
                clock=ob.clock.value,
                old_due=ob.due.isoformat(),
                new_due=new.due.isoformat(),
                changed=new.due != ob.due,
                days_moved=(new.due - ob.due).days,
                old_calendar=ob.basis.calendar,
                calendar=new.basis.calendar,
                old_provisional=ob.basis.provisional,
                provisional=new.basis.provisional,
            )
        )
    return change.finish() if change.events else None
