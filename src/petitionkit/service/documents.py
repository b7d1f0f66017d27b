"""Issuing formal documents: the number (文号) and the document register (发文登记).

A document states one act of the office (a referral, a decision, a reply).  The first time a
document of a kind is made for an act, :meth:`DocumentUseCases.issue_document` allocates its number
from the counter of the office, kind and year, enters it in the register and records a
``DocumentIssued`` event on the case, all in one unit of work; every later printing finds the entry
and gets the same number and the same date.  Two clerks issuing at once queue on the counter row, so
a number is never given twice; the one that loses a race on the same act retries and finds the
winner's entry.

The number's prefix is the office's: ``[settings.documents] agency_code`` (机关代字, default ``人信``)
followed by the kind's word (``转`` for a transfer letter …), or the whole prefix per kind in
``[settings.documents.numbers]`` (e.g. ``transfer-letter = "X人信转"``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from petitionkit.domain import event_types as ev
from petitionkit.domain import lifecycle as lc
from petitionkit.domain.access import Permission
from petitionkit.domain.documents import IssuedDocument, document_number
from petitionkit.domain.model import Case
from petitionkit.errors import ConcurrencyConflict, FieldError, InvalidInput
from petitionkit.service.base import OfficeBase

if TYPE_CHECKING:
    from petitionkit.storage.base import Transaction

#: The default word of each kind in its number (X人信转〔2026〕1号 …).
KIND_WORDS: Mapping[str, str] = {
    "acceptance-notice": "受",
    "non-acceptance-notice": "不受",
    "transfer-letter": "转",
    "assignment-letter": "交",
    "supervision-notice": "督",
    "extension-notice": "延",
    "handling-opinion": "复",
}
DEFAULT_AGENCY_CODE = "人信"
_ATTEMPTS = 5


class _Raced(Exception):
    """Another transaction issued the same act's document first: roll back (its number is given back) and retry."""


def number_prefix(settings: Mapping[str, Any], kind: str) -> str:
    """The prefix of ``kind``'s numbers by the office's ``[settings.documents]``."""
    numbers = settings.get("numbers", {})
    if isinstance(numbers, Mapping) and kind in numbers:
        return str(numbers[kind])
    return str(settings.get("agency_code", DEFAULT_AGENCY_CODE)) + KIND_WORDS.get(kind, "")


class DocumentUseCases(OfficeBase):
    """Issuing documents and reading the register (mixed into :class:`~petitionkit.service.Office`)."""

    def issue_document(
        self, kind: str, case_ref: str, act: str, act_date: date, *, dated: date | None = None
    ) -> IssuedDocument:
        """The register's entry of the ``kind`` document stating ``act`` of the case: found, or issued now.

        ``act_date`` is the act's day, which the document bears; ``dated`` overrides it on the first
        issue only (a document signed days after the act).  Reprinting with another ``dated`` is
        refused: the register keeps the date the document was issued with.
        """
        code = self.config.office_code
        settings = dict(self.config.settings.get("documents", {}))
        day = dated or act_date
        issued: list[IssuedDocument] = []

        def decide(tx: Transaction, case: Case, ctx: lc.Context) -> lc.Decision | None:
            issued.clear()
            found = tx.issued_document(code, kind, case.id, act)
            if found is not None:
                issued.append(found)
                return None
            sequence = tx.next_document_sequence(code, kind, day.year)  # holds the counter row until commit
            if tx.issued_document(code, kind, case.id, act) is not None:
                raise _Raced  # issued while this transaction waited for the counter
            document = IssuedDocument(
                office_code=code,
                kind=kind,
                year=day.year,
                sequence=sequence,
                number=document_number(number_prefix(settings, kind), day.year, sequence),
                case_id=case.id,
                tracking_number=case.first_tracking_number,
                act=act,
                act_date=day,
                issued_at=ctx.now,
                actor=ctx.actor,
            )
            tx.add_issued_document(document)
            issued.append(document)
            event = ev.DocumentIssued(document=kind, number=document.number, act=act, act_date=day.isoformat())
            return lc.record(case, event, ctx)

        for attempt in range(_ATTEMPTS):
            try:
                self.uow.run(case_ref, decide, permission=Permission.READ_PERSONAL_DATA)
                break
            except (_Raced, ConcurrencyConflict):
                if attempt == _ATTEMPTS - 1 or self.uow.expected_version is not None:
                    raise
        entry = issued[0]
        if dated is not None and dated != entry.act_date:
            raise InvalidInput(
                [FieldError("issue_date", "document_already_dated", {"number": entry.number, "day": entry.act_date})]
            )
        return entry

    def document_register(
        self, *, year: int | None = None, kind: str | None = None, case_ref: str | None = None
    ) -> list[IssuedDocument]:
        """The document register (发文登记): every document issued, by year, kind and number.

        Office staff only; it names no person (numbers, kinds, tracking numbers, dates, actors).
        """
        self.access.require_office_staff("document_register")
        with self.storage.transaction() as tx:
            case_id = self.uow.resolve(tx, case_ref).id if case_ref else None
            return tx.issued_documents(self.config.office_code, year=year, kind=kind, case_id=case_id)
