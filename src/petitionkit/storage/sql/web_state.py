"""The SQL transaction's part for the web workspace: accounts, sessions, failed sign-ins (docs/web.md).

Mixed into :class:`~petitionkit.storage.sql.store.SqlTransaction`.  Typed SQLAlchemy Core statements
(the column types convert values); the TOTP secret is sealed with the office's field cipher when the
store is encrypted, bound to its row and column like personal data.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs
from sqlalchemy import and_, delete, func, insert, or_, select, update

from petitionkit.storage.sql.tables import sign_in_failures, web_accounts, web_sessions
from petitionkit.storage.web import SignInFailure, WebAccount, WebSession

#: The tables this module reads and writes whole (no hand-written column lists).
WEB_TABLES = frozenset(t.name for t in (web_accounts, web_sessions, sign_in_failures))

if TYPE_CHECKING:
    from sqlalchemy import Connection, Row

    from petitionkit.storage.sql.types import Codec


class WebState:
    """The workspace's storage operations on one SQL transaction (see the storage protocol)."""

    connection: Connection
    codec: Codec

    def _account_values(self, account: WebAccount) -> dict[str, Any]:
        values = attrs.asdict(account)
        if account.totp_secret is not None:
            values["totp_secret"] = self.codec.seal(
                account.office_code, "web_accounts", account.id, "totp_secret", account.totp_secret
            )
        return values

    def _account(self, row: Row[Any]) -> WebAccount:
        values = dict(row._mapping)
        if values["totp_secret"] is not None:
            values["totp_secret"] = self.codec.open("web_accounts", values["id"], "totp_secret", values["totp_secret"])
        return WebAccount(**values)

    def add_web_account(self, account: WebAccount) -> None:
        self.connection.execute(insert(web_accounts).values(self._account_values(account)))

    def web_account(self, office_code: str, username: str) -> WebAccount | None:
        t = web_accounts.c
        row = self.connection.execute(
            select(web_accounts).where(and_(t.office_code == office_code, t.username == username))
        ).first()
        return self._account(row) if row is not None else None

    def web_account_by_id(self, account_id: str) -> WebAccount | None:
        row = self.connection.execute(select(web_accounts).where(web_accounts.c.id == account_id)).first()
        return self._account(row) if row is not None else None

    def web_accounts(self, office_code: str) -> list[WebAccount]:
        t = web_accounts.c
        result = self.connection.execute(select(web_accounts).where(t.office_code == office_code).order_by(t.username))
        return [self._account(r) for r in result.all()]

    def update_web_account(self, account: WebAccount) -> None:
        values = self._account_values(account)
        del values["id"]
        self.connection.execute(update(web_accounts).where(web_accounts.c.id == account.id).values(values))

    def claim_totp_step(self, account_id: str, step: int) -> bool:
        t = web_accounts.c
        later = or_(t.totp_last_step.is_(None), t.totp_last_step < step)
        stmt = update(web_accounts).where(and_(t.id == account_id, later)).values(totp_last_step=step)
        return self.connection.execute(stmt).rowcount == 1

    def add_web_session(self, session: WebSession) -> None:
        self.connection.execute(insert(web_sessions).values(attrs.asdict(session)))

    def web_session(self, digest: str) -> WebSession | None:
        row = self.connection.execute(select(web_sessions).where(web_sessions.c.digest == digest)).first()
        return WebSession(**row._mapping) if row is not None else None

    def touch_web_session(self, digest: str, seen_at: datetime) -> None:
        stmt = update(web_sessions).where(web_sessions.c.digest == digest).values(seen_at=seen_at)
        self.connection.execute(stmt)

    def end_web_sessions(self, *, digest: str | None = None, account_id: str | None = None) -> int:
        t = web_sessions.c
        which = [t.digest == digest] if digest is not None else []
        which += [t.account_id == account_id] if account_id is not None else []
        if not which:
            return 0
        return int(self.connection.execute(delete(web_sessions).where(or_(*which))).rowcount)

    def end_idle_web_sessions(self, office_code: str, seen_before: datetime, created_before: datetime) -> int:
        t = web_sessions.c
        stmt = delete(web_sessions).where(
            and_(t.office_code == office_code, or_(t.seen_at < seen_before, t.created_at < created_before))
        )
        return int(self.connection.execute(stmt).rowcount)

    def record_sign_in_failure(self, failure: SignInFailure) -> None:
        self.connection.execute(insert(sign_in_failures).values(attrs.asdict(failure)))

    def sign_in_failures(self, office_code: str, name_digest: str, since: datetime) -> int:
        t = sign_in_failures.c
        stmt = (
            select(func.count())
            .select_from(sign_in_failures)
            .where(and_(t.office_code == office_code, t.name_digest == name_digest, t.at >= since))
        )
        return int(self.connection.execute(stmt).scalar_one())
