"""Security review: the responses an ``Idempotency-Key`` POST stores for replay hold personal data (a
registration names its petitioners, a reception or an inquiry holds what was said), so on an
encrypted office they are sealed like every other personal data: a raw dump holds no canary."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from petitionkit.cli import cli
from petitionkit.config import OfficeConfig
from petitionkit.server.settings import ServerSettings
from petitionkit.service import open_office
from petitionkit.testing import sample_petition
from petitionkit.testing.databases import raw_dump

from .conftest import AUDIENCE, ISSUER, Provider, Server

NAME, PHONE, ID_NUMBER = "欧阳金丝雀", "13712345678", "330102198704123617"
SAID = "金丝雀湾拆迁补偿款被截留"


@pytest.fixture
def sealed_server(db_url: str, tmp_path: Path, provider: Provider, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    monkeypatch.delenv("PETITIONKIT_MASTER_KEY", raising=False)
    folder = tmp_path / "office"
    made = CliRunner().invoke(
        cli, ["init", str(folder), "--database-url", db_url, "--rules", "builtin", "--no-sample-county"]
    )
    assert made.exit_code == 0, made.output
    office = open_office(OfficeConfig.load(folder / "petitionkit.toml"))
    settings = ServerSettings(
        oidc_issuer=ISSUER, oidc_audience=AUDIENCE, oidc_jwks_url=provider.url, oidc_principals={"u-wang": "wang"}
    )
    found = Server(office, settings, provider)
    yield found
    found.stop()
    office.close()


def test_stored_responses_hold_no_canary_in_a_raw_dump(sealed_server: Server, db_url: str) -> None:
    clerk = sealed_server.client("u-wang")
    person = {"name": NAME, "phone": PHONE, "id_number": ID_NUMBER}
    registered = clerk.post(
        "/petitions", json=sample_petition(petitioners=[person]), headers={"Idempotency-Key": "reg-1"}
    )
    assert registered.status_code == 201, registered.text
    case = registered.json()["case"]["id"]
    talk = {"channel": "visit", "asked": f"{NAME}问{SAID}", "explained": "依法答复"}
    received = clerk.post(f"/cases/{case}/receptions", json=talk, headers={"Idempotency-Key": "talk-1"})
    assert received.status_code == 201, received.text
    again = clerk.post(f"/cases/{case}/receptions", json=talk, headers={"Idempotency-Key": "talk-1"})
    assert again.headers["Idempotent-Replayed"] == "true" and again.json() == received.json()  # still replays
    assert NAME in json.dumps(again.json(), ensure_ascii=False)
    config = sealed_server.office.config
    dump = raw_dump(config.database_url, config.base_dir)
    leaked = [v for v in (NAME, PHONE, ID_NUMBER, SAID) if v in dump]
    assert leaked == []
