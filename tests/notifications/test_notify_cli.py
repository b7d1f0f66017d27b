"""``petitionkit dispatch`` and ``petitionkit remind`` through click's CliRunner on an SQLite office."""

from __future__ import annotations

import json
import os
import signal
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from petitionkit.cli import cli
from petitionkit.cli.notify_cmds import COMMANDS
from petitionkit.config import OfficeConfig
from petitionkit.domain.clocks import Clock
from petitionkit.service import DispatchResult, Office
from petitionkit.testing import SHANGHAI, FakeClock, open_test_office, principals_toml

COUNTY = Path(__file__).resolve().parents[2] / "examples" / "sample-county" / "rules" / "county.toml"

CONFIG = """
[office]
office_code = "QX"

[database]
url = "sqlite:///{db}"

[rules]
set = "national"
files = ["{county}"]

[settings.notifications]
remind_days = [3, 1]
staff = {{ console = ["office"] }}
channels = {{ sms = "console", email = "console", webhook = "console" }}  # a trial: printed, by name
"""

for _command in COMMANDS:  # the lead registers them in petitionkit.cli; harmless when already there
    if _command.name not in cli.commands:
        cli.add_command(_command)


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, FakeClock, str]:
    config = tmp_path / "petitionkit.toml"
    config.write_text(CONFIG.format(db=tmp_path / "office.db", county=COUNTY) + principals_toml(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    clock = FakeClock(datetime(2026, 9, 21, 9, 0, tzinfo=SHANGHAI))
    with open_test_office(OfficeConfig.load(config), clock=clock) as office:
        case = office.register(
            {
                "channel": "letter",
                "kind": "claim",
                "subject": "拖欠工资",
                "content": "被拖欠工资三个月",
                "category": "labour",
                "region_code": "330199",
                "received_at": "2026-09-20T09:00:00+08:00",
                "petitioners": [{"name": "张三", "email": "zs@example.com", "phone": "13800138000"}],
            }
        ).case
        office.assign(case.id, body="QX-HRSS")
        due = next(o.due for o in office.case(case.id).obligations if o.clock is Clock.REFERRAL_REPORT)
    return config, clock, due.isoformat()


def invoke(clock: FakeClock, *args: str) -> Any:
    result = CliRunner().invoke(cli, ["--json", *args], obj={"clock": clock}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_dispatch_delivers_the_queue_once(setup: tuple[Path, FakeClock, str]) -> None:
    _, clock, _ = setup
    assert invoke(clock, "dispatch") == {"sent": 3, "failed": 0, "dead": 0, "runs": 1}
    assert invoke(clock, "dispatch") == {"sent": 0, "failed": 0, "dead": 0, "runs": 1}


def test_dispatch_loop_stops_after_max_runs(setup: tuple[Path, FakeClock, str]) -> None:
    _, clock, _ = setup
    data = invoke(clock, "dispatch", "--loop", "--interval", "0", "--max-runs", "3", "--limit", "1")
    assert data == {"sent": 3, "failed": 0, "dead": 0, "runs": 3}


def test_remind_twice_queues_one_reminder(setup: tuple[Path, FakeClock, str]) -> None:
    _, clock, due = setup
    clock.current = datetime.fromisoformat(f"{due}T09:00:00+08:00")
    clock.advance(days=-2)
    first = invoke(clock, "remind")
    assert first["reminders"] == 1 and first["queued"][0]["threshold"] == "3"
    assert first["queued"][0]["body_code"] == "QX-HRSS"
    second = invoke(clock, "remind")
    warning = first["calendar_warning"]
    assert second.pop("checkpoint") is None  # this office does not set [settings.audit] checkpoint_daily
    assert second == {"queued": [], "reminders": 0, "escalations": 0, "conflicts": 0, "calendar_warning": warning}
    sent = invoke(clock, "dispatch")
    # the referral notices and letter, then one reminder (rsj@ e-mail), and, near the end of the calendar
    # data, the staff's schedule warning from each run (one idempotency key a day: receivers keep one)
    assert sent["sent"] == 3 + 1 + (2 if warning else 0)


def test_dispatch_loop_stops_cleanly_on_sigterm(
    setup: tuple[Path, FakeClock, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, clock, _ = setup
    real = Office.dispatch
    calls: list[int] = []

    def dispatch_then_terminate(self: Office, **kwargs: Any) -> DispatchResult:
        calls.append(1)
        result = real(self, **kwargs)
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGTERM)  # as `kill <pid>` or systemd would
        return result

    monkeypatch.setattr(Office, "dispatch", dispatch_then_terminate)
    before = signal.getsignal(signal.SIGTERM)
    data = invoke(clock, "dispatch", "--loop", "--interval", "0.01", "--limit", "1")
    assert data == {"sent": 2, "failed": 0, "dead": 0, "runs": 2}
    assert signal.getsignal(signal.SIGTERM) is before  # the previous handler is back
