"""Migrations: the packaged revisions build the schema of tables.py, and old data survives an upgrade."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import CheckConstraint, create_engine, inspect, select, text

from petitionkit.cli import cli
from petitionkit.domain.events import verify_chain
from petitionkit.errors import StorageError
from petitionkit.storage.sql import SqlStorage, head_revision, upgrade
from petitionkit.storage.sql.migrate import alembic_config
from petitionkit.storage.sql.tables import FULL_TEXT_OBJECTS, VERSION_TABLE, metadata
from petitionkit.testing import DIRECTOR, FakeClock, office_settings, open_test_office, sample_petition

FIRST = "0001"


def _not_full_text(name: str | None, kind: str, parent: object) -> bool:
    """The full-text objects revision 0018 makes by dialect (SQLite's FTS5 table and its shadow tables,
    PostgreSQL's GIN expression index) are not in tables.py: SQLAlchemy cannot declare them."""
    return name is None or name not in FULL_TEXT_OBJECTS


def test_the_migrations_build_exactly_the_schema_of_tables_py(db_url: str) -> None:
    upgrade(db_url)
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={"compare_type": False, "version_table": VERSION_TABLE, "include_name": _not_full_text},
            )
            differences = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_check_constraints_of_the_migrations_match_the_domain_enums(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    engine = create_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            inspector = inspect(connection)
            for table in metadata.sorted_tables:
                declared = {str(c.name): str(c.sqltext) for c in table.constraints if isinstance(c, CheckConstraint)}
                found = {str(c["name"]): c["sqltext"] for c in inspector.get_check_constraints(table.name)}
                assert found == declared, table.name
    finally:
        engine.dispose()


def _copy_rows(source_url: str, target_url: str) -> None:
    """Copy every row from a head database into one at an older revision, in the older schema's columns."""
    source, target = create_engine(source_url), create_engine(target_url)
    try:
        with source.connect() as read, target.begin() as write:
            present = inspect(write)
            for table in metadata.sorted_tables:
                if not present.has_table(table.name):
                    continue  # added by a later revision (access_log): nothing of it in the older schema
                old_columns = {c["name"] for c in present.get_columns(table.name)}
                # Surrogate keys (events.id, outbox.seq) are left to the target's own sequence.
                columns = [
                    c
                    for c in table.columns
                    if c.name in old_columns and not (c.primary_key and c.autoincrement is True)
                ]
                rows = [dict(r._mapping) for r in read.execute(select(*columns).order_by(*table.primary_key.columns))]
                if rows:
                    write.execute(table.insert(), rows)
    finally:
        source.dispose()
        target.dispose()


def test_data_written_at_the_first_revision_reads_back_after_upgrade(db_url: str, tmp_path: Path) -> None:
    # Data made by the service (a head database as the source), stored in a first-revision database.
    source_url = f"sqlite:///{tmp_path / 'source.db'}"
    clock = FakeClock()
    with open_test_office(office_settings(), storage=SqlStorage(source_url), clock=clock) as office:
        first = office.register(sample_petition(respondent={"unit_name": "区住建局", "body_code": "GOV-HOUSING"}))
        office.register(sample_petition(joins_case=first.petition.tracking_number))
        office.assign(first.case.id, body="GOV-HRSS", note="请按期报告")
        clock.advance(days=3)
        office.extend(first.case.id, days=30, reason="案情复杂", approved_by=DIRECTOR)
        case = office.case(first.case.id)
        events = office.events(first.case.id)
        petitions = office.petitions(first.case.id)

    assert upgrade(db_url, FIRST) == (None, FIRST)
    _copy_rows(source_url, db_url)

    with pytest.raises(StorageError, match="petitionkit db upgrade"):
        SqlStorage(db_url)
    assert upgrade(db_url) == (FIRST, head_revision())

    with open_test_office(office_settings(), storage=SqlStorage(db_url), clock=clock) as office:
        assert office.case(first.petition.tracking_number) == case
        assert office.events(case.id) == events and verify_chain(events) is None
        assert office.petitions(case.id) == petitions
        assert [c.id for c in office.search(respondent_body="GOV-HOUSING")] == [case.id]
        assert [o.clock.value for o in office.due_within(366)] == ["referral_report"]
        later = office.register(sample_petition())
        assert later.petition.tracking_number == "XS-2026-000003"
        office.accept(later.case.id)
    engine = create_engine(db_url)
    with engine.connect() as connection:
        names = {i["name"] for i in inspect(connection).get_indexes("obligations")}
    engine.dispose()
    assert "ix_obligations_open_due_key" in names


def test_revision_0022_moves_postgresql_search_onto_a_stored_vector_and_back(db_url: str) -> None:
    """Up: ``body_tsv`` with its GIN index, the expression index gone; down: the reverse; SQLite keeps its
    FTS5 table either way.  The documents are found at the head, after the downgrade by the expression,
    and after the upgrade again (the vector computed from the rows the table holds)."""
    upgrade(db_url)
    with open_test_office(office_settings(), storage=SqlStorage(db_url)) as office:
        noise = office.register(sample_petition(subject="小区噪音扰民")).case.id
    engine = create_engine(db_url)

    def shape() -> tuple[set[str], set[str], set[str]]:
        with engine.connect() as connection:
            looked = inspect(connection)
            columns = {c["name"] for c in looked.get_columns("search_documents")}
            return columns, {i["name"] for i in looked.get_indexes("search_documents")}, set(looked.get_table_names())

    try:
        postgresql = engine.dialect.name == "postgresql"
        columns, indexes, tables = shape()
        assert ("body_tsv" in columns) is postgresql and ("ix_search_documents_body_tsv" in indexes) is postgresql
        assert "ix_search_documents_tsv" not in indexes and ("search_fts" in tables) is not postgresql
        stored = text("SELECT count(*) FROM search_documents WHERE body_tsv @@ plainto_tsquery('simple', '噪音')")
        with engine.connect() as connection:
            held = connection.execute(stored).scalar() if postgresql else None
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0021")
        columns, indexes, tables = shape()
        assert "body_tsv" not in columns and "ix_search_documents_body_tsv" not in indexes
        assert ("search_fts" in tables) is not postgresql
        if postgresql:
            with engine.connect() as connection:
                definition = connection.execute(
                    text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_search_documents_tsv'")
                ).scalar()
                found = connection.execute(
                    text(
                        "SELECT count(*) FROM search_documents"
                        " WHERE to_tsvector('simple', body) @@ plainto_tsquery('simple', '噪音')"
                    )
                ).scalar()
            assert "USING gin (to_tsvector('simple'::regconfig, body))" in str(definition)
            assert found == held and held
        assert upgrade(db_url) == ("0021", head_revision())
        with open_test_office(office_settings(), storage=SqlStorage(db_url)) as office:
            assert [r.case_id for r in office.search_text("噪音").results] == [noise]
    finally:
        engine.dispose()


def _config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "petitionkit.toml"
    path.write_text(f'[office]\noffice_code = "XS"\n\n[database]\nurl = "{url}"\n', encoding="utf-8")
    return path


def test_cli_db_current_and_upgrade(tmp_path: Path) -> None:
    config = _config(tmp_path, "sqlite:///office.db")  # relative: next to the configuration file
    runner = CliRunner()

    shown = runner.invoke(cli, ["--config", str(config), "--json", "db", "current"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["state"] == "missing"
    assert not (tmp_path / "office.db").exists()

    upgrade(f"sqlite:///{tmp_path / 'office.db'}", FIRST)
    shown = runner.invoke(cli, ["--config", str(config), "--json", "db", "current"])
    assert json.loads(shown.output) | {"url": ""} == {
        "url": "",
        "state": "outdated",
        "revision": FIRST,
        "head": head_revision(),
        "needs_upgrade": True,
    }

    done = runner.invoke(cli, ["--config", str(config), "--json", "db", "upgrade"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["to_revision"] == head_revision()

    human = runner.invoke(cli, ["--config", str(config), "--locale", "en", "db", "current"])
    assert human.exit_code == 0 and "up to date" in human.output


def test_cli_db_upgrade_reports_a_bad_url_in_one_line(tmp_path: Path) -> None:
    config = _config(tmp_path, "postgresql+psycopg://clerk:s3cret@127.0.0.1:1/office")
    result = CliRunner().invoke(cli, ["--config", str(config), "--locale", "en", "db", "upgrade"])
    assert result.exit_code == StorageError.exit_code
    assert "s3cret" not in result.output and "Traceback" not in result.output
    assert "clerk:***@127.0.0.1:1/office" in result.output


def test_revision_0025_released_blobs_downgrades_and_upgrades_again(db_url: str) -> None:
    """0025 adds ``released_blobs`` and the attachments' blob and key indexes; its downgrade removes them."""
    from alembic import command

    from petitionkit.storage.sql.migrate import alembic_config

    upgrade(db_url)
    engine = create_engine(db_url)
    try:
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0025-1")
        with engine.connect() as connection:
            inspector = inspect(connection)
            assert "released_blobs" not in inspector.get_table_names()
            assert {i["name"] for i in inspector.get_indexes("attachments")} == {
                "ix_attachments_case",
                "ix_attachments_office",
            }
        upgrade(db_url)
        with engine.connect() as connection:
            inspector = inspect(connection)
            assert {c["name"] for c in inspector.get_columns("released_blobs")} == {
                "office_code",
                "blob_ref",
                "released_at",
            }
            assert {"ix_attachments_sealed_with", "ix_attachments_blob_ref"} <= {
                i["name"] for i in inspector.get_indexes("attachments")
            }
    finally:
        engine.dispose()
