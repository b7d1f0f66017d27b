"""What the clerk's web workspace keeps: local accounts (登录账户), their sessions, failed sign-ins.

Each account acts as one configured ``[[principals]]`` entry.  Passwords are kept as Argon2 hashes
(the hashing is :mod:`petitionkit.web.accounts`'), a session only as the SHA-256 digest of its random
id, a failed sign-in as the digest of the name typed (never the name or the password).  The operations
are part of every storage transaction (:class:`WebAccountOperations`): one unit of work, both backends.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import attrs


@attrs.frozen
class WebAccount:
    """A local account of the workspace (``petitionkit account add``), mapped to one principal."""

    id: str
    office_code: str
    username: str  # what the clerk types: letters, digits, '.', '_', '-' (stored lower-case)
    principal_id: str
    password_hash: str  # Argon2id (PHC string)
    created_at: datetime
    totp_secret: str | None = None  # base32; sealed at rest like personal data on an encrypted store
    locale: str | None = None  # the account's preferred language (zh-CN, en)
    disabled_at: datetime | None = None
    changed_at: datetime | None = None
    #: The TOTP time step of the last code accepted: a code is good once (no replay within its window).
    totp_last_step: int | None = None

    @property
    def usable(self) -> bool:
        return self.disabled_at is None


@attrs.frozen
class WebSession:
    """A signed-in browser: only ``digest`` (SHA-256 of the random id in the cookie) is stored.

    ``account_id`` is set for a local account; a single sign-on session has none and names its
    principal only (``subject`` is the provider's claim that mapped to it).
    """

    digest: str
    office_code: str
    principal_id: str
    created_at: datetime
    seen_at: datetime
    account_id: str | None = None
    subject: str | None = None
    locale: str | None = None


@attrs.frozen
class SignInFailure:
    """A refused sign-in: when, the digest of the name typed, the account (when there is one), why."""

    office_code: str
    at: datetime
    name_digest: str
    reason: str  # unknown, password, totp, disabled, limited, sso
    client: str  # the client's address
    account_id: str | None = None


class WebAccountOperations(Protocol):
    """The workspace's operations on one storage transaction."""

    def add_web_account(self, account: WebAccount) -> None:
        """Store a new account (a second account with the same office and username is an error)."""
        ...

    def web_account(self, office_code: str, username: str) -> WebAccount | None: ...

    def web_account_by_id(self, account_id: str) -> WebAccount | None: ...

    def web_accounts(self, office_code: str) -> list[WebAccount]:
        """The office's accounts by username."""
        ...

    def update_web_account(self, account: WebAccount) -> None:
        """Replace the stored account of ``account.id`` (password, TOTP, locale, disabled)."""
        ...

    def claim_totp_step(self, account_id: str, step: int) -> bool:
        """Store ``step`` as the account's last accepted TOTP step if it is later than the stored one, in
        one statement; False when it is not (the code, or an earlier one, was used already: a replay)."""
        ...

    def add_web_session(self, session: WebSession) -> None: ...

    def web_session(self, digest: str) -> WebSession | None: ...

    def touch_web_session(self, digest: str, seen_at: datetime) -> None: ...

    def end_web_sessions(self, *, digest: str | None = None, account_id: str | None = None) -> int:
        """Delete one session, or every session of an account; how many went."""
        ...

    def end_idle_web_sessions(self, office_code: str, seen_before: datetime, created_before: datetime) -> int:
        """Delete the office's sessions idle since ``seen_before`` or made before ``created_before``."""
        ...

    def record_sign_in_failure(self, failure: SignInFailure) -> None: ...

    def sign_in_failures(self, office_code: str, name_digest: str, since: datetime) -> int:
        """How many sign-ins with this name digest failed since ``since``."""
        ...
