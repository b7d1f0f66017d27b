"""What use cases return: plain values, no storage or plugin objects."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import attrs

from petitionkit.domain.model import Case, CaseState, Petition
from petitionkit.errors import FieldError


@attrs.frozen
class Registration:
    """The result of registering a petition.  ``query_code`` is shown once and never stored."""

    petition: Petition
    case: Case
    query_code: str
    joined_existing_case: bool


@attrs.frozen
class Progress:
    """What a petitioner sees with a query code: no personal data, no content."""

    tracking_number: str
    state: CaseState
    received_at: datetime
    next_due: date | None
    replied_on: date | None
    updated_at: datetime | None


@attrs.frozen
class RejectedRow:
    row: int  # 1-based position in the input
    errors: tuple[FieldError, ...]


@attrs.frozen
class ImportReport:
    imported: int
    rejected: tuple[RejectedRow, ...]
    skipped: int = 0  # rows whose source_ref was imported before


@attrs.frozen
class DispatchResult:
    sent: int
    failed: int
    dead: int
    lost: int = 0  # claimed, but the lease ran out and another worker took it before it was sent


@attrs.frozen
class Receipt:
    """What the office sent, or gave up sending, about a case: one outbox row without its content.

    ``digest`` is the stored form of the SHA-256 of the message handed to the notifier (``None`` while
    pending, and for rows minimised before receipts existed); ``Office.receipt_matches`` checks a letter
    against it.  ``last_error`` is scrubbed of personal data.
    """

    id: str
    case_id: str | None
    type: str
    audience: str | None
    channel: str | None
    status: str
    attempts: int
    created_at: datetime
    finished_at: datetime | None
    last_error: str | None
    digest: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "case_id": self.case_id,
            "type": self.type,
            "audience": self.audience,
            "channel": self.channel,
            "status": self.status,
            "attempts": self.attempts,
            "created_at": self.created_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "last_error": self.last_error,
            "digest": self.digest,
        }
