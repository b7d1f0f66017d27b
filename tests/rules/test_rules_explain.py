"""Explanations of due dates a clerk can read to a petitioner ("why is my deadline that day?")."""

from __future__ import annotations

import json
from datetime import date

import attrs

from petitionkit.domain.clocks import Clock, Convention
from petitionkit.domain.model import PetitionKind
from petitionkit.rules import ComposedRules

CLAIM = PetitionKind.CLAIM


def test_working_days_across_national_day(zhejiang: ComposedRules) -> None:
    # Zhejiang: accept or route within 5 working days, started the day before National Day 2025
    explanation = zhejiang.explain_deadline(Clock.NOTICE, date(2025, 9, 30), CLAIM)
    assert explanation is not None
    assert explanation.due == date(2025, 10, 14)
    assert (explanation.days, explanation.convention, explanation.source, explanation.set_by) == (
        5,
        Convention.WORKING_DAYS,
        "ZJ art. 20",
        "zhejiang",
    )
    skipped = {n.day: n for n in explanation.skipped}
    assert sorted(skipped) == [date(2025, 10, d) for d in (1, 2, 3, 4, 5, 6, 7, 8, 12)]
    assert skipped[date(2025, 10, 1)].label_zh == "法定节假日（国庆节）"
    assert skipped[date(2025, 10, 1)].label_en == "public holiday (National Day)"
    assert skipped[date(2025, 10, 12)].reason == "weekend"
    assert [(n.day, n.reason) for n in explanation.makeup_days] == [(date(2025, 10, 11), "makeup:国庆节")]
    zh, en = explanation.text("zh-CN"), explanation.text("en")
    for needle in ("告知期限", "2025年9月30日", "5 日", "按工作日计算", "ZJ art. 20", "zhejiang", "国庆节", "中秋"):
        assert needle in zh, needle
    assert "2025年10月1日至2025年10月8日" in zh
    assert "调休上班日" in zh and "2025年10月11日（星期六）" in zh
    assert "届满日：2025年10月14日（星期二）" in zh
    for needle in ("notice", "2025-09-30", "5 days", "working days", "National Day", "Mid-autumn Festival"):
        assert needle in en, needle
    assert "2025-10-11 (Saturday)" in en and "make-up working day" in en
    assert "Due: 2025-10-14 (Tuesday)" in en


def test_calendar_days_ending_in_the_spring_festival(national: ComposedRules) -> None:
    explanation = national.explain_deadline(Clock.NOTICE, date(2026, 1, 20), CLAIM, days=30)
    assert explanation is not None
    assert explanation.due == date(2026, 2, 24)
    segment = explanation.segments[0]
    assert segment.nominal_end == date(2026, 2, 19)
    assert [n.day for n in segment.skipped] == [date(2026, 2, d) for d in range(19, 24)]
    zh, en = explanation.text("zh-CN"), explanation.text("en")
    assert "第 30 日为2026年2月19日（星期四）" in zh and "春节" in zh and "顺延" in zh
    assert "Day 30 is 2026-02-19 (Thursday)" in en and "Spring Festival" in en and "next working day" in en


def test_landing_on_a_make_up_saturday_is_explained(national: ComposedRules) -> None:
    explanation = national.explain_deadline(Clock.NOTICE, date(2026, 2, 13), CLAIM)
    assert explanation is not None and explanation.due == date(2026, 2, 28)
    assert [n.reason for n in explanation.makeup_days] == ["makeup:春节"]
    assert "调休上班日（春节）" in explanation.text("zh-CN")


def test_local_day_off_and_extension(county: ComposedRules) -> None:
    explanation = county.explain_deadline(Clock.MISROUTE_OBJECTION, date(2026, 4, 14), CLAIM)
    assert explanation is not None and explanation.due == date(2026, 4, 22)
    assert "本地休息日（县庆日）" in explanation.text("zh-CN")
    assert "local day off (County Day)" in explanation.text("en")
    extended = county.explain_deadline(Clock.HANDLING, date(2026, 1, 20), CLAIM, extension_days=30)
    assert extended is not None and len(extended.segments) == 2
    assert extended.segments[0].due == date(2026, 2, 24)
    # the extension counts on from the original last day (19 Feb, a Spring Festival day), not from 24 Feb
    assert extended.segments[1].start == extended.segments[0].nominal_end == date(2026, 2, 19)
    assert extended.due == date(2026, 3, 23)
    assert "延期 30 日" in extended.text("zh-CN") and "Extension of 30 days" in extended.text("en")


def test_explanation_is_json_able(county: ComposedRules) -> None:
    explanation = county.explain_deadline(Clock.NOTICE, date(2025, 9, 30), CLAIM)
    assert explanation is not None
    data = explanation.to_dict()
    json.dumps(data, ensure_ascii=False)
    assert data["due"] == "2025-10-14" and set(data["text"]) == {"zh-CN", "en"}


def test_explain_a_recorded_basis(national: ComposedRules, county: ComposedRules) -> None:
    recorded = national.deadline(Clock.MISROUTE_OBJECTION, date(2026, 4, 14), CLAIM)
    assert recorded is not None
    # explained on the county's calendar (which adds a local day off): the current answer, and why
    explanation = county.explain_basis(recorded.basis)
    assert explanation.due == date(2026, 4, 22) == county.recompute(recorded.basis).due
    assert explanation.calendar == county.calendar.name
    assert explanation.rule_set == "national"
    assert explanation.set_by == "national"  # the county set uses the same national rule
    other = county.explain_basis(attrs.evolve(recorded.basis, days=7))
    assert other.set_by == "" and "national" in other.text("en")  # no pack rule matches; the rule set is named
