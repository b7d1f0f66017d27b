"""A stored case and its audit trail as one line of the ``petitionkit-history`` format.

The steps are read from the case's events (the audit trail is its history), the texts they do not
carry (a reply's text, a review's opinion, an evaluation's comment) from the case.  A step recorded
by a history import takes the date it really happened (its ``StepImported`` event), so an imported
case exports as it was imported.  Events that are no step of the lifecycle (clocks, reminders,
refusals, resolved respondents, reissued codes) are not exported: the importing office computes its
own clocks, and the exporting office's audit trail keeps the rest.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, tzinfo
from typing import Any

from petitionkit.domain import event_types as ev
from petitionkit.domain.events import Event
from petitionkit.domain.model import Case, Petition, Referral
from petitionkit.migration.history import FORMAT, VERSION
from petitionkit.serialization import unstructure

#: The legacy system a case registered in this software is exported under (``petitionkit:<office code>``).
NATIVE_SYSTEM = "petitionkit:{office_code}"


def _time(value: datetime | str, zone: tzinfo) -> str:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(zone).isoformat()


def petition_entry(p: Petition, zone: tzinfo) -> dict[str, Any]:
    """A petition as the format's registration document, with when it was registered and its number."""
    doc: dict[str, Any] = {
        "channel": p.channel.value,
        "received_at": _time(p.received_at, zone),
        "registered_at": _time(p.registered_at, zone),
        "tracking_number": p.tracking_number,
        "kind": p.kind.value,
        "subject": p.subject,
        "content": p.content,
        "category": p.category,
        "region_code": p.region_code,
        "anonymous": p.anonymous,
        "confidential": p.confidential,
        "headcount": p.headcount,
        "petitioners": unstructure(list(p.petitioners)),
    }
    if p.respondent is not None:
        doc["respondent"] = unstructure(p.respondent)
    if p.attachments:
        doc["attachments"] = unstructure(list(p.attachments))
    if p.referred_from is not None:
        doc["referred_from"] = p.referred_from
    return doc


class _Steps:
    """The steps of a case, read from its events in order."""

    def __init__(self, case: Case, zone: tzinfo) -> None:
        self.case = case
        self.zone = zone
        self.steps: list[dict[str, Any]] = []
        self.evaluations = iter(case.evaluations)
        self.referrals = {r.id: r for r in case.referrals}

    def add(self, action: str, event: Event, **fields: Any) -> None:
        self.steps.append({"action": action, "at": _time(event.occurred_at, self.zone), **fields})

    def referral(self, referral_id: str) -> Referral | None:
        return self.referrals.get(referral_id)

    def read(self, event: Event) -> None:  # noqa: PLR0915 - one branch per kind of step
        case = self.case
        match event.data:
            case ev.StepImported(action=action, original_at=original) if action not in ("register", "join"):
                if self.steps:  # the step it marks was the last one added: it happened then
                    self.steps[-1]["at"] = _time(original, self.zone)
            case ev.CaseAccepted(note=note):
                self.add("accept", event, note=note)
            case ev.CaseDeclined(reason=reason, channel=channel):
                self.add("decline", event, reason=reason, channel=channel)
            case ev.CaseTransferred(body_code=body, note=note, rule_id=rule):
                self.add("transfer", event, body_code=body, note=note, rule_id=rule)
            case ev.CaseAssigned(referral_id=rid, body_code=body, note=note, rule_id=rule):
                report = next(
                    (o for o in case.obligations if o.referral_id == rid and o.clock.value == "referral_report"), None
                )
                days = report.basis.days if report is not None else None
                self.add("assign", event, body_code=body, note=note, rule_id=rule, report_days=days)
            case ev.ReferralObjected(reason=reason):
                self.add("object", event, reason=reason)
            case ev.FeedbackRecorded(referral_id=rid, number=number, received_on=received):
                referral = self.referral(rid)
                history = referral.feedbacks if referral is not None else ()
                text = history[number - 1].text if 0 < number <= len(history) else (referral and referral.feedback)
                self.add("record_feedback", event, text=text or "", received_on=received or None)
            case ev.ReportRecorded(outcome=outcome, delivered_on=delivered):
                text = case.reply.text if case.reply is not None else ""
                self.add("record_report", event, outcome=outcome, text=text, delivered_on=delivered)
            case ev.CaseSupervised(reason=reason):
                self.add("supervise", event, reason=reason)
            case ev.HandlingExtended(days=days, reason=reason, approved_by=approver):
                self.add("extend", event, days=days, reason=reason, approved_by=approver)
            case ev.ReplyRecorded(outcome=outcome, delivered_on=delivered):
                text = case.reply.text if case.reply is not None else ""
                self.add("reply", event, outcome=outcome, text=text, delivered_on=delivered)
            case ev.EvaluationRecorded(rating=rating):
                evaluation = next(self.evaluations, None)
                self.add("evaluate", event, rating=rating, comment=evaluation.comment if evaluation else "")
            case ev.ReviewRequested(requested_on=day, organ=organ):
                reason = case.review.reason if case.review is not None else ""
                self.add("request_review", event, reason=reason, organ=organ, requested_on=day)
            case ev.ReviewDecided(outcome=outcome, delivered_on=delivered):
                opinion = (case.review.opinion if case.review is not None else None) or ""
                self.add("decide_review", event, outcome=outcome, opinion=opinion, delivered_on=delivered)
            case ev.RereviewRequested(requested_on=day, organ=organ):
                reason = case.rereview.reason if case.rereview is not None else ""
                self.add("request_rereview", event, reason=reason, organ=organ, requested_on=day)
            case ev.RereviewDecided(outcome=outcome):
                opinion = (case.rereview.opinion if case.rereview is not None else None) or ""
                self.add("decide_rereview", event, outcome=outcome, opinion=opinion)
            case ev.CaseTerminated(reason=reason):
                if not (self.steps and self.steps[-1]["action"] == "decide_rereview"):  # that step terminated it
                    self.add("terminate", event, reason=reason)
            case ev.CaseWithdrawn(reason=reason):
                self.add("withdraw", event, reason=reason)
            case _:
                pass  # clocks, reminders, refusals, registrations: not steps


def legacy_key(events: Sequence[Event], case: Case) -> dict[str, str]:
    """The key the case was imported under, or this office's own for a case registered here."""
    for event in events:
        data = event.data
        if isinstance(data, ev.StepImported):
            return {"system": data.legacy_system, "case_id": data.legacy_case_id}
    return {"system": NATIVE_SYSTEM.format(office_code=case.office_code), "case_id": case.first_tracking_number}


def case_document(case: Case, petitions: Sequence[Petition], events: Sequence[Event], zone: tzinfo) -> dict[str, Any]:
    """One line of the format for ``case`` (its petitions in the order they were registered)."""
    steps = _Steps(case, zone)
    for event in events:
        steps.read(event)
    ordered = sorted(petitions, key=lambda p: (p.registered_at, p.tracking_number))
    return {
        "format": FORMAT,
        "version": VERSION,
        "legacy": legacy_key(events, case),
        "state": case.state.value,
        "petitions": [petition_entry(p, zone) for p in ordered],
        "steps": steps.steps,
    }


def documents(items: Iterator[tuple[Case, list[Petition], list[Event]]], zone: tzinfo) -> Iterator[dict[str, Any]]:
    for case, petitions, events in items:
        yield case_document(case, petitions, events, zone)
