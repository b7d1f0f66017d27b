"""Reading the office: searches, what is due, explanations, the petitioner's progress, exports."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta

import attrs

from petitionkit.domain.access import AccessQuery, AccessRecord, Permission
from petitionkit.domain.clocks import Clock as ClockName
from petitionkit.domain.decisions import DeadlineExplanation
from petitionkit.domain.events import ChainBreak, verify_chain
from petitionkit.domain.model import Case, CaseState, Obligation, Party, Petition, PetitionKind
from petitionkit.domain.tracking import query_code_digest
from petitionkit.errors import NotFound, PermissionDenied
from petitionkit.service.access import referred_to
from petitionkit.service.base import OfficeBase
from petitionkit.service.results import Progress
from petitionkit.storage.base import CaseQuery, Transaction


class CaseQueries(OfficeBase):
    def search(
        self,
        *,
        states: Sequence[CaseState | str] = (),
        kind: PetitionKind | str | None = None,
        category: str | None = None,
        region_prefix: str | None = None,
        respondent_body: str | None = None,
        text: str | None = None,
        opened_from: datetime | None = None,
        opened_before: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
        purpose: str = "",
    ) -> list[Case]:
        """List cases of this office, oldest first; every argument narrows the result.

        Needs ``read_personal_data`` and is on record (the criteria and how many cases were found).  A
        handling body's principal finds only the cases referred to its bodies, subjects redacted.
        """
        principal = self.access.require(Permission.READ_PERSONAL_DATA)
        query = CaseQuery(
            office_code=self.config.office_code,
            states=frozenset(CaseState(s) for s in states),
            kind=PetitionKind(kind) if kind else None,
            category=category,
            region_prefix=region_prefix,
            opened_from=opened_from,
            opened_before=opened_before,
            respondent_body=respondent_body,
            text=text,
            limit=limit,
            offset=offset,
        )
        criteria = _criteria(query)
        with self.storage.transaction() as tx:
            mine = principal.body_codes
            found = self._body_search(tx, query, mine) if principal.is_body else tx.search_cases(query)
            self.access.record(tx, principal, "search", count=len(found), query=criteria, purpose=purpose)
        return found

    def _body_search(self, tx: Transaction, query: CaseQuery, body_codes: frozenset[str]) -> list[Case]:
        """``query`` over the cases referred to ``body_codes`` only, as those bodies may read them.

        A ``text`` must be found in the subject as the body reads it: an identity struck from what it
        reads finds nothing (else searching a name would tell it who the accuser is).
        """
        mine: list[Case] = []
        offset, page = 0, 500
        while True:
            batch = tx.search_cases(attrs.evolve(query, limit=page, offset=offset))
            mine.extend(c for c in batch if referred_to(c, body_codes))
            if len(batch) < page:
                break
            offset += page
        principal = self.access.principal("search")
        text = query.text
        # with a text, every candidate is matched as the body reads it before the page is cut
        candidates = mine if text is not None else mine[query.offset : query.offset + query.limit]
        shown: list[Case] = []
        for case in candidates:
            try:
                seen = self.access.body_view(principal, case, tx.petitions_of_case(case.id))
            except PermissionDenied:
                continue  # guarded against this body: not even listed
            readable = self.access.redacted_case(case, seen)
            if text is None or text in readable.subject:
                shown.append(readable)
        return shown[query.offset : query.offset + query.limit] if text is not None else shown

    def iter_cases_with_petitions(
        self, *, page_size: int = 500, purpose: str = ""
    ) -> Iterator[tuple[Case, list[Petition]]]:
        """Every case of the office with its petitions, oldest first, one page per transaction.

        Needs ``export``; one access record (``export``) counts the petitions read, written when the
        iteration ends (or is abandoned).
        """
        principal = self.access.require(Permission.EXPORT)
        count = 0
        try:
            for case, petitions in self._every_case(page_size):
                count += len(petitions)
                yield case, petitions
        finally:
            with self.storage.transaction() as tx:
                self.access.record(tx, principal, "export", count=count, query="all cases", purpose=purpose)

    def _every_case(self, page_size: int = 500) -> Iterator[tuple[Case, list[Petition]]]:
        """Every case with its petitions, unchecked and not on record: for use cases that check and record
        themselves (an export for a body); never hand it to a caller."""
        offset = 0
        while True:
            with self.storage.transaction() as tx:
                page = tx.search_cases(CaseQuery(office_code=self.config.office_code, limit=page_size, offset=offset))
                batch = [(case, tx.petitions_of_case(case.id)) for case in page]
            yield from batch
            if len(page) < page_size:
                return
            offset += page_size

    def due_within(self, days: int) -> list[Obligation]:
        """Open duties (not petitioners' windows) due within ``days`` days, overdue ones included."""
        self.access.require_office_staff("due_within")
        until = self.today() + timedelta(days=days)
        with self.storage.transaction() as tx:
            found = tx.open_obligations_due(self.config.office_code, until)
        return [o for o in found if o.owed_by is not Party.PETITIONER]

    def overdue(self) -> list[Obligation]:
        """Open duties whose due date has passed."""
        today = self.today()
        return [o for o in self.due_within(-1) if o.due < today]

    def lookup(self, query_code: str, *, purpose: str = "") -> Progress:
        """What the petitioner may see with the query code (查询码); on record (never the code itself)."""
        principal = self.access.require_office_staff("lookup")
        with self.storage.transaction() as tx:
            petition = tx.petition_by_query_digest(query_code_digest(query_code))
            if petition is None or petition.office_code != self.config.office_code:
                raise NotFound("query_code", "****")  # never echo a secret
            case = self.uow.resolve(tx, petition.case_id)
            query = f"query code of {petition.tracking_number}"
            self.access.record(tx, principal, "lookup", count=1, case_id=case.id, query=query, purpose=purpose)
        dues = [o.due for o in case.open_obligations if o.owed_by is not Party.PETITIONER]
        return Progress(
            tracking_number=petition.tracking_number,
            state=case.state,
            received_at=petition.received_at,
            next_due=min(dues) if dues else None,
            replied_on=case.reply.delivered_on if case.reply else None,
            updated_at=case.updated_at,
        )

    def explain_deadline(
        self,
        clock: ClockName | str,
        start: date,
        kind: PetitionKind | str = PetitionKind.CLAIM,
        *,
        extension_days: int = 0,
    ) -> DeadlineExplanation | None:
        """Why a clock started on ``start`` falls due when it does (``None``: it does not apply to ``kind``)."""
        self.access.principal("explain_deadline")
        return self.rules.explain_deadline(ClockName(clock), start, PetitionKind(kind), extension_days=extension_days)

    def explain_obligations(self, case_ref: str) -> list[tuple[Obligation, DeadlineExplanation]]:
        """Each obligation of the case with the explanation of its due date, from its recorded basis."""
        case = self.case(case_ref)
        return [(o, self.rules.explain_basis(o.basis)) for o in case.obligations]

    def access_records(
        self,
        *,
        case_ref: str | None = None,
        principal_id: str | None = None,
        since: datetime | None = None,
        limit: int = 1000,
        offset: int = 0,
        newest_first: bool = False,
    ) -> list[AccessRecord]:
        """Who read personal data, when, which case or query, how many records, why (auditors: ``audit``).

        Every given argument narrows the result; records come in the order they were appended, or the
        latest first with ``newest_first``; ``offset`` skips that many of them (the next page).
        """
        self.access.require(Permission.AUDIT)
        with self.storage.transaction() as tx:
            case_id = self.uow.resolve(tx, case_ref).id if case_ref is not None else None
            query = AccessQuery(self.config.office_code, case_id, principal_id, since, limit, offset, newest_first)
            return tx.access_records(query)

    def verify_audit_trail(self, case_ref: str) -> ChainBreak | None:
        """``None`` if the case's stored events are intact, else where the hash chain breaks (office staff only)."""
        return verify_chain(self.events(case_ref))


def _criteria(query: CaseQuery) -> str:
    """A search's criteria as the access record keeps them (set fields only)."""
    fields = attrs.asdict(query, recurse=False)
    fields.pop("office_code")
    shown = {k: sorted(v) if isinstance(v, frozenset) else v for k, v in fields.items() if v not in (None, frozenset())}
    return "; ".join(f"{k}={v}" for k, v in sorted(shown.items()))
