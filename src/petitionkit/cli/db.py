"""``petitionkit db``: the SQL schema's migrations (``upgrade``), where a database stands (``current``), and
recounting the report's petition tallies (``rebuild-tallies``)."""

from __future__ import annotations

import click

from petitionkit.cli.app import Env, run_command
from petitionkit.i18n import translate


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
            click.echo(translate("db.already", env.locale, url=data["url"], revision=after))
        else:
            start = before or translate("db.empty_database", env.locale)
            click.echo(translate("db.upgraded", env.locale, url=data["url"], before=start, after=after))

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
    advice = translate(f"db.state.{status.state.value}", env.locale)
    line = translate("db.current", env.locale, url=status.url, revision=status.revision or "-", head=status.head)
    env.emit(data, lambda: click.echo(f"{line}{advice}"))


@db.command("rebuild-tallies")
@click.pass_obj
@run_command
def rebuild_tallies_command(env: Env) -> None:
    """Count every petition into the report's petition tallies again (a repair; triggers keep them).

    Registrations and imports wait until it ends.
    """
    from petitionkit.storage.sql.tallies import rebuild_tallies  # noqa: PLC0415

    config = env.config
    rows = rebuild_tallies(config.database_url, base_dir=config.base_dir)
    data = {"url": _shown(config.database_url), "tally_rows": rows}
    env.emit(data, lambda: click.echo(translate("db.tallies_rebuilt", env.locale, url=data["url"], rows=rows)))


def _shown(url: str) -> str:
    from petitionkit.storage.sql.engine import hide_password  # noqa: PLC0415

    return hide_password(url)
