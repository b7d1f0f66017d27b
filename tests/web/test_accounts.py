"""``petitionkit account`` on an office made by ``petitionkit init`` (encrypted, SQLite and PostgreSQL):
passwords hashed, the TOTP secret sealed, sign-in checked by password and code, on today's date."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pyotp
import pytest
from click.testing import CliRunner

from petitionkit.cli import cli
from petitionkit.config import OfficeConfig
from petitionkit.service import open_office
from petitionkit.testing.databases import raw_dump
from petitionkit.web.accounts import check_sign_in
from petitionkit.web.settings import WebSettings

SECRET_PASSWORD = "金丝雀-password-7731"  # a canary: must appear in no dump


@pytest.fixture
def office_folder(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("PETITIONKIT_MASTER_KEY", raising=False)
    folder = tmp_path / "office"
    result = CliRunner().invoke(
        cli, ["init", str(folder), "--database-url", db_url, "--rules", "builtin", "--no-sample-county"]
    )
    assert result.exit_code == 0, result.output
    monkeypatch.chdir(folder)
    return folder


def _cli(*args: str, stdin: str | None = None, code: int = 0) -> Any:
    result = CliRunner().invoke(cli, ["--json", "--as", "admin", *args], input=stdin)
    assert result.exit_code == code, result.output
    return json.loads(result.stdout) if code == 0 else result.output


def _check(folder: Path, username: str, password: str, code: str = "") -> str | None:
    config = OfficeConfig.load(folder / "petitionkit.toml")
    with open_office(config) as office:
        found = check_sign_in(office, WebSettings(), username, password, code, "127.0.0.1")
        return found.principal.id if found else None


def test_accounts_are_made_changed_and_disabled_from_the_command_line(office_folder: Path, db_url: str) -> None:
    made = _cli("account", "add", "Wang", "--principal", "wang", "--password-stdin", stdin=SECRET_PASSWORD + "\n")
    assert made["account"]["username"] == "wang" and made["account"]["principal"] == "wang"
    assert _check(office_folder, "wang", SECRET_PASSWORD) == "wang"
    assert _check(office_folder, "wang", "wrong password!") is None

    uri = _cli("account", "totp", "wang")["otpauth_uri"]
    secret = pyotp.parse_uri(uri).secret
    assert _check(office_folder, "wang", SECRET_PASSWORD) is None  # the code is now needed
    assert _check(office_folder, "wang", SECRET_PASSWORD, pyotp.TOTP(secret).now()) == "wang"

    dump = raw_dump(db_url, office_folder)
    assert SECRET_PASSWORD not in dump and secret not in dump  # a hash, and a sealed secret
    assert "$argon2id$" in dump

    _cli("account", "password", "wang", "--password-stdin", stdin="another good password\n")
    following = pyotp.TOTP(secret).at(time.time() + 30)  # the code above is spent: it signs in once
    assert _check(office_folder, "wang", "another good password", following) == "wang"
    _cli("account", "disable", "wang")
    assert _check(office_folder, "wang", "another good password", pyotp.TOTP(secret).at(time.time() + 30)) is None
    (listed,) = _cli("account", "list")["accounts"]
    assert listed["disabled_at"] is not None and listed["totp"] is True
    assert "hash" not in json.dumps(listed) and secret not in json.dumps(listed)


def test_bad_accounts_are_refused_with_the_field_named(office_folder: Path) -> None:
    short = _cli("account", "add", "li", "--principal", "li", "--password-stdin", stdin="short\n", code=2)
    assert "password" in short
    unknown = _cli("account", "add", "li", "--principal", "nobody", "--password-stdin", stdin=SECRET_PASSWORD, code=10)
    assert "nobody" in unknown
    _cli("account", "add", "li", "--principal", "li", "--password-stdin", stdin=SECRET_PASSWORD)
    taken = _cli("account", "add", "LI", "--principal", "li", "--password-stdin", stdin=SECRET_PASSWORD, code=2)
    assert "username" in taken
    bad = _cli("account", "add", "李 四", "--principal", "li", "--password-stdin", stdin=SECRET_PASSWORD, code=2)
    assert "username" in bad


def test_only_a_principal_who_may_configure_manages_accounts(office_folder: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--as", "wang", "account", "add", "x1", "--principal", "wang", "--password-stdin"], input="x" * 12
    )
    assert result.exit_code == 10, result.output


def test_the_password_is_asked_twice_without_echo(office_folder: Path) -> None:
    typed = f"{SECRET_PASSWORD}\n{SECRET_PASSWORD}\n"
    result = CliRunner().invoke(cli, ["--as", "admin", "account", "add", "zhao", "--principal", "zhao"], input=typed)
    assert result.exit_code == 0, result.output
    assert SECRET_PASSWORD not in result.output  # hidden input is not echoed
    assert _check(office_folder, "zhao", SECRET_PASSWORD) == "zhao"
    mismatch = CliRunner().invoke(
        cli, ["--as", "admin", "account", "password", "zhao"], input=f"{SECRET_PASSWORD}\nsomething else\n"
    )
    assert mismatch.exit_code != 0  # click asks again, then gives up at the end of input
    assert _check(office_folder, "zhao", SECRET_PASSWORD) == "zhao"
