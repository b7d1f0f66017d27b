"""Server-side sessions of the workspace (会话): a random id in an HttpOnly cookie, only its SHA-256 stored.

A new id is made at every sign-in (no session fixation: an id planted before sign-in is never promoted).
A session ends after ``[settings.web] idle_minutes`` without a request or ``absolute_hours`` after sign-in,
whichever comes first, and at sign-out.  Its CSRF token is derived from the id (HMAC-free: a SHA-256 of
the id under another label), so it needs no column and dies with the session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import attrs

from petitionkit.domain.access import Principal
from petitionkit.service import Office
from petitionkit.storage.web import WebSession
from petitionkit.web.settings import WebSettings

COOKIE = "pk_session"
#: Seen-at is written at most this often (a request per second need not be a write per second).
TOUCH_EVERY = timedelta(seconds=60)


def _digest(label: str, session_id: str) -> str:
    return hashlib.sha256(f"{label}:{session_id}".encode()).hexdigest()


def csrf_token_of(session_id: str) -> str:
    """The session's CSRF token (checked on every state-changing request)."""
    return _digest("csrf", session_id)


def same_token(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


@attrs.frozen
class Live:
    """A session found and still valid: its stored record and the id from the cookie."""

    session: WebSession
    session_id: str

    @property
    def csrf_token(self) -> str:
        return csrf_token_of(self.session_id)


class Sessions:
    """Makes, finds and ends sessions in the office's storage."""

    def __init__(self, office: Office, settings: WebSettings) -> None:
        self.office, self.settings = office, settings

    def _expired(self, session: WebSession, now: datetime) -> bool:
        idle = now - session.seen_at >= timedelta(minutes=self.settings.idle_minutes)
        old = now - session.created_at >= timedelta(hours=self.settings.absolute_hours)
        return idle or old

    def start(
        self,
        principal: Principal,
        *,
        account_id: str | None = None,
        subject: str | None = None,
        locale: str | None = None,
        replacing: str | None = None,
    ) -> str:
        """A new session for ``principal``; returns its id (for the cookie).  ``replacing`` (the id the
        browser came with, if any) is ended in the same unit of work, and the sign-in goes on the sealed
        access record (action ``sign_in``: by password or by single sign-on) in it too."""
        session_id = secrets.token_urlsafe(32)
        now = self.office.now()
        session = WebSession(
            digest=_digest("session", session_id),
            office_code=self.office.config.office_code,
            principal_id=principal.id,
            created_at=now,
            seen_at=now,
            account_id=account_id,
            subject=subject,
            locale=locale,
        )
        with self.office.storage.transaction() as tx:
            if replacing:
                tx.end_web_sessions(digest=_digest("session", replacing))
            tx.add_web_session(session)
            how = "sso" if subject is not None else "password"
            self.office.access.record(tx, principal, "sign_in", count=0, query=f"workspace: {how}")
        return session_id

    def find(self, session_id: str | None) -> Live | None:
        """The live session of ``session_id`` (its seen-at moved on), or None: unknown, expired, ended."""
        if not session_id or len(session_id) > 100:
            return None
        digest = _digest("session", session_id)
        now = self.office.now()
        with self.office.storage.transaction() as tx:
            session = tx.web_session(digest)
            if session is None or session.office_code != self.office.config.office_code:
                return None
            if self._expired(session, now):
                tx.end_web_sessions(digest=digest)
                return None
            if session.account_id is not None:
                account = tx.web_account_by_id(session.account_id)
                if account is None or not account.usable:
                    tx.end_web_sessions(digest=digest)
                    return None
            if now - session.seen_at >= TOUCH_EVERY:
                tx.touch_web_session(digest, now)
                session = attrs.evolve(session, seen_at=now)
        return Live(session, session_id)

    def set_locale(self, live: Live, locale: str) -> None:
        """Remember the language chosen in the header (and on the account, for the next sign-in)."""
        with self.office.storage.transaction() as tx:
            tx.end_web_sessions(digest=live.session.digest)
            tx.add_web_session(attrs.evolve(live.session, locale=locale))
            if live.session.account_id is not None:
                account = tx.web_account_by_id(live.session.account_id)
                if account is not None:
                    tx.update_web_account(attrs.evolve(account, locale=locale))

    def end(self, session_id: str | None) -> None:
        if session_id:
            with self.office.storage.transaction() as tx:
                tx.end_web_sessions(digest=_digest("session", session_id))

    def sweep(self) -> int:
        """End every expired session of the office (called now and then at sign-in)."""
        now = self.office.now()
        with self.office.storage.transaction() as tx:
            return tx.end_idle_web_sessions(
                self.office.config.office_code,
                now - timedelta(minutes=self.settings.idle_minutes),
                now - timedelta(hours=self.settings.absolute_hours),
            )
