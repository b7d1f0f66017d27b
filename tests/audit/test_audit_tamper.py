"""Tampering behind petitionkit's back is found by ``petitionkit audit verify`` (SQLite and PostgreSQL).

Each test builds a real office (petitionkit init, today's date, no injected clock), records some work,
then edits the database as an administrator with write access would: dropping the append-only
triggers first, as such a person could.  ``audit verify`` must exit 9 naming the case.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from petitionkit.cli import cli
from petitionkit.config import OfficeConfig
from petitionkit.domain.events import event_digest
from petitionkit.service import Office
from petitionkit.storage.sql.engine import parse_url
from petitionkit.storage.sql.tables import access_log, cases, events, obligations, petitions
from petitionkit.testing import open_test_office, sample_petition


def run(folder: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(folder / "petitionkit.toml"), "--json", *args])


@pytest.fixture
def folder(db_url: str, tmp_path: Path) -> Path:
    """An office made by ``petitionkit init`` on ``db_url``, with two cases: one accepted, one registered."""
    folder = tmp_path / "office"
    result = CliRunner().invoke(
        cli, ["init", str(folder), "--database-url", db_url, "--rules", "builtin", "--no-sample-county"]
    )
    assert result.exit_code == 0, result.output
    with _office(folder) as office:
        first = office.register(sample_petition())
        office.accept(first.case.id)
        office.register(sample_petition(subject="道路维修"))
    return folder


def _office(folder: Path) -> Office:
    return open_test_office(OfficeConfig.load(folder / "petitionkit.toml"))


@pytest.fixture
def engine(folder: Path) -> Iterator[sa.Engine]:
    config = OfficeConfig.load(folder / "petitionkit.toml")
    url = parse_url(config.database_url, config.base_dir)
    engine = sa.create_engine(url)
    with engine.begin() as c:  # what an administrator with DDL rights can do first
        if engine.dialect.name == "sqlite":
            for name in ("events_no_update", "events_no_delete", "cases_last_sequence_forward"):
                c.execute(sa.text(f"DROP TRIGGER {name}"))
        else:
            c.execute(sa.text("ALTER TABLE events DISABLE TRIGGER USER"))
            c.execute(sa.text("ALTER TABLE cases DISABLE TRIGGER USER"))
    yield engine
    engine.dispose()


def accepted_case(folder: Path) -> Any:
    with _office(folder) as office:
        return next(c for c in office.search() if c.last_sequence > 1)


def assert_broken(folder: Path, case_id: str, problem: str, *args: str) -> dict[str, Any]:
    result = run(folder, "audit", "verify", *args)
    assert result.exit_code == 9, result.output
    report = json.loads(result.stdout)
    breaks = next(v for v in report["verifiers"] if v["name"] == "cases")["breaks"]
    assert [(b["subject"], b["problem"]) for b in breaks] == [(case_id, problem)]
    return dict(breaks[0])


def test_an_untouched_office_verifies(folder: Path) -> None:
    result = run(folder, "audit", "verify")
    assert result.exit_code == 0, result.output
    report = next(v for v in json.loads(result.stdout)["verifiers"] if v["name"] == "cases")
    assert (report["intact"], report["records"], report["unkeyed_records"]) == (True, 2, 0)


def test_deleting_the_last_event_of_a_case(folder: Path, engine: sa.Engine) -> None:
    case = accepted_case(folder)
    with engine.begin() as c:
        c.execute(events.delete().where(events.c.case_id == case.id, events.c.sequence == case.last_sequence))
    found = assert_broken(folder, case.id, "head")
    assert found["item"] == "case row" and found["label"] == case.first_tracking_number


def test_deleting_every_event_of_a_case(folder: Path, engine: sa.Engine) -> None:
    case = accepted_case(folder)
    with engine.begin() as c:
        c.execute(events.delete().where(events.c.case_id == case.id))
    assert_broken(folder, case.id, "no_events")


def test_editing_an_event_and_recomputing_the_public_chain(folder: Path, engine: sa.Engine) -> None:
    case = accepted_case(folder)
    with _office(folder) as office:
        trail = office.events(case.id)
    prev = trail[0].prev_digest
    with engine.begin() as c:
        for event in trail:
            payload = dict(event.payload)
            if event.sequence == 1:
                payload["headcount"] = 99  # the forged change
            digest = event_digest(
                prev, event.case_id, event.sequence, event.name, event.actor, event.occurred_at, payload
            )
            c.execute(
                events.update()
                .where(events.c.case_id == case.id, events.c.sequence == event.sequence)
                .values(payload=payload, prev_digest=prev, digest=digest)
            )
            prev = digest
        c.execute(cases.update().where(cases.c.id == case.id).values(last_digest=prev))
    assert assert_broken(folder, case.id, "seal")["item"] == "event 1"


def test_editing_a_case_state(folder: Path, engine: sa.Engine) -> None:
    case = accepted_case(folder)
    with engine.begin() as c:
        c.execute(cases.update().where(cases.c.id == case.id).values(state="terminated"))
    assert_broken(folder, case.id, "state_case")


def test_moving_an_obligation_due_date(folder: Path, engine: sa.Engine) -> None:
    case = accepted_case(folder)
    assert case.obligations
    with engine.begin() as c:
        c.execute(obligations.update().where(obligations.c.case_id == case.id).values(due=date(2099, 12, 31)))
    assert_broken(folder, case.id, "state_obligations")


def test_editing_a_petition_content(folder: Path, engine: sa.Engine) -> None:
    """Content is encrypted (docs/security.md): plain text written in its place is a finding, not a crash."""
    case = accepted_case(folder)
    with engine.begin() as c:
        c.execute(petitions.update().where(petitions.c.case_id == case.id).values(content="已自行解决，撤回。"))
    found = assert_broken(folder, case.id, "undecryptable_plaintext")
    assert found["item"].startswith("petitions.content ") and "plain text" in found["message"]


def test_moving_another_petitions_encrypted_content(folder: Path, engine: sa.Engine) -> None:
    case = accepted_case(folder)
    with engine.begin() as c:
        other = c.execute(sa.select(petitions.c.content).where(petitions.c.case_id != case.id)).scalar_one()
        c.execute(petitions.update().where(petitions.c.case_id == case.id).values(content=other))
    assert assert_broken(folder, case.id, "undecryptable")["item"].startswith("petitions.content ")


def test_a_tampered_ciphertext_is_reported_with_its_row_and_the_other_cases_are_still_verified(
    folder: Path, engine: sa.Engine
) -> None:
    """One altered byte in one petition's sealed content: that case is named (table, row, column), exit 9;
    the other case is still verified, so an edit made to it as well is found too."""
    case = accepted_case(folder)
    with engine.begin() as c:
        petition_id, sealed = c.execute(
            sa.select(petitions.c.id, petitions.c.content).where(petitions.c.case_id == case.id)
        ).one()
        middle = len(sealed) // 2  # inside the ciphertext (the last base64 characters may be padding bits)
        flipped = sealed[:middle] + ("A" if sealed[middle] != "A" else "B") + sealed[middle + 1 :]
        c.execute(petitions.update().where(petitions.c.id == petition_id).values(content=flipped))
        other = c.execute(sa.select(cases.c.id).where(cases.c.id != case.id)).scalar_one()
        c.execute(cases.update().where(cases.c.id == other).values(state="terminated"))
    result = run(folder, "audit", "verify")
    assert result.exit_code == 9, result.output
    report = next(v for v in json.loads(result.stdout)["verifiers"] if v["name"] == "cases")
    assert report["records"] == 2
    found = {b["subject"]: b for b in report["breaks"]}
    assert found[other]["problem"] == "state_case"
    tampered = found[case.id]
    assert tampered["problem"] == "undecryptable" and tampered["label"] == case.first_tracking_number
    assert tampered["item"] == f"petitions.content {petition_id}"
    assert f"row {petition_id}" in tampered["message"] and "petitions" in tampered["message_zh"]
    human = CliRunner().invoke(cli, ["--config", str(folder / "petitionkit.toml"), "audit", "verify"])
    assert human.exit_code == 9 and case.first_tracking_number in human.output and sealed not in human.output


def test_restoring_an_older_copy_is_found_against_the_last_checkpoint(
    folder: Path, engine: sa.Engine, tmp_path: Path
) -> None:
    case = accepted_case(folder)
    with engine.connect() as c:
        old_case = dict(c.execute(sa.select(cases).where(cases.c.id == case.id)).mappings().one())
        old_petitions = [
            dict(r) for r in c.execute(sa.select(petitions).where(petitions.c.case_id == case.id)).mappings()
        ]
    sqlite_file = engine.url.database if engine.dialect.name == "sqlite" else None
    backup = tmp_path / "backup.db"
    if sqlite_file:
        shutil.copyfile(sqlite_file, backup)
    with _office(folder) as office:
        office.reissue_query_code(case.first_tracking_number)  # one more event after the backup
    result = run(folder, "audit", "checkpoint")
    assert result.exit_code == 0, result.output
    checkpoint = json.loads(result.stdout)["written"]
    assert Path(checkpoint).parent == folder / "checkpoints"
    # The restore: the database as it was before that event.
    if sqlite_file:
        engine.dispose()
        shutil.copyfile(backup, sqlite_file)
    else:
        with engine.begin() as c:
            c.execute(events.delete().where(events.c.case_id == case.id, events.c.sequence > case.last_sequence))
            c.execute(cases.update().where(cases.c.id == case.id).values(**old_case))
            for row in old_petitions:
                c.execute(petitions.update().where(petitions.c.id == row["id"]).values(**row))
    assert run(folder, "audit", "verify").exit_code == 0  # consistent in itself: only the checkpoint knows
    found = assert_broken(folder, case.id, "truncated", "--against", checkpoint)
    assert found["item"] == f"event {case.last_sequence + 1}"


def test_an_access_record_edited_or_forged_is_found(folder: Path, engine: sa.Engine) -> None:
    """Who read personal data is sealed too: a record changed or written outside petitionkit breaks."""
    case = accepted_case(folder)
    with _office(folder) as office:
        office.petitions(case.id, purpose="核实")  # one more read of personal data, on record
    intact = json.loads(run(folder, "audit", "verify").stdout)
    access = next(v for v in intact["verifiers"] if v["name"] == "access_records")
    assert access["intact"] and access["records"] >= 2 and access["unkeyed_records"] == 0
    with engine.begin() as c:
        c.execute(sa.update(access_log).where(access_log.c.purpose == "核实").values(count=0, purpose=""))
    result = run(folder, "audit", "verify")
    assert result.exit_code == 9, result.output
    breaks = next(v for v in json.loads(result.stdout)["verifiers"] if v["name"] == "access_records")["breaks"]
    assert [b["problem"] for b in breaks] == ["access_altered"]
    with engine.begin() as c:  # a record nobody made, without a seal, after sealed ones
        forged = {c.key: None for c in access_log.c if c.key != "seq"}
        forged |= {"id": "forged", "office_code": "QX", "principal_id": "admin", "roles": "administrator"}
        forged |= {"at": intact_time(engine), "action": "petitions", "query": "", "count": 1, "purpose": ""}
        c.execute(sa.insert(access_log).values(**forged))
    breaks = next(
        v for v in json.loads(run(folder, "audit", "verify").stdout)["verifiers"] if v["name"] == "access_records"
    )["breaks"]
    assert sorted(b["problem"] for b in breaks) == ["access_altered", "access_unsealed"]


def intact_time(engine: sa.Engine) -> Any:
    with engine.connect() as c:
        return c.execute(sa.select(access_log.c.at).limit(1)).scalar_one()


def test_access_records_deleted_after_a_checkpoint_are_found_against_it(folder: Path, engine: sa.Engine) -> None:
    case = accepted_case(folder)
    with _office(folder) as office:
        office.petitions(case.id, purpose="核实")
    result = run(folder, "audit", "checkpoint")
    assert result.exit_code == 0, result.output
    checkpoint = json.loads(result.stdout)["written"]
    assert json.loads(Path(checkpoint).read_text(encoding="utf-8"))["access_count"] >= 2
    assert run(folder, "audit", "verify", "--against", checkpoint).exit_code == 0
    with engine.begin() as c:  # the read is made to disappear; every other record is untouched
        c.execute(sa.delete(access_log).where(access_log.c.purpose == "核实"))
    assert run(folder, "audit", "verify").exit_code == 0  # each remaining record is still sealed
    result = run(folder, "audit", "verify", "--against", checkpoint)
    assert result.exit_code == 9, result.output
    breaks = next(v for v in json.loads(result.stdout)["verifiers"] if v["name"] == "access_records")["breaks"]
    assert {b["problem"] for b in breaks} & {"access_truncated", "access_rewritten"}
