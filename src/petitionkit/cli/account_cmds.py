"""``petitionkit account``: local accounts of the web workspace (docs/web.md), each acting as one principal.

Passwords are read without echo (twice) or, with ``--password-stdin``, as the first line of standard
input (for scripts); they are never an argument (a shell history or ``ps`` would show them).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from petitionkit.cli.app import Env, run_command
from petitionkit.cli.serve_cmds import _require_server_extra
from petitionkit.cli.views import table

if TYPE_CHECKING:
    from petitionkit.storage.web import WebAccount
    from petitionkit.web.accounts import AccountAdmin

password_stdin = click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of standard input (no prompt)."
)


def _admin(env: Env) -> AccountAdmin:
    _require_server_extra()
    from petitionkit.web.accounts import AccountAdmin  # noqa: PLC0415 - argon2 and pyotp load only here

    return AccountAdmin(env.office)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    value: str = click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    return value


def _row(account: WebAccount) -> dict[str, Any]:
    return {
        "username": account.username,
        "principal": account.principal_id,
        "totp": account.totp_secret is not None,
        "locale": account.locale,
        "created_at": account.created_at.isoformat(),
        "disabled_at": account.disabled_at.isoformat() if account.disabled_at else None,
    }


@click.group("account")
def account_group() -> None:
    """Local accounts of the web workspace (Argon2 passwords, optional TOTP); each acts as one principal."""


@account_group.command("add")
@click.argument("username")
@click.option("--principal", "principal_id", required=True, help="The [[principals]] entry the account acts as.")
@click.option("--locale", type=click.Choice(["zh-CN", "en"]), default=None, help="The account's language.")
@password_stdin
@click.pass_obj
@run_command
def account_add(env: Env, /, username: str, principal_id: str, locale: str | None, password_stdin: bool) -> None:
    """Make account USERNAME acting as --principal (needs configure)."""
    admin = _admin(env)
    account = admin.add(username, principal_id, _password(password_stdin), locale=locale)
    env.emit({"account": _row(account)}, lambda: click.echo(f"{account.username} -> {account.principal_id}"))


@account_group.command("password")
@click.argument("username")
@password_stdin
@click.pass_obj
@run_command
def account_password(env: Env, /, username: str, password_stdin: bool) -> None:
    """Set a new password for USERNAME; its open sessions end."""
    account = _admin(env).set_password(username, _password(password_stdin))
    env.emit({"account": _row(account)}, lambda: click.echo(f"{account.username}: password changed"))


@account_group.command("totp")
@click.argument("username")
@click.option("--disable", is_flag=True, help="Remove the one-time codes instead of making a new secret.")
@click.pass_obj
@run_command
def account_totp(env: Env, /, username: str, disable: bool) -> None:
    """Give USERNAME a new TOTP secret (its otpauth:// URI is printed once, for the authenticator app)."""
    account, uri = _admin(env).set_totp(username, enable=not disable)

    def human() -> None:
        if uri:
            click.echo("otpauth URI (shown once; add it to the authenticator app, e.g. as a QR code):")
            click.echo(uri)
        else:
            click.echo(f"{account.username}: one-time codes removed")

    env.emit({"account": _row(account), "otpauth_uri": uri}, human)


@account_group.command("disable")
@click.argument("username")
@click.pass_obj
@run_command
def account_disable(env: Env, /, username: str) -> None:
    """USERNAME can no longer sign in; its sessions end at once."""
    account = _admin(env).disable(username)
    env.emit({"account": _row(account)}, lambda: click.echo(f"{account.username}: disabled"))


@account_group.command("list")
@click.pass_obj
@run_command
def account_list(env: Env, /) -> None:
    """The office's accounts (never a hash or a secret)."""
    rows = [_row(a) for a in _admin(env).list()]

    def human() -> None:
        table(
            ["username", "principal", "totp", "status"],
            [[r["username"], r["principal"], "yes" if r["totp"] else "no", "disabled" if r["disabled_at"] else "ok"]
             for r in rows],
        )  # fmt: skip

    env.emit({"accounts": rows}, human)


COMMANDS = [account_group]
