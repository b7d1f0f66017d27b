"""The case commands: screening, referral, handling, replies, reviews, the end; and recomputing clocks.

Each is one call of the unit of work with a lifecycle command (see :mod:`petitionkit.domain.lifecycle`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, cast

from petitionkit.domain import event_types as ev
from petitionkit.domain import lifecycle as lc
from petitionkit.domain.access import Permission, Principal
from petitionkit.domain.casework import BasisUse
from petitionkit.domain.decisions import RoutingDecision, ScreeningDecision
from petitionkit.domain.events import Event
from petitionkit.domain.model import Case, DeclineChannel, EvaluationRating, ReferralMode, ReplyOutcome
from petitionkit.domain.normalise import command_texts
from petitionkit.i18n import translate
from petitionkit.notifications.planner import DUE_DATES_MOVED
from petitionkit.service.base import OfficeBase
from petitionkit.service.casework import with_basis

if TYPE_CHECKING:
    from petitionkit.service.office import Office


class CaseCommands(OfficeBase):
    # --- screening and referral ---------------------------------------------------------------

    def accept(self, case_ref: str, *, note: str = "") -> Case:
        """Accept the case for handling by the office or its Standing Committee body (受理)."""
        return self.uow.command(case_ref, lc.Accept(note), permission=Permission.SCREEN)

    def decline(
        self, case_ref: str, *, reason: str, channel: DeclineChannel | str, citations: Sequence[str] = ()
    ) -> Case:
        """Decline (不予受理), telling the petitioner why and which channel to use instead.

        ``citations`` (provision ids of the rule packs' knowledge) are appended to the notice and kept as
        snapshots on the case (:meth:`~petitionkit.service.casework.CaseworkUseCases.with_basis`).
        """
        command = lc.DeclineCase(reason, DeclineChannel(channel))
        if citations:
            command = command_texts(command)
            return with_basis(
                cast("Office", self),
                case_ref,
                command,
                permission=Permission.SCREEN,
                used_in=BasisUse.DECLINE,
                citations=citations,
                findings_of=None,
            )
        return self.uow.command(case_ref, command, permission=Permission.SCREEN)

    def transfer(self, case_ref: str, *, body: str, note: str = "") -> Case:
        """Transfer (转送) to the competent body; no report is owed back."""
        return self.uow.command(case_ref, lc.Transfer(body, note), permission=Permission.REFER)

    def assign(self, case_ref: str, *, body: str, note: str = "", report_days: int | None = None) -> Case:
        """Assign (交办) to a body, which owes a result report by the rule set's deadline (or ``report_days``)."""
        return self.uow.command(case_ref, lc.Assign(body, note, report_days), permission=Permission.REFER)

    def screen(self, case_ref: str, *, facts: Sequence[str] = ()) -> ScreeningDecision:
        """What the rules advise for the case: accept, or decline with the channel to use (诉访分离).

        ``facts`` are the screening facts a clerk established (e.g. ``in_litigation``). Advice only:
        record the decision with :meth:`accept` or :meth:`decline`.
        """
        with self.storage.transaction() as tx:
            case = self.uow.resolve(tx, case_ref)
        self.access.require(Permission.SCREEN, case)
        return self.rules.screen(
            case.kind, case.category, facts=facts, region_code=case.region_code, respondent=case.respondent
        )

    def route(self, case_ref: str, *, facts: Sequence[str] = ()) -> RoutingDecision:
        """The competent body and referral mode by the routing rules, with the rule that matched.

        For an accusation, rules leading to the accused's unit are passed over (whistleblower guard).
        """
        with self.storage.transaction() as tx:
            case = self.uow.resolve(tx, case_ref)
            petitions = tx.petitions_of_case(case.id)
        self.access.require(Permission.REFER, case)
        headcount = max((p.headcount for p in petitions), default=1)
        return self.rules.route(
            case.category, case.region_code, case.kind, case.respondent, headcount=headcount, facts=facts
        )

    def refer(self, case_ref: str, *, facts: Sequence[str] = (), note: str = "") -> Case:
        """Route the case and transfer or assign it as the matching rule says."""
        decision = self.route(case_ref, facts=facts)
        command: lc.Command
        if decision.mode is ReferralMode.ASSIGNMENT:
            command = lc.Assign(decision.body_code, note, decision.report_days, decision.rule_id)
        else:
            command = lc.Transfer(decision.body_code, note, decision.rule_id)
        return self.uow.command(case_ref, command, permission=Permission.REFER)

    def record_objection(self, case_ref: str, *, reason: str) -> Case:
        """The receiving body objects that the matter is outside its competence; the case is re-routed."""
        return self.uow.command(case_ref, lc.Object(reason), permission=Permission.OBJECT)

    def record_feedback(self, case_ref: str, *, text: str, received_on: date | None = None) -> Case:
        """Feedback a body sends on a transfer, received on ``received_on`` (default today); every
        feedback is kept, oldest first, on the referral's ``feedbacks``."""
        return self.uow.command(case_ref, lc.RecordFeedback(text, received_on), permission=Permission.RECORD_FEEDBACK)

    def record_report(
        self,
        case_ref: str,
        *,
        outcome: ReplyOutcome | str,
        text: str,
        delivered_on: date | None = None,
    ) -> Case:
        """An assigned body's result report (办结报告), with the reply it gave the petitioner."""
        return self.uow.command(
            case_ref, lc.RecordReport(ReplyOutcome(outcome), text, delivered_on), permission=Permission.RECORD_REPORT
        )

    def supervise(self, case_ref: str, *, reason: str) -> Case:
        """Supervise (督办) an assignment that is late or badly handled."""
        return self.uow.command(case_ref, lc.Supervise(reason), permission=Permission.REFER)

    # --- handling -----------------------------------------------------------------------------

    def extend(self, case_ref: str, *, days: int, reason: str, approved_by: Principal | str) -> Case:
        """Extend the handling (or report) period once, with approval; the petitioner is told why.

        ``approved_by`` is the approving principal (or the id of one in ``[[principals]]``): it must hold
        ``extend_approve`` and must not be the requester (separation of duties), else
        :class:`~petitionkit.errors.UnknownPrincipal` or :class:`~petitionkit.errors.SeparationOfDuties`.
        The event records the approver's id and roles.
        """
        requester = self.access.principal(Permission.EXTEND_REQUEST.value)

        def extend(_tx: object, case: Case, ctx: lc.Context) -> lc.Decision:
            approver = self.access.approver(approved_by, case, requester)
            return lc.decide(case, command_texts(lc.Extend(days, reason, approver.actor)), ctx)  # input safety

        return self.uow.run(case_ref, extend, permission=Permission.EXTEND_REQUEST)

    def reply(
        self,
        case_ref: str,
        *,
        outcome: ReplyOutcome | str,
        text: str,
        delivered_on: date | None = None,
        citations: Sequence[str] = (),
        findings_of: str | None = None,
    ) -> Case:
        """Record the written reply (处理意见书); its delivery starts the review window.

        ``findings_of`` (an investigation id) appends that investigation's findings to the reply, and
        ``citations`` (provision ids) the cited provisions; both are kept on the case as its legal basis.
        """
        command = lc.ReplyToPetitioner(ReplyOutcome(outcome), text, delivered_on)
        if citations or findings_of is not None:
            return with_basis(
                cast("Office", self),
                case_ref,
                command_texts(command),
                permission=Permission.REPLY,
                used_in=BasisUse.REPLY,
                citations=citations,
                findings_of=findings_of,
            )
        return self.uow.command(case_ref, command, permission=Permission.REPLY)

    def evaluate(self, case_ref: str, *, rating: EvaluationRating | str, comment: str = "") -> Case:
        """Record the petitioner's satisfaction rating (满意度评价)."""
        return self.uow.command(case_ref, lc.Evaluate(EvaluationRating(rating), comment), permission=Permission.REPLY)

    def request_review(self, case_ref: str, *, reason: str, organ: str, requested_on: date | None = None) -> Case:
        """The petitioner requests review (复查) within the window."""
        return self.uow.command(
            case_ref, lc.RequestReview(reason, organ, requested_on), permission=Permission.RECORD_REVIEW
        )

    def decide_review(
        self,
        case_ref: str,
        *,
        outcome: ReplyOutcome | str,
        opinion: str,
        delivered_on: date | None = None,
    ) -> Case:
        """Record the review opinion; its delivery starts the re-review window."""
        return self.uow.command(
            case_ref, lc.DecideReview(ReplyOutcome(outcome), opinion, delivered_on), permission=Permission.RECORD_REVIEW
        )

    def request_rereview(self, case_ref: str, *, reason: str, organ: str, requested_on: date | None = None) -> Case:
        """The petitioner requests re-review (复核) within the window."""
        return self.uow.command(
            case_ref, lc.RequestRereview(reason, organ, requested_on), permission=Permission.RECORD_REVIEW
        )

    def decide_rereview(self, case_ref: str, *, outcome: ReplyOutcome | str, opinion: str) -> Case:
        """Record the re-review opinion; the matter is then terminated (2022 art. 36)."""
        return self.uow.command(
            case_ref, lc.DecideRereview(ReplyOutcome(outcome), opinion), permission=Permission.RECORD_REVIEW
        )

    def terminate(self, case_ref: str, *, reason: str) -> Case:
        """Terminate (终结) once the review or re-review window has lapsed."""
        return self.uow.command(case_ref, lc.Terminate(reason), permission=Permission.TERMINATE)

    def withdraw(self, case_ref: str, *, reason: str = "") -> Case:
        """The petitioner withdraws (撤回); every open obligation is waived."""
        return self.uow.command(case_ref, lc.Withdraw(reason), permission=Permission.TERMINATE)

    # --- clocks ---------------------------------------------------------------------------------

    def recompute_deadlines(self, *, progress: Callable[[int, int], None] | None = None) -> list[Case]:
        """Recompute open clocks counted on outdated calendar data (e.g. provisional due dates after the
        year's official holiday schedule was added); every recomputed clock is a ``DueDateRecomputed``
        event, and one notice to the office staff lists the due dates that moved. Returns the changed
        cases; a second run changes nothing.  ``progress(done, total)`` is called after each case looked at."""
        self.access.require(Permission.CONFIGURE)
        with self.storage.transaction() as tx:
            case_ids = sorted({o.case_id for o in tx.open_obligations_due(self.config.office_code, date.max)})
        changed: list[Case] = []
        moved: list[tuple[Case, ev.DueDateRecomputed]] = []
        found: list[Event] = []

        def recompute(_tx: object, case: Case, ctx: lc.Context) -> lc.Decision | None:
            decision = lc.recompute_due_dates(case, ctx)
            found.extend(decision.events if decision else ())
            return decision

        for done, case_id in enumerate(case_ids, 1):
            found.clear()
            case = self.uow.run(case_id, recompute, permission=Permission.CONFIGURE)
            if found:
                changed.append(case)
                moved.extend(
                    (case, data) for e in found if isinstance(data := e.data, ev.DueDateRecomputed) and data.changed
                )
            if progress is not None:
                progress(done, len(case_ids))
        if moved:
            self._notify_moved_due_dates(moved)
        return changed

    def _notify_moved_due_dates(self, moved: Sequence[tuple[Case, ev.DueDateRecomputed]]) -> None:
        """One staff notice for a recompute run (its events are the durable record of each move)."""
        planner = self.planner
        lines = [
            {
                "tracking_number": case.first_tracking_number,
                "clock": translate("clock." + e.clock, planner.settings.locale),
                "old_due": e.old_due,
                "new_due": e.new_due,
                "days_moved": e.days_moved,
                "provisional": e.provisional,
            }
            for case, e in moved
        ]
        digest = hashlib.sha256("|".join(f"{e.obligation_id}:{e.new_due}" for _, e in moved).encode()).hexdigest()
        now = self.now()
        planned = planner.staff_messages(
            DUE_DATES_MOVED, {"moves": lines, "count": len(lines)}, f"recompute:{digest[:16]}"
        )
        with self.storage.transaction() as tx:
            tx.enqueue([m.to_outbox(now) for m in planned])
