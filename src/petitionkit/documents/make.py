"""Making formal documents from Word templates (docxtpl), with the placeholders checked first.

Templates: the office's own folder first (``[settings.documents] templates``, default ``templates``
next to petitionkit.toml), then the defaults shipped with petitionkit.  A template is rejected with
:class:`TemplateError` naming every unknown or missing placeholder before anything is written.

What a document may state is decided by the redaction policy (:mod:`petitionkit.redaction`), the
same one every other path out of the office uses: a document to a body (transfer and assignment
letters, supervision notices) is refused, and the refusal recorded as a ``DocumentRefused`` event,
when the body is guarded against the case or an accusation's respondent is unresolved; otherwise a
protected petitioner's identity reads ``（依法保密）`` and is struck (``***``) from every text the
document quotes (2022 art. 30 para. 3).

Templates are office-supplied, so they are data, not code: docxtpl renders them in Jinja's sandbox
(:mod:`petitionkit.sandbox`) with the Word XML autoescaped, and a template that looks into a
placeholder's attributes, calls anything or names ``_`` members is refused by the check that runs
before every document (and by ``petitionkit document check-templates``).

Size: just over 500 lines: each document kind's values are filled in one place (``_values``), so
a clerk's question "where does this date in the letter come from" has one answer.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import attrs
import jinja2
from docxtpl import DocxTemplate  # type: ignore[import-untyped]

from petitionkit.config import OfficeConfig
from petitionkit.documents.acts import document_act
from petitionkit.documents.kinds import IDENTITY, KINDS, Audience, DocumentKind
from petitionkit.domain.clocks import Clock
from petitionkit.domain.event_types import (
    CaseAccepted,
    CaseSupervised,
    DocumentRefused,
    DomainEvent,
    HandlingExtended,
)
from petitionkit.domain.events import Event
from petitionkit.domain.model import Case, Obligation, Person, Petition, ReferralMode
from petitionkit.domain.recorded import check_day
from petitionkit.errors import FieldError, InvalidInput, NotNotifiable, PetitionkitError, ProtectionRefusal
from petitionkit.files import PRIVATE_MODE
from petitionkit.i18n import translate
from petitionkit.redaction import STRUCK, Disclosure, Item, Recipient, disclosure
from petitionkit.reports import labels as _labels  # noqa: F401 - registers the words used here
from petitionkit.reports.labels import region_label
from petitionkit.reports.periods import chinese_date
from petitionkit.sandbox import Policy, UnsafeTemplate, environment

T = TypeVar("T", bound=DomainEvent)

DEFAULT_FOLDER = "templates"
REDACTED = "（依法保密）"
__all__ = ["REDACTED", "STRUCK"]  # re-exported: templates and tests refer to them here


class TemplateError(PetitionkitError):
    """A document template uses an unknown placeholder, lacks a required one, or cannot be read."""

    code = "template"
    exit_code = 7
    key = "error.template_placeholders"

    def __init__(
        self,
        document: str,
        template: str,
        *,
        unknown: Iterable[str] = (),
        missing: Iterable[str] = (),
        unreadable: str | None = None,
    ) -> None:
        super().__init__()
        self.document, self.template = document, template
        self.unknown, self.missing = tuple(sorted(unknown)), tuple(sorted(missing))
        self.unreadable = unreadable

    def details(self, locale: str) -> str:
        parts = []
        if self.unknown:
            parts.append(translate("template.unknown", locale, names=", ".join(self.unknown)))
        if self.missing:
            parts.append(translate("template.missing", locale, names=", ".join(self.missing)))
        if self.unreadable:
            parts.append(translate("template.unreadable", locale, reason=self.unreadable))
        return "; ".join(parts)

    def params(self, locale: str) -> dict[str, Any]:
        return {
            "template": self.template,
            "document": translate(f"document.{self.document}", locale),
            "details": self.details(locale),
        }

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.update(
            document=self.document, template=self.template, unknown=list(self.unknown), missing=list(self.missing)
        )
        return data


class DocumentNotApplicable(PetitionkitError):
    """The case has no record the document would state (e.g. a non-acceptance notice for an accepted case)."""

    code = "document_not_applicable"
    exit_code = 3
    key = "error.document_not_applicable"

    def __init__(self, case: str, document: str, reason: str, **params: str) -> None:
        super().__init__()
        self.case, self.document, self.reason, self.reason_params = case, document, reason, params

    def params(self, locale: str) -> dict[str, Any]:
        extra = {k: translate(v, locale) if v.startswith("action.") else v for k, v in self.reason_params.items()}
        return {
            "case": self.case,
            "document": translate(f"document.{self.document}", locale),
            "reason": translate(f"reason.{self.reason}", locale, **extra),
        }


# --- templates ------------------------------------------------------------------------------------


@attrs.frozen
class TemplateCheck:
    """The outcome of checking one template."""

    document: str
    path: str
    source: str  # "office" or "default"
    ok: bool
    unknown: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    error: str | None = None


def kind_of(name: str) -> DocumentKind:
    """The document type called ``name`` (raises :class:`InvalidInput` listing the types)."""
    try:
        return KINDS[name]
    except KeyError:
        raise InvalidInput([FieldError("KIND", "choice", {"choices": ", ".join(KINDS)})]) from None


def office_template_folder(config: OfficeConfig) -> Path:
    """Where the office keeps its own templates (``[settings.documents] templates``, relative to the config)."""
    settings = dict(config.settings.get("documents", {}))
    folder = Path(str(settings.get("templates", DEFAULT_FOLDER))).expanduser()
    return folder if folder.is_absolute() else Path(config.base_dir) / folder


def default_template(kind: DocumentKind) -> Path:
    return Path(str(resources.files("petitionkit.documents").joinpath("templates", kind.file_name)))


def template_for(kind: DocumentKind, config: OfficeConfig) -> tuple[Path, str]:
    """The template an office uses for ``kind`` and where it comes from (``office`` or ``default``)."""
    own = office_template_folder(config) / kind.file_name
    if own.is_file():
        return own, "office"
    return default_template(kind), "default"


#: Placeholders are plain values: no attribute, call or ``_`` name (unknown names are reported by the check).
POLICY = Policy()


def _environment() -> jinja2.Environment:
    return environment(POLICY, autoescape=True)  # Word's XML: a value with "<" or "&" stays text


def check_template(kind: DocumentKind, path: Path) -> DocxTemplate:
    """Load ``path`` and check its placeholders against ``kind``; raise :class:`TemplateError` if wrong."""
    try:
        template = DocxTemplate(str(path))
        used = set(template.get_undeclared_template_variables(jinja_env=_environment()))
    except UnsafeTemplate as exc:
        raise TemplateError(kind.name, str(path), unreadable=exc.message or "unsafe template") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(kind.name, str(path), unreadable=f"line {exc.lineno}: {exc.message}") from None
    except Exception as exc:  # not a zip, not a Word file, ...
        raise TemplateError(kind.name, str(path), unreadable=type(exc).__name__) from None
    unknown = used - kind.placeholders
    missing = kind.required - used
    if unknown or missing:
        raise TemplateError(kind.name, str(path), unknown=unknown, missing=missing)
    return template


def check_templates(config: OfficeConfig) -> list[TemplateCheck]:
    """Check the template every document type would use for this office."""
    found = []
    for kind in KINDS.values():
        path, source = template_for(kind, config)
        try:
            check_template(kind, path)
        except TemplateError as exc:
            found.append(TemplateCheck(kind.name, str(path), source, False, exc.unknown, exc.missing, exc.unreadable))
        else:
            found.append(TemplateCheck(kind.name, str(path), source, True))
    return found


def export_templates(folder: str | os.PathLike[str], *, overwrite: bool = False) -> list[Path]:
    """Copy the default templates into ``folder`` for an office to edit; existing files are kept unless asked."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in KINDS.values():
        destination = target / kind.file_name
        if destination.exists() and not overwrite:
            continue
        destination.write_bytes(default_template(kind).read_bytes())
        written.append(destination)
    return written


# --- values -----------------------------------------------------------------------------------------


#: Follows a due date counted before its year's holiday schedule was out (预计), in every document.
PROVISIONAL_MARK = "（预计，以国务院办公厅公布的节假日安排为准）"


def _due_day(obligation: Obligation) -> str:
    """A due date as a formal document writes it, marked when it is provisional."""
    return chinese_date(obligation.due) + (PROVISIONAL_MARK if obligation.basis.provisional else "")


def _day(value: date | datetime | None, zone: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(zone).date()
    return chinese_date(value)


def _people(petitions: Sequence[Petition]) -> list[Person]:
    return [person for p in petitions for person in p.petitioners]


def _referral_body(kind: DocumentKind, case: Case) -> str | None:
    if kind.name == "transfer-letter":
        mode = ReferralMode.TRANSFER
    elif kind.name in ("assignment-letter", "supervision-notice"):
        mode = ReferralMode.ASSIGNMENT
    else:
        return None
    referral = next((r for r in reversed(case.referrals) if r.mode is mode), None)
    return referral.body_code if referral else None


def document_disclosure(kind: DocumentKind, record: CaseRecord, rules: Any) -> Disclosure:
    """What a document of ``kind`` may state, by the redaction policy (its ``refused`` says if none)."""
    if kind.audience is Audience.BODY:
        body = _referral_body(kind, record.case)
        if body is not None:
            return disclosure(
                record.case, record.petitions, rules, Recipient.HANDLING_BODY, body_code=body, action="document"
            )
    return disclosure(record.case, record.petitions, rules, Recipient.PETITIONER)


def _last_event(events: Sequence[Event], kind: type[T]) -> tuple[Event, T] | None:
    """The latest event of class ``kind``, with its typed data."""
    for event in reversed(events):
        data = event.data
        if isinstance(data, kind):
            return event, data
    return None


@attrs.frozen
class CaseRecord:
    """Everything a document may state about one case."""

    case: Case
    petitions: tuple[Petition, ...]
    events: tuple[Event, ...]


def document_values(  # noqa: PLR0915 - one document type after another
    kind: DocumentKind,
    record: CaseRecord,
    *,
    office: Any,
    issue_date: date,
) -> dict[str, Any]:
    """The value of every placeholder of ``kind`` for the case (identity withheld where the law says so)."""
    case, petitions, events = record.case, record.petitions, record.events
    config: OfficeConfig = office.config
    rules = office.rules
    zone = office.zone
    settings = dict(config.settings.get("documents", {}))
    first = petitions[0] if petitions else None
    people = _people(petitions)
    seen = document_disclosure(kind, record, rules)
    if seen.refused is not None:
        raise seen.refused
    if kind.audience is Audience.PETITIONER and (case.anonymous or not people):
        raise NotNotifiable("notify")
    categories = rules.categories()
    category = categories.get(case.category)
    values: dict[str, Any] = {
        "office_name": config.office_name,
        "issuer": str(settings.get("issuer", config.office_name)),
        "header_organ": str(settings.get("header", settings.get("issuer", config.office_name))),
        "document_number": "",  # filled from the register by make_document
        "contact_phone": str(settings.get("contact_phone", "")),
        "issue_date": chinese_date(issue_date),
        "tracking_number": case.first_tracking_number,
        "subject": seen.text(Item.SUBJECT, case.subject),
        "received_date": _day(first.received_at if first else case.opened_at, zone),
        "category": category("zh-CN") if category is not None else case.category,
        "region_code": case.region_code,
        "region_name": region_label(case.region_code, "zh-CN"),
        "kind_label": translate(f"report.kind.{case.kind.value}"),
        "channel_label": translate(f"report.channel.{first.channel.value}") if first else "",
    }
    # A document to the petitioner is addressed to the first petitioner, who may read their own
    # identity; anyone else appears only as the policy lets the recipient see them.
    addressee = people[0] if people and kind.audience is Audience.PETITIONER else None
    shown = [p for p in people if p == addressee or seen.person(p) is not None]
    if case.anonymous or not people:
        identity = dict.fromkeys(IDENTITY, translate("document.anonymous"))
    elif not shown:
        identity = dict.fromkeys(IDENTITY, REDACTED)
    else:
        head = shown[0]
        identity = {
            "petitioner_name": "、".join(dict.fromkeys(p.name for p in shown)),
            "petitioner_id_number": head.id_number or "",
            "petitioner_phone": head.phone or "",
            "petitioner_address": head.address or "",
            "petitioner_email": head.email or "",
        }
    values.update(identity)
    values["content"] = seen.text(Item.CONTENT, "\n".join(p.content for p in petitions[:1]))
    note = partial(seen.text, Item.NOTES)

    def body_name(code: str) -> str:
        info = rules.body_info(code)
        if info is not None:
            return str(info.name("zh-CN"))
        return next((b.name for b in rules.bodies() if b.code == code), code)

    ref = case.first_tracking_number
    name = kind.name
    if name == "acceptance-notice":
        accepted = _last_event(events, CaseAccepted)
        if accepted is None:
            raise DocumentNotApplicable(ref, name, "not_accepted")
        handling = next((o for o in case.obligations if o.clock is Clock.HANDLING), None)
        values.update(
            accepted_date=_day(accepted[0].occurred_at, zone),
            handling_due=_due_day(handling) if handling else "",
            handling_days=handling.basis.days if handling else "",
        )
    elif name == "non-acceptance-notice":
        if case.decline is None:
            raise DocumentNotApplicable(ref, name, "not_declined")
        values.update(
            decline_reason=note(case.decline.reason),
            decline_channel=translate(f"decline_channel.{case.decline.channel.value}"),
            declined_date=_day(case.decline.declined_at, zone),
        )
    elif name in ("transfer-letter", "assignment-letter", "supervision-notice"):
        mode = ReferralMode.TRANSFER if name == "transfer-letter" else ReferralMode.ASSIGNMENT
        referral = next((r for r in reversed(case.referrals) if r.mode is mode), None)
        if referral is None:
            raise DocumentNotApplicable(
                ref, name, "no_referral", mode=f"action.{'transfer' if mode is ReferralMode.TRANSFER else 'assign'}"
            )
        report = next(
            (o for o in case.obligations if o.clock is Clock.REFERRAL_REPORT and o.referral_id == referral.id), None
        )
        values.update(
            body_name=body_name(referral.body_code),
            body_code=referral.body_code,
            note=note(referral.note),
            objection_due=_day(referral.objection_due, zone),
            transfer_date=_day(referral.referred_at, zone),
            assignment_date=_day(referral.referred_at, zone),
            report_due=_due_day(report) if report else "",
            report_days=report.basis.days + report.basis.extension_days if report else "",
        )
        if name == "supervision-notice":
            notice = next(
                (
                    o
                    for o in reversed(case.obligations)
                    if o.clock is Clock.SUPERVISION_REPLY and o.referral_id == referral.id
                ),
                None,
            )
            supervised = _last_event(events, CaseSupervised)
            if notice is None or supervised is None:
                raise DocumentNotApplicable(ref, name, "not_supervised")
            values.update(
                supervision_reason=note(supervised[1].reason),
                supervision_date=_day(notice.opened_at, zone),
                supervision_reply_due=_due_day(notice),
            )
    elif name == "extension-notice":
        found = _last_event(events, HandlingExtended)
        if case.extension is None or found is None:
            raise DocumentNotApplicable(ref, name, "not_extended")
        extended = found[1]
        values.update(
            extension_days=case.extension.days,
            extension_reason=note(case.extension.reason),
            approved_by=case.extension.approved_by,
            original_due=_day(date.fromisoformat(extended.old_due), zone),
            new_due=_day(date.fromisoformat(extended.new_due), zone)
            + (PROVISIONAL_MARK if extended.provisional else ""),
        )
    elif name == "handling-opinion":
        if case.reply is None:
            raise DocumentNotApplicable(ref, name, "no_reply")
        window = next((o for o in case.obligations if o.clock is Clock.REVIEW_REQUEST), None)
        if window is not None:
            review_days = window.basis.days
        else:
            deadline = rules.deadline(Clock.REVIEW_REQUEST, case.reply.delivered_on, case.kind)
            review_days = deadline.basis.days if deadline else 30
        values.update(
            reply_outcome=translate(f"report.outcome.{case.reply.outcome.value}"),
            reply_text=note(case.reply.text),
            replied_date=_day(case.reply.replied_at, zone),
            review_days=review_days,
            review_organ=str(settings.get("review_organ", "上一级人民代表大会常务委员会信访工作机构")),
        )
    return {k: v for k, v in values.items() if k in kind.placeholders}


# --- making a document ---------------------------------------------------------------------------------


@attrs.frozen
class MadeDocument:
    """A document written to ``path``."""

    document: str
    case_id: str
    tracking_number: str
    path: str
    template: str
    template_source: str
    audience: str
    identity_withheld: bool
    number: str = ""  # 文号, from the document register
    dated: str = ""  # the date the document bears (the act's), ISO


def make_document(
    office: Any,
    kind_name: str,
    case_ref: str,
    output: str | os.PathLike[str],
    *,
    issue_date: date | None = None,
    purpose: str = "",
) -> MadeDocument:
    """Make document ``kind_name`` for the case ``case_ref`` (id or tracking number) at ``output``.

    Raises :class:`TemplateError` (the template is wrong), :class:`DocumentNotApplicable` (nothing to
    state), ``NotNotifiable`` (an anonymous petitioner cannot be written to), ``NotFound``, or a
    :class:`~petitionkit.errors.ProtectionRefusal` (the body addressed must not receive it; recorded
    on the case as a ``DocumentRefused`` event with the acting principal); in every case no file is
    written.  Reading the case is a read of personal data: one access record (``document``, with
    ``purpose``), and the office's principal needs ``read_personal_data``.
    """
    kind = kind_of(kind_name)
    path, source = template_for(kind, office.config)
    template = check_template(kind, path)
    case, petitions, events = office.case_file(case_ref, purpose=purpose, action="document")
    if issue_date is not None:
        # A document dated before the case existed is refused; a later date is allowed (a document is
        # often drafted before the day it is signed and issued).
        registered = case.opened_at.astimezone(office.zone).date()
        check_day("issue_date", issue_date, latest=date.max, bounds=[(registered, "before_registration")])
    record = CaseRecord(case, tuple(petitions), tuple(events))
    try:
        values = document_values(kind, record, office=office, issue_date=issue_date or office.today())
    except ProtectionRefusal as refusal:
        office.uow.record_refusal(case.id, refusal, actor=office.principal.actor, event=DocumentRefused)
        raise
    # The number and the date come from the register: allocated on the first printing, the same after.
    act = document_act(kind, record, office.zone)
    if act is None:
        raise DocumentNotApplicable(case.first_tracking_number, kind.name, "no_act")
    entry = office.issue_document(kind.name, case.id, act[0], act[1], dated=issue_date)
    values.update(issue_date=chinese_date(entry.act_date), document_number=entry.number)
    try:
        template.render(values, jinja_env=_environment(), autoescape=True)
    except jinja2.TemplateError as exc:  # the sandbox refused (SecurityError) or the policy did: nothing ran
        raise TemplateError(kind.name, str(path), unreadable=f"{type(exc).__name__}: {exc}") from None
    target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(handle)
    try:
        template.save(temporary)
        os.chmod(temporary, PRIVATE_MODE)  # a formal document names the petitioner: owner only, umask untouched
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return MadeDocument(
        kind.name,
        case.id,
        case.first_tracking_number,
        str(target),
        str(path),
        source,
        kind.audience.value,
        kind.audience is Audience.BODY and document_disclosure(kind, record, office.rules).identity_withheld,
        entry.number,
        entry.act_date.isoformat(),
    )


def placeholder_table() -> Mapping[str, Mapping[str, list[str]]]:
    """Every document type's placeholders (for docs and ``document placeholders``)."""
    return {
        k.name: {
            "required": sorted(k.required),
            "optional": sorted(k.placeholders - k.required),
        }
        for k in KINDS.values()
    }
