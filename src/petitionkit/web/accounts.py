"""Local accounts of the workspace (本地账户): Argon2id password hashes, optional TOTP, one principal each.

Managed from the command line (``petitionkit account``, needs ``configure``) and checked at sign-in
(:func:`check_sign_in`).  A refused sign-in is recorded (the digest of the name typed, the client
address, why) and, after ``[settings.web] max_failures`` within ``lockout_minutes``, further tries with
that name are refused whatever the password; the clerk is only ever told "name or password wrong", never
whether the account exists (docs/web.md).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import time
from datetime import UTC, datetime, timedelta

import attrs
import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from petitionkit.domain.access import Permission, Principal
from petitionkit.errors import FieldError, InvalidInput, NotFound, UnknownPrincipal
from petitionkit.i18n import LOCALES
from petitionkit.service import Office
from petitionkit.storage.web import SignInFailure, WebAccount
from petitionkit.web.settings import WebSettings

log = logging.getLogger("petitionkit.web")

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # Argon2 takes any length; a megabyte "password" would only cost CPU
TOTP_ISSUER = "petitionkit"

#: argon2-cffi's defaults are RFC 9106's second recommended option (Argon2id, 64 MiB, 3 passes).
HASHER = PasswordHasher()
#: Verified against when the name is unknown, so an unknown name costs the same time as a wrong password.
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))


def normalized(username: str) -> str:
    return username.strip().lower()


def name_digest(username: str) -> str:
    """What a failed sign-in records of the name typed (the name itself might be a misplaced password)."""
    return hashlib.sha256(normalized(username).encode("utf-8")).hexdigest()


def _check_password(password: str) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput([FieldError("password", "length", {"min": MIN_PASSWORD, "max": MAX_PASSWORD})])


class AccountAdmin:
    """``petitionkit account …``: each operation needs ``configure`` of the acting principal."""

    def __init__(self, office: Office) -> None:
        self.office = office

    def _find(self, username: str) -> WebAccount:
        with self.office.storage.transaction() as tx:
            found = tx.web_account(self.office.config.office_code, normalized(username))
        if found is None:
            raise NotFound("web_account", normalized(username))
        return found

    def _save(self, account: WebAccount, what: str, *, end_sessions: bool = False) -> WebAccount:
        with self.office.storage.transaction() as tx:
            tx.update_web_account(account)
            if end_sessions:
                tx.end_web_sessions(account_id=account.id)
        self._note(account, what)
        return account

    def _note(self, account: WebAccount, what: str) -> None:
        by = self.office.access.principal("web_account").id
        log.info("workspace account %s %s (principal %s) by %s", account.id, what, account.principal_id, by)

    def add(self, username: str, principal_id: str, password: str, *, locale: str | None = None) -> WebAccount:
        """A new account acting as ``principal_id``."""
        self.office.access.require(Permission.CONFIGURE)
        name = normalized(username)
        errors = [] if USERNAME.match(name) else [FieldError("username", "username")]
        if locale is not None and locale not in LOCALES:
            errors.append(FieldError("locale", "choice", {"choices": ", ".join(LOCALES)}))
        if errors:
            raise InvalidInput(errors)
        _check_password(password)
        config = self.office.config
        if config.principal_entry(principal_id) is None:
            raise UnknownPrincipal("principal", principal_id, [p.id for p in config.principals])
        account = WebAccount(
            id=secrets.token_hex(8),
            office_code=config.office_code,
            username=name,
            principal_id=principal_id,
            password_hash=HASHER.hash(password),
            created_at=self.office.now(),
            locale=locale,
        )
        with self.office.storage.transaction() as tx:
            if tx.web_account(config.office_code, name) is not None:
                raise InvalidInput([FieldError("username", "taken")])
            tx.add_web_account(account)
        self._note(account, "added")
        return account

    def set_password(self, username: str, password: str) -> WebAccount:
        """A new password; the account's open sessions end."""
        self.office.access.require(Permission.CONFIGURE)
        _check_password(password)
        account = self._find(username)
        changed = attrs.evolve(account, password_hash=HASHER.hash(password), changed_at=self.office.now())
        return self._save(changed, "password changed", end_sessions=True)

    def set_totp(self, username: str, *, enable: bool) -> tuple[WebAccount, str | None]:
        """Give the account a new TOTP secret (returns its ``otpauth://`` URI, shown once) or remove it."""
        self.office.access.require(Permission.CONFIGURE)
        account = self._find(username)
        secret = pyotp.random_base32() if enable else None
        changed = attrs.evolve(account, totp_secret=secret, changed_at=self.office.now())
        self._save(changed, "TOTP " + ("set" if enable else "removed"), end_sessions=True)
        uri = pyotp.TOTP(secret).provisioning_uri(name=account.username, issuer_name=TOTP_ISSUER) if secret else None
        return changed, uri

    def disable(self, username: str) -> WebAccount:
        """The account can no longer sign in; its sessions end at once."""
        self.office.access.require(Permission.CONFIGURE)
        account = self._find(username)
        if account.disabled_at is not None:
            return account
        return self._save(attrs.evolve(account, disabled_at=self.office.now()), "disabled", end_sessions=True)

    def list(self) -> list[WebAccount]:
        """The office's accounts by name (hashes and secrets are not for showing)."""
        self.office.access.require(Permission.CONFIGURE)
        with self.office.storage.transaction() as tx:
            return tx.web_accounts(self.office.config.office_code)


@attrs.frozen
class SignedIn:
    account: WebAccount
    principal: Principal


def check_sign_in(
    office: Office, settings: WebSettings, username: str, password: str, code: str, client: str
) -> SignedIn | None:
    """The account and principal when name, password and (if the account has one) TOTP code are right,
    the account usable and its name not locked out; else None, the refusal recorded."""
    config = office.config
    now = office.now()
    name = normalized(username)
    digest = name_digest(username)
    since = now - timedelta(minutes=settings.lockout_minutes)
    with office.storage.transaction() as tx:
        account = tx.web_account(config.office_code, name) if USERNAME.match(name) else None
        failures = tx.sign_in_failures(config.office_code, digest, since)
    reason = _refusal(account, password, code, failures >= settings.max_failures)
    entry = config.principal_entry(account.principal_id) if account is not None else None
    if reason is None and entry is None:
        reason = "principal"  # the account's principal left the configuration
    if reason is None and account is not None and account.totp_secret is not None:
        reason = _claim_code(office, account, account.totp_secret, code)
    if reason is not None or account is None or entry is None:
        failure = SignInFailure(
            config.office_code, now, digest, reason or "unknown", client[:64], account.id if account else None
        )
        with office.storage.transaction() as tx:
            tx.record_sign_in_failure(failure)
        return None
    if HASHER.check_needs_rehash(account.password_hash):
        with office.storage.transaction() as tx:
            tx.update_web_account(attrs.evolve(account, password_hash=HASHER.hash(password)))
    return SignedIn(account, entry.principal())


def _refusal(account: WebAccount | None, password: str, code: str, limited: bool) -> str | None:
    if len(password) > MAX_PASSWORD:
        return "password"
    try:
        HASHER.verify(account.password_hash if account is not None else _DUMMY_HASH, password)
        right = account is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        right = False
    if account is None:
        return "unknown"
    if limited:
        return "limited"
    if not right:
        return "password"
    if account.disabled_at is not None:
        return "disabled"
    if account.totp_secret is not None and totp_step(account.totp_secret, code, time.time()) is None:
        return "totp"
    return None


def totp_step(secret: str, code: str, at: float) -> int | None:
    """The time step ``code`` is right for at ``at`` (one step of clock drift either way), or None."""
    totp = pyotp.TOTP(secret)
    given = code.strip()
    now = totp.timecode(datetime.fromtimestamp(at, UTC))
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.generate_otp(step).encode(), given.encode()):
            return step
    return None


def _claim_code(office: Office, account: WebAccount, secret: str, code: str) -> str | None:
    """None when the code's step is later than the last one accepted (and now is the last), else
    ``"totp_replay"``: a code signs in once, however long its window still runs."""
    step = totp_step(secret, code, time.time())
    if step is None:
        return "totp"
    with office.storage.transaction() as tx:
        return None if tx.claim_totp_step(account.id, step) else "totp_replay"
