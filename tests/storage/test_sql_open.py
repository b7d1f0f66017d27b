"""Opening a SQL store: a new database is created, anything unusable is one clear StorageError.

Errors name the URL with the password hidden and say what to do; nothing is created in or changed
about a database (or folder) that is refused.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from petitionkit.errors import StorageError
from petitionkit.storage.base import OutboxMessage
from petitionkit.storage.sql import SchemaState, SqlStorage, current, head_revision, upgrade
from petitionkit.testing import FakeClock, office_settings, open_test_office, sample_petition

PR_CAPBSET_DROP = 24


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return sorted(inspect(connection).get_table_names())
    finally:
        engine.dispose()


# --- a new database ------------------------------------------------------------------------------


def test_an_empty_database_is_created_at_the_head_revision(db_url: str) -> None:
    store = SqlStorage(db_url)
    store.close()
    assert store.schema.revision == head_revision()
    status = current(db_url)
    assert status.state is SchemaState.CURRENT and status.revision == head_revision()
    assert {"cases", "petitions", "obligations", "events", "outbox", "petitionkit_alembic_version"} <= set(
        _tables(db_url)
    )


def test_the_embedded_default_works_with_zero_setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = dict(office_settings())
    settings["database"] = {"url": "sqlite:///office.db"}
    monkeypatch.chdir(tmp_path)
    with open_test_office(settings, clock=FakeClock()) as office:
        reg = office.register(sample_petition())
        assert office.case(reg.petition.tracking_number) == reg.case
    with sqlite3.connect(tmp_path / "office.db") as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_relative_sqlite_path_is_taken_from_the_config_folder(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    store = SqlStorage("sqlite:///data.db", base_dir=tmp_path / "conf")
    store.close()
    assert (tmp_path / "conf" / "data.db").exists()


def test_in_memory_sqlite_is_one_shared_database() -> None:
    store = SqlStorage("sqlite://")
    with open_test_office(office_settings(), storage=store, clock=FakeClock()) as office:
        reg = office.register(sample_petition())
        assert office.case(reg.case.id) == reg.case


# --- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["not a url", "mysql://clerk:s3cret@db.example/office", "sqlite+aiosqlite:///x.db", "oracle://clerk:s3cret@h/x"],
)
def test_an_unusable_url_is_a_storage_error_without_the_password(url: str) -> None:
    with pytest.raises(StorageError) as caught:
        SqlStorage(url)
    assert "s3cret" not in str(caught.value) and "s3cret" not in caught.value.url
    assert caught.value.problem


def test_a_missing_folder_is_reported_and_nothing_is_created(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no' / 'such' / 'office.db'}"
    with pytest.raises(StorageError, match="does not exist") as caught:
        SqlStorage(url)
    assert caught.value.url == url
    assert not (tmp_path / "no").exists()


def test_an_unreachable_server_is_one_clear_error_with_the_password_hidden() -> None:
    url = "postgresql+psycopg://clerk:s3cret@127.0.0.1:1/office"
    with pytest.raises(StorageError) as caught:
        SqlStorage(url)
    error = caught.value
    assert error.url == "postgresql+psycopg://clerk:***@127.0.0.1:1/office"
    assert "s3cret" not in str(error)
    assert "check the host" in error.problem


def test_open_office_reports_the_storage_error(tmp_path: Path) -> None:
    settings = dict(office_settings())
    settings["database"] = {"url": "postgresql://clerk:s3cret@127.0.0.1:1/office"}
    with pytest.raises(StorageError) as caught:
        open_test_office(settings)
    assert "***" in caught.value.url and "s3cret" not in str(caught.value)


def test_a_file_that_is_not_a_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "office.db"
    path.write_text("这不是数据库 / not a database\n" * 100, encoding="utf-8")
    before = _digest(path)
    with pytest.raises(StorageError, match="not a SQLite database"):
        SqlStorage(f"sqlite:///{path}")
    assert _digest(path) == before


def test_another_applications_sqlite_database_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "erp.db"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount INTEGER)")
        raw.execute("INSERT INTO invoices (amount) VALUES (42)")
    raw.close()
    before = _digest(path)
    with pytest.raises(StorageError, match="another application") as caught:
        SqlStorage(f"sqlite:///{path}")
    assert "1 tables" in caught.value.problem
    with pytest.raises(StorageError, match="another application"):
        upgrade(f"sqlite:///{path}")
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["erp.db"]


@pytest.mark.postgresql
def test_another_applications_postgresql_schema_is_refused_and_left_unchanged(postgresql_url: str) -> None:
    engine = create_engine(postgresql_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE invoices (id serial PRIMARY KEY, amount integer)"))
    engine.dispose()
    with pytest.raises(StorageError, match="another application"):
        SqlStorage(postgresql_url)
    with pytest.raises(StorageError, match="another application"):
        upgrade(postgresql_url)
    assert _tables(postgresql_url) == ["invoices"]
    assert current(postgresql_url).state is SchemaState.FOREIGN


def test_an_older_schema_is_refused_until_upgraded(db_url: str) -> None:
    upgrade(db_url, "0001")
    with pytest.raises(StorageError, match="petitionkit db upgrade") as caught:
        SqlStorage(db_url)
    assert "0001" in caught.value.problem
    assert current(db_url).state is SchemaState.OUTDATED
    assert upgrade(db_url) == ("0001", head_revision())
    SqlStorage(db_url).close()


def test_a_schema_from_a_newer_petitionkit_is_refused(db_url: str) -> None:
    SqlStorage(db_url).close()
    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE petitionkit_alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StorageError, match="does not know"):
        SqlStorage(db_url)
    with pytest.raises(StorageError, match="does not know"):
        upgrade(db_url)


def test_current_does_not_create_a_missing_database(tmp_path: Path) -> None:
    status = current(f"sqlite:///{tmp_path / 'office.db'}")
    assert status.state is SchemaState.MISSING
    assert not (tmp_path / "office.db").exists()


# --- read-only files and folders (run as another user when the tests run as root) -----------------

_OPEN_SCRIPT = """
import json, sys
from petitionkit.errors import StorageError
from petitionkit.storage.sql import SqlStorage
try:
    SqlStorage(sys.argv[1]).close()
    print(json.dumps({"opened": True}))
except StorageError as exc:
    print(json.dumps({"url": exc.url, "problem": exc.problem}))
"""


def _without_dac_override() -> None:
    """In the child: drop root's right to ignore file permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _open_without_write_permission(url: str) -> dict[str, str]:
    """Open ``url`` in a child process that obeys file permissions (as root too)."""
    done = subprocess.run(
        [sys.executable, "-c", _OPEN_SCRIPT, url],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        preexec_fn=_without_dac_override if os.geteuid() == 0 else None,
    )
    result: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture
def shared_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    for path in (tmp_path, *tmp_path.rglob("*")):
        path.chmod(0o755 if path.is_dir() else 0o644)


def test_a_read_only_folder_is_a_clear_error_and_nothing_is_created(shared_dir: Path) -> None:
    folder = shared_dir / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    url = f"sqlite:///{folder / 'office.db'}"
    result = _open_without_write_permission(url)
    assert result.get("url") == url, result
    assert "writable" in result["problem"]
    assert list(folder.iterdir()) == []


def test_a_read_only_database_file_is_a_clear_error_and_is_left_unchanged(shared_dir: Path) -> None:
    path = shared_dir / "office.db"
    SqlStorage(f"sqlite:///{path}").close()
    path.chmod(0o444)
    before = _digest(path)
    result = _open_without_write_permission(f"sqlite:///{path}")
    assert "read-only" in result.get("problem", ""), result
    assert _digest(path) == before


# --- constraints keep bad data out even if code misbehaves ----------------------------------------


@pytest.fixture
def filled(db_url: str) -> Iterator[tuple[SqlStorage, str]]:
    store = SqlStorage(db_url)
    office = open_test_office(office_settings(), storage=store, clock=FakeClock())
    reg = office.register(sample_petition())
    now = office.now()
    with store.transaction() as tx:  # an outbox row of the case, whatever the service queues itself
        tx.enqueue([OutboxMessage(uuid.uuid4().hex, "Test", reg.case.id, {}, "test:1", now, now)])
    yield store, reg.case.id
    store.close()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE cases SET state = 'lost' WHERE id = :case_id",
        "UPDATE cases SET version = 0 WHERE id = :case_id",
        "UPDATE obligations SET status = 'forgotten' WHERE case_id = :case_id",
        "UPDATE obligations SET clock = NULL WHERE case_id = :case_id",
        "UPDATE petitions SET case_id = 'no-such-case' WHERE case_id = :case_id",
        "UPDATE petitions SET headcount = 0 WHERE case_id = :case_id",
        "UPDATE events SET sequence = 1 WHERE case_id = :case_id",
        "UPDATE outbox SET status = 'lost' WHERE case_id = :case_id",
        "INSERT INTO petitions (id, office_code, tracking_number, query_code_digest, case_id, channel,"
        " received_at, registered_at, kind, subject, content, category, region_code, petitioners, anonymous,"
        " confidential, headcount, respondent, respondent_body_code, attachments, referred_from)"
        " SELECT 'p2', office_code, tracking_number, 'other-digest', case_id, channel,"
        " received_at, registered_at, kind, subject, content, category, region_code, petitioners, anonymous,"
        " confidential, headcount, respondent, respondent_body_code, attachments, referred_from"
        " FROM petitions WHERE case_id = :case_id",
        "DELETE FROM cases WHERE id = :case_id",
    ],
)
def test_constraints_refuse_bad_rows(filled: tuple[SqlStorage, str], statement: str) -> None:
    store, case_id = filled
    with pytest.raises(IntegrityError), store.engine.begin() as connection:
        connection.execute(text(statement), {"case_id": case_id})


@pytest.mark.postgresql
def test_a_lost_connection_is_a_storage_error_and_the_next_transaction_works(postgresql_url: str) -> None:
    store = SqlStorage(postgresql_url, pool_size=1)
    office = open_test_office(office_settings(), storage=store, clock=FakeClock())
    reg = office.register(sample_petition())
    admin = create_engine(postgresql_url, isolation_level="AUTOCOMMIT")
    try:
        with pytest.raises(StorageError, match="connection"), store.transaction() as tx:
            backend = tx.connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            with admin.connect() as connection:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
            tx.get_case(reg.case.id)
    finally:
        admin.dispose()
    assert office.case(reg.case.id) == reg.case
    store.close()
