"""The notification planner (通知规划): which messages each recorded event implies, rendered.

``Planner.plan(events, case, petitions)`` turns the events of one change into messages for three
audiences: the petitioner (信访人: notices of acceptance, non-acceptance, referral, extension, the
reply, the evaluation invitation, review windows), the handling body (承办单位: transfer and
assignment letters, report reminders, supervision 督办) and office staff (工作人员: alerts).
The service writes them to the outbox in the transaction of the change itself.

What each recipient may read is decided by the redaction policy (:mod:`petitionkit.redaction`),
not by templates: the template context simply lacks what the policy withholds, and every string in
it has protected identities struck.  A message is never addressed to a body the case is guarded
against (the unit of any accusation in the case, first or joined, and its parent when guarded), nor
to any body while an accusation's respondent is unresolved; the office's staff get a
``staff_referral_refused`` alert in its place (2022 art. 30 ¶3).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import attrs

from petitionkit import i18n
from petitionkit.config import OfficeConfig
from petitionkit.domain import event_types as ev
from petitionkit.domain.events import Event
from petitionkit.domain.ids import new_id
from petitionkit.domain.knowledge import citation_of
from petitionkit.domain.model import Case, Petition
from petitionkit.domain.ports import Rules
from petitionkit.notifications.settings import NotificationSettings
from petitionkit.notifications.templates import Renderer
from petitionkit.redaction import Disclosure, Item, Recipient, disclosure
from petitionkit.storage.base import OutboxMessage

PETITIONER, BODY, STAFF = "petitioner", "body", "staff"

# Message types by audience (each has a template per locale).
PETITIONER_TYPES = (
    "accepted",
    "declined",
    "referred",
    "extended",
    "reply",
    "evaluation_invitation",
    "review_decided",
    "rereview_decided",
)
BODY_TYPES = (
    "transfer_letter",
    "assignment_letter",
    "supervision_notice",
    "report_due",
    "overdue_supervision",
    "escalation_notice",
)
STAFF_TYPES = (
    "staff_referral_objected",
    "staff_competence_dispute",
    "staff_referral_refused",
    "staff_review_requested",
    "staff_reminder",
    "staff_overdue",
    "staff_escalated",
    "staff_dead_letter",
    "staff_due_dates_moved",
    "staff_schedule_missing",
)
DUE_DATES_MOVED = "staff_due_dates_moved"  # one per recompute run that moved a due date
SCHEDULE_MISSING = "staff_schedule_missing"  # next year's holiday schedule is not loaded (daily, from remind)
MESSAGE_TYPES = PETITIONER_TYPES + BODY_TYPES + STAFF_TYPES

OVERDUE = "overdue"

# Events that imply messages (see ``Planner._drafts``).
PLANNED_EVENTS: tuple[type[ev.DomainEvent], ...] = (
    ev.CaseAccepted,
    ev.CaseDeclined,
    ev.CaseTransferred,
    ev.CaseAssigned,
    ev.CaseSupervised,
    ev.HandlingExtended,
    ev.ReplyRecorded,
    ev.ReportRecorded,
    ev.ReviewDecided,
    ev.RereviewDecided,
    ev.ReferralObjected,
    ev.CompetenceDisputeRaised,
    ev.ReferralRefused,
    ev.ReviewRequested,
    ev.ReminderQueued,
    ev.EscalatedToParent,
)


@attrs.frozen
class PlannedMessage:
    """A message for one recipient: its template and the (already redacted, localized) values it needs.

    It is rendered only when read (``subject``, ``body``) or when the dispatcher delivers the outbox
    row made from it: the row keeps the template's name and values, not the text, so a change is
    committed whether or not an office template renders, and a template that fails at delivery is
    retried and then reported to the staff like any failed delivery.
    """

    type: str
    audience: str  # "petitioner", "body" or "staff"
    channel: str
    recipient: str
    context: Mapping[str, Any]  # JSON values: what the template may show, redacted and localized
    idempotency_key: str
    case_id: str | None = None
    obligation_id: str | None = None
    body_code: str | None = None
    locale: str = "zh-CN"
    renderer: Renderer | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def subject(self) -> str:
        return self.rendered()[0]

    @property
    def body(self) -> str:
        return self.rendered()[1]

    def rendered(self) -> tuple[str, str]:
        """``(subject, body)``: the template filled in (the planner's renderer)."""
        if self.renderer is None:
            raise ValueError("a planned message without a renderer cannot be read; use render_payload")
        return render_payload(self.renderer, self.type, self.locale, self.context)

    def to_outbox(self, now: datetime) -> OutboxMessage:
        """The outbox row: ``topic`` is the message type; the template's values are in ``payload``."""
        return OutboxMessage(
            id=new_id(),
            topic=self.type,
            case_id=self.case_id,
            payload={
                "type": self.type,
                "audience": self.audience,
                "channel": self.channel,
                "recipient": self.recipient,
                "context": dict(self.context),
                "obligation_id": self.obligation_id,
                "body_code": self.body_code,
                "locale": self.locale,
            },
            idempotency_key=self.idempotency_key,
            created_at=now,
            available_at=now,
        )


def render_payload(renderer: Renderer, message_type: str, locale: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """Render a stored message: its template in ``locale`` with ``context`` (see :class:`PlannedMessage`)."""
    subject, body = renderer.render(message_type, locale, context)
    if context.get("provisional_note"):  # every template, the office's own too, says why a date may move
        body = f"{body.rstrip()}\n\n{context['provisional_note']}\n"
    return subject, body


@attrs.frozen
class _Draft:
    type: str
    audience: str
    params: Mapping[str, Any]
    body_code: str | None = None
    obligation_id: str | None = None


class Planner:
    """Plans and renders the messages of recorded events for one office."""

    def __init__(self, config: OfficeConfig, rules: Rules, settings: NotificationSettings | None = None) -> None:
        self.config = config
        self.rules = rules
        self.settings = settings or NotificationSettings.from_config(config)
        self.renderer = Renderer(self.settings.templates_dir)
        self._config_contacts = {b.code: dict(b.contacts) for b in config.bodies}

    # --- public -------------------------------------------------------------------------------

    def handles(self, events: Iterable[Event]) -> bool:
        """Whether any of ``events`` can imply a message (saves reads for those that cannot); by each
        event's registered class, not decoded (an unknown name is refused, as ``Event.data`` refuses it)."""
        return any(issubclass(ev.EVENT_TYPES.get(e.name) or type(e.data), PLANNED_EVENTS) for e in events)

    def plan(
        self, events: Sequence[Event], case: Case | None, petitions: Sequence[Petition] = ()
    ) -> list[PlannedMessage]:
        """Every message the events of one change imply (``case``: the case after the change)."""
        if case is None:
            return []
        opened = {d.clock: d for e in events if isinstance(d := e.data, ev.ObligationOpened)}
        basis = self._basis(events)
        planned: list[PlannedMessage] = []
        for event in events:
            for draft in self._drafts(event, opened, basis):
                planned.extend(self._render(draft, event, case, petitions))
        return planned

    def outbox(
        self, events: Sequence[Event], case: Case | None, petitions: Sequence[Petition], now: datetime
    ) -> list[OutboxMessage]:
        return [m.to_outbox(now) for m in self.plan(events, case, petitions)]

    def staff_messages(self, message_type: str, params: Mapping[str, Any], key: str) -> list[PlannedMessage]:
        """Messages of ``message_type`` to every staff address (e.g. a dead-letter alert)."""
        context = {**self._base_context(None), **params}
        return [
            self._message(message_type, STAFF, channel, address, context, f"{key}:{message_type}:{address}", None)
            for channel, address in self.settings.staff
        ]

    def body_recipients(self, body_code: str) -> list[tuple[str, str]]:
        """``(channel, address)`` of a body, from its rule-pack contacts (or ``[[bodies]] contacts``).

        A body without a usable contact gets a console message addressed ``body:<code>`` so the
        letter owed to it shows in the log and the office can send it on paper.
        """
        info = self.rules.body_info(body_code)
        contacts: dict[str, str] = dict(self._config_contacts.get(body_code, {}))
        if info is not None:
            contacts.update({k: v for k, v in (("email", info.email), ("webhook", info.webhook)) if v})
        found = [(ch, contacts[ch]) for ch in self.settings.body_channels if contacts.get(ch)]
        return found or [("console", f"body:{body_code}")]

    # --- which messages ---------------------------------------------------------------------

    def _basis(self, events: Sequence[Event]) -> str:
        """The provisions a decline or reply of this change cites (``LegalBasisCited``), as the notice
        names them in the office's language: ``《信访工作条例》第三十五条``; empty when none."""
        knowledge = self.rules.knowledge()
        labels = []
        for event in events:
            if isinstance(data := event.data, ev.LegalBasisCited):
                for cited in data.citations:
                    provision = knowledge.provisions.get(cited.partition("@")[0])
                    if provision is not None:
                        labels.append(citation_of(provision, date.min).label(self.config.locale))
        return "、".join(labels) if self.config.locale != "en" else "; ".join(labels)

    def _drafts(self, event: Event, opened: Mapping[str, ev.ObligationOpened], basis: str = "") -> list[_Draft]:
        data = event.data
        p = data.to_payload()  # every field of the event is a template variable

        def due(clock: str) -> str:
            ob = opened.get(clock)
            return DueDate(ob.due, ob.provisional) if ob else ""

        def ob_id(clock: str) -> str | None:
            ob = opened.get(clock)
            return ob.obligation_id if ob else None

        match data:
            case ev.CaseAccepted(note=note):
                return [_Draft("accepted", PETITIONER, {"note": note, "handling_due": due("handling")})]
            case ev.CaseDeclined(reason=reason, channel=channel):
                params = {"reason": reason, "decline_channel": channel, "basis": basis}
                return [_Draft("declined", PETITIONER, params)]
            case ev.CaseTransferred(body_code=body, note=note) | ev.CaseAssigned(body_code=body, note=note):
                mode = "transfer" if isinstance(data, ev.CaseTransferred) else "assignment"
                params = {"mode": mode, "body_code": body, "note": note, "report_due": due("referral_report")}
                letter = "transfer_letter" if mode == "transfer" else "assignment_letter"
                return [
                    _Draft("referred", PETITIONER, params),
                    _Draft(letter, BODY, params, body_code=body, obligation_id=ob_id("referral_report")),
                ]
            case ev.CaseSupervised(reason=reason, body_code=body):
                params = {"reason": reason, "body_code": body, "reply_due": due("supervision_reply")}
                notice = _Draft(
                    "supervision_notice", BODY, params, body_code=body, obligation_id=ob_id("supervision_reply")
                )
                return [notice]
            case ev.HandlingExtended(obligation_id=obligation, new_due=new_due, provisional=provisional):
                params = {**p, "new_due": DueDate(new_due, provisional)}
                return [_Draft("extended", PETITIONER, params, obligation_id=obligation)]
            case (
                ev.ReplyRecorded(outcome=outcome, delivered_on=delivered)
                | ev.ReportRecorded(outcome=outcome, delivered_on=delivered)
            ):
                params = {
                    "outcome": outcome,
                    "delivered_on": delivered,
                    "review_due": due("review_request"),
                    "by_body_code": p.get("body_code") or "",
                    "basis": basis if isinstance(data, ev.ReplyRecorded) else "",
                }
                return [_Draft("reply", PETITIONER, params), _Draft("evaluation_invitation", PETITIONER, params)]
            case ev.ReviewDecided():
                return [_Draft("review_decided", PETITIONER, {**p, "rereview_due": due("rereview_request")})]
            case ev.RereviewDecided():
                return [_Draft("rereview_decided", PETITIONER, p)]
            case ev.ReferralObjected():
                return [_Draft("staff_referral_objected", STAFF, p)]
            case ev.CompetenceDisputeRaised(bodies=bodies):
                return [_Draft("staff_competence_dispute", STAFF, {**p, "bodies": ", ".join(bodies)})]
            case ev.ReferralRefused():
                return [_Draft("staff_referral_refused", STAFF, p)]
            case ev.ReviewRequested():
                return [_Draft("staff_review_requested", STAFF, p)]
            case ev.ReminderQueued():
                return self._reminder_drafts(p)
            case ev.EscalatedToParent(obligation_id=obligation, parent_code=parent):
                return [
                    _Draft("escalation_notice", BODY, p, body_code=parent, obligation_id=obligation),
                    _Draft("staff_escalated", STAFF, p, obligation_id=obligation),
                ]
        return []

    def _reminder_drafts(self, p: Mapping[str, Any]) -> list[_Draft]:
        p = {**p, "due": DueDate(p["due"], bool(p.get("provisional")))}
        ob = p.get("obligation_id")
        overdue = p.get("threshold") == OVERDUE
        if p.get("owed_by") == "body" and p.get("body_code"):
            body_type = "overdue_supervision" if overdue else "report_due"
            drafts = [_Draft(body_type, BODY, dict(p), body_code=p["body_code"], obligation_id=ob)]
            if overdue:
                drafts.append(_Draft("staff_overdue", STAFF, dict(p), obligation_id=ob))
            return drafts
        return [_Draft("staff_overdue" if overdue else "staff_reminder", STAFF, dict(p), obligation_id=ob)]

    # --- to whom, rendered -------------------------------------------------------------------

    def _render(
        self, draft: _Draft, event: Event, case: Case, petitions: Sequence[Petition]
    ) -> Iterable[PlannedMessage]:
        key = f"{case.id}:{event.sequence}:{draft.type}"
        if draft.audience == PETITIONER:
            seen = disclosure(case, petitions, self.rules, Recipient.PETITIONER)
            context = {
                **self._base_context(case),
                **seen.params(self._params(draft.params)),
                **_petitioner_view(case, seen),
            }
            addresses = _petitioner_addresses(case, petitions, self.settings.petitioner_channels)
            for number, (channel, address) in enumerate(addresses, 1):
                ref = f"p-{channel}-{number}"  # keys travel, get logged and outlive the row: nothing of the address
                yield self._message(draft.type, PETITIONER, channel, address, context, f"{key}:{ref}", case, draft)
        elif draft.audience == BODY:
            assert draft.body_code is not None
            recipient = Recipient.PARENT_BODY if draft.type == "escalation_notice" else Recipient.HANDLING_BODY
            seen = disclosure(case, petitions, self.rules, recipient, body_code=draft.body_code)
            if seen.refused is not None:
                yield from self._withheld(draft, seen, key, case)  # 2022 art. 30 ¶3
                return
            context = {
                **self._base_context(case),
                **seen.params(self._params(draft.params)),
                **_body_view(case, petitions, seen),
            }
            for channel, address in self.body_recipients(draft.body_code):
                yield self._message(draft.type, BODY, channel, address, context, f"{key}:{address}", case, draft)
        else:
            context = {**self._base_context(case), **self._params(draft.params)}
            for channel, address in self.settings.staff:
                yield self._message(draft.type, STAFF, channel, address, context, f"{key}:{address}", case, draft)

    def _withheld(self, draft: _Draft, seen: Disclosure, key: str, case: Case) -> Iterable[PlannedMessage]:
        """Staff alerts in place of a body message the policy refused (what, to whom, which rule)."""
        refused = seen.refused
        assert refused is not None
        params = {"action": "message", "body_code": draft.body_code, "rule": refused.rule, "refusal": refused.code}
        context = {**self._base_context(case), **self._params(params)}
        for channel, address in self.settings.staff:
            yield self._message(
                "staff_referral_refused", STAFF, channel, address, context, f"{key}:withheld:{address}", case
            )

    def _message(
        self,
        message_type: str,
        audience: str,
        channel: str,
        address: str,
        context: Mapping[str, Any],
        key: str,
        case: Case | None,
        draft: _Draft | None = None,
    ) -> PlannedMessage:
        locale = self.settings.locale
        return PlannedMessage(
            type=message_type,
            audience=audience,
            channel=channel,
            recipient=address,
            context=_jsonable(_localized(context, locale)),
            idempotency_key=key,
            case_id=case.id if case else None,
            obligation_id=draft.obligation_id if draft else None,
            body_code=draft.body_code if draft else None,
            locale=locale,
            renderer=self.renderer,
        )

    def _base_context(self, case: Case | None) -> dict[str, Any]:
        return {
            "office_name": self.config.office_name,
            "office_code": self.config.office_code,
            "tracking_number": case.first_tracking_number if case else "",
            "kind": case.kind.value if case else "",
            "category": case.category if case else "",
        }

    def _params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(params)
        for key in ("body_code", "parent_code", "by_body_code"):
            code = out.get(key)
            out[key.replace("_code", "_name")] = self._body_name(code) if code else ""
        return out

    def _body_name(self, code: str) -> str:
        info = self.rules.body_info(code)
        if info is not None:
            return info.name(self.settings.locale)
        return next((b.name for b in self.config.bodies if b.code == code), code)


def _body_view(case: Case, petitions: Sequence[Petition], seen: Disclosure) -> dict[str, Any]:
    """What a body may learn of the case and its petitioners, as the policy lets it."""
    people = [shown for pt in petitions if not pt.anonymous for p in pt.petitioners if (shown := seen.person(p))]
    names = list(dict.fromkeys(f"{p.name}{' ' + p.phone if p.phone else ''}" for p in people))
    content = petitions[0].content if petitions else ""
    return {
        "confidential": seen.identity_withheld or case.confidential,
        "subject": seen.text(Item.SUBJECT, case.subject),
        "petitioners": names,
        "content": seen.text(Item.CONTENT, content),
    }


def _petitioner_view(case: Case, seen: Disclosure) -> dict[str, Any]:
    return {"subject": seen.text(Item.SUBJECT, case.subject), "confidential": case.confidential}


def _petitioner_addresses(case: Case, petitions: Sequence[Petition], channels: Sequence[str]) -> list[tuple[str, str]]:
    """Where the petitioners (and their representatives and agents) are reached; none if anonymous."""
    if case.anonymous:
        return []
    found: list[tuple[str, str]] = []
    for petition in petitions:
        if petition.anonymous:
            continue
        for person in petition.petitioners:
            if "email" in channels and person.email:
                found.append(("email", person.email))
            if "sms" in channels and person.phone:
                found.append(("sms", person.phone))
    return list(dict.fromkeys(found))


class DueDate(str):
    """A due date in a message, knowing whether it is provisional (预计: the year's holiday schedule
    is not out); such a date is printed with the word for it and the message explains the rule."""

    provisional: bool

    def __new__(cls, value: str, provisional: bool = False) -> DueDate:
        made = super().__new__(cls, value)
        made.provisional = provisional
        return made


def _jsonable(value: Any) -> Any:
    """The context as stored in the outbox: plain JSON values (a due date's marker is already applied)."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str):
        return str(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def _localized(context: Mapping[str, Any], locale: str) -> dict[str, Any]:
    """Add readable labels (mode, outcome, decline channel, clock) in ``locale``."""
    out = dict(context)
    t = i18n.translate
    provisional = [k for k, v in context.items() if isinstance(v, DueDate) and v.provisional]
    for key in provisional:
        out[key] = t("notifications.provisional_date", locale, date=str(context[key]))
    out["provisional_note"] = t("notifications.provisional_note", locale) if provisional else ""
    if context.get("mode"):
        out["mode_label"] = t(f"notifications.mode.{context['mode']}", locale)
    if context.get("outcome"):
        out["outcome_label"] = t(f"notifications.outcome.{context['outcome']}", locale)
    if context.get("decline_channel"):
        out["channel_label"] = t(f"notifications.channel.{context['decline_channel']}", locale)
    if context.get("clock"):
        out["clock_label"] = t(f"clock.{context['clock']}", locale)
    if context.get("action"):
        key = f"action.{context['action']}"
        out["action_label"] = t(key, locale) if key in i18n.CATALOG else str(context["action"])
    out["withheld"] = t("notifications.withheld", locale)
    return out
