"""One module turns codes into words (issue 20): catalogs, the rule packs' names, regions, office times."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from petitionkit.domain.clocks import Clock
from petitionkit.domain.model import CaseState, Channel, Party
from petitionkit.labels import Labels, label_of
from petitionkit.rules import load_rule_set

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_catalog_words_in_both_locales_and_an_unknown_code_as_itself() -> None:
    zh, en = Labels("zh-CN"), Labels("en")
    assert (zh.state(CaseState.ASSIGNED), en.state("assigned")) == ("已交办", "assigned")
    assert (zh.channel(Channel.PHONE), en.channel("phone")) == ("来电", "phone call")
    assert zh.clock(Clock.REFERRAL_REPORT) == "办结报告期限"
    assert zh.event("CaseAccepted") == "受理" and en.event("FeedbackRecorded") == "feedback recorded"
    assert zh.action("record_feedback") == "登记反馈"
    assert zh.owed_by(Party.REVIEWING_ORGAN, None) == "复查复核机关"
    assert zh.threshold("3") == "到期前 3 日" and zh.threshold("overdue") == "已逾期"
    assert label_of("state", "a_plugin_state", "zh-CN") == "a_plugin_state"


def test_categories_and_bodies_come_from_the_rule_packs() -> None:
    rules = load_rule_set(("national",))
    zh, en = Labels("zh-CN", rules), Labels("en", rules)
    assert zh.category("labour") == "劳动和社会保障" and en.category("labour") == "labour and social security"
    assert zh.category("no_such_category") == "no_such_category"
    assert Labels("zh-CN").category("labour") == "labour"  # no rule packs: the code
    assert zh.body("NO-SUCH-BODY") == "NO-SUCH-BODY"


def test_times_are_shown_in_the_office_zone() -> None:
    labels = Labels("zh-CN", zone=SHANGHAI)
    moment = datetime(2026, 11, 30, 5, 30, tzinfo=UTC)
    assert labels.time(moment) == "2026-11-30 13:30"
    assert labels.iso(moment) == "2026-11-30T13:30:00+08:00"
    assert labels.day(datetime(2026, 11, 30, 17, 0, tzinfo=UTC)) == "2026-12-01"  # already the next day there
    assert labels.day(date(2026, 12, 1)) == "2026-12-01"
    assert labels.time(None) == "" and labels.iso(None) is None


def test_every_event_type_has_a_label() -> None:
    """An event a new feature records is named in the timeline, the changes feed and the web workspace."""
    from petitionkit.domain.event_types import EVENT_TYPES
    from petitionkit.i18n import CATALOG

    assert [name for name in EVENT_TYPES if f"event.{name}" not in CATALOG] == []
