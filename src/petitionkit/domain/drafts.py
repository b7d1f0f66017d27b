"""A petition as submitted for registration, and the checks that apply before anything is stored."""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from petitionkit.domain.identity import is_valid_email, is_valid_id_number, is_valid_phone, is_valid_region_code
from petitionkit.domain.model import (
    Attachment,
    Case,
    CaseState,
    Channel,
    Person,
    Petition,
    PetitionerRole,
    PetitionKind,
    Respondent,
)
from petitionkit.domain.ports import Rules
from petitionkit.errors import FieldError

# Clocks of receiving equipment drift; a received time this far ahead of "now" is still accepted.
CLOCK_SKEW = timedelta(minutes=5)
MAX_SUBJECT = 200
MAX_CONTENT = 100_000


@attrs.frozen
class PetitionDraft:
    """What a clerk or an integrating system submits to register one petition."""

    channel: Channel
    received_at: datetime
    kind: PetitionKind
    subject: str
    content: str
    category: str
    region_code: str
    petitioners: tuple[Person, ...] = ()
    anonymous: bool = False
    confidential: bool = False
    headcount: int = 1
    respondent: Respondent | None = None
    attachments: tuple[Attachment, ...] = ()
    referred_from: str | None = None
    joins_case: str | None = None  # tracking number of the case a repeat petition joins
    source_ref: str | None = None  # key in a legacy system; an import skips keys already stored


def check_draft(draft: PetitionDraft, now: datetime, rules: Rules) -> list[FieldError]:
    """Every problem with ``draft``; an empty list means it may be registered."""
    errors: list[FieldError] = []
    for name in ("subject", "content", "category"):
        if not getattr(draft, name).strip():
            errors.append(FieldError(name, "blank"))
    if len(draft.subject) > MAX_SUBJECT:
        errors.append(FieldError("subject", "too_long", {"limit": MAX_SUBJECT}))
    if len(draft.content) > MAX_CONTENT:
        errors.append(FieldError("content", "too_long", {"limit": MAX_CONTENT}))
    if not is_valid_region_code(draft.region_code):
        errors.append(FieldError("region_code", "region_code"))
    if draft.received_at.tzinfo is None or draft.received_at.utcoffset() is None:
        errors.append(FieldError("received_at", "datetime"))
    elif draft.received_at > now + CLOCK_SKEW:
        errors.append(FieldError("received_at", "future"))
    if draft.headcount < 1:
        errors.append(FieldError("headcount", "positive"))

    for i, person in enumerate(draft.petitioners):
        where = f"petitioners[{i}]"
        if not person.name.strip():
            errors.append(FieldError(f"{where}.name", "blank"))
        if person.id_number is not None and not is_valid_id_number(person.id_number):
            errors.append(FieldError(f"{where}.id_number", "id_number"))
        if person.phone is not None and not is_valid_phone(person.phone):
            errors.append(FieldError(f"{where}.phone", "phone"))
        if person.email is not None and not is_valid_email(person.email):
            errors.append(FieldError(f"{where}.email", "email"))
        if person.role is PetitionerRole.AGENT and not (person.mandate_ref or "").strip():
            errors.append(FieldError(f"{where}.mandate_ref", "agent_mandate"))

    if draft.anonymous:
        if draft.channel is Channel.VISIT:
            errors.append(FieldError("anonymous", "anonymous_visit"))
        if draft.petitioners:
            errors.append(FieldError("petitioners", "anonymous_with_petitioners"))
    elif not draft.petitioners:
        errors.append(FieldError("petitioners", "needs_petitioner"))
    elif draft.channel is Channel.VISIT and not any(p.id_number and p.name.strip() for p in draft.petitioners):
        errors.append(FieldError("petitioners", "visit_needs_identity"))

    errors.extend(check_collective(draft, rules))
    return errors


def check_collective(draft: PetitionDraft, rules: Rules) -> list[FieldError]:
    """The representative rule of collective visits (集体访), counted on the people who came.

    2022 art. 20: 多人采用走访形式提出同一信访事项的，应当推选代表，代表人数不超过5人 (ZJ art. 15: 3 for ten
    people or fewer). ``headcount`` is the number of people who came; the pack's limit is
    :meth:`~petitionkit.domain.ports.Rules.representative_limit` of it. Enforced:

    * any channel: at most ``limit`` people marked representative;
    * a visit: everyone listed who is not an agent came, so ``headcount`` is at least their number;
    * a visit of more people than ``limit``: they must have elected representatives, so at least one
      listed person is marked representative (and at most ``limit``, above).
    """
    if draft.headcount < 1:
        return []  # reported as "headcount: positive"
    errors: list[FieldError] = []
    limit = rules.representative_limit(draft.headcount)
    params = {"headcount": draft.headcount, "limit": limit}
    representatives = sum(1 for p in draft.petitioners if p.role is PetitionerRole.REPRESENTATIVE)
    if representatives > limit:
        errors.append(FieldError("petitioners", "too_many_representatives", params))
    if draft.channel is Channel.VISIT:
        came = sum(1 for p in draft.petitioners if p.role is not PetitionerRole.AGENT)
        if came > draft.headcount:
            errors.append(FieldError("headcount", "fewer_than_listed", {"listed": came}))
        if draft.headcount > limit and representatives == 0:
            errors.append(FieldError("petitioners", "needs_representatives", params))
    return errors


def petition_of(
    draft: PetitionDraft,
    *,
    id: str,
    office_code: str,
    tracking_number: str,
    query_code_digest: str,
    case_id: str,
    registered_at: datetime,
    repeat_of: str | None = None,
) -> Petition:
    """The stored petition a checked ``draft`` becomes once registered, with what registration adds."""
    return Petition(
        id=id,
        office_code=office_code,
        tracking_number=tracking_number,
        query_code_digest=query_code_digest,
        case_id=case_id,
        channel=draft.channel,
        received_at=draft.received_at,
        registered_at=registered_at,
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
        repeat_of=repeat_of,
    )


def case_opened_by(petition: Petition) -> Case:
    """The new case (信访事项) a registered ``petition`` opens: its facts are the first petition's."""
    return Case(
        id=petition.case_id,
        office_code=petition.office_code,
        state=CaseState.REGISTERED,
        version=1,
        kind=petition.kind,
        category=petition.category,
        region_code=petition.region_code,
        subject=petition.subject,
        opened_at=petition.received_at,
        petition_ids=(petition.id,),
        first_tracking_number=petition.tracking_number,
        confidential=petition.confidential,
        anonymous=petition.anonymous,
        respondent=petition.respondent,
    )
