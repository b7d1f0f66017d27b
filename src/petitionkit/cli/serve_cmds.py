"""``petitionkit serve`` (the HTTP API, extra ``petitionkit[server]``) and ``petitionkit api-key``."""

from __future__ import annotations

import importlib.util
import os

import click

from petitionkit.cli.app import Env, run_command
from petitionkit.cli.views import table
from petitionkit.errors import ConfigurationError


def _require_server_extra() -> None:
    missing = [
        m
        for m in ("litestar", "uvicorn", "joserfc", "jinja2", "argon2", "pyotp")
        if importlib.util.find_spec(m) is None
    ]
    if missing:
        raise ConfigurationError(
            "petitionkit[server]", f"the HTTP API needs {', '.join(missing)}: pip install 'petitionkit[server]'"
        )


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on (default: [settings.server] host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Default: [settings.server] port, 8080.")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Worker processes (PostgreSQL for >1).")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default=None,
    help="Logs as text or one JSON object a line (default: [settings.server] log_format, text).",
)
@click.pass_obj
@run_command
def serve(env: Env, /, host: str | None, port: int | None, workers: int | None, log_format: str | None) -> None:
    """Serve the office's HTTP API (docs/http.md) and the clerk's web workspace (/workspace/, docs/web.md) with
    uvicorn until interrupted (Ctrl-C: graceful stop)."""
    _require_server_extra()
    import uvicorn  # noqa: PLC0415 - the server extra

    from petitionkit.server.app import CONFIG_ENV  # noqa: PLC0415
    from petitionkit.server.logs import log_config  # noqa: PLC0415
    from petitionkit.server.settings import server_settings  # noqa: PLC0415
    from petitionkit.web.settings import web_settings  # noqa: PLC0415

    config = env.config
    settings = server_settings(config)
    web_settings(config)  # a bad [settings.web] fails here, before listening
    count = workers or settings.workers
    if count > 1 and config.database_url.startswith("sqlite"):
        raise ConfigurationError.of("--workers", "config.workers_need_postgresql")
    env.unbound_office  # noqa: B018 - open once here: a bad configuration, key or schema fails before listening
    path = env.config_path or os.path.join(os.getcwd(), "petitionkit.toml")
    os.environ[CONFIG_ENV] = os.path.abspath(path)
    env.close()
    shown = host or settings.host
    where = f"http://{'[' + shown + ']' if ':' in shown else shown}:{settings.port if port is None else port}"
    chosen_format = log_format or settings.log_format
    if chosen_format == "text":  # a JSON log stays one object a line
        click.echo(f"petitionkit: the HTTP API at {where}/, the clerk's workspace at {where}/workspace/", err=True)
    uvicorn.run(
        "petitionkit.server.app:from_environment",
        factory=True,
        host=host or settings.host,
        port=settings.port if port is None else port,
        workers=count,
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=30,
        log_level="info",
        log_config=log_config(chosen_format),
        access_log=False,  # request paths name cases; the API logs problems without personal data itself
    )


@click.group("api-key")
def api_key_group() -> None:
    """API keys of system integrations: each acts as one [[principals]] entry, expires, can be revoked."""


@api_key_group.command("create")
@click.argument("principal")
@click.option("--name", required=True, help="What the key is for (e.g. the county OA system).")
@click.option("--days", type=click.IntRange(1, 3660), default=365, show_default=True, help="Days until it expires.")
@click.pass_obj
@run_command
def api_key_create(env: Env, /, principal: str, name: str, days: int) -> None:
    """Make a key acting as PRINCIPAL; its secret is printed once and never stored (only its digest)."""
    key, token = env.office.create_api_key(principal, name=name, days=days)
    labels = env.labels
    data = {"id": key.id, "principal": key.principal_id, "expires_at": labels.iso(key.expires_at), "token": token}

    def human() -> None:
        click.echo(
            labels.word(
                "cli.api_key.created", id=key.id, principal=key.principal_id, expires=labels.day(key.expires_at)
            )
        )
        click.echo(labels.word("cli.api_key.token", token=token))

    env.emit({"api_key": data}, human)


@api_key_group.command("list")
@click.pass_obj
@run_command
def api_key_list(env: Env, /) -> None:
    """The office's keys: id, principal, name, expiry, revocation (never a secret)."""
    keys = env.office.api_keys()
    now = env.office.now()
    labels = env.labels
    rows = [
        {
            "id": k.id,
            "principal": k.principal_id,
            "name": k.name,
            "created_at": labels.iso(k.created_at),
            "expires_at": labels.iso(k.expires_at),
            "revoked_at": labels.iso(k.revoked_at),
            "usable": k.usable_at(now),
        }
        for k in keys
    ]

    def human() -> None:
        table(
            [labels.word(f"view.{k}") for k in ("key_id", "principal", "name", "expires", "status")],
            [
                [
                    k.id,
                    k.principal_id,
                    k.name,
                    labels.day(k.expires_at),
                    labels.word("cli.api_key.usable" if k.usable_at(now) else "cli.api_key.refused"),
                ]
                for k in keys
            ],
        )

    env.emit({"api_keys": rows}, human)


@api_key_group.command("revoke")
@click.argument("key_id")
@click.pass_obj
@run_command
def api_key_revoke(env: Env, /, key_id: str) -> None:
    """Revoke key KEY_ID at once (the next request with it gets 401)."""
    key = env.office.revoke_api_key(key_id)
    labels = env.labels
    at = labels.iso(key.revoked_at)
    env.emit(
        {"api_key": {"id": key.id, "revoked_at": at}},
        lambda: click.echo(labels.word("cli.api_key.revoked", id=key.id, at=labels.time(key.revoked_at))),
    )


COMMANDS = [serve, api_key_group]
