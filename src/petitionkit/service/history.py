"""Importing and exporting whole case histories (the ``petitionkit-history`` format, docs/migration.md).

An import rebuilds each case through the lifecycle, step by step, as if each had been decided on the
date it really happened: the clocks are counted from those dates on the office's calendar, so an
obligation comes out met (on time or late), open, or overdue as of today, as it really was.  Every
step is followed by a ``StepImported`` event naming the legacy system, the legacy case and the
original date; all events are recorded (and sealed) at the time of the import.  No message is queued
and no observer is told: the steps are history.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import Any, TypeVar, cast

import attrs

from petitionkit.domain import event_types as ev
from petitionkit.domain import lifecycle as lc
from petitionkit.domain.access import Permission
from petitionkit.domain.drafts import CLOCK_SKEW, case_opened_by, petition_of
from petitionkit.domain.events import Event
from petitionkit.domain.ids import new_id
from petitionkit.domain.model import Case, Petition
from petitionkit.domain.tracking import new_query_code, query_code_digest, tracking_number
from petitionkit.errors import FieldError, InvalidInput, PetitionkitError
from petitionkit.migration.export import case_document
from petitionkit.migration.history import CaseHistory, HistoryStep, ImportedPetition, LegacyKey, StepRefused
from petitionkit.search import index_cases
from petitionkit.service.base import OfficeBase
from petitionkit.service.registration import RegistrationUseCases, identity_digests, registered
from petitionkit.service.results import ImportReport, RejectedRow
from petitionkit.storage.base import CaseQuery, Transaction

T = TypeVar("T")


@attrs.frozen
class _Built:
    case: Case
    petitions: tuple[Petition, ...]
    events: tuple[Event, ...]


class _Numbers:
    """Tracking numbers for one batch: a petition keeps its own when it is this office's and free."""

    def __init__(self, office: HistoryUseCases, tx: Transaction, histories: list[CaseHistory]) -> None:
        self.office, self.tx = office, tx
        code = office.config.office_code
        pattern = re.compile(rf"{re.escape(code)}-(\d{{4}})-(\d{{6,}})")
        wanted: dict[str, tuple[int, int]] = {}
        for history in histories:
            for petition in history.petitions:
                found = pattern.fullmatch(petition.tracking_number or "")
                if found and petition.tracking_number not in wanted:
                    wanted[petition.tracking_number or ""] = (int(found[1]), int(found[2]))
        self.kept: set[str] = set()
        by_year: dict[int, list[tuple[str, int]]] = {}
        for number, (year, seq) in wanted.items():
            by_year.setdefault(year, []).append((number, seq))
        for year, numbers in by_year.items():
            issued = tx.next_tracking_sequence(code, year)  # everything above it was never issued
            for number, seq in numbers:
                if seq >= issued or tx.petition_by_tracking_number(code, number) is None:
                    self.kept.add(number)
            top = max((seq for number, seq in numbers if number in self.kept), default=issued)
            if top > issued:
                tx.next_tracking_sequence(code, year, top - issued)

    def number(self, petition: ImportedPetition) -> str:
        wanted = petition.tracking_number
        if wanted is not None and wanted in self.kept:
            self.kept.discard(wanted)  # once: a second petition with it gets a new one
            return wanted
        office = self.office
        year = petition.draft.received_at.astimezone(office.zone).year
        return tracking_number(
            office.config.office_code, year, self.tx.next_tracking_sequence(office.config.office_code, year)
        )


class HistoryUseCases(OfficeBase):
    def import_history(
        self, lines: Iterable[tuple[int, CaseHistory | InvalidInput]], *, batch_size: int = 500
    ) -> ImportReport:
        """Rebuild cases with their history (from :func:`petitionkit.migration.history.read_history`).

        One transaction per batch; a refused line is reported with its number and fields (a step the
        lifecycle refuses is named ``steps[i]`` with the reason) and costs no other line.  A case whose
        legacy key (system and case id) was imported before is skipped, so re-running adds nothing.
        Needs ``register`` and ``configure`` (a migration decides cases on others' behalf).
        """
        principal = self.access.require(Permission.REGISTER)
        self.access.require(Permission.CONFIGURE)
        imported, skipped, rejected = 0, 0, []
        for batch in _batched(lines, batch_size):
            now = self.now()
            good: list[tuple[int, CaseHistory]] = []
            for number, item in batch:
                if isinstance(item, InvalidInput):
                    rejected.append(RejectedRow(number, item.errors))
                else:
                    good.append((number, item))
            if not good:
                continue
            with self.storage.transaction() as tx:
                seen = tx.existing_source_refs(self.config.office_code, [h.legacy.source_ref for _, h in good])
                fresh = []
                for number, history in good:
                    if history.legacy.source_ref in seen:
                        skipped += 1
                        continue
                    seen.add(history.legacy.source_ref)
                    fresh.append((number, history))
                numbers = _Numbers(self, tx, [h for _, h in fresh])
                built: list[_Built] = []
                for number, history in fresh:
                    try:
                        built.append(self._rebuild(history, principal.actor, now, numbers))
                    except InvalidInput as problem:
                        rejected.append(RejectedRow(number, problem.errors))
                tx.insert_cases([b.case for b in built])
                tx.add_petitions([(p, identity_digests(p)) for b in built for p in b.petitions])
                known = {b.case.id: (b.case, list(b.petitions)) for b in built}
                index_cases(tx, list(known.values()))
                tx.append_events(self.uow.seal(tx, [e for b in built for e in b.events], known))
            imported += len(built)
        return ImportReport(imported, tuple(sorted(rejected, key=lambda r: r.row)), skipped)

    def export_history(self, *, page_size: int = 500, purpose: str = "") -> Iterator[dict[str, Any]]:
        """Every case of the office as a line of the history format, oldest first (personal data included).

        Needs ``export``; one access record (``export_history``) counts the cases handed over, written when
        the iteration ends (or is abandoned).
        """
        principal = self.access.require(Permission.EXPORT)
        count = 0
        try:
            offset = 0
            while True:
                with self.storage.transaction() as tx:
                    query = CaseQuery(office_code=self.config.office_code, limit=page_size, offset=offset)
                    page = tx.search_cases(query)
                    items = [(c, tx.petitions_of_case(c.id), tx.events_of_case(c.id)) for c in page]
                for case, petitions, events in items:
                    count += 1
                    yield case_document(case, petitions, events, self.zone)
                if len(page) < page_size:
                    return
                offset += page_size
        finally:
            with self.storage.transaction() as tx:
                self.access.record(tx, principal, "export_history", count=count, query="all cases", purpose=purpose)

    # --- rebuilding one case --------------------------------------------------------------------------

    def _rebuild(self, history: CaseHistory, actor: str, now: datetime, numbers: _Numbers) -> _Built:
        _not_after(history, now)
        key = history.legacy
        first = history.petitions[0]
        ctx = self._at(actor, first.registered_at, now)
        record = self._record(first, 0, history, numbers, new_id(), ctx.now)
        case = case_opened_by(record)
        decision = lc.open_case(case, registered(record), ctx, notifiable=not record.anonymous)
        petitions = [record]
        events = list(decision.events)
        case = self._mark(decision.case, key, "register", 0, first.registered_at, ctx, events)
        for index, item in history.timeline():
            if isinstance(item, ImportedPetition):
                ctx = self._at(actor, item.registered_at, now)
                record = self._record(item, index, history, numbers, case.id, ctx.now)
                petitions.append(record)
                decision = lc.join_case(case, record.id, registered(record), ctx)
                events.extend(decision.events)
                case = self._mark(decision.case, key, "join", index, item.registered_at, ctx, events)
                continue
            case = self._step(case, key, petitions, item, index, actor, now, events)
        if case.state is not history.state:
            raise InvalidInput([FieldError("state", "history_state", {"state": case.state.value})])
        return _Built(case, tuple(petitions), tuple(events))

    def _step(
        self,
        case: Case,
        key: LegacyKey,
        petitions: list[Petition],
        step: HistoryStep,
        index: int,
        actor: str,
        now: datetime,
        events: list[Event],
    ) -> Case:
        at = step.at.astimezone(self.zone)
        ctx = attrs.evolve(self.uow.context(actor, at, case, petitions), recorded_at=now)
        try:
            decision = lc.decide(case, step.command, ctx)
        except InvalidInput as problem:
            raise InvalidInput([attrs.evolve(e, field=f"steps[{index}].{e.field}") for e in problem.errors]) from None
        except PetitionkitError as refusal:
            raise InvalidInput([StepRefused(f"steps[{index}]", "step_refused", error=refusal)]) from None
        events.extend(decision.events)
        return self._mark(decision.case, key, step.action, index + 1, step.at, ctx, events)

    def _mark(
        self, case: Case, key: LegacyKey, action: str, step: int, at: datetime, ctx: lc.Context, events: list[Event]
    ) -> Case:
        """Record that the step just decided was imported, with its legacy key and original date."""
        marker = ev.StepImported(
            action=action,
            legacy_system=key.system,
            legacy_case_id=key.case_id,
            step=step,
            original_at=at.astimezone(self.zone).isoformat(),
        )
        decision = lc.record(case, marker, ctx)
        events.extend(decision.events)
        return decision.case

    def _at(self, actor: str, at: datetime, now: datetime) -> lc.Context:
        return attrs.evolve(self.uow.context(actor, at.astimezone(self.zone)), recorded_at=now)

    def _record(
        self,
        petition: ImportedPetition,
        index: int,
        history: CaseHistory,
        numbers: _Numbers,
        case_id: str,
        registered_at: datetime,
    ) -> Petition:
        draft = attrs.evolve(petition.draft, source_ref=history.legacy.petition_ref(index))
        try:
            draft = cast("RegistrationUseCases", self)._checked_draft(draft, registered_at)
        except InvalidInput as problem:
            raise InvalidInput(
                [attrs.evolve(e, field=f"petitions[{index}].{e.field}") for e in problem.errors]
            ) from None
        return petition_of(
            draft,
            id=new_id(),
            office_code=self.config.office_code,
            tracking_number=numbers.number(petition),
            query_code_digest=query_code_digest(new_query_code()),  # never shown: issued when asked
            case_id=case_id,
            registered_at=registered_at,
        )


def _not_after(history: CaseHistory, now: datetime) -> None:
    """No date of the history may lie in the future (beyond the clock tolerance of registration)."""
    limit = now + CLOCK_SKEW
    errors = [
        FieldError(f"petitions[{i}].registered_at", "future")
        for i, p in enumerate(history.petitions)
        if p.registered_at > limit
    ]
    errors.extend(FieldError(f"steps[{i}].at", "future") for i, s in enumerate(history.steps) if s.at > limit)
    if errors:
        raise InvalidInput(errors)


def _batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
