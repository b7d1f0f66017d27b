"""End to end through the command line on today's real date (no injected clock): a referral letter made
twice keeps its 文号 and the referral's date; a second referral gets the next number; the register lists
both, as text, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from petitionkit.cli import cli
from petitionkit.testing import principals_toml

CONFIG = """
[office]
office_code = "XS"
office_name = "萧山区人大常委会信访室"

[database]
url = "sqlite:///{db}"

[[bodies]]
code = "GOV-HRSS"
name = "区人力资源和社会保障局"
kind = "government_department"

[settings.documents]
header = "萧山区人民代表大会常务委员会信访室"
agency_code = "萧人信"
"""


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    (tmp_path / "petitionkit.toml").write_text(
        CONFIG.format(db=tmp_path / "office.db") + principals_toml(), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> Result:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == code, result.output + result.stderr
        return result

    return invoke


def _register(run: Any, name: str, subject: str, content: str) -> str:
    data = json.loads(
        run(
            "--json", "register", "--channel", "letter", "--kind", "claim", "--subject", subject,
            "--content", content, "--category", "labour", "--region", "330109", "--name", name,
        ).stdout
    )  # fmt: skip
    return str(data["tracking_number"])


def test_a_referral_letter_twice_then_a_second_referral(run: Any, tmp_path: Path) -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    before = datetime.now(shanghai).date()
    first = _register(run, "王五", "拖欠工资问题", "在某工地务工被拖欠工资三个月，请求处理。")
    run("--json", "transfer", first, "--body", "GOV-HRSS")
    made = [
        json.loads(run("--json", "document", "make", "transfer-letter", first, "--output", f"t{i}.docx").stdout)
        for i in (1, 2)
    ]
    after = datetime.now(shanghai).date()
    numbers = {m["document"]["number"] for m in made}
    dates = {m["document"]["dated"] for m in made}
    year = before.year if before == after else after.year
    assert numbers == {f"萧人信转〔{year}〕1号"}, numbers
    assert len(dates) == 1 and dates <= {before.isoformat(), after.isoformat()}

    second = _register(run, "赵六", "道路积水问题", "小区门口道路长期积水，影响出行，请求维修排水设施。")
    run("--json", "transfer", second, "--body", "GOV-HRSS")
    again = json.loads(run("--json", "document", "make", "transfer-letter", second, "--output", "t3.docx").stdout)
    assert again["document"]["number"] == f"萧人信转〔{year}〕2号"

    listed = json.loads(run("--json", "document", "register").stdout)
    assert listed["count"] == 2
    assert [(d["number"], d["tracking_number"]) for d in listed["documents"]] == [
        (f"萧人信转〔{year}〕1号", first),
        (f"萧人信转〔{year}〕2号", second),
    ]
    text = run("document", "register").stdout
    assert f"萧人信转〔{year}〕2号" in text and "转送函" in text and "文号" in text
    rows = list(csv.reader(io.StringIO(run("document", "register", "--format", "csv").stdout.lstrip("\ufeff"))))
    assert rows[0][0] == "文号" and [r[0] for r in rows[1:]] == [f"萧人信转〔{year}〕1号", f"萧人信转〔{year}〕2号"]
    run("document", "register", "--format", "csv", "--output", str(tmp_path / "register.csv"))
    assert (tmp_path / "register.csv").read_text(encoding="utf-8-sig").startswith("文号,")
    one = json.loads(run("--json", "document", "register", "--case", second).stdout)
    assert [d["number"] for d in one["documents"]] == [f"萧人信转〔{year}〕2号"]
    refused = json.loads(run("--json", "document", "register", "--kind", "memo", code=2).stdout)
    assert refused["error"] == "invalid_input"
