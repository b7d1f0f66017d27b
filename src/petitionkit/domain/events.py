"""Events: every change to a case is an immutable, past-tense event (the audit trail).

Events of a case form a hash chain: each carries the digest of the one before it, so any
later edit, deletion or reordering of stored events is detected by ``verify_chain``.  The chain is
public (anyone can recompute it); :mod:`petitionkit.audit` seals each event with a key kept outside
the database and binds it to the rows it changed.  What an event
says is one of the typed classes of :mod:`petitionkit.domain.event_types` (``event.data``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from petitionkit.domain.event_types import CasePurged, DomainEvent, from_payload, payload_of

GENESIS_DIGEST = "0" * 64


@attrs.frozen
class Event:
    """One thing that happened to a case: who did what, when, with which data."""

    case_id: str
    sequence: int  # 1, 2, 3 ... within the case
    name: str  # past tense: "PetitionRegistered", "CaseAccepted" ...
    actor: str
    occurred_at: datetime
    payload: Mapping[str, Any]
    prev_digest: str
    digest: str
    # The keyed seal (petitionkit.audit): the key that sealed the event, the digest of the case's rows
    # after the write that recorded it, and the HMAC over both.  All None for an event recorded
    # without a key (release 0.1, or an office without one): the public hash chain alone covers it.
    key_id: str | None = None
    state_digest: str | None = None
    seal: str | None = None

    @property
    def data(self) -> DomainEvent:
        """The typed event (:mod:`petitionkit.domain.event_types`), for matching by class."""
        return from_payload(self.name, self.payload)


def event_digest(
    prev_digest: str,
    case_id: str,
    sequence: int,
    name: str,
    actor: str,
    occurred_at: datetime,
    payload: Mapping[str, Any],
) -> str:
    """SHA-256 over the previous digest and a canonical JSON form of the event.

    Times are hashed in UTC so a database that returns another offset verifies the same.
    """
    canonical = json.dumps(
        [prev_digest, case_id, sequence, name, actor, occurred_at.astimezone(UTC).isoformat(), payload],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def make_event(
    prev_digest: str,
    case_id: str,
    sequence: int,
    name: str,
    actor: str,
    occurred_at: datetime,
    payload: Mapping[str, Any],
) -> Event:
    digest = event_digest(prev_digest, case_id, sequence, name, actor, occurred_at, payload)
    return Event(case_id, sequence, name, actor, occurred_at, dict(payload), prev_digest, digest)


def record_event(
    prev_digest: str, case_id: str, sequence: int, event: DomainEvent, actor: str, occurred_at: datetime
) -> Event:
    """The stored record of a typed ``event`` (which must be registered), chained after ``prev_digest``."""
    name, payload = payload_of(event)
    return make_event(prev_digest, case_id, sequence, name, actor, occurred_at, payload)


@attrs.frozen
class ChainBreak:
    """Where a stored event trail stops verifying."""

    case_id: str
    sequence: int
    problem: str


def redactions(events: Iterable[Event]) -> dict[int, str]:
    """Events whose notes a purge erased (``CasePurged.redacted``): sequence -> digest of the erased payload."""
    found: dict[int, str] = {}
    for event in events:
        if event.name == CasePurged.name:
            found.update({int(k): str(v) for k, v in dict(event.payload.get("redacted", {})).items()})
    return found


def verify_chain(events: Iterable[Event]) -> ChainBreak | None:
    """Check a case's events (in sequence order); ``None`` when the trail is intact.

    An event whose notes a purge erased keeps its stored digest (the chain still links through it);
    its payload must then give exactly the digest the later ``CasePurged`` event recorded for it
    (docs/security.md, "Retention and purging").
    """
    trail = list(events)
    redacted = redactions(trail)
    prev = GENESIS_DIGEST
    expected_seq = 1
    for event in trail:
        if event.sequence != expected_seq:
            return ChainBreak(event.case_id, event.sequence, f"expected sequence {expected_seq}")
        if event.prev_digest != prev:
            return ChainBreak(event.case_id, event.sequence, "previous digest does not match")
        recomputed = event_digest(
            event.prev_digest,
            event.case_id,
            event.sequence,
            event.name,
            event.actor,
            event.occurred_at,
            event.payload,
        )
        if recomputed != event.digest and redacted.get(event.sequence) != recomputed:
            return ChainBreak(event.case_id, event.sequence, "content was altered")
        prev = event.digest
        expected_seq += 1
    return None
