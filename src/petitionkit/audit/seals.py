"""Sealing events (封存): a keyed HMAC over each event and the digest of the rows it changed.

The public chain (:mod:`petitionkit.domain.events`) links each event to the one before it; anyone
who can write the database can recompute it.  A seal is ``HMAC-SHA-256(key, key id, case, sequence,
event digest, state digest)`` with a key kept outside the database, so an event edited and
re-chained no longer matches its seal, and the first keyed event of a case seals the whole history
before it (its digest covers the previous digest).  Rotating the key starts a new segment: its
first event's digest covers the last one of the old segment, which the old key sealed.

The *state digest* binds the rows an event leaves behind: the case's state-relevant fields with
its referrals, its obligations (due dates, status), and each petition (content, petitioners, query
code digest).  It is three SHA-256 digests joined by ``.``, so verification can say which part of the
case changed behind petitionkit's back.  It is computed when the unit of work writes, from the
values it writes.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import attrs

from petitionkit.audit.keys import KeyRing
from petitionkit.domain.access import AccessRecord
from petitionkit.domain.events import Event
from petitionkit.domain.model import Case, Petition

SEAL_FORMAT = "petitionkit-seal/1"
STATE_PARTS = ("case", "obligations", "petitions")

#: Fields of a case that are bookkeeping, not state: the optimistic-lock version, the time of the
#: last write, the chain head (checked against the events themselves), the children (their own parts).
_NOT_CASE_STATE = frozenset({"version", "updated_at", "last_sequence", "last_digest", "obligations"})


def _plain(value: Any) -> Any:
    """A canonical JSON form: times in UTC, enums by value, attrs classes as dicts, sets sorted."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if attrs.has(type(value)):
        return {f.name: _plain(getattr(value, f.name)) for f in attrs.fields(type(value))}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(_plain(v) for v in value)
    return value


def _digest(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def state_digest(case: Case, petitions: Iterable[Petition]) -> str:
    """The digest of what a case's rows say now: ``case.obligations.petitions`` (three SHA-256)."""
    fields = attrs.fields(Case)
    case_part = {f.name: _plain(getattr(case, f.name)) for f in fields if f.name not in _NOT_CASE_STATE}
    obligations = sorted((_plain(o) for o in case.obligations), key=lambda o: str(o["id"]))
    petition_part = sorted((_plain(p) for p in petitions), key=lambda p: str(p["id"]))
    return ".".join((_digest(case_part), _digest(obligations), _digest(petition_part)))


def changed_parts(recorded: str, current: str) -> list[str]:
    """Which of ``STATE_PARTS`` differ between two state digests."""
    old, new = recorded.split("."), current.split(".")
    if len(old) != len(STATE_PARTS) or len(new) != len(STATE_PARTS):
        return list(STATE_PARTS)
    return [part for part, a, b in zip(STATE_PARTS, old, new, strict=True) if a != b]


def seal_of(secret: bytes, key_id: str, event: Event, state: str) -> str:
    """The HMAC-SHA-256 seal of ``event`` with the state digest ``state``."""
    message = json.dumps(
        [SEAL_FORMAT, key_id, event.case_id, event.sequence, event.digest, state],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hmac.new(secret, message.encode("utf-8"), hashlib.sha256).hexdigest()


def access_seal_of(secret: bytes, key_id: str, record: AccessRecord) -> str:
    """HMAC-SHA-256 over an access record's fields (all but the seal), under ``key_id``."""
    fields = {f.name: _plain(getattr(record, f.name)) for f in attrs.fields(AccessRecord) if f.name != "seal"}
    message = json.dumps(["petitionkit-access/1", key_id, fields], sort_keys=True, ensure_ascii=False)
    return hmac.new(secret, message.encode("utf-8"), hashlib.sha256).hexdigest()


def seal_access(record: AccessRecord, ring: KeyRing) -> AccessRecord:
    """``record`` sealed with the ring's active key (unsealed without one, as events are)."""
    key = ring.active
    if key is None:
        return record
    keyed = attrs.evolve(record, key_id=key.key_id, seal=None)
    return attrs.evolve(keyed, seal=access_seal_of(key.secret, key.key_id, keyed))


def seal_events(events: Sequence[Event], ring: KeyRing, state: str) -> list[Event]:
    """``events`` of one case sealed with the ring's active key, each bound to ``state``.

    Without a key they are returned unsealed (see ``[settings.audit] require_key``).
    """
    key = ring.active
    if key is None:
        return list(events)
    return [
        attrs.evolve(e, key_id=key.key_id, state_digest=state, seal=seal_of(key.secret, key.key_id, e, state))
        for e in events
    ]
