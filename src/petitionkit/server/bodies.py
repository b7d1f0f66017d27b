"""The bodies of the HTTP API's requests and the pages it answers with.

Cases, petitions, obligations, events and petition drafts travel as the library's own attrs models
(the OpenAPI document is generated from them); the classes here are only the arguments of each
command, named as the :class:`~petitionkit.service.Office` method names them, and the page envelopes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Generic, TypeVar

import attrs

from petitionkit.domain.casework import InquiryKind, InvestigationMode, ReceptionChannel
from petitionkit.domain.decisions import DeadlineExplanation
from petitionkit.domain.model import DeclineChannel, EvaluationRating, Obligation, ReferralMode, ReplyOutcome

T = TypeVar("T")


@attrs.frozen
class Page(Generic[T]):
    """One page of a list; pass ``next`` as ``cursor`` for the following page (``null``: no more);
    ``total``: how many the whole list holds, where it is counted (cases, due and overdue duties)."""

    items: list[T]
    next: str | None = None
    total: int | None = None


@attrs.frozen
class Note:
    note: str = ""


@attrs.frozen
class Reason:
    reason: str


@attrs.frozen
class OptionalReason:
    reason: str = ""


@attrs.frozen
class Decline:
    reason: str
    channel: DeclineChannel
    citations: list[str] = attrs.field(factory=list)  # provision ids (GET /knowledge)


@attrs.frozen
class Reply:
    """A reply; ``citations`` (provision ids) and ``findings_of`` (an investigation id) are appended to it."""

    outcome: ReplyOutcome
    text: str
    delivered_on: date | None = None
    citations: list[str] = attrs.field(factory=list)
    findings_of: str | None = None


@attrs.frozen
class ReceptionBody:
    """A reception talk (接谈): ``citations`` are provision ids; ``petitioner_ref`` a tracking number."""

    channel: ReceptionChannel
    asked: str
    explained: str
    response: str = ""
    settled: bool = False
    citations: list[str] = attrs.field(factory=list)
    petitioner_ref: str | None = None
    received_at: datetime | None = None


@attrs.frozen
class InvestigationPlan:
    mode: InvestigationMode
    investigators: list[str]
    places: list[str]
    due_on: date
    purpose: str


@attrs.frozen
class InquiryBody:
    kind: InquiryKind
    place: str
    summary: str
    persons: str = ""
    at: datetime | None = None


@attrs.frozen
class EvidenceBody:
    """A reference to an attachment of the case: its id and, optionally, the SHA-256 digest it must have
    (left out: the digest the attachment was recorded with)."""

    attachment_id: str
    description: str
    digest: str | None = None
    inquiry_id: str | None = None


@attrs.frozen
class FindingsBody:
    findings: str


@attrs.frozen
class Referral:
    """A referral: ``mode`` and ``body`` as given, or, with neither, by the office's routing rules."""

    mode: ReferralMode | None = None
    body: str | None = None
    note: str = ""
    report_days: int | None = None
    facts: list[str] = attrs.field(factory=list)


@attrs.frozen
class Text:
    text: str


@attrs.frozen
class Report:
    outcome: ReplyOutcome
    text: str
    delivered_on: date | None = None


@attrs.frozen
class Extension:
    days: int
    reason: str
    approved_by: str


@attrs.frozen
class Evaluation:
    rating: EvaluationRating
    comment: str = ""


@attrs.frozen
class ReviewRequest:
    reason: str
    organ: str
    requested_on: date | None = None


@attrs.frozen
class ReviewDecision:
    outcome: ReplyOutcome
    opinion: str
    delivered_on: date | None = None


@attrs.frozen
class RespondentResolution:
    """The accusation's respondent unit: a known ``body``, or ``unlisted``."""

    body: str | None = None
    unlisted: bool = False
    petition: str | None = None


@attrs.frozen
class QueryCode:
    """A petitioner's query code (查询码), sent in the body so it never lands in a URL or an access log."""

    query_code: str


@attrs.frozen
class IssuedQueryCode:
    tracking_number: str
    query_code: str


@attrs.frozen
class ExplainedObligation:
    obligation: Obligation
    explanation: DeadlineExplanation


@attrs.frozen
class Health:
    status: str
