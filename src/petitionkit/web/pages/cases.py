"""The case page (信访事项): its petitions (redacted per role), its timeline, every clock with why it
falls due when it does, the actions its state and the principal's role allow, and its documents.

Everything is read and done as the signed-in principal through the service: a handling body's user
reads only a case referred to its body, through the redaction policy, and never an accusation against
it; any other case answers 404 exactly as a case that does not exist (no leak of existence).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect

from petitionkit.documents.kinds import KINDS, Audience
from petitionkit.domain.access import Permission
from petitionkit.domain.casework import Investigation
from petitionkit.domain.model import Case
from petitionkit.errors import FieldError, InvalidInput, NotFound, PermissionDenied, PetitionkitError
from petitionkit.i18n import CATALOG
from petitionkit.web import case_actions, casework_view, forms, render
from petitionkit.web.context import Visit
from petitionkit.web.pages import NavItem

CASE = "/cases/{case_ref:str}"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PURPOSE = casework_view.PURPOSE
LIST_INPUTS = frozenset({"citations", "investigators", "places"})
DONE = frozenset({*case_actions.ACTIONS, *casework_view.FORMS})
CHOICE_KEYS = {
    "outcome": "web.pages.outcome.",
    "rating": "web.pages.rating.",
    "decline_channel": "decline_channel.",
    "mode": "web.pages.mode.",
}


def _staff(visit: Visit) -> bool:
    return visit.principal is not None and not visit.principal.is_body


def visible_case(visit: Visit, case_ref: str) -> Case:
    """The case as the principal may read it; 404 for a case it may not see, as for one that does not exist."""
    try:
        return visit.office.case(case_ref)
    except (NotFound, PermissionDenied):
        raise NotFoundException() from None


def category_label(visit: Visit, code: str) -> str:
    """A category's words in the visitor's language (the code itself when the pack does not know it)."""
    words = visit.office.rules.categories().get(code)
    return words(visit.locale) if words is not None else code


def event_label(name: str, locale: str) -> str:
    key = "web.pages.event." + name
    return CATALOG[key].get(locale, CATALOG[key]["zh-CN"]) if key in CATALOG else name


def _case_page(
    visit: Visit,
    case: Case,
    *,
    failed: str = "",
    form: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    refusal: str = "",
    done: str = "",
    beside: Mapping[str, str] | None = None,
) -> Response[str]:
    office = visit.office
    ref = case.first_tracking_number
    petitions = office.petitions(ref, purpose=PURPOSE) if visit.may(Permission.READ_PERSONAL_DATA) else []
    events = office.events(ref) if _staff(visit) else []
    clocks = office.explain_obligations(ref)
    actions = case_actions.offered(office, case)
    staff_documents = _staff(visit) and visit.may(Permission.READ_PERSONAL_DATA)
    me = visit.principal.id if visit.principal else ""
    panel = casework_view.casework_panel(visit, case)
    status = 422 if (errors or refusal or beside) and not visit.request.headers.get("hx-request") else 200
    names = [*case_actions.input_names(actions), *casework_view.field_names()]
    shown = forms.form_errors((_listed(e) for e in errors or ()), visit.locale, names)
    if refusal:
        shown = attrs.evolve(shown, general=(*shown.general, refusal))
    if beside:
        shown = attrs.evolve(shown, by_field={**shown.by_field, **{forms.field_id(k): (v,) for k, v in beside.items()}})
    return visit.page(
        "case.html",
        status=status,
        case=case,
        petitions=petitions,
        events=events,
        clocks=clocks,
        actions=actions,
        documents=sorted(KINDS) if staff_documents else [],
        audience={k: v.audience == Audience.BODY for k, v in KINDS.items()},
        body_options=[(b.code, f"{b.name}（{b.code}）") for b in office.rules.bodies()],
        approver_options=[(p.id, p.name or p.id) for p in office.config.principals if p.id != me],
        choice_options=lambda kind: [(v, visit.t(CHOICE_KEYS[kind] + v)) for v in case_actions.CHOICES[kind]],
        action_title=lambda name: visit.t("web.pages.action." + name),
        failed=failed,
        form=form or {},
        errors=shown,
        field_id=forms.field_id,
        done=done,
        zone=office.zone,
        event_label=event_label,
        category=category_label(visit, case.category),
        is_staff=_staff(visit),
        panel=panel,
        base=f"{render.PREFIX}/cases/{ref}",
        casework_choices=lambda kind: [(v, visit.t(f"web.casework.{kind}.{v}")) for v in casework_view.CHOICES[kind]],
        staff_options=[(p.id, p.name or p.id) for p in office.config.principals if not p.principal().is_body],
        petition_options=[(p.tracking_number, p.tracking_number) for p in petitions],
        attachment_options=[(a.id, a.filename) for a in panel.attachments or ()],
        findings_options=[(i.id, _investigation_label(i, office.zone)) for i in panel.with_findings],
        open_options=[(i.id, _investigation_label(i, office.zone)) for i in panel.open_investigations],
        provision_label=_provision_label,
    )


def _listed(error: FieldError) -> FieldError:
    """An error of one item of a list input (``citations[1]``) is shown beside the list (``citations``)."""
    base = error.field.split("[", 1)[0]
    return attrs.evolve(error, field=base) if base in LIST_INPUTS else error


def _investigation_label(investigation: Investigation, zone: ZoneInfo) -> str:
    """How a form names an investigation: when it was planned and its purpose's first words."""
    purpose = investigation.purpose if len(investigation.purpose) <= 30 else investigation.purpose[:30] + "…"
    return f"{investigation.planned_at.astimezone(zone):%Y-%m-%d} · {purpose}"


def _provision_label(item: Any, locale: str) -> str:
    """``《信访工作条例》第三十条`` of a provision or a citation (both have a title and an article)."""
    title, article = item.title(locale), item.article(locale)
    return f"{title}{article}" if locale != "en" else f"{title}, {article}"


def case_page_again(
    visit: Visit,
    case: Case,
    failed: str,
    form: Mapping[str, str],
    *,
    errors: list[FieldError] | None = None,
    refusal: str = "",
    beside: Mapping[str, str] | None = None,
) -> Response[str]:
    """The case page with ``failed``'s form open, keeping what was typed, its errors beside its fields."""
    return _case_page(visit, case, failed=failed, form=dict(form), errors=errors, refusal=refusal, beside=beside)


@get("/cases", sync_to_thread=True, name="web.cases")
def case_list(visit: NamedDependency[Visit], q: FromQuery[str] = "", page: FromQuery[int] = 1) -> Response[str]:
    """Cases of the office (a body's user: those referred to its body), newest last, searched by text."""
    size = visit.workspace.settings.page_size
    page = max(page, 1)
    found = visit.office.search(
        text=q.strip() or None, limit=size + 1, offset=(page - 1) * size, purpose="workspace case list"
    )
    return visit.page(
        "cases.html",
        cases=found[:size],
        more=len(found) > size,
        page=page,
        q=q,
        zone=visit.office.zone,
        category=lambda code: category_label(visit, code),
    )


@get(CASE, sync_to_thread=True, name="web.case")
def case_page(visit: NamedDependency[Visit], case_ref: FromPath[str], done: FromQuery[str] = "") -> Response[str]:
    """One case: petitions, timeline, clocks with their explanation, actions and documents."""
    case = visible_case(visit, case_ref)
    return _case_page(visit, case, done=done if done in DONE else "")


@post(CASE + "/actions/{action:str}", sync_to_thread=True, status_code=200, name="web.pages.case.act")
def case_action(
    visit: NamedDependency[Visit], case_ref: FromPath[str], action: FromPath[str], data: URLEncodedBody[dict[str, str]]
) -> Response[Any]:
    """Do one lifecycle action as the principal; the service decides whether it may (403 otherwise)."""
    case = visible_case(visit, case_ref)
    chosen = case_actions.ACTIONS.get(action)
    if chosen is None:
        raise NotFoundException()
    ref = case.first_tracking_number
    try:
        changed = chosen.run(visit.office, ref, case_actions.values(chosen, data))
    except InvalidInput as error:
        return _case_page(visit, case, failed=action, form=dict(data), errors=list(error.errors))
    except PermissionDenied:
        raise
    except PetitionkitError as refused:  # e.g. the protection rule: the page again, the reason at the top
        return _case_page(visit, case, failed=action, form=dict(data), refusal=refused.message(visit.locale))
    target = f"{render.PREFIX}/cases/{changed.first_tracking_number}?done={action}"
    return Redirect(path=target, status_code=303)


@post(CASE + "/documents/{kind:str}", sync_to_thread=True, status_code=200, name="web.pages.case.document")
def case_document(visit: NamedDependency[Visit], case_ref: FromPath[str], kind: FromPath[str]) -> Response[bytes]:
    """A formal document of the case (e.g. the transfer letter) made now, as a Word file to download.

    A POST (with the CSRF token, as every write): the first making numbers the document in the
    register and records ``DocumentIssued`` on the case, a change no link or image may trigger.
    """
    from petitionkit.documents import make_document  # noqa: PLC0415 - docxtpl loads only here
    from petitionkit.reports.extra import require_reports_extra  # noqa: PLC0415

    case = visible_case(visit, case_ref)
    if kind not in KINDS:
        raise NotFoundException()
    require_reports_extra()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.docx"
        made = make_document(visit.office, kind, case.first_tracking_number, path, purpose=PURPOSE)
        content = path.read_bytes()
    name = f"{made.document}-{case.first_tracking_number}.docx".replace('"', "")
    return Response(
        content,
        media_type=DOCX,
        headers={**render.SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
    )


HANDLERS = [case_list, case_page, case_action, case_document]
NAV = (NavItem("/cases", "web.pages.nav.cases", order=15, permission=Permission.READ_PERSONAL_DATA, shown=_staff),)
