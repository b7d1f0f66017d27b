"""Reading the office: searches, what is due, explanations, the petitioner's progress, exports."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta

from petitionkit.domain.clocks import Clock as ClockName
from petitionkit.domain.decisions import DeadlineExplanation
from petitionkit.domain.events import ChainBreak, verify_chain
from petitionkit.domain.model import Case, CaseState, Obligation, Party, Petition, PetitionKind
from petitionkit.domain.tracking import query_code_digest
from petitionkit.errors import NotFound
from petitionkit.service.base import OfficeBase
from petitionkit.service.results import Progress
from petitionkit.storage.base import CaseQuery


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
    ) -> list[Case]:
        """List cases of this office, oldest first; every argument narrows the result."""
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
        with self.storage.transaction() as tx:
            return tx.search_cases(query)

    def iter_cases_with_petitions(self, *, page_size: int = 500) -> Iterator[tuple[Case, list[Petition]]]:
        """Every case of the office with its petitions, oldest first, one page per transaction."""
        offset = 0
        while True:
            page = self.search(limit=page_size, offset=offset)
            for case in page:
                yield case, self.petitions(case.id)
            if len(page) < page_size:
                return
            offset += page_size

    def due_within(self, days: int) -> list[Obligation]:
        """Open duties (not petitioners' windows) due within ``days`` days, overdue ones included."""
        until = self.today() + timedelta(days=days)
        with self.storage.transaction() as tx:
            found = tx.open_obligations_due(self.config.office_code, until)
        return [o for o in found if o.owed_by is not Party.PETITIONER]

    def overdue(self) -> list[Obligation]:
        """Open duties whose due date has passed."""
        today = self.today()
        return [o for o in self.due_within(-1) if o.due < today]

    def lookup(self, query_code: str) -> Progress:
        """What the petitioner may see with the query code (查询码)."""
        with self.storage.transaction() as tx:
            petition = tx.petition_by_query_digest(query_code_digest(query_code))
            if petition is None or petition.office_code != self.config.office_code:
                raise NotFound("query_code", "****")  # never echo a secret
            case = self.uow.resolve(tx, petition.case_id)
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
        return self.rules.explain_deadline(ClockName(clock), start, PetitionKind(kind), extension_days=extension_days)

    def explain_obligations(self, case_ref: str) -> list[tuple[Obligation, DeadlineExplanation]]:
        """Each obligation of the case with the explanation of its due date, from its recorded basis."""
        case = self.case(case_ref)
        return [(o, self.rules.explain_basis(o.basis)) for o in case.obligations]

    def verify_audit_trail(self, case_ref: str) -> ChainBreak | None:
        """``None`` if the case's stored events are intact, else where the hash chain breaks."""
        return verify_chain(self.events(case_ref))
