"""The in-memory backend's part for the web workspace (accounts, sessions, failed sign-ins)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from petitionkit.storage.web import SignInFailure, WebAccount, WebSession

if TYPE_CHECKING:
    from petitionkit.storage.memory import MemoryStorage

K = TypeVar("K")
V = TypeVar("V")


class MemoryWebState:
    """Mixed into :class:`~petitionkit.storage.memory.MemoryTransaction` (its ``_set`` undoes on rollback)."""

    s: MemoryStorage
    _undo: list[Callable[[], None]]

    def _set(self, mapping: dict[K, V], key: K, value: V) -> None: ...  # provided by the transaction

    def _pop(self, mapping: dict[Any, Any], key: Any) -> None:
        old = mapping.pop(key)
        self._undo.append(lambda: mapping.__setitem__(key, old))

    def add_web_account(self, account: WebAccount) -> None:
        if account.id in self.s.web_accounts or self.web_account(account.office_code, account.username):
            raise ValueError(f"web account {account.username} exists")
        self._set(self.s.web_accounts, account.id, account)

    def web_account(self, office_code: str, username: str) -> WebAccount | None:
        found = (a for a in self.s.web_accounts.values() if (a.office_code, a.username) == (office_code, username))
        return next(found, None)

    def web_account_by_id(self, account_id: str) -> WebAccount | None:
        return self.s.web_accounts.get(account_id)

    def web_accounts(self, office_code: str) -> list[WebAccount]:
        return sorted(
            (a for a in self.s.web_accounts.values() if a.office_code == office_code), key=lambda a: a.username
        )

    def update_web_account(self, account: WebAccount) -> None:
        if account.id not in self.s.web_accounts:
            raise ValueError(f"no web account {account.id}")
        self._set(self.s.web_accounts, account.id, account)

    def claim_totp_step(self, account_id: str, step: int) -> bool:
        account = self.s.web_accounts.get(account_id)
        if account is None or (account.totp_last_step is not None and account.totp_last_step >= step):
            return False
        self._set(self.s.web_accounts, account_id, attrs.evolve(account, totp_last_step=step))
        return True

    def add_web_session(self, session: WebSession) -> None:
        self._set(self.s.web_sessions, session.digest, session)

    def web_session(self, digest: str) -> WebSession | None:
        return self.s.web_sessions.get(digest)

    def touch_web_session(self, digest: str, seen_at: datetime) -> None:
        session = self.s.web_sessions.get(digest)
        if session is not None:
            self._set(self.s.web_sessions, digest, attrs.evolve(session, seen_at=seen_at))

    def end_web_sessions(self, *, digest: str | None = None, account_id: str | None = None) -> int:
        gone = [
            d
            for d, s in self.s.web_sessions.items()
            if (digest is not None and d == digest) or (account_id is not None and s.account_id == account_id)
        ]
        for d in gone:
            self._pop(self.s.web_sessions, d)
        return len(gone)

    def end_idle_web_sessions(self, office_code: str, seen_before: datetime, created_before: datetime) -> int:
        gone = [
            d
            for d, s in self.s.web_sessions.items()
            if s.office_code == office_code and (s.seen_at < seen_before or s.created_at < created_before)
        ]
        for d in gone:
            self._pop(self.s.web_sessions, d)
        return len(gone)

    def record_sign_in_failure(self, failure: SignInFailure) -> None:
        self.s.sign_in_failures.append(failure)
        self._undo.append(lambda: self.s.sign_in_failures.remove(failure))

    def sign_in_failures(self, office_code: str, name_digest: str, since: datetime) -> int:
        return sum(
            1
            for f in self.s.sign_in_failures
            if f.office_code == office_code and f.name_digest == name_digest and f.at >= since
        )
