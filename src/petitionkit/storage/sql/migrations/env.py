"""Alembic environment of petitionkit's own migrations.

petitionkit runs these itself (``petitionkit.storage.sql.migrate``), handing the connection in
``config.attributes["connection"]``; the version table is ``petitionkit_alembic_version`` so a host
application's own alembic history in the same database is never touched.  SQLite alterations run in
batch mode (copy-and-move), since SQLite cannot alter most things in place.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from petitionkit.storage.sql.tables import VERSION_TABLE, metadata


def _configure_and_run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    # Run by the alembic command line with sqlalchemy.url set in an ini file (maintainers only).
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("run migrations with 'petitionkit db upgrade', or set sqlalchemy.url")
    engine = create_engine(url)
    with engine.begin() as conn:
        _configure_and_run(conn)


def run_migrations_offline() -> None:
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        render_as_batch=True,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
