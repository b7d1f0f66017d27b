"""What system integrations use: API keys (``petitionkit api-key``) and the changes feed (``GET /events``).

An API key is ``pk_<id>.<secret>``: the id finds the stored key, the secret is compared by its SHA-256
digest in constant time.  Only the digest is stored; the secret is shown once.  A key acts as exactly
one configured principal (``[[principals]]``), until it expires or is revoked.

The changes feed hands an integration the events of the office's cases after a position, so it pulls
what changed instead of polling cases.  A handling body's principal sees only the events of cases
referred to its bodies and not guarded against them, their texts through the redaction policy.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs

from petitionkit.config import OfficeConfig
from petitionkit.domain.access import Permission, Principal
from petitionkit.domain.casework import EVENT_KINDS
from petitionkit.domain.events import Event
from petitionkit.errors import FieldError, InvalidInput, NotFound, PermissionDenied, UnknownPrincipal
from petitionkit.redaction import Disclosure, Item, Visibility, casework_visibility
from petitionkit.service.access import referred_to
from petitionkit.service.base import OfficeBase
from petitionkit.storage.base import ApiKey, Storage

KEY_PREFIX = "pk_"
MAX_KEY_DAYS = 3660  # ten years: a key must expire
FEED_LIMIT = 1000
#: Compared against when a presented key id is unknown, so a miss costs what a hit costs.
_DUMMY_DIGEST = hashlib.sha256(b"petitionkit-no-such-key").hexdigest()


@attrs.frozen
class FeedEvent:
    """One entry of the changes feed: an event and its position (pass the last one as ``after``)."""

    position: int
    case_id: str
    sequence: int
    name: str
    actor: str
    occurred_at: datetime
    payload: Mapping[str, Any]


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_key(token: str) -> tuple[str, str] | None:
    """``(id, secret)`` of an API key as presented, or ``None`` if it has not the key's form."""
    if not token.startswith(KEY_PREFIX) or "." not in token:
        return None
    key_id, secret = token[len(KEY_PREFIX) :].split(".", 1)
    if not key_id or not secret or len(key_id) > 40 or len(secret) > 200:
        return None
    return key_id, secret


def authenticate_api_key(storage: Storage, config: OfficeConfig, token: str, now: datetime) -> Principal | None:
    """The principal an API key acts as; ``None`` for an unknown, wrong, expired or revoked key.

    The secret's digest is compared in constant time; an unknown id is compared against a dummy
    digest so a miss takes as long as a wrong secret.  The key's principal must still be configured.
    """
    parts = split_key(token)
    if parts is None:
        return None
    key_id, secret = parts
    with storage.transaction() as tx:
        key = tx.api_key(key_id)
    stored = key.digest if key is not None and key.office_code == config.office_code else _DUMMY_DIGEST
    matches = hmac.compare_digest(stored, _digest(secret))
    if key is None or not matches or not key.usable_at(now):
        return None
    entry = config.principal_entry(key.principal_id)
    return entry.principal() if entry is not None else None


class Integrations(OfficeBase):
    """API keys and the changes feed (see the module docstring)."""

    def create_api_key(self, principal_id: str, *, name: str, days: int = 365) -> tuple[ApiKey, str]:
        """Make an API key acting as ``principal_id`` for ``days`` days; returns the key and its token.

        The token (``pk_<id>.<secret>``) is shown once and never stored.  Needs ``configure``.
        """
        creator = self.access.require(Permission.CONFIGURE)
        errors = []
        if not name.strip():
            errors.append(FieldError("name", "blank"))
        if not 1 <= days <= MAX_KEY_DAYS:
            errors.append(FieldError("days", "between", {"min": 1, "max": MAX_KEY_DAYS}))
        if errors:
            raise InvalidInput(errors)
        if self.config.principal_entry(principal_id) is None:
            raise UnknownPrincipal("principal", principal_id, [p.id for p in self.config.principals])
        now = self.now()
        key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
        key = ApiKey(
            id=key_id,
            office_code=self.config.office_code,
            principal_id=principal_id,
            name=name.strip(),
            digest=_digest(secret),
            created_at=now,
            expires_at=now + timedelta(days=days),
            created_by=creator.id,
        )
        with self.storage.transaction() as tx:
            tx.add_api_key(key)
        return key, f"{KEY_PREFIX}{key_id}.{secret}"

    def api_keys(self) -> list[ApiKey]:
        """The office's API keys (digests, never secrets), oldest first.  Needs ``configure``."""
        self.access.require(Permission.CONFIGURE)
        with self.storage.transaction() as tx:
            return tx.api_keys(self.config.office_code)

    def revoke_api_key(self, key_id: str) -> ApiKey:
        """Revoke a key at once; a revoked key is refused from the next request on.  Needs ``configure``."""
        self.access.require(Permission.CONFIGURE)
        with self.storage.transaction() as tx:
            key = tx.api_key(key_id)
            if key is None or key.office_code != self.config.office_code:
                raise NotFound("api_key", key_id)
            tx.revoke_api_key(key_id, self.now())
            revoked = tx.api_key(key_id)
        assert revoked is not None
        return revoked

    def changes(self, *, after: int = 0, limit: int = 100) -> list[FeedEvent]:
        """Events of the office's cases after feed position ``after``, in append order (no personal data).

        Office staff see every event.  A handling body's principal sees only events of cases referred
        to its bodies that the redaction policy lets it read, their texts redacted; events of other
        cases, and casework events of records it may not read (an accusation's investigation), are
        skipped (the positions returned still move past them).
        """
        principal = self.access.principal("changes")
        limit = max(1, min(limit, FEED_LIMIT))
        with self.storage.transaction() as tx:
            found = tx.events_after(self.config.office_code, max(after, 0), limit)
            if not principal.is_body:
                return [_entry(position, event, None) for position, event in found]
            views: dict[str, Disclosure | None] = {}
            shown: list[FeedEvent] = []
            for position, event in found:
                if event.case_id not in views:
                    views[event.case_id] = self._body_view_of(tx, principal, event.case_id)
                seen = views[event.case_id]
                if seen is not None and _readable(event, seen):
                    shown.append(_entry(position, event, seen))
        return shown

    def _body_view_of(self, tx: Any, principal: Principal, case_id: str) -> Disclosure | None:
        case = tx.get_case(case_id)
        if case is None or not referred_to(case, principal.body_codes):
            return None
        try:
            return self.access.body_view(principal, case, tx.petitions_of_case(case_id))
        except PermissionDenied:
            return None  # guarded against this body: not even listed


def _readable(event: Event, seen: Disclosure) -> bool:
    """Whether the body of ``seen`` may read ``event``: a casework event only if it may read its record."""
    kind = EVENT_KINDS.get(event.name)
    return kind is None or casework_visibility(seen, kind) is not Visibility.WITHHELD


def _redacted(value: Any, seen: Disclosure) -> Any:
    if isinstance(value, str):
        return seen.text(Item.NOTES, value)
    if isinstance(value, Mapping):
        return {k: _redacted(v, seen) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(v, seen) for v in value]
    return value


def _entry(position: int, event: Event, seen: Disclosure | None) -> FeedEvent:
    payload = dict(event.payload) if seen is None else _redacted(dict(event.payload), seen)
    return FeedEvent(position, event.case_id, event.sequence, event.name, event.actor, event.occurred_at, payload)
