"""Registration (登记): one petition, a bulk import, a referral from another office of a network."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from itertools import islice
from typing import Any, TypeVar

import attrs

from petitionkit.domain import event_types as ev
from petitionkit.domain import lifecycle as lc
from petitionkit.domain.access import Permission
from petitionkit.domain.decisions import ClosedMatterAction, ClosedMatterRule
from petitionkit.domain.drafts import PetitionDraft, case_opened_by, check_draft, petition_of
from petitionkit.domain.events import Event
from petitionkit.domain.ids import new_id
from petitionkit.domain.model import Case, Petition
from petitionkit.domain.normalise import normalised_draft
from petitionkit.domain.protection import normalise_respondent
from petitionkit.domain.tracking import (
    identity_keys,
    new_query_code,
    query_code_digest,
    tracking_number,
)
from petitionkit.errors import FieldError, InvalidInput, NotFound, PetitionkitError
from petitionkit.network import referred_draft
from petitionkit.search import index_cases
from petitionkit.serialization import structure_draft
from petitionkit.service.repeats import RepeatCandidate, RepeatDetection, RepeatSuspected
from petitionkit.service.results import ImportReport, Registration, RejectedRow
from petitionkit.storage.base import Transaction

T = TypeVar("T")


class RegistrationUseCases(RepeatDetection):
    def register(
        self,
        petition: PetitionDraft | Mapping[str, Any],
        *,
        refuse_repeats: bool = False,
        new_reason: str | None = None,
    ) -> Registration:
        """Register a petition (登记).  A draft with ``joins_case`` joins that case as a repeat.

        Repeat detection (重复信访, :mod:`petitionkit.service.repeats`): with ``refuse_repeats`` the
        petition is first checked against earlier cases and, if any is a candidate,
        :class:`~petitionkit.service.repeats.RepeatSuspected` is raised with them and nothing is stored.
        The clerk then joins one (``joins_case``) or registers a new matter with ``new_reason``: the
        check runs again and the reason, with the candidates shown, is recorded on the new case
        (``RepeatCandidatesDismissed``).  Joining a terminated or withdrawn case follows the rule pack's
        ``[repeats.closed]`` (national: a case of its own, declined — 不再受理 — with the reason and
        channel told to the petitioner).

        Needs ``register`` (and ``read_personal_data`` for the check).  Raises :class:`InvalidInput`
        naming every bad field; nothing is stored then.
        """
        principal = self.access.require(Permission.REGISTER)
        now = self.now()
        draft = self._checked_draft(petition, now)
        reason = self._new_reason(draft, new_reason)
        shown: tuple[RepeatCandidate, ...] = ()
        if not draft.joins_case and (refuse_repeats or reason is not None):
            shown = tuple(self._check_repeats(draft, "registration"))
            if shown and reason is None:
                raise RepeatSuspected(shown)
        also: tuple[ev.DomainEvent, ...] = ()
        if shown and reason is not None:
            candidates = [c.tracking_number for c in shown]
            also = (ev.RepeatCandidatesDismissed(tracking_number="", candidates=candidates, reason=reason),)
        ctx = self.uow.context(principal.actor, now)
        with self.storage.transaction() as tx:
            year = draft.received_at.astimezone(self.zone).year
            # --- input safety (issue 16): a legacy key already stored is a field error, not a crash
            if draft.source_ref and tx.existing_source_refs(self.config.office_code, [draft.source_ref]):
                raise InvalidInput([FieldError("source_ref", "duplicate_source_ref")])
            # --- end input safety
            sequence = tx.next_tracking_sequence(self.config.office_code, year)
            registration, decision = self._register_in(tx, draft, sequence, ctx, also)
        self.uow.publish(decision.events)
        return registration

    def import_petitions(
        self,
        rows: Iterable[PetitionDraft | Mapping[str, Any] | InvalidInput],
        *,
        batch_size: int = 1000,
    ) -> ImportReport:
        """Register many petitions (e.g. from a legacy system), one transaction per batch.

        Rows are streamed: memory stays flat however many there are.  A bad row is reported with its
        row number and fields and never half-written; the good rows of its batch are still stored.
        Query codes of imported petitions are not returned (offices issue them when a petitioner asks).
        Observers are not called for imported rows, and registration implies no message; their events
        are in the audit trail.  Needs ``register``.
        """
        principal = self.access.require(Permission.REGISTER)
        imported, skipped, rejected = 0, 0, []
        for batch in _batched(enumerate(rows, start=1), batch_size):
            now = self.now()
            ctx = self.uow.context(principal.actor, now)
            good: list[PetitionDraft] = []
            numbers: list[int] = []
            for number, row in batch:
                if isinstance(row, InvalidInput):  # the reader could not even parse this row
                    rejected.append(RejectedRow(number, row.errors))
                    continue
                try:
                    good.append(self._checked_draft(row, now))
                    numbers.append(number)
                except InvalidInput as exc:
                    rejected.append(RejectedRow(number, exc.errors))
            if not good:
                continue
            # --- input safety (issue 16): a row the store refuses (e.g. joins_case naming no case) never
            # costs the good rows beside it: the batch is retried row by row, each row in its own transaction.
            try:
                stored, duplicates = self._import_batch(good, ctx)
            except PetitionkitError:
                stored, duplicates = 0, 0
                for number, draft in zip(numbers, good, strict=True):
                    try:
                        one, dup = self._import_batch([draft], ctx)
                    except PetitionkitError as exc:
                        rejected.append(RejectedRow(number, _row_errors(exc)))
                        continue
                    stored, duplicates = stored + one, duplicates + dup
            # --- end input safety
            skipped += duplicates
            imported += stored
        return ImportReport(imported, tuple(sorted(rejected, key=lambda r: r.row)), skipped)

    def _import_batch(self, good: list[PetitionDraft], ctx: lc.Context) -> tuple[int, int]:
        """Store ``good`` (checked drafts) in one transaction: (rows stored, rows skipped as imported before)."""
        with self.storage.transaction() as tx:
            good, duplicates = _without_imported(tx, self.config.office_code, good)
            years = Counter(d.received_at.astimezone(self.zone).year for d in good)
            next_seq = {y: tx.next_tracking_sequence(self.config.office_code, y, n) for y, n in years.items()}
            cases: list[Case] = []
            petitions: list[tuple[Petition, list[str]]] = []
            events: list[Event] = []
            for draft in good:
                year = draft.received_at.astimezone(self.zone).year
                sequence, next_seq[year] = next_seq[year], next_seq[year] + 1
                if draft.joins_case:
                    self._register_in(tx, draft, sequence, ctx)
                    continue
                record, decision = self._new_case(draft, sequence, new_query_code(), ctx)
                cases.append(decision.case)
                petitions.append((record, identity_digests(record)))
                events.extend(decision.events)
            tx.insert_cases(cases)
            tx.add_petitions(petitions)
            known = {c.id: (c, [p]) for c, (p, _) in zip(cases, petitions, strict=True)}
            index_cases(tx, list(known.values()))
            tx.append_events(self.uow.seal(tx, events, known))
        return len(good), duplicates

    def receive_referral(self, tx: Transaction, upstream: Case, referral_id: str, actor: str) -> tuple[Event, ...]:
        """Register, inside ``tx``, a referral from another office of the network (once per referral).

        Called by the network inside the referring office's checked change; ``actor`` is its principal's.
        """
        now = self.now()
        draft = referred_draft(upstream, tx.petitions_of_case(upstream.id), referral_id, now)
        respondent, _ = normalise_respondent(draft.respondent, self.rules.bodies(), strict=False)
        draft = attrs.evolve(draft, respondent=respondent)
        assert draft.source_ref is not None
        if tx.existing_source_refs(self.config.office_code, [draft.source_ref]):
            return ()
        sequence = tx.next_tracking_sequence(self.config.office_code, now.year)
        _registration, decision = self._register_in(tx, draft, sequence, self.uow.context(actor, now))
        return decision.events

    def reissue_query_code(self, tracking_number: str) -> str:
        """Issue a new query code for a petition (the old one stops working); shown once, never stored.

        Needs ``register``.
        """
        code = new_query_code()

        def reissue(tx: Transaction, case: Case, ctx: lc.Context) -> lc.Decision:
            petition = tx.petition_by_tracking_number(self.config.office_code, tracking_number)
            assert petition is not None  # resolved by this tracking number just before
            tx.set_query_digest(petition.id, query_code_digest(code))
            return lc.record(case, ev.QueryCodeReissued(tracking_number=tracking_number), ctx)

        with self.storage.transaction() as tx:
            if tx.petition_by_tracking_number(self.config.office_code, tracking_number) is None:
                raise NotFound("petition", tracking_number)
        self.uow.run(tracking_number, reissue, permission=Permission.REGISTER)
        return code

    # --- the parts ---------------------------------------------------------------------------------

    @staticmethod
    def _new_reason(draft: PetitionDraft, new_reason: str | None) -> str | None:
        if new_reason is None:
            return None
        if draft.joins_case:
            raise InvalidInput([FieldError("new_reason", "new_and_joins")])
        if not new_reason.strip():
            raise InvalidInput([FieldError("new_reason", "blank")])
        return new_reason.strip()

    def _checked_draft(self, petition: PetitionDraft | Mapping[str, Any], now: datetime) -> PetitionDraft:
        draft = petition if isinstance(petition, PetitionDraft) else structure_draft(petition)
        # --- input safety (issue 16): normalise, then refuse (petitionkit.domain.normalise) ---
        draft, refused = normalised_draft(draft, self.rules.categories())
        # --- end input safety
        errors = check_draft(draft, now, self.rules)
        if refused:  # every bad field named at once: the normaliser's, then the rules' on the other fields
            named = {e.field for e in refused}
            raise InvalidInput([*refused, *(e for e in errors if e.field not in named)])
        respondent, respondent_errors = normalise_respondent(draft.respondent, self.rules.bodies())
        draft = attrs.evolve(draft, respondent=respondent)
        errors.extend(respondent_errors)
        categories = self.rules.categories()
        if categories and draft.category not in categories:
            errors.append(FieldError("category", "choice", {"choices": ", ".join(categories)}))
        if errors:
            raise InvalidInput(errors)
        return draft

    def _petition_record(
        self, draft: PetitionDraft, sequence: int, code: str, case_id: str, now: datetime, repeat_of: str | None = None
    ) -> Petition:
        year = draft.received_at.astimezone(self.zone).year
        return petition_of(
            draft,
            id=new_id(),
            office_code=self.config.office_code,
            tracking_number=tracking_number(self.config.office_code, year, sequence),
            query_code_digest=query_code_digest(code),
            case_id=case_id,
            registered_at=now,
            repeat_of=repeat_of,
        )

    def _new_case(
        self,
        draft: PetitionDraft,
        sequence: int,
        code: str,
        ctx: lc.Context,
        also: tuple[ev.DomainEvent, ...] = (),
        repeat_of: str | None = None,
    ) -> tuple[Petition, lc.Decision]:
        record = self._petition_record(draft, sequence, code, new_id(), ctx.now, repeat_of)
        # events recorded with the registration name the new petition
        also = tuple(
            attrs.evolve(e, tracking_number=record.tracking_number)
            if isinstance(e, ev.RepeatCandidatesDismissed | ev.ClosedMatterRepeated)
            else e
            for e in also
        )
        case = case_opened_by(record)
        return record, lc.open_case(case, registered(record), ctx, notifiable=not draft.anonymous, also=also)

    def _register_in(
        self,
        tx: Transaction,
        draft: PetitionDraft,
        sequence: int,
        ctx: lc.Context,
        also: tuple[ev.DomainEvent, ...] = (),
    ) -> tuple[Registration, lc.Decision]:
        code = new_query_code()
        if draft.joins_case:
            existing = self.uow.resolve(tx, draft.joins_case)
            rule = self.rules.repeat_policy().closed.get(existing.state.value)
            if rule is not None and rule.action is not ClosedMatterAction.JOIN:
                record, decision = self._closed_matter(draft, sequence, code, ctx, existing, rule)
                self.uow.write(tx, decision, None, ctx.now, [(record, identity_digests(record))])
                return Registration(record, decision.case, code, False), decision
            record = self._petition_record(draft, sequence, code, existing.id, ctx.now)
            decision = lc.join_case(existing, record.id, registered(record), ctx)
            self.uow.write(tx, decision, existing.version, ctx.now, [(record, identity_digests(record))])
        else:
            record, decision = self._new_case(draft, sequence, code, ctx, also)
            self.uow.write(tx, decision, None, ctx.now, [(record, identity_digests(record))])
        return Registration(record, decision.case, code, bool(draft.joins_case)), decision

    def _closed_matter(
        self, draft: PetitionDraft, sequence: int, code: str, ctx: lc.Context, closed: Case, rule: ClosedMatterRule
    ) -> tuple[Petition, lc.Decision]:
        """A repeat of a terminated or withdrawn matter: a case of its own, declined if the pack says so."""
        repeated = ev.ClosedMatterRepeated(
            tracking_number="",
            repeats=closed.first_tracking_number,
            repeats_state=closed.state.value,
            action=rule.action.value,
            rule_set=self.rules.name,
        )
        record, decision = self._new_case(draft, sequence, code, ctx, (repeated,), closed.first_tracking_number)
        if rule.action is not ClosedMatterAction.DECLINE:
            return record, decision
        screening = self.rules.screen(
            draft.kind, draft.category, facts=rule.facts, region_code=draft.region_code, respondent=draft.respondent
        )
        if screening.accepted or screening.channel is None:  # the office's pack accepts it after all
            return record, decision
        declined = lc.decide(
            decision.case, lc.DeclineCase(screening.reason(self.config.locale), screening.channel), ctx
        )
        # one write of a new case: it is stored at version 1 with every event of its opening
        return record, lc.Decision(attrs.evolve(declined.case, version=1), decision.events + declined.events)


def registered(p: Petition) -> ev.PetitionRegistered:
    """What the audit trail and integrations learn of a new petition: no names, no content."""
    return ev.PetitionRegistered(
        petition_id=p.id,
        tracking_number=p.tracking_number,
        channel=p.channel.value,
        kind=p.kind.value,
        category=p.category,
        region_code=p.region_code,
        received_at=p.received_at.isoformat(),
        anonymous=p.anonymous,
        confidential=p.confidential,
        headcount=p.headcount,
        petitioner_count=len(p.petitioners),
    )


def identity_digests(p: Petition) -> list[str]:
    """The identity keys stored with a petition: each petitioner's identity digest and secondary keys."""
    return sorted({key for person in p.petitioners for key in identity_keys(person)})


def _without_imported(
    tx: Transaction, office_code: str, drafts: list[PetitionDraft]
) -> tuple[list[PetitionDraft], int]:
    """Drop drafts whose source_ref was imported before or repeats within the batch."""
    refs = [d.source_ref for d in drafts if d.source_ref]
    seen = tx.existing_source_refs(office_code, refs) if refs else set()
    kept: list[PetitionDraft] = []
    for draft in drafts:
        if draft.source_ref:
            if draft.source_ref in seen:
                continue
            seen.add(draft.source_ref)
        kept.append(draft)
    return kept, len(drafts) - len(kept)


def _row_errors(exc: PetitionkitError) -> tuple[FieldError, ...]:
    """What an import reports for a row the store refused: its field errors, or the refusal as one."""
    if isinstance(exc, InvalidInput):
        return exc.errors
    if isinstance(exc, NotFound) and exc.what == "case":
        return (FieldError("joins_case", "no_such_case"),)
    return (FieldError("(row)", "not_stored", {"code": exc.code}),)


def _batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
