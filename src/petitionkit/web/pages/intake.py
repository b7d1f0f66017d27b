"""Intake (登记): the registration form for letters, visits and calls, the repeat check before saving,
and the slip with the petitioner's query code (查询码).

One post registers through ``Office.register(..., refuse_repeats=True)``: the service's normaliser and
rules name every bad field at once (shown beside each field), and when the petition looks like a repeat
(重复信访) nothing is stored and the candidates are shown; the clerk then links the petition to one of
them (``joins_case``) or registers it as a new matter with a reason (``new_reason``, on record).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import URLEncodedBody

from petitionkit.domain.access import Permission
from petitionkit.domain.drafts import check_draft
from petitionkit.domain.model import Channel, PetitionerRole, PetitionKind
from petitionkit.domain.normalise import normalised_draft
from petitionkit.errors import FieldError, InvalidInput
from petitionkit.serialization import structure_draft
from petitionkit.service.repeats import RepeatCandidate, RepeatSuspected
from petitionkit.web import forms
from petitionkit.web.context import Visit
from petitionkit.web.pages import NavItem

#: The channels a clerk registers at the desk (online petitions and referrals arrive by the API).
DESK_CHANNELS = (Channel.VISIT, Channel.LETTER, Channel.PHONE, Channel.FAX, Channel.ONLINE)


def _staff(visit: Visit) -> bool:
    return visit.principal is not None and not visit.principal.is_body


def _form_page(
    visit: Visit,
    form: dict[str, str],
    errors: forms.FormErrors | None = None,
    candidates: tuple[RepeatCandidate, ...] = (),
    status: int = 200,
) -> Response[str]:
    rules = visit.office.rules
    if visit.request.headers.get("hx-request"):
        status = 200  # htmx swaps only successful answers; the form with its errors is one
    return visit.page(
        "intake.html",
        status=status,
        form=form,
        errors=errors or forms.FormErrors(),
        field_id=forms.field_id,
        candidates=candidates,
        channels=[(c.value, visit.t("web.pages.channel." + c.value)) for c in DESK_CHANNELS],
        kinds=[("", visit.t("web.pages.choose"))]
        + [(k.value, visit.t("web.pages.kind." + k.value)) for k in PetitionKind],
        roles=[(r.value, visit.t("web.pages.role." + r.value)) for r in PetitionerRole],
        categories=[("", visit.t("web.pages.choose"))]
        + [(code, f"{code} {words(visit.locale)}") for code, words in sorted(rules.categories().items())],
        rows=range(forms.PETITIONER_ROWS),
    )


@get("/intake", sync_to_thread=True, name="web.intake")
def intake_form(visit: NamedDependency[Visit]) -> Response[str]:
    """An empty registration form (a visit received now, in the office's time zone)."""
    visit.office.access.require(Permission.REGISTER)
    now = visit.office.now().astimezone(visit.office.zone)
    form = {"channel": Channel.VISIT.value, "received_at": now.strftime("%Y-%m-%dT%H:%M"), "headcount": "1"}
    return _form_page(visit, form)


#: Stand-ins for a choice left empty, so the other fields are still checked (the empty one is reported).
STAND_INS = {"kind": PetitionKind.CLAIM.value, "channel": Channel.LETTER.value}


def _draft_problems(visit: Visit, draft: dict[str, Any]) -> list[FieldError]:
    """Every problem of ``draft`` by the service's own normaliser and rules, nothing stored: used when the
    service stopped at the first of them (a choice left empty cannot even be read as a draft) or the form
    itself had a value it cannot carry, so the clerk sees every bad field at once."""
    found: list[FieldError] = []
    trial = dict(draft)
    try:
        structured = structure_draft(trial)
    except InvalidInput as error:
        found.extend(error.errors)
        trial.update({e.field: STAND_INS[e.field] for e in error.errors if e.field in STAND_INS})
        try:
            structured = structure_draft(trial)
        except InvalidInput:
            return found
    normalised, refused = normalised_draft(structured, visit.office.rules.categories())
    later = check_draft(normalised, visit.office.now(), visit.office.rules)
    return _merged(found, _merged(refused, later))  # as the service: the normaliser's first, one per field


def _merged(first: list[FieldError], more: list[FieldError]) -> list[FieldError]:
    """``first``, then each of ``more`` about a field ``first`` does not name."""
    named = {e.field for e in first}
    return [*first, *(e for e in more if e.field not in named)]


@post("/intake", sync_to_thread=True, status_code=200, name="web.pages.intake.save")
def intake_save(visit: NamedDependency[Visit], data: URLEncodedBody[dict[str, str]]) -> Response[str]:
    """Register the petition, or show the form again with its errors or the repeat candidates."""
    office = visit.office
    form = forms.compacted_form(data)
    draft, bad = forms.intake_draft(form, office.zone)
    decision = form.get("decision", "")
    new_reason: str | None = None
    if decision.startswith("join:"):
        draft["joins_case"] = decision.removeprefix("join:")
    elif decision == "new":
        new_reason = form.get("new_reason", "")
    shown = forms.intake_fields()
    if bad:
        problems = _merged(bad, _draft_problems(visit, draft))
        return _form_page(visit, form, forms.form_errors(problems, visit.locale, shown), status=422)
    try:
        registration = office.register(draft, refuse_repeats=True, new_reason=new_reason)
    except InvalidInput as error:
        problems = _merged(list(error.errors), _draft_problems(visit, draft))
        return _form_page(visit, form, forms.form_errors(problems, visit.locale, shown), status=422)
    except RepeatSuspected as suspected:
        return _form_page(visit, form, candidates=suspected.candidates, status=409)
    case = registration.case
    received = datetime.fromisoformat(draft["received_at"]).astimezone(office.zone)
    return visit.page(
        "intake_slip.html",
        registration=registration,
        tracking_number=registration.petition.tracking_number,
        case=case,
        joined=registration.joined_existing_case,
        received=received,
        petition=attrs.evolve(registration.petition, petitioners=()),  # the slip names no one
    )


HANDLERS = [intake_form, intake_save]
NAV = (NavItem("/intake", "web.pages.nav.intake", order=20, permission=Permission.REGISTER, shown=_staff),)
