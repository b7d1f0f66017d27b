"""Purging what has outlived its retention period, on SQLite and PostgreSQL.

Canary petitions (distinctive names, ID numbers, phones, addresses, e-mails and phrases) go through
registration to every end state; the clock moves past the national pack's periods; ``purge`` runs.
Afterwards the canaries are in no raw dump of the database (some of them were in plain text before:
the reply, the evaluation comment, the referral feedback), the API shows tombstones, every figure of
the period's report is what it was, ``audit verify`` passes, and neither a second purge nor a dry run
changes anything.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

from petitionkit.audit import verify_office
from petitionkit.cli import cli
from petitionkit.config import OfficeConfig
from petitionkit.domain.events import verify_chain
from petitionkit.domain.retention import ERASED, RecordKind
from petitionkit.errors import PermissionDenied
from petitionkit.reports import Period, period_report
from petitionkit.serialization import unstructure
from petitionkit.service import Office
from petitionkit.service.retention import plan_purge, purge
from petitionkit.testing import AUDITOR, SHANGHAI, FakeClock, open_test_office, sample_petition
from petitionkit.testing.databases import raw_dump

START = datetime(2020, 3, 2, 9, 0, tzinfo=SHANGHAI)
MARCH = Period.month(2020, 3)

NAMES = ["欧阳金丝雀", "司马云雀", "诸葛画眉"]
ID_NUMBERS = ["330102198704123617", "110105196502283021", "440524198001010013"]
PHONES = ["13712345678", "15987654321", "13600001111"]
ADDRESS = "金丝雀路88号"
EMAIL = "canary.bird@example.cn"
PHRASES = ["金丝雀湾拆迁补偿款被截留", "云雀村集体土地被违规出让", "画眉巷违章建筑"]
REPLY = "经查金丝雀湾补偿款已足额发放"  # stored in plain text (the case's reply document)
COMMENT = "对云雀村答复满意"  # plain text: an evaluation comment
FEEDBACK = "画眉巷已立案处理"  # plain text: a referral's feedback
NOTE = "欧阳金丝雀本人来电补充材料"  # plain text: an event's note (and the case's closing reason)
REASON = "司马云雀案已进入诉讼程序"  # plain text: a decline reason, in the case and in its event
RESPONDENT = "上官夜莺"  # plain text: the person an accusation names (the case's and petition's respondent)
PLAIN_CANARIES = [REPLY, COMMENT, FEEDBACK, NOTE, REASON, RESPONDENT]
ALL_CANARIES = [*NAMES, *ID_NUMBERS, *PHONES, ADDRESS, EMAIL, *PHRASES, *PLAIN_CANARIES]


def _person(i: int) -> dict[str, str]:
    return {"name": NAMES[i], "id_number": ID_NUMBERS[i], "phone": PHONES[i], "address": ADDRESS, "email": EMAIL}


def _petition(i: int, day: int, **more: object) -> dict[str, object]:
    data: dict[str, object] = {"subject": PHRASES[i], "content": f"{PHRASES[i]}，请求查处。", **more}
    return sample_petition(received_at=START.replace(day=day).isoformat(), petitioners=[_person(i)], **data)


@pytest.fixture
def office_folder(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("PETITIONKIT_MASTER_KEY", raising=False)
    folder = tmp_path / "office"
    result = CliRunner().invoke(cli, ["init", str(folder), "--database-url", db_url, "--rules", "builtin"])
    assert result.exit_code == 0, result.output
    return folder


def _history(office: Office, clock: FakeClock) -> dict[str, str]:
    """Cases ending in every way, and one left open; returns case ids by what happened."""
    cases: dict[str, str] = {}
    replied = office.register(_petition(0, 2, attachments=[{"name": "合同.pdf", "uri": "file:///x/合同.pdf"}]))
    cases["terminated"] = replied.case.id
    office.accept(replied.case.id, note=NOTE)
    clock.advance(days=10)
    office.reply(replied.case.id, outcome="support", text=REPLY, delivered_on=clock().date())
    office.evaluate(replied.case.id, rating="satisfied", comment=COMMENT)
    respondent = {"person_name": RESPONDENT, "unit_name": "某镇人民政府"}
    declined = office.register(_petition(1, 3, kind="accusation", respondent=respondent))
    cases["declined"] = declined.case.id
    office.decline(declined.case.id, reason=REASON, channel="litigation")
    transferred = office.register(_petition(2, 4))
    cases["transferred"] = transferred.case.id
    office.transfer(transferred.case.id, body="QX-HOUSING")
    office.record_feedback(transferred.case.id, text=FEEDBACK)
    again = office.register(_petition(1, 5, subject="再次反映", content="同一人再次来信"))  # a repeat petitioner
    cases["withdrawn"] = again.case.id
    office.withdraw(again.case.id, reason="本人撤回")
    still_open = office.register(sample_petition(received_at=START.replace(day=6).isoformat()))
    cases["open"] = still_open.case.id
    clock.advance(days=60)
    office.terminate(replied.case.id, reason=f"{NOTE}；复查期限届满")
    return cases


def _report(office: Office) -> dict[str, object]:
    data = unstructure(period_report(office, MARCH, as_of=date(2020, 6, 30), signals=False))
    data.pop("generated_at")
    return data


def _assert_tombstones(office: Office, cases: dict[str, str]) -> None:
    """What the API shows of purged cases: tombstones where values were, every counted fact kept."""
    petitions = office.petitions(cases["terminated"])
    assert petitions[0].petitioners[0].name == ERASED and petitions[0].petitioners[0].id_number is None
    assert petitions[0].content == ERASED and petitions[0].attachments[0].name == ERASED
    case = office.case(cases["terminated"])
    assert case.subject == ERASED and case.reply is not None and case.reply.text == ERASED
    assert case.reply.outcome.value == "support" and case.evaluations[0].rating.value == "satisfied"
    assert office.case(cases["open"]).subject != ERASED  # the open case is untouched
    accused = office.case(cases["declined"]).respondent
    assert accused is not None and (accused.person_name, accused.unit_name) == (ERASED, "某镇人民政府")


def _before_purge(office: Office, config: OfficeConfig, cases: dict[str, str]) -> dict[str, object]:
    """The report before any purge, and proof that the checks after it can see what they look for."""
    before = _report(office)
    assert "某镇人民政府" in json.dumps(before, ensure_ascii=False)  # the respondent unit is counted
    shown = period_report(office, MARCH, signals=False)
    assert shown.total("petitions").current == 5
    assert shown.repeats.petitioners == 1  # 司马云雀 twice: kept through the identity pseudonyms
    dump = raw_dump(config.database_url, config.base_dir)
    assert [c for c in PLAIN_CANARIES if c in dump] == PLAIN_CANARIES
    # the identity index finds the person (repeat detection scores the matter too, so not every case)
    found = {c.id for c in office.find_repeats(_petition(1, 5))}
    assert found and found <= {cases["declined"], cases["withdrawn"]}
    return before


def test_purge_erases_what_expired_and_keeps_figures_and_trail(office_folder: Path) -> None:
    config = OfficeConfig.load(office_folder / "petitionkit.toml")
    clock = FakeClock(START)
    office = open_test_office(config, clock=clock)
    try:
        cases = _history(office, clock)
        before = _before_purge(office, config, cases)

        clock.advance(days=365 * 9)
        assert plan_purge(office).cases_per_kind == {"personal_data": 0, "content": 0, "notices": 0, "attachments": 0}
        clock.advance(days=365 + 30)  # notices (10 years) expire first, on their own
        plan = plan_purge(office)
        assert plan.cases_per_kind["notices"] == 4 and plan.cases_per_kind["personal_data"] == 0
        first = purge(office)
        assert len(first.purged) == 4

        clock.advance(days=365 * 21)  # past 30 years: everything else
        plan = plan_purge(office)
        assert sorted(i.case_id for i in plan.items) == sorted(v for k, v in cases.items() if k != "open")
        assert all(
            set(i.kinds) == {RecordKind.PERSONAL_DATA, RecordKind.CONTENT, RecordKind.ATTACHMENTS} for i in plan.items
        )
        dump_before_dry_run = raw_dump(config.database_url, config.base_dir)
        assert raw_dump(config.database_url, config.base_dir) == dump_before_dry_run  # a dry run writes nothing

        result = purge(office, batch_size=2)  # several transactions
        assert sorted(result.purged) == sorted(v for k, v in cases.items() if k != "open")
        assert result.skipped == {}
        assert result.erased["petitions.petitioners"] == 4 and result.erased["petitioner_identities"] >= 4

        dump = raw_dump(config.database_url, config.base_dir)
        assert [c for c in ALL_CANARIES if c in dump] == []
        _assert_tombstones(office, cases)
        assert office.find_repeats(_petition(1, 5)) == []  # the index no longer leads to the person
        assert _report(office) == before  # every figure of the period, unchanged
        assert verify_office(office).intact
        trail = office.events(cases["terminated"])
        assert [e.payload["note"] for e in trail if e.name == "CaseAccepted"] == [ERASED]
        assert sorted(trail[-1].payload["redacted"]) == sorted(
            str(e.sequence) for e in trail if e.name in ("CaseAccepted", "CaseTerminated")
        )
        names = [e.name for e in office.events(cases["declined"])]
        assert names[-2:] == ["CasePurged", "CasePurged"]
        last = office.events(cases["declined"])[-1]
        assert last.payload["kinds"] == ["personal_data", "content", "attachments"]
        assert last.state_digest is not None and last.payload["state_before"] != last.state_digest

        settled = raw_dump(config.database_url, config.base_dir)
        again = purge(office)  # idempotent
        assert again.purged == () and plan_purge(office).items == ()
        assert raw_dump(config.database_url, config.base_dir) == settled
        records = [r for r in office.access_records() if r.action == "purge"]
        assert len(records) == 2 and records[-1].count == 4  # one record per run that erased something
    finally:
        office.close()


def test_an_erased_event_edited_afterwards_breaks_the_trail(office_folder: Path) -> None:
    import sqlalchemy as sa

    from petitionkit.storage.sql.engine import parse_url

    config = OfficeConfig.load(office_folder / "petitionkit.toml")
    clock = FakeClock(START)
    with open_test_office(config, clock=clock) as office:
        reg = office.register(_petition(0, 2))
        office.withdraw(reg.case.id, reason=NOTE)
        clock.advance(days=365 * 31)
        assert purge(office).purged == (reg.case.id,)
        assert verify_office(office).intact
        runner = CliRunner()
        shown = runner.invoke(cli, ["--config", str(office_folder / "petitionkit.toml"), "--as", "admin", "events",
                                    reg.case.id, "--verify"])  # fmt: skip
        assert shown.exit_code == 0, shown.output
        engine = sa.create_engine(parse_url(config.database_url, config.base_dir))
        with engine.begin() as c:
            row = c.execute(
                sa.text("SELECT sequence, payload FROM events WHERE case_id = :id AND name = 'CaseWithdrawn'"),
                {"id": reg.case.id},
            ).one()
            payload = row[1] if isinstance(row[1], dict) else json.loads(row[1])
            assert payload["reason"] == ERASED
        update = sa.text("UPDATE events SET payload = :p WHERE case_id = :id AND sequence = :s")
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as c:  # the trigger: only tombstones
            c.execute(update, {"p": json.dumps({"reason": "换成别的内容"}), "id": reg.case.id, "s": row[0]})
        with engine.begin() as c:  # a text that still carries the tombstone passes the trigger ...
            edited = json.dumps({"reason": f"{ERASED}换成别的内容"}, ensure_ascii=False)
            c.execute(update, {"p": edited, "id": reg.case.id, "s": row[0]})
        engine.dispose()  # ... and not audit verify
        report = verify_office(office)
        assert not report.intact and report.first_break is not None
        assert report.first_break.problem == "chain"


def test_a_tampered_case_is_left_alone(office_folder: Path) -> None:
    """Purging would re-seal tampered rows as if they were petitionkit's: such a case is skipped."""
    import sqlalchemy as sa

    from petitionkit.storage.sql.engine import parse_url

    config = OfficeConfig.load(office_folder / "petitionkit.toml")
    clock = FakeClock(START)
    with open_test_office(config, clock=clock) as office:
        reg = office.register(_petition(0, 2))
        office.withdraw(reg.case.id)
        engine = sa.create_engine(parse_url(config.database_url, config.base_dir))
        with engine.begin() as c:
            c.execute(sa.text("UPDATE cases SET region_code = '110101' WHERE id = :id"), {"id": reg.case.id})
        engine.dispose()
        clock.advance(days=365 * 31)
        result = purge(office)
        assert result.purged == ()
        assert "state_case" in result.skipped[reg.case.id]
        assert office.petitions(reg.case.id)[0].petitioners[0].name == NAMES[0]


def test_purge_needs_the_purge_permission(office_folder: Path) -> None:
    config = OfficeConfig.load(office_folder / "petitionkit.toml")
    with open_test_office(config, principal=AUDITOR) as office, pytest.raises(PermissionDenied):
        plan_purge(office)


def test_memory_office_purges_too() -> None:
    clock = FakeClock(START)
    with open_test_office(OfficeConfig(database_url="memory://"), clock=clock) as office:
        reg = office.register(_petition(0, 2))
        office.withdraw(reg.case.id)
        clock.advance(days=365 * 31)
        assert plan_purge(office).items[0].case_id == reg.case.id
        assert purge(office).purged == (reg.case.id,)
        assert office.petitions(reg.case.id)[0].petitioners[0].name == ERASED
        assert verify_chain(office.events(reg.case.id)) is None  # no audit key here: the public chain


def test_cli_dry_run_then_apply(office_folder: Path) -> None:
    config_file = str(office_folder / "petitionkit.toml")
    config = OfficeConfig.load(office_folder / "petitionkit.toml")
    clock = FakeClock(START)
    with open_test_office(config, clock=clock) as office:
        reg = office.register(_petition(0, 2))
        office.withdraw(reg.case.id)
    later = {"clock": lambda: START + timedelta(days=365 * 31)}
    runner = CliRunner()
    usage = runner.invoke(cli, ["--config", config_file, "--as", "admin", "purge"], obj=later)
    assert usage.exit_code == 2
    dry = runner.invoke(cli, ["--config", config_file, "--as", "admin", "--json", "purge", "--dry-run"], obj=later)
    assert dry.exit_code == 0, dry.output
    shown = json.loads(dry.stdout)
    assert shown["dry_run"] and [i["case_id"] for i in shown["items"]] == [reg.case.id]
    denied = runner.invoke(cli, ["--config", config_file, "--as", "sun", "purge", "--apply"], obj=later)
    assert denied.exit_code == 10
    done = runner.invoke(cli, ["--config", config_file, "--as", "admin", "--json", "purge", "--apply"], obj=later)
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["purged"] == [reg.case.id]
    with open_test_office(config) as office:
        assert office.petitions(reg.case.id)[0].petitioners[0].name == ERASED
        assert attrs.asdict(office.case(reg.case.id))["subject"] == ERASED


def test_a_run_stopped_half_way_keeps_its_batches_and_the_next_finishes(
    office_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from petitionkit.service import retention

    config = OfficeConfig.load(office_folder / "petitionkit.toml")
    clock = FakeClock(START + timedelta(days=10))
    with open_test_office(config, clock=clock) as office:
        ids = []
        for day in range(2, 7):
            reg = office.register(_petition(day % 3, day))
            office.withdraw(reg.case.id)
            ids.append(reg.case.id)
        clock.advance(days=365 * 31)
        real = retention._purge_case
        seen: list[str] = []

        def crash_on_the_fourth(*args: object, **kwargs: object) -> str | None:
            seen.append(str(args[2]))
            if len(seen) == 4:
                raise RuntimeError("power cut")
            return real(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(retention, "_purge_case", crash_on_the_fourth)
        with pytest.raises(RuntimeError):
            purge(office, batch_size=2)
        monkeypatch.setattr(retention, "_purge_case", real)
        done = [i for i in ids if office.petitions(i)[0].petitioners[0].name == ERASED]
        assert sorted(done) == sorted(seen[:2])  # the first batch committed, the second rolled back
        rest = purge(office, batch_size=2)
        assert sorted(rest.purged) == sorted(set(ids) - set(done))
        assert all(office.petitions(i)[0].petitioners[0].name == ERASED for i in ids)
        assert verify_office(office).intact
        assert all([e.name for e in office.events(i)].count("CasePurged") == 1 for i in ids)


def test_notices_go_with_personal_data_even_when_their_own_period_is_longer() -> None:
    from petitionkit.domain.retention import RetentionPeriod, expired_kinds

    periods = {
        RecordKind.PERSONAL_DATA: RetentionPeriod(RecordKind.PERSONAL_DATA, days=30),
        RecordKind.CONTENT: RetentionPeriod(RecordKind.CONTENT, years=5),
        RecordKind.NOTICES: RetentionPeriod(RecordKind.NOTICES, years=10),
        RecordKind.ATTACHMENTS: RetentionPeriod(RecordKind.ATTACHMENTS, years=5),
    }
    end = START
    assert expired_kinds(periods, end, end + timedelta(days=29)) == ()
    assert expired_kinds(periods, end, end + timedelta(days=30)) == (RecordKind.PERSONAL_DATA, RecordKind.NOTICES)
    done = (RecordKind.PERSONAL_DATA, RecordKind.NOTICES)
    later = end.replace(year=2025)
    assert expired_kinds(periods, end, later, done) == (RecordKind.CONTENT, RecordKind.ATTACHMENTS)
    assert RetentionPeriod(RecordKind.CONTENT, years=1).expires(datetime(2024, 2, 29, tzinfo=SHANGHAI)).day == 28
    with pytest.raises(ValueError):
        RetentionPeriod(RecordKind.CONTENT, years=1, days=1)


def _blob_files(folder: Path) -> set[str]:
    return {p.name for p in (folder / "attachments").rglob("*") if p.is_file()}


def test_cli_purge_of_attachments_deletes_their_files_and_leaves_only_digests_in_the_trail(
    office_folder: Path,
) -> None:
    """Attached today through the command line; the purge runs with the clock 31 years on."""
    from petitionkit.testing.files import png

    config_file = str(office_folder / "petitionkit.toml")
    runner = CliRunner()

    def run(*args: str, obj: object = None) -> dict[str, object]:
        done = runner.invoke(cli, ["--config", config_file, "--json", *args], obj=obj)
        assert done.exit_code == 0, done.output
        return json.loads(done.stdout) if done.stdout.strip() else {}

    letter = ["register", "--channel", "letter", "--kind", "claim", "--category", "labour", "--region", "330199"]
    ended, kept = (
        str(
            run("--as", "wang", *letter, "--subject", PHRASES[n], "--content", PHRASES[n], "--name", NAMES[n])[
                "tracking_number"
            ]
        )
        for n in range(2)
    )
    photos = {}
    for n, ref in enumerate((ended, ended, kept)):
        path = office_folder / f"{NAMES[0]}的现场照片{n}.png"
        path.write_bytes(png(n + 2, 2))
        added = run("--as", "wang", "attachments", "add", ref, str(path), "--kind", "photo")
        photos[str(added["id"])] = (ref, str(added["sha256"]))
    run("--as", "zhao", "withdraw", ended)
    assert len(_blob_files(office_folder)) == 3
    kept_blobs = _blob_files(office_folder)

    later = {"clock": lambda: datetime.now(SHANGHAI) + timedelta(days=365 * 31)}
    dry = run("--as", "admin", "purge", "--dry-run", obj=later)
    assert dry["attachments"] == 2 and [i["attachments"] for i in dry["items"]] == [2]  # type: ignore[index]
    assert len(_blob_files(office_folder)) == 3  # a dry run deletes nothing
    done = run("--as", "admin", "purge", "--apply", obj=later)
    assert done["blobs_deleted"] == 2 and done["erased"]["attachments"] == 2  # type: ignore[index]

    assert run("--as", "li", "attachments", "list", kept)["attachments"].__len__() == 1  # type: ignore[attr-defined]
    assert run("--as", "li", "attachments", "list", ended)["attachments"] == []
    remaining = _blob_files(office_folder)
    assert len(remaining) == 1 and remaining < kept_blobs
    (purged,) = [e for e in run("events", ended)["events"] if e["name"] == "CasePurged"]  # type: ignore[union-attr]
    assert purged["payload"]["attachments"] == {a: d for a, (r, d) in photos.items() if r == ended}
    assert "现场照片" not in json.dumps(purged, ensure_ascii=False) and NAMES[0] not in json.dumps(purged)
    assert run("--as", "sun", "attachments", "verify")["intact"] is True
    assert run("--as", "sun", "audit", "verify")["intact"] is True
    assert run("--as", "admin", "purge", "--apply", obj=later)["blobs_deleted"] == 0  # nothing more to do


def test_a_shared_blob_stays_while_another_attachment_names_it_and_a_crash_is_finished_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store without encryption keeps equal files as one blob: the purge of one leaves the other's file.
    A run that stops after its commit and before deleting the files leaves them released: the next deletes."""
    from petitionkit.service import retention
    from petitionkit.testing.files import png

    monkeypatch.chdir(tmp_path)
    clock = FakeClock(START + timedelta(days=10))
    with open_test_office(OfficeConfig(database_url="memory://"), clock=clock) as office:
        ended = office.register(_petition(0, 2)).case.id
        other = office.register(_petition(1, 3)).case.id
        shared, alone = png(3, 3), png(5, 5)
        twin = office.attach(other, shared, filename="b.png")
        first = office.attach(ended, shared, filename="a.png")
        own = office.attach(ended, alone, filename="c.png")
        assert first.blob_ref == twin.blob_ref
        office.withdraw(ended)
        clock.advance(days=365 * 31)

        def power_cut(*args: object) -> int:
            raise RuntimeError("power cut")

        monkeypatch.setattr(retention, "delete_released_blobs", power_cut)
        with pytest.raises(RuntimeError):
            purge(office)
        monkeypatch.undo()
        monkeypatch.chdir(tmp_path)
        assert office.attachments(ended) == [] and _blob_files(tmp_path) == {twin.blob_ref, own.blob_ref}
        again = purge(office)
        assert again.purged == () and again.blobs_deleted == 1
        assert _blob_files(tmp_path) == {twin.blob_ref}
        assert office.read_attachment(twin.id)[1] == shared
        (event,) = [e for e in office.events(ended) if e.name == "CasePurged"]
        assert event.payload["attachments"] == {first.id: first.digest, own.id: own.digest}
