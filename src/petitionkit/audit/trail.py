"""Verifying one case's audit trail: the public chain, the seals, the head, the bound state.

:func:`verify_case` returns the first broken item of a case, checking in this order:

1. the case has events at all (every case opens with one);
2. the public hash chain (:func:`petitionkit.domain.events.verify_chain`);
3. each seal: a known key id, a matching HMAC; an unkeyed event is allowed only before the first
   keyed one (events written by release 0.1 form an unkeyed first segment, reported as such);
4. the head: the case row's ``last_sequence``/``last_digest`` equal the last stored event;
5. the state: the last event's state digest equals the one recomputed from the current rows;
6. with a checkpoint: the event the checkpoint recorded as the case's head is still there.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence

import attrs

from petitionkit.audit.findings import AuditBreak
from petitionkit.audit.keys import KeyRing
from petitionkit.audit.seals import changed_parts, seal_of, state_digest
from petitionkit.domain.events import Event, verify_chain
from petitionkit.domain.model import Case, Petition


@attrs.frozen
class CaseHead:
    """A case's head as a checkpoint records it: the last event's sequence and digest."""

    case_id: str
    sequence: int
    digest: str


@attrs.frozen
class CaseResult:
    """The outcome for one case: its first break (``None`` when intact) and its unkeyed events."""

    head: CaseHead | None
    broken: AuditBreak | None
    unkeyed: int


def verify_case(
    case: Case,
    petitions: Sequence[Petition],
    events: Sequence[Event],
    ring: KeyRing,
    recorded: CaseHead | None = None,
) -> CaseResult:
    """Check one case (events in sequence order); ``recorded`` is its head in a checkpoint, if any."""

    def broken(item: str, problem: str, **params: object) -> CaseResult:
        found = AuditBreak("case", case.id, item, problem, case.first_tracking_number, params)
        return CaseResult(head, found, unkeyed)

    head = CaseHead(case.id, events[-1].sequence, events[-1].digest) if events else None
    unkeyed = 0
    if not events:
        return broken("case row", "no_events", sequence=case.last_sequence)
    chain = verify_chain(events)
    if chain is not None:
        return broken(f"event {chain.sequence}", "chain", detail=chain.problem)
    keyed = False
    for event in events:
        if event.key_id is None:
            if keyed:
                return broken(f"event {event.sequence}", "unsealed_after_sealed")
            unkeyed += 1
            continue
        keyed = True
        secret = ring.secret(event.key_id)
        if secret is None:
            return broken(f"event {event.sequence}", "unknown_key", key_id=event.key_id)
        expected = seal_of(secret, event.key_id, event, event.state_digest or "")
        if event.seal is None or event.state_digest is None or not hmac.compare_digest(expected, event.seal):
            return broken(f"event {event.sequence}", "seal", key_id=event.key_id)
    last = events[-1]
    if case.last_sequence != last.sequence or case.last_digest != last.digest:
        return broken("case row", "head", recorded=case.last_sequence, stored=last.sequence)
    if recorded is not None:
        at = recorded.sequence
        if at > last.sequence:
            return broken(f"event {last.sequence + 1}", "truncated", checkpoint=at, stored=last.sequence)
        if events[at - 1].digest != recorded.digest:
            return broken(f"event {at}", "rewritten_since_checkpoint", checkpoint=at)
    if last.state_digest is not None:
        changed = changed_parts(last.state_digest, state_digest(case, petitions))
        if changed:
            return broken(changed[0], f"state_{changed[0]}", sequence=last.sequence)
    return CaseResult(head, None, unkeyed)
