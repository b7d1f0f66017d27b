"""``petitionkit db``: the SQL schema's migrations (``upgrade``) and where a database stands (``current``)."""

from __future__ import annotations

import click

from petitionkit.cli.app import Env, run_command


@click.group("db")
def db() -> None:
    """Database schema: upgrade to this petitionkit's schema, or show the current revision."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Migrate up to this revision.")
@click.pass_obj
@run_command
def upgrade_command(env: Env, revision: str) -> None:
    """Migrate the configured database (database.url) to the newest schema; creates it if empty.

    Back the database up first.  Another application's database is refused untouched.
    """
    from petitionkit.storage.sql import upgrade  # noqa: PLC0415 - SQLAlchemy and alembic load only here

    config = env.config
    before, after = upgrade(config.database_url, revision, base_dir=config.base_dir)
    data = {"url": _shown(config.database_url), "from_revision": before, "to_revision": after}

    def human() -> None:
        if before == after:
            click.echo(f"{data['url']}: already at revision {after}")
        else:
            click.echo(f"{data['url']}: upgraded from {before or 'an empty database'} to revision {after}")

    env.emit(data, human)


@db.command("current")
@click.pass_obj
@run_command
def current_command(env: Env) -> None:
    """Show the database's schema revision and whether it needs 'petitionkit db upgrade'; changes nothing."""
    from petitionkit.storage.sql import current  # noqa: PLC0415

    config = env.config
    status = current(config.database_url, base_dir=config.base_dir)
    data = {
        "url": status.url,
        "state": status.state.value,
        "revision": status.revision,
        "head": status.head,
        "needs_upgrade": status.state.value in ("missing", "empty", "outdated"),
    }
    advice = {
        "missing": "no database yet: it is created on first use, or now with 'petitionkit db upgrade'",
        "empty": "empty: it is created on first use, or now with 'petitionkit db upgrade'",
        "current": "up to date",
        "outdated": "older than this petitionkit: back it up, then run 'petitionkit db upgrade'",
        "newer": "written by a newer petitionkit: upgrade petitionkit",
        "foreign": "another application's database: petitionkit will not use it",
    }[status.state.value]
    env.emit(
        data, lambda: click.echo(f"{status.url}: revision {status.revision or '-'} (head {status.head}); {advice}")
    )


def _shown(url: str) -> str:
    from petitionkit.storage.sql.engine import hide_password  # noqa: PLC0415

    return hide_password(url)
