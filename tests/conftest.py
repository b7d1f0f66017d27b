"""Shared fixtures and Hypothesis profiles (fast by default, ``HYPOTHESIS_PROFILE=thorough`` on demand)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

from petitionkit.privacy import MASTER_KEY_ENV
from petitionkit.service import Office
from petitionkit.testing import FakeClock, office_settings, open_test_office

settings.register_profile("fast", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "thorough", max_examples=1000, deadline=None, stateful_step_count=60, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def office(clock: FakeClock) -> Office:
    """An in-memory office with the sample bodies and a hand-moved clock."""
    return open_test_office(office_settings(), clock=clock)


BODY_PRINCIPAL = """
[[principals]]
id = "body-hrss"
name = "人社局承办人"
roles = ["handling_body"]
bodies = ["QX-HRSS"]
"""


@pytest.fixture
def cli_office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """An office made by ``petitionkit init`` in ``tmp_path/office`` (its own master key file, SQLite,
    and the handling-body principal ``body-hrss`` of QX-HRSS added), the working folder, on today's real
    date.  Returns ``invoke(*args, code=0)``: runs ``petitionkit --json *args``, checks the exit code
    and gives the parsed JSON (None when nothing was printed)."""
    from petitionkit.cli import cli  # the command tree only for the tests that use it

    monkeypatch.delenv(MASTER_KEY_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> Any:
        result = runner.invoke(cli, ["--json", *args])
        assert result.exit_code == code, result.output + result.stderr
        return json.loads(result.stdout) if result.stdout.strip() else None

    invoke("init", "office")
    with (tmp_path / "office" / "petitionkit.toml").open("a", encoding="utf-8") as config:
        config.write(BODY_PRINCIPAL)
    monkeypatch.chdir(tmp_path / "office")
    return invoke
