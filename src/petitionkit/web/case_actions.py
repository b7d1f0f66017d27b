"""The case page's actions: each lifecycle action (``lifecycle.TRANSITIONS``) as a form and the
service call it makes.

Which actions a case offers comes from the state machine (``lifecycle.ALLOWED[case.state]``) and the
acting principal's permission on that case (``AccessControl.allowed``, the same check the service
makes when the form is sent).  Each :class:`Action` names its inputs (as the service names its
arguments, so the service's field errors land beside them) and turns a posted form into the call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from petitionkit.domain.access import Permission
from petitionkit.domain.lifecycle import ALLOWED
from petitionkit.domain.model import Case, DeclineChannel, EvaluationRating, ReferralMode, ReplyOutcome
from petitionkit.errors import FieldError, InvalidInput
from petitionkit.service import Office
from petitionkit.web import forms


@attrs.frozen
class Input:
    """One input of an action's form: ``kind`` is text, area, date, number, choice (``choices``), body, principal,
    provisions (a checkbox per provision of the case's knowledge, each named ``cite:<id>``: a list of ids) or
    findings (an investigation of the case with findings, or none)."""

    name: str
    kind: str = "text"
    required: bool = False
    choices: str = ""  # the enum whose values a choice offers: outcome, rating, decline_channel, mode


@attrs.frozen
class Action:
    name: str  # the lifecycle action (i18n ``action.<name>``)
    permission: Permission
    inputs: tuple[Input, ...]
    run: Callable[[Office, str, Mapping[str, Any]], Case]


CHOICES: Mapping[str, tuple[str, ...]] = {
    "outcome": tuple(o.value for o in ReplyOutcome),
    "rating": tuple(r.value for r in EvaluationRating),
    "decline_channel": tuple(c.value for c in DeclineChannel),
    "mode": tuple(m.value for m in ReferralMode),
}

_REASON = Input("reason", "area", required=True)
_TEXT = Input("text", "area", required=True)
_OUTCOME = Input("outcome", "choice", required=True, choices="outcome")
_DELIVERED = Input("delivered_on", "date")
_CITATIONS = Input("citations", "provisions")
CITE = "cite:"  # the prefix of a provision's checkbox: ``cite:xfgztl-2022-art31``


def cited(form: Mapping[str, str]) -> list[str]:
    """The provision ids ticked in ``form`` (its ``cite:<id>`` checkboxes), in the form's order."""
    return [name.removeprefix(CITE) for name, value in form.items() if name.startswith(CITE) and value]


def _refer(office: Office, ref: str, v: Mapping[str, Any]) -> Case:
    if v["mode"] == ReferralMode.ASSIGNMENT.value:
        return office.assign(ref, body=v["body"], note=v["note"], report_days=v["report_days"])
    return office.transfer(ref, body=v["body"], note=v["note"])


ACTIONS: Mapping[str, Action] = {
    a.name: a
    for a in (
        Action("accept", Permission.SCREEN, (Input("note", "area"),), lambda o, r, v: o.accept(r, note=v["note"])),
        Action(
            "decline",
            Permission.SCREEN,
            (_REASON, Input("channel", "choice", required=True, choices="decline_channel"), _CITATIONS),
            lambda o, r, v: o.decline(r, reason=v["reason"], channel=v["channel"], citations=v["citations"]),
        ),
        # transfer and assign are one form ("refer"): the mode is chosen in it
        Action(
            "refer",
            Permission.REFER,
            (
                Input("mode", "choice", required=True, choices="mode"),
                Input("body", "body", required=True),
                Input("report_days", "number"),
                Input("note", "area"),
            ),
            _refer,
        ),
        Action("object", Permission.OBJECT, (_REASON,), lambda o, r, v: o.record_objection(r, reason=v["reason"])),
        Action(
            "extend",
            Permission.EXTEND_REQUEST,
            (Input("days", "number", required=True), _REASON, Input("approved_by", "principal", required=True)),
            lambda o, r, v: o.extend(r, days=v["days"] or 0, reason=v["reason"], approved_by=v["approved_by"]),
        ),
        Action("supervise", Permission.REFER, (_REASON,), lambda o, r, v: o.supervise(r, reason=v["reason"])),
        Action(
            "record_report",
            Permission.RECORD_REPORT,
            (_OUTCOME, _TEXT, _DELIVERED),
            lambda o, r, v: o.record_report(r, outcome=v["outcome"], text=v["text"], delivered_on=v["delivered_on"]),
        ),
        Action(
            "record_feedback",
            Permission.RECORD_FEEDBACK,
            (_TEXT, Input("received_on", "date")),
            lambda o, r, v: o.record_feedback(r, text=v["text"], received_on=v["received_on"]),
        ),
        Action(
            "reply",
            Permission.REPLY,
            (_OUTCOME, _TEXT, _DELIVERED, _CITATIONS, Input("findings_of", "findings")),
            lambda o, r, v: o.reply(
                r,
                outcome=v["outcome"],
                text=v["text"],
                delivered_on=v["delivered_on"],
                citations=v["citations"],
                findings_of=v["findings_of"] or None,
            ),
        ),
        Action(
            "evaluate",
            Permission.REPLY,
            (Input("rating", "choice", required=True, choices="rating"), Input("comment", "area")),
            lambda o, r, v: o.evaluate(r, rating=v["rating"], comment=v["comment"]),
        ),
        Action(
            "request_review",
            Permission.RECORD_REVIEW,
            (_REASON, Input("organ", required=True), Input("requested_on", "date")),
            lambda o, r, v: o.request_review(r, reason=v["reason"], organ=v["organ"], requested_on=v["requested_on"]),
        ),
        Action(
            "decide_review",
            Permission.RECORD_REVIEW,
            (_OUTCOME, Input("opinion", "area", required=True), _DELIVERED),
            lambda o, r, v: o.decide_review(
                r, outcome=v["outcome"], opinion=v["opinion"], delivered_on=v["delivered_on"]
            ),
        ),
        Action(
            "request_rereview",
            Permission.RECORD_REVIEW,
            (_REASON, Input("organ", required=True), Input("requested_on", "date")),
            lambda o, r, v: o.request_rereview(r, reason=v["reason"], organ=v["organ"], requested_on=v["requested_on"]),
        ),
        Action(
            "decide_rereview",
            Permission.RECORD_REVIEW,
            (_OUTCOME, Input("opinion", "area", required=True)),
            lambda o, r, v: o.decide_rereview(r, outcome=v["outcome"], opinion=v["opinion"]),
        ),
        Action("terminate", Permission.TERMINATE, (_REASON,), lambda o, r, v: o.terminate(r, reason=v["reason"])),
        Action(
            "withdraw",
            Permission.TERMINATE,
            (Input("reason", "area"),),
            lambda o, r, v: o.withdraw(r, reason=v["reason"]),
        ),
    )
}


def lifecycle_action(name: str) -> str:
    """The state machine's name of a form's action (``refer`` is transfer or assign)."""
    return "transfer" if name == "refer" else name


def offered(office: Office, case: Case) -> list[Action]:
    """The actions ``case``'s state admits that the acting principal may do on it, in the table's order."""
    assert office.principal is not None
    allowed = set(ALLOWED[case.state])
    return [
        a
        for a in ACTIONS.values()
        if lifecycle_action(a.name) in allowed and office.access.allowed(office.principal, a.permission, case)
    ]


def values(action: Action, form: Mapping[str, str]) -> dict[str, Any]:
    """The posted ``form`` as the action's arguments; a value a form cannot carry is an :class:`InvalidInput`."""
    errors: list[FieldError] = []
    out: dict[str, Any] = {}
    for item in action.inputs:
        if item.kind == "date":
            out[item.name] = forms.optional_date(form, item.name, errors)
        elif item.kind == "number":
            out[item.name] = forms.integer(form, item.name, errors)
        elif item.kind == "provisions":
            out[item.name] = cited(form)
        else:
            out[item.name] = form.get(item.name, "")
        if item.required and out[item.name] in ("", None) and not any(e.field == item.name for e in errors):
            errors.append(FieldError(item.name, "required"))
        if item.choices and out[item.name] and out[item.name] not in CHOICES[item.choices]:
            errors.append(FieldError(item.name, "choice", {"choices": ", ".join(CHOICES[item.choices])}))
    if errors:
        raise InvalidInput(errors)
    return out


def input_names(actions: Sequence[Action]) -> list[str]:
    return sorted({i.name for a in actions for i in a.inputs})
