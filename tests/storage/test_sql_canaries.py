"""A raw dump of an office's database holds none of its petitioners' names, ID numbers, phones or words.

The office is made by ``petitionkit init`` (master key file, ``require_key``) on SQLite and on
PostgreSQL, fed canary petitions through the service, taken through acceptance (so the outbox holds
rendered-to-be notices), and dumped: ``sqlite3``'s ``iterdump`` on SQLite, every row of every table
of the schema by SQL on PostgreSQL (``pg_dump`` may not be installed).  The office itself still shows
every canary, decrypted, through the API and the CLI.
"""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

from petitionkit.cli import cli
from petitionkit.config import OfficeConfig
from petitionkit.testing import open_test_office, sample_petition
from petitionkit.testing.databases import raw_dump

CANARIES = {
    "names": ["欧阳金丝雀", "司马云雀"],
    "id_numbers": ["330102198704123617", "110105196502283021"],
    "phones": ["13712345678", "15987654321"],
    "phrases": ["金丝雀湾拆迁补偿款被截留", "云雀村集体土地被违规出让"],
    "addresses": ["金丝雀路88号"],
    "emails": ["canary.bird@example.cn"],
}


def _every_canary() -> list[str]:
    return [value for values in CANARIES.values() for value in values]


@pytest.fixture
def office_folder(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("PETITIONKIT_MASTER_KEY", raising=False)
    folder = tmp_path / "office"
    result = CliRunner().invoke(
        cli, ["init", str(folder), "--database-url", db_url, "--rules", "builtin", "--no-sample-county"]
    )
    assert result.exit_code == 0, result.output
    return folder


def test_a_raw_dump_holds_no_canary_and_the_office_shows_them_all(office_folder: Path) -> None:
    config = OfficeConfig.load(office_folder / "petitionkit.toml")
    refs = []
    with open_test_office(config) as office:
        for i in range(2):
            person = {
                "name": CANARIES["names"][i],
                "id_number": CANARIES["id_numbers"][i],
                "phone": CANARIES["phones"][i],
                "address": CANARIES["addresses"][0],
                "email": CANARIES["emails"][0],
            }
            phrase = CANARIES["phrases"][i]
            reg = office.register(
                sample_petition(subject=phrase, content=f"{phrase}，请求查处。", petitioners=[person])
            )
            office.accept(reg.case.id)
            refs.append(reg.case.first_tracking_number)
        shown = json.dumps(
            [[attrs.asdict(p) for p in office.petitions(ref)] for ref in refs], ensure_ascii=False, default=str
        )
    assert all(value in shown for value in _every_canary())

    dump = raw_dump(config.database_url, config.base_dir)
    assert "pk1:" in dump
    leaked = [value for value in _every_canary() if value in dump]
    assert leaked == []

    result = CliRunner().invoke(
        cli, ["--config", str(office_folder / "petitionkit.toml"), "--json", "show", refs[0], "--petitions"]
    )
    assert result.exit_code == 0, result.output
    for value in (CANARIES["names"][0], CANARIES["id_numbers"][0], CANARIES["phones"][0], CANARIES["phrases"][0]):
        assert value in result.output
