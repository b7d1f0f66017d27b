"""What use cases return: plain values, no storage or plugin objects."""

from __future__ import annotations

from datetime import date, datetime

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
