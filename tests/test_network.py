"""A city office and its county offices on one database: referrals between levels."""

from __future__ import annotations

from pathlib import Path

import pytest

from petitionkit import CaseState, OfficeConfig
from petitionkit.domain.model import Channel
from petitionkit.service import Office
from petitionkit.testing import FakeClock, open_test_office, sample_petition

NETWORK = """
[network]
offices = {{ HZ = "city.toml", QX = "qingxi.toml" }}
bodies = {{ "QX-CONGRESS" = "QX" }}
"""

CITY = (
    """
[office]
office_code = "HZ"
office_name = "市人大常委会信访室"

[[bodies]]
code = "QX-CONGRESS"
name = "清溪县人大常委会"
kind = "lower_congress"

[[bodies]]
code = "HZ-HRSS"
name = "市人社局"
kind = "government_department"
"""
    + NETWORK
)

COUNTY = (
    """
[office]
office_code = "QX"
office_name = "清溪县人大常委会信访室"

[[bodies]]
code = "QX-HRSS"
name = "县人社局"
kind = "government_department"
"""
    + NETWORK
)


@pytest.fixture
def offices(tmp_path: Path, clock: FakeClock) -> tuple[Office, Office]:
    (tmp_path / "city.toml").write_text(CITY.format(), encoding="utf-8")
    (tmp_path / "qingxi.toml").write_text(COUNTY.format(), encoding="utf-8")
    city = open_test_office(OfficeConfig.load(tmp_path / "city.toml", env={}), clock=clock)
    return city, city.network.peer("QX")


def test_an_assignment_to_a_county_congress_arrives_there_and_its_reply_comes_back(
    offices: tuple[Office, Office], clock: FakeClock
) -> None:
    city, county = offices
    reg = city.register(sample_petition())
    city.assign(reg.case.id, body="QX-CONGRESS", note="请依法办理并报告结果")
    (arrived,) = county.search()
    (petition,) = county.petitions(arrived.id)
    assert petition.channel is Channel.REFERRED_IN and petition.tracking_number == "QX-2026-000001"
    assert petition.referred_from == "HZ:HZ-2026-000001" and petition.content == reg.petition.content
    assert arrived.obligations[0].clock.value == "notice"  # the county's own clocks start
    clock.advance(days=3)
    county.assign(arrived.id, body="QX-HRSS")
    county.record_report(arrived.id, outcome="support", text="已督促企业支付工资")
    clock.advance(days=1)
    county.evaluate(arrived.id, rating="satisfied")
    upstream = city.case(reg.case.id)
    assert upstream.state is CaseState.REPLIED
    assert upstream.reply is not None and "已督促企业支付工资" in upstream.reply.text
    assert upstream.reply.by_body_code == "QX-CONGRESS"
    assert [o.status.value for o in upstream.obligations if o.clock.value == "referral_report"] == ["met"]


def test_a_transfer_gets_feedback_and_other_bodies_stay_local(offices: tuple[Office, Office]) -> None:
    city, county = offices
    local = city.register(sample_petition())
    city.transfer(local.case.id, body="HZ-HRSS")
    assert county.search() == []
    reg = city.register(sample_petition())
    city.transfer(reg.case.id, body="QX-CONGRESS")
    (arrived,) = county.search()
    county.accept(arrived.id)
    county.reply(arrived.id, outcome="explain", text="已向信访人解释政策")
    upstream = city.case(reg.case.id)
    assert upstream.state is CaseState.TRANSFERRED
    assert upstream.referrals[-1].feedback is not None and "解释政策" in upstream.referrals[-1].feedback


def test_a_network_office_must_be_declared(offices: tuple[Office, Office]) -> None:
    from petitionkit.errors import ConfigurationError

    city, _ = offices
    with pytest.raises(ConfigurationError, match="YH"):
        city.network.peer("YH")
