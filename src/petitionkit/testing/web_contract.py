"""The storage contract's part for the web workspace's accounts, sessions and failed sign-ins.

Mixed into :class:`~petitionkit.testing.storage_contract.StorageContract`: a backend passes it by the
same ``storage`` fixture (an empty backend).
"""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from petitionkit.storage.base import Storage
from petitionkit.storage.web import SignInFailure, WebAccount, WebSession
from petitionkit.testing import SHANGHAI, FakeClock

OFFICE = "XS"


def _account(clock: FakeClock, username: str = "wang", **changes: object) -> WebAccount:
    base = WebAccount(
        id=f"a-{username}",
        office_code=OFFICE,
        username=username,
        principal_id=username,
        password_hash="$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
        created_at=clock().astimezone(SHANGHAI),
    )
    return attrs.evolve(base, **changes)  # type: ignore[arg-type]


class WebAccountsContract:
    def test_web_accounts_read_back_equal_and_change(self, storage: Storage, clock: FakeClock) -> None:
        account = _account(clock, totp_secret="JBSWY3DPEHPK3PXP", locale="en")
        with storage.transaction() as tx:
            tx.add_web_account(account)
            tx.add_web_account(_account(clock, "li"))
        with storage.transaction() as tx:
            assert tx.web_account(OFFICE, "wang") == account
            assert tx.web_account_by_id(account.id) == account
            assert tx.web_account("OTHER", "wang") is None
            assert [a.username for a in tx.web_accounts(OFFICE)] == ["li", "wang"]
            disabled = attrs.evolve(account, totp_secret=None, disabled_at=clock(), changed_at=clock())
            tx.update_web_account(disabled)
        with storage.transaction() as tx:
            assert tx.web_account(OFFICE, "wang") == disabled

    def test_a_second_account_with_the_same_name_is_refused(self, storage: Storage, clock: FakeClock) -> None:
        with storage.transaction() as tx:
            tx.add_web_account(_account(clock))
        with pytest.raises(Exception), storage.transaction() as tx:  # noqa: B017 - each backend its own error
            tx.add_web_account(_account(clock, id="a-other"))
        with storage.transaction() as tx:
            assert len(tx.web_accounts(OFFICE)) == 1

    def test_web_sessions_are_found_touched_and_ended(self, storage: Storage, clock: FakeClock) -> None:
        now = clock()
        one = WebSession("d" * 64, OFFICE, "wang", now, now, account_id="a-wang")
        two = WebSession("e" * 64, OFFICE, "wang", now, now, account_id="a-wang", locale="en")
        sso = WebSession("f" * 64, OFFICE, "sun", now - timedelta(hours=11), now, subject="u-sun")
        with storage.transaction() as tx:
            for s in (one, two, sso):
                tx.add_web_session(s)
        with storage.transaction() as tx:
            assert tx.web_session(two.digest) == two
            tx.touch_web_session(one.digest, now + timedelta(minutes=5))
            assert tx.web_session(one.digest) == attrs.evolve(one, seen_at=now + timedelta(minutes=5))
            # idle since before now+1min (two), or made before now-10h (sso): one stays
            assert tx.end_idle_web_sessions(OFFICE, now + timedelta(minutes=1), now - timedelta(hours=10)) == 2
            assert tx.web_session(one.digest) is not None and tx.web_session(sso.digest) is None
            assert tx.end_web_sessions(account_id="a-wang") == 1
            assert tx.end_web_sessions(digest="0" * 64) == 0

    def test_failed_sign_ins_are_counted_and_roll_back(self, storage: Storage, clock: FakeClock) -> None:
        now = clock()
        with storage.transaction() as tx:
            for minutes in (1, 2, 30):
                tx.record_sign_in_failure(
                    SignInFailure(OFFICE, now - timedelta(minutes=minutes), "n" * 64, "password", "127.0.0.1")
                )
        with pytest.raises(RuntimeError), storage.transaction() as tx:
            tx.record_sign_in_failure(SignInFailure(OFFICE, now, "n" * 64, "password", "127.0.0.1"))
            raise RuntimeError("roll back")
        with storage.transaction() as tx:
            assert tx.sign_in_failures(OFFICE, "n" * 64, now - timedelta(minutes=15)) == 2
            assert tx.sign_in_failures(OFFICE, "n" * 64, now - timedelta(hours=1)) == 3
            assert tx.sign_in_failures("OTHER", "n" * 64, now - timedelta(hours=1)) == 0
