"""Security review: a TOTP code signs in once.  Seen over a clerk's shoulder or in a log, the same code
(or an earlier one) is refused for the rest of its window, the refusal recorded as ``totp_replay``."""

from __future__ import annotations

import time

import pyotp

from petitionkit.testing import ADMIN
from petitionkit.web.accounts import AccountAdmin

from .conftest import WebServer, sign_in


def test_a_totp_code_signs_in_once(web_db: WebServer) -> None:
    _, uri = AccountAdmin(web_db.office.acting_as(ADMIN)).set_totp("wang", enable=True)
    assert uri is not None
    totp = pyotp.TOTP(pyotp.parse_uri(uri).secret)
    code = totp.now()
    assert sign_in(web_db.client(), "wang", code=code).status_code == 303
    replayed = sign_in(web_db.client(), "wang", code=code)
    assert replayed.status_code == 401 and "pk_session" not in replayed.cookies
    earlier = totp.at(time.time() - 30)
    assert sign_in(web_db.client(), "wang", code=earlier).status_code == 401  # an older step: no way back
    later = totp.at(time.time() + 30)  # the next step (within the allowed drift) is a new code
    assert sign_in(web_db.client(), "wang", code=later).status_code == 303
    with web_db.office.storage.transaction() as tx:
        account = tx.web_account(web_db.office.config.office_code, "wang")
    assert account is not None and account.totp_last_step is not None
    assert sign_in(web_db.client(), "wang", code=later).status_code == 401  # and that one is spent too
