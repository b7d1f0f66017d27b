"""The unit of work (工作单元): load → decide → write → outbox → publish, in one place.

Every use case that changes a case goes through :class:`UnitOfWork`: it loads the case in a
transaction, checks that the office's principal may do the use case's permission on it
(``office.access``), builds the lifecycle's :class:`~petitionkit.domain.lifecycle.Context` (who acts:
the principal's :attr:`~petitionkit.domain.access.Principal.actor`; when; which bodies the case must
never reach), lets a pure decision change it, writes the case, its
events and the messages they imply in the same transaction, and only after commit tells the event
observers.  Registration, the case commands, network referrals, respondent resolution and reminders
all use these public names; nothing outside the service layer touches a transaction's writes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from petitionkit.audit.keys import KeyRing, load_keyring, require_keyring
from petitionkit.audit.seals import seal_events, state_digest
from petitionkit.audit.settings import audit_settings
from petitionkit.domain import event_types as ev
from petitionkit.domain import lifecycle as lc
from petitionkit.domain.access import Permission
from petitionkit.domain.events import Event
from petitionkit.domain.ids import new_id
from petitionkit.domain.model import Case, Petition
from petitionkit.domain.normalise import command_texts
from petitionkit.domain.protection import case_protection
from petitionkit.errors import ConcurrencyConflict, ConfigurationError, NotFound, ProtectionRefusal
from petitionkit.plugins import notify_observers
from petitionkit.search import index_cases
from petitionkit.storage.base import OutboxMessage, Transaction

if TYPE_CHECKING:
    from petitionkit.service.office import Office

log = logging.getLogger("petitionkit")

#: What a use case decides once its case is loaded: the change, or ``None`` for nothing to record.
Decide = Callable[[Transaction, Case, lc.Context], "lc.Decision | None"]


class UnitOfWork:
    """Runs one office's changes; ``office.uow``."""

    def __init__(self, office: Office) -> None:
        self.office = office
        #: The version the caller last read (an HTTP ``If-Match``): a change to a case at any other
        #: version is refused with :class:`~petitionkit.errors.ConcurrencyConflict`, checked in the
        #: change's own transaction.  ``None``: no precondition.  Set it on a bound office's own
        #: unit of work (``office.acting_as(p).uow``), never on a shared one.
        self.expected_version: int | None = None

    # --- load and decide -----------------------------------------------------------------------

    def now(self) -> datetime:
        """The office clock, in the office's time zone."""
        now = self.office.clock()
        if now.tzinfo is None:
            raise ConfigurationError("clock", "the clock must return timezone-aware times")
        return now.astimezone(self.office.zone)

    def context(
        self, actor: str, now: datetime, case: Case | None = None, petitions: Sequence[Petition] = ()
    ) -> lc.Context:
        """The lifecycle's context (``actor``: a principal's ``actor``); the guard comes from every petition of
        ``case`` (see ``protection``)."""
        rules = self.office.rules
        protection = None if case is None else case_protection(case, petitions, rules)
        return lc.Context(
            rules=rules,
            now=now,
            today=now.date(),
            actor=actor,
            new_id=new_id,
            guarded_bodies=protection.guarded_bodies if protection else frozenset(),
            unresolved_respondents=protection.unresolved if protection else (),
            tolerance=timedelta(seconds=self.office.config.clock_tolerance_seconds),
        )

    def resolve(self, tx: Transaction, case_ref: str) -> Case:
        """A case of this office by id or by the tracking number of any of its petitions."""
        code = self.office.config.office_code
        case = tx.get_case(case_ref)
        if case is None:
            petition = tx.petition_by_tracking_number(code, case_ref)
            case = tx.get_case(petition.case_id) if petition else None
        if case is None or case.office_code != code:
            raise NotFound("case", case_ref)
        return case

    # --- write and publish ---------------------------------------------------------------------

    def write(
        self,
        tx: Transaction,
        decision: lc.Decision,
        expected_version: int | None,
        now: datetime,
        petitions: Sequence[tuple[Petition, Sequence[str]]] = (),
    ) -> None:
        """Save the case (insert when ``expected_version`` is ``None``), then ``petitions`` (they reference
        it), then its events and the messages they imply, all in ``tx``."""
        if expected_version is None:
            tx.insert_cases([decision.case])
        else:
            tx.update_case(decision.case, expected_version)
        if petitions:
            tx.add_petitions(petitions)
        new_case = expected_version is None
        known = {decision.case.id: (decision.case, [p for p, _ in petitions])} if new_case else {}
        if not new_case:  # the case as written; its petitions as this transaction sees them now
            known[decision.case.id] = (decision.case, tx.petitions_of_case(decision.case.id))
        if petitions:  # a new case, or a petition joined: its texts into the search index, in this transaction
            index_cases(tx, [known[decision.case.id]])
        tx.append_events(self.seal(tx, decision.events, known))
        tx.enqueue(self.outbox(tx, decision.events, now, decision.case))

    # --- the audit seal ---------------------------------------------------------------------------

    @cached_property
    def keyring(self) -> KeyRing:
        """The office's audit key ring (:mod:`petitionkit.audit.keys`); read once, when first needed."""
        ring = load_keyring(self.office.config, self.office.pm)
        return require_keyring(ring) if audit_settings(self.office.config).require_key else ring

    def seal(
        self,
        tx: Transaction,
        events: Sequence[Event],
        known: Mapping[str, tuple[Case, Sequence[Petition]]],
    ) -> list[Event]:
        """``events`` sealed with the office's audit key, each bound to the state its write leaves.

        ``known`` gives, by case id, the case and petitions as this write stores them; other cases are
        read in ``tx``.  Every path that stores events calls this (the write above, bulk import).
        """
        ring = self.keyring
        if not ring:
            return list(events)
        sealed: list[Event] = []
        for case_id in dict.fromkeys(e.case_id for e in events):
            if case_id in known:
                case, petitions = known[case_id]
            else:
                found = tx.get_case(case_id)
                if found is None:
                    raise NotFound("case", case_id)
                case, petitions = found, tx.petitions_of_case(case_id)
            state = state_digest(case, petitions)
            sealed.extend(seal_events([e for e in events if e.case_id == case_id], ring, state))
        return sealed

    def outbox(
        self, tx: Transaction, events: Sequence[Event], now: datetime, case: Case | None = None
    ) -> list[OutboxMessage]:
        """The messages ``events`` imply (notices, letters, alerts), rendered, to enqueue in ``tx``.

        ``case`` is the case after the change (other cases are read in ``tx``); petitions are read in
        ``tx`` too, so nothing is queued for a change that rolls back.
        """
        planner = self.office.planner
        messages: list[OutboxMessage] = []
        for case_id in dict.fromkeys(e.case_id for e in events):
            mine = [e for e in events if e.case_id == case_id]
            if not planner.handles(mine):
                continue  # e.g. a registration: no message, no read
            current = case if case is not None and case.id == case_id else tx.get_case(case_id)
            messages.extend(planner.outbox(mine, current, tx.petitions_of_case(case_id), now))
        return messages

    def publish(self, events: Sequence[Event]) -> None:
        """Tell the event observers, after commit; an observer's failure never undoes the change."""
        for event in events:
            notify_observers(self.office.pm, event, self.office)  # each observer on its own; failures are logged

    # --- the whole round ------------------------------------------------------------------------

    def run(self, case_ref: str, decide: Decide, *, permission: Permission) -> Case:
        """Load ``case_ref``, check the principal may do ``permission`` on it, ``decide``, write, hand over
        to network offices, commit, publish.

        A :class:`~petitionkit.errors.ProtectionRefusal` raised by the decision is itself recorded
        (``ReferralRefused``: who tried, what, which rule) before it propagates.
        """
        actor = self.office.access.principal(permission.value).actor
        now = self.now()
        try:
            with self.office.storage.transaction() as tx:
                case = self.resolve(tx, case_ref)
                self.office.access.require(permission, case)
                if self.expected_version is not None and case.version != self.expected_version:
                    raise ConcurrencyConflict(case.id, self.expected_version, case.version)
                context = self.context(actor, now, case, tx.petitions_of_case(case.id))
                decision = decide(tx, case, context)
                if decision is None:
                    return case
                self.write(tx, decision, case.version, now)
                network = self.office.network
                handed = network.after(tx, decision, actor, now) if network.active else []
        except ProtectionRefusal as refusal:
            self.record_refusal(case_ref, refusal, actor=actor)
            raise
        self.publish(decision.events)
        for office, events in handed:
            office.uow.publish(events)
        return decision.case

    def command(self, case_ref: str, command: lc.Command, *, permission: Permission) -> Case:
        """Run a lifecycle command on a case (accept, transfer, reply …) as the office's principal.

        Its texts are normalised first, or refused naming the field
        (:func:`petitionkit.domain.normalise.command_texts`).
        """
        command = command_texts(command)  # input safety (issue 16)
        return self.run(case_ref, lambda _tx, case, ctx: lc.decide(case, command, ctx), permission=permission)

    def record(self, case_ref: str, event: ev.DomainEvent, *, permission: Permission) -> Case:
        """Record an event that changes nothing else of the case (a reminder, a reissued code)."""
        return self.run(case_ref, lambda _tx, case, ctx: lc.record(case, event, ctx), permission=permission)

    def record_refusal(
        self,
        case_ref: str,
        refusal: ProtectionRefusal,
        *,
        actor: str,
        event: type[ev.RefusalEvent] = ev.ReferralRefused,
    ) -> None:
        """A refused disclosure is itself recorded (audit of attempted disclosure): who, what, which rule."""
        now = self.now()
        with self.office.storage.transaction() as tx:
            case = self.resolve(tx, case_ref)
            decision = lc.record_refusal(case, refusal, self.context(actor, now, case), event)
            self.write(tx, decision, case.version, now)
        self.publish(decision.events)
