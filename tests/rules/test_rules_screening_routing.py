"""Screening (受理审查) and routing (分流): the rule that matched, in words for the petitioner."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from petitionkit.domain.model import DeclineChannel, PetitionKind, ReferralMode, Respondent
from petitionkit.errors import InvalidInput
from petitionkit.hookspecs import hookimpl
from petitionkit.plugins import make_plugin_manager, registered_predicates
from petitionkit.rules import ComposedRules, NoRoute, load_rule_set

CLAIM, ACCUSATION, SUGGESTION = PetitionKind.CLAIM, PetitionKind.ACCUSATION, PetitionKind.SUGGESTION
CJK = re.compile(r"[\u4e00-\u9fff]")


def _bilingual(texts: dict[str, str], *needles: str) -> None:
    assert set(texts) == {"zh-CN", "en"}
    assert CJK.search(texts["zh-CN"])
    assert re.search(r"\b(accepted|accept|transferred|assigned)\b", texts["en"])
    assert texts["zh-CN"] != texts["en"]
    for needle in needles:
        assert needle in texts["zh-CN"] and needle in texts["en"]


# --- screening -------------------------------------------------------------------------------------


def test_accepted_with_the_rule_named(national: ComposedRules) -> None:
    decision = national.screen(CLAIM, "labour")
    assert decision.accepted and decision.channel is None
    assert decision.rule_id == "screening.accept"
    _bilingual(decision.texts, "screening.accept")
    assert "予以受理" in decision.explanation("zh-CN") and "劳动和社会保障" in decision.explanation("zh-CN")
    assert "is accepted" in decision.explanation("en") and "labour and social security" in decision.explanation("en")


@pytest.mark.parametrize(
    ("fact", "channel", "rule_id", "zh", "en"),
    [
        ("in_litigation", DeclineChannel.LITIGATION, "litigation", "人民法院", "court"),
        ("arbitrable", DeclineChannel.ARBITRATION, "arbitration", "仲裁", "arbitration"),
        (
            "reconsiderable",
            DeclineChannel.ADMINISTRATIVE_RECONSIDERATION,
            "reconsideration",
            "行政复议",
            "reconsideration",
        ),
        ("party_appeal", DeclineChannel.PARTY_APPEAL, "party-appeal", "党内", "Party"),
        ("being_handled", DeclineChannel.OTHER_ORGAN, "being-handled", "正在", "progress"),
        ("terminated", DeclineChannel.NONE, "terminated", "复核终结", "re-review"),
    ],
)
def test_declined_with_channel_and_reason(
    national: ComposedRules, fact: str, channel: DeclineChannel, rule_id: str, zh: str, en: str
) -> None:
    decision = national.screen(CLAIM, "labour", facts={fact})
    assert not decision.accepted
    assert (decision.channel, decision.rule_id, decision.set_by) == (channel, rule_id, "national")
    assert decision.source
    _bilingual(decision.texts, rule_id, decision.source)
    assert zh in decision.explanation("zh-CN") and "不予受理" in decision.explanation("zh-CN")
    assert en in decision.explanation("en") and "does not accept" in decision.explanation("en")


def test_screening_first_match_wins(national: ComposedRules) -> None:
    # both "terminated" and "in_litigation" hold: the earlier rule in the composed order decides
    decision = national.screen(CLAIM, "labour", facts={"in_litigation", "terminated"})
    assert decision.rule_id == "terminated"


def test_litigation_rules_apply_to_claims_only(national: ComposedRules) -> None:
    assert national.screen(SUGGESTION, "labour", facts={"in_litigation"}).accepted


def test_county_switches_a_national_rule_off(national: ComposedRules, county: ComposedRules) -> None:
    facts = {"discipline_violation"}
    assert national.screen(ACCUSATION, "officials", facts=facts).channel is DeclineChannel.DISCIPLINE_INSPECTION
    decision = county.screen(ACCUSATION, "officials", facts=facts)
    assert decision.accepted
    assert county.route("officials", "330199", ACCUSATION).body_code == "QX-SUP"


def test_zhejiang_adds_a_decline_rule(national: ComposedRules, zhejiang: ComposedRules) -> None:
    decision = zhejiang.screen(CLAIM, "housing", facts={"review_lapsed"})
    assert (decision.rule_id, decision.channel, decision.set_by, decision.source) == (
        "review-lapsed",
        DeclineChannel.NONE,
        "zhejiang",
        "ZJ art. 20(5)",
    )
    with pytest.raises(InvalidInput) as err:
        national.screen(CLAIM, "housing", facts={"review_lapsed"})  # a fact national does not know
    assert err.value.fields == ("facts",)


def test_unknown_category_is_invalid_input(national: ComposedRules) -> None:
    with pytest.raises(InvalidInput) as err:
        national.screen(CLAIM, "labor")
    assert err.value.fields == ("category",)
    assert "labour" in err.value.message("en")


def test_kinds_and_categories_outside_the_remit(write_pack: Callable[..., Path]) -> None:
    rules = load_rule_set(
        ("national",),
        [
            write_pack(
                '[screening]\naccept_kinds = ["claim", "accusation"]\naccept_categories = ["labour", "housing"]\n'
                '[screening.not_accepted]\nchannel = "other_organ"\nsource = "本县规则第三条"\n'
                'reason = { "zh-CN" = "本室只受理劳动、住房事项。",'
                ' en = "This office only takes labour and housing." }\n'
            )
        ],
    )
    kind = rules.screen(SUGGESTION, "labour")
    assert (kind.accepted, kind.rule_id, kind.channel) == (False, "screening.accept_kinds", DeclineChannel.OTHER_ORGAN)
    category = rules.screen(CLAIM, "education")
    assert (category.accepted, category.rule_id) == (False, "screening.accept_categories")
    assert "本室只受理劳动、住房事项" in category.explanation("zh-CN")
    assert "only takes labour and housing" in category.explanation("en")
    assert category.set_by == "office" and category.source == "本县规则第三条"
    assert rules.screen(CLAIM, "housing").accepted


# --- routing ---------------------------------------------------------------------------------------


def test_route_names_the_matched_rule(county: ComposedRules) -> None:
    decision = county.route("labour", "330199", CLAIM)
    assert (decision.body_code, decision.mode, decision.report_days) == ("QX-HRSS", ReferralMode.ASSIGNMENT, 30)
    assert (decision.rule_id, decision.set_by, decision.default_used) == ("labour", "sample-county", False)
    assert decision.body.email == "rsj@gov.qingxi.example.cn"
    _bilingual(decision.texts, "labour")
    assert "交办清溪县人力资源和社会保障局" in decision.explanation("zh-CN")
    assert "30 日内报告" in decision.explanation("zh-CN")
    assert "assigned to Qingxi County Human Resources and Social Security Bureau" in decision.explanation("en")
    assert "within 30 days" in decision.explanation("en")


def test_route_default_when_nothing_matches(county: ComposedRules) -> None:
    decision = county.route("education", "330199", SUGGESTION)
    assert (decision.body_code, decision.rule_id, decision.default_used) == ("QX-GOV", "routing.default", True)
    assert decision.mode is ReferralMode.TRANSFER and decision.report_days is None
    assert "默认规则" in decision.explanation("zh-CN") and "转送清溪县人民政府" in decision.explanation("zh-CN")
    assert "default rule" in decision.explanation("en") and "transferred to" in decision.explanation("en")


def test_route_first_match_wins(county: ComposedRules) -> None:
    # an accusation about the court matches "accusations" (first) and "judicial" (second)
    assert county.route("court_work", "330199", ACCUSATION).rule_id == "accusations"
    assert county.route("court_work", "330199", CLAIM).rule_id == "judicial"


def test_route_by_body_kind_serving_the_region(county: ComposedRules) -> None:
    assert county.route("rural_affairs", "330199201", CLAIM).body_code == "QX-TOWN-BS"
    assert county.route("rural_affairs", "330199101", CLAIM).body_code == "QX-TOWN-QX"
    # a county-level code: no township presidium serves it, so the next rule applies
    fallback = county.route("rural_affairs", "330199", CLAIM)
    assert (fallback.body_code, fallback.rule_id) == ("QX-AGRI", "rural")
    assert [b.code for b in county.competent_bodies("rural_affairs", "330199201")] == ["QX-TOWN-BS", "QX-AGRI"]


def test_route_passes_over_the_accused(county: ComposedRules) -> None:
    # an accusation against the supervisory commission itself must not be transferred to it
    respondent = Respondent(person_name="某某", unit_name="县监察委员会", body_code="QX-SUP")
    decision = county.route("officials", "330199", ACCUSATION, respondent)
    assert decision.body_code == "QX-SC-PER" and decision.rule_id == "deputies"
    assert [(p.rule_id, p.body_code) for p in decision.passed] == [("accusations", "QX-SUP")]
    assert "第三十条" in decision.explanation("zh-CN") and "art. 30" in decision.explanation("en")
    # a claim about the same body is not guarded
    assert county.route("officials", "330199", CLAIM, respondent).body_code == "QX-SC-PER"


def test_no_route_when_only_guarded_bodies_are_left(write_pack: Callable[..., Path]) -> None:
    rules = load_rule_set(
        ("national",),
        [
            write_pack(
                '[[bodies]]\ncode = "GOV"\nname = "县政府"\nkind = "government"\n'
                '[[bodies]]\ncode = "HRSS"\nname = "县人社局"\nkind = "government_department"\nparent = "GOV"\n'
                '[[routing.rules]]\nid = "labour"\ndescription = { "zh-CN" = "甲", en = "a" }\n'
                'categories = ["labour"]\nbody = "HRSS"\nmode = "transfer"\n'
                '[routing.default]\nbody = "GOV"\nmode = "transfer"\ndescription = { "zh-CN" = "乙", en = "b" }\n'
            )
        ],
    )
    respondent = Respondent(body_code="HRSS")
    with pytest.raises(NoRoute) as err:
        rules.route("labour", "330199", ACCUSATION, respondent)
    assert err.value.guarded == {"HRSS", "GOV"}
    assert "HRSS" in err.value.message("zh-CN") and "art. 24" in str(err.value)
    assert rules.route("labour", "330199", CLAIM, respondent).body_code == "HRSS"


def test_no_route_without_default(national: ComposedRules) -> None:
    with pytest.raises(NoRoute, match=r"routing\.default"):
        national.route("labour", "330199", CLAIM)


def test_route_rejects_a_bad_region_code(county: ComposedRules) -> None:
    with pytest.raises(InvalidInput) as err:
        county.route("labour", "3301", CLAIM)
    assert err.value.fields == ("region_code",)


def test_route_conditions_on_respondent_and_facts(write_pack: Callable[..., Path]) -> None:
    rules = load_rule_set(
        ("national",),
        [
            write_pack(
                '[[bodies]]\ncode = "GOV"\nname = "县政府"\nkind = "government"\n'
                '[[bodies]]\ncode = "COURT"\nname = "县法院"\nkind = "court"\n'
                '[[bodies]]\ncode = "SC-JUD"\nname = "监察司法委"\nkind = "standing_committee_body"\n'
                '[[routing.rules]]\nid = "about-court"\ndescription = { "zh-CN" = "甲", en = "a" }\n'
                'respondent_kinds = ["court"]\nbody = "SC-JUD"\nmode = "assignment"\n'
                '[[routing.rules]]\nid = "pending"\ndescription = { "zh-CN" = "乙", en = "b" }\n'
                'facts = ["in_litigation"]\nregions = ["3301"]\nbody = "COURT"\nmode = "transfer"\n'
                '[routing.default]\nbody = "GOV"\nmode = "transfer"\ndescription = { "zh-CN" = "丙", en = "c" }\n'
            )
        ],
    )
    about_court = rules.route("other", "330199", CLAIM, Respondent(body_code="COURT"))
    assert about_court.body_code == "SC-JUD" and about_court.report_days is None
    assert "办结报告期限" in about_court.explanation("zh-CN")
    assert rules.route("other", "330199", CLAIM, facts={"in_litigation"}).body_code == "COURT"
    assert rules.route("other", "320100", CLAIM, facts={"in_litigation"}).body_code == "GOV"  # not in 3301
    assert rules.route("other", "330199", CLAIM).body_code == "GOV"


class OfficeHooks:
    """A plugin of the office's own predicates (what data cannot say), registered through the hook."""

    @hookimpl
    def petitionkit_register_predicates(self, register: Callable[..., None]) -> None:
        register("large_collective", lambda query: query.headcount > 50)


def test_predicate_for_what_data_cannot_say(write_pack: Callable[..., Path]) -> None:
    predicates = registered_predicates(make_plugin_manager(load_entrypoints=False, extra=[OfficeHooks()]))
    rules = load_rule_set(
        ("national",),
        [
            write_pack(
                '[[bodies]]\ncode = "GOV"\nname = "县政府"\nkind = "government"\n'
                '[[bodies]]\ncode = "OFFICE"\nname = "县信访局"\nkind = "petition_office"\n'
                '[[routing.rules]]\nid = "large"\ndescription = { "zh-CN" = "大规模集体访", en = "large collective" }\n'
                'predicate = "large_collective"\nbody = "GOV"\nmode = "assignment"\nreport_days = 10\n'
                '[routing.default]\nbody = "OFFICE"\nmode = "transfer"\ndescription = { "zh-CN" = "丙", en = "c" }\n'
            )
        ],
        predicates=predicates,
    )
    assert rules.route("labour", "330199", CLAIM, headcount=80).rule_id == "large"
    assert rules.route("labour", "330199", CLAIM, headcount=8).body_code == "OFFICE"
    assert rules.describe()["routing"]["rules"][0]["predicate"] == "large_collective"
