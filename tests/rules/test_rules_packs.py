"""Composition of packs: national vs Zhejiang, an office file without Python, printing, registration."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from datetime import date
from pathlib import Path

import attrs
import pytest

from petitionkit import hookspecs
from petitionkit.config import OfficeConfig
from petitionkit.domain.clocks import Clock, Convention
from petitionkit.domain.model import PetitionKind, ReferralMode
from petitionkit.domain.ports import Rules
from petitionkit.plugins import make_plugin_manager
from petitionkit.rules import BuiltinNationalRules, ComposedRules, load_rule_set
from petitionkit.testing import SAMPLE_BODIES

CLAIM = PetitionKind.CLAIM


def test_same_case_gets_different_clocks_under_national_and_zhejiang(
    national: ComposedRules, zhejiang: ComposedRules
) -> None:
    start = date(2026, 3, 2)  # Monday
    n_notice = national.deadline(Clock.NOTICE, start, CLAIM)
    z_notice = zhejiang.deadline(Clock.NOTICE, start, CLAIM)
    assert n_notice is not None and z_notice is not None
    assert (n_notice.due, n_notice.basis.convention, n_notice.basis.source) == (
        date(2026, 3, 17),
        Convention.CALENDAR_DAYS,
        "2022 art. 23",
    )
    assert (z_notice.due, z_notice.basis.convention, z_notice.basis.source) == (
        date(2026, 3, 9),
        Convention.WORKING_DAYS,
        "ZJ art. 20",
    )
    n_handling = national.deadline(Clock.HANDLING, start, CLAIM)
    z_handling = zhejiang.deadline(Clock.HANDLING, start, CLAIM)
    assert n_handling is not None and z_handling is not None
    assert n_handling.due == date(2026, 5, 6)  # day 60 = 1 May, Labour Day holiday to 5 May
    assert z_handling.due == date(2026, 4, 1)  # day 30
    # Zhejiang: 30 days + at most 30 more = 60 in all
    assert zhejiang.max_extension_days(CLAIM) == 30
    extended = zhejiang.deadline(Clock.HANDLING, start, CLAIM, extension_days=30)
    assert extended is not None and extended.due == date(2026, 5, 6)
    # unchanged clocks are inherited from the national pack
    assert zhejiang.clock_rule(Clock.REVIEW_REQUEST).origin.pack == "national"
    assert zhejiang.clock_rule(Clock.HANDLING).origin.pack == "zhejiang"


OFFICE_FILE = """
# An office's own rule file: no Python.
[clocks.handling]
days = 45
convention = "working_days"
source = "县人大常委会信访工作规则第十二条"
kinds = ["claim", "suggestion"]

[categories]
tea = { "zh-CN" = "茶产业", en = "tea industry" }

[[bodies]]
code = "AGRI"
name = "县农业农村局"
kind = "government_department"
regions = ["330199"]

[[bodies]]
code = "GOV"
name = "县人民政府"
kind = "government"
regions = ["330199"]

[[routing.rules]]
id = "tea"
description = { "zh-CN" = "茶产业事项交办县农业农村局", en = "tea matters are assigned to the agriculture bureau" }
categories = ["tea", "rural_affairs"]
body = "AGRI"
mode = "assignment"
report_days = 20

[routing.default]
body = "GOV"
mode = "transfer"
description = { "zh-CN" = "其他事项转送县人民政府", en = "everything else goes to the county government" }
"""


def test_office_rule_file_changes_routing_and_a_clock(national: ComposedRules, tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "office.toml").write_text('[pack]\nname = "office"\n' + OFFICE_FILE, encoding="utf-8")
    config = OfficeConfig(rules="national", rule_files=("rules/office.toml",), base_dir=str(tmp_path))
    factories = hookspecs.collect(make_plugin_manager(load_entrypoints=False).hook.petitionkit_register_rules)
    rules = factories["national"](config)
    assert rules.name == "national+office"
    start = date(2026, 3, 2)
    # the clock: 45 working days instead of 60 calendar days, and now for suggestions too
    before = national.deadline(Clock.HANDLING, start, CLAIM)
    after = rules.deadline(Clock.HANDLING, start, CLAIM)
    assert before is not None and after is not None
    assert before.due == date(2026, 5, 6)
    # 45 working days: 21 in March, 21 in April (Qingming 4-6 Apr off), then 6, 7, 8 May (Labour Day 1-5 May)
    assert after.due == date(2026, 5, 8)
    assert after.basis.source == "县人大常委会信访工作规则第十二条"
    assert rules.deadline(Clock.HANDLING, start, PetitionKind.SUGGESTION) is not None
    # the routing: tea goes to AGRI as an assignment with its own report days
    decision = rules.route("tea", "330199", CLAIM)
    assert (decision.body_code, decision.mode, decision.report_days, decision.rule_id) == (
        "AGRI",
        ReferralMode.ASSIGNMENT,
        20,
        "tea",
    )
    report = rules.referral_report_deadline(decision, start, CLAIM)
    assert report is not None and report.due == date(2026, 3, 23)  # day 20 = Sun 22 Mar -> Mon 23 Mar
    assert report.basis.days == 20 and "routing rule tea" in report.basis.source
    assert rules.route("labour", "330199", CLAIM).body_code == "GOV"


def test_registered_rule_sets(tmp_path: Path) -> None:
    factories = hookspecs.collect(make_plugin_manager(load_entrypoints=False).hook.petitionkit_register_rules)
    assert {"builtin", "national", "zhejiang"} <= set(factories)
    config = OfficeConfig(bodies=SAMPLE_BODIES)
    for name, packs in (("national", ("national",)), ("zhejiang", ("national", "zhejiang"))):
        rules = factories[name](config)
        assert isinstance(rules, ComposedRules)
        assert rules.packs == packs
        assert [b.code for b in rules.bodies()] == [b.code for b in SAMPLE_BODIES]
        assert rules.calendar.name == "chinese_calendar 1.11.0"
    builtin = factories["builtin"](config)
    assert builtin.name == "builtin-national-2022"
    assert builtin.calendar.name == "weekends-only"


def test_builtin_rules_still_count_without_holidays() -> None:
    rules: Rules = BuiltinNationalRules(bodies=SAMPLE_BODIES)
    notice = rules.deadline(Clock.NOTICE, date(2025, 9, 20), CLAIM)
    assert notice is not None
    assert notice.due == date(2025, 10, 6)  # 5 Oct is a Sunday; holidays unknown to the weekends-only calendar
    assert notice.basis.calendar == "weekends-only"
    assert rules.representative_limit(30) == 5
    assert rules.bodies() == SAMPLE_BODIES
    assert rules.guarded_bodies(None) == frozenset()


def test_later_pack_rules_are_tried_first_and_same_id_replaces(write_pack: Callable[..., Path]) -> None:
    bodies = "".join(f'[[bodies]]\ncode = "{c}"\nname = "{c}"\nkind = "other"\n' for c in "ABC")
    first = write_pack(
        bodies
        + '[[routing.rules]]\nid = "one"\ndescription = { "zh-CN" = "一", en = "one" }\ncategories = ["labour"]\n'
        'body = "A"\nmode = "transfer"\n'
        '[[routing.rules]]\nid = "two"\ndescription = { "zh-CN" = "二", en = "two" }\ncategories = ["housing"]\n'
        'body = "A"\nmode = "transfer"\n',
        "province",
    )
    second = write_pack(
        '[[routing.rules]]\nid = "two"\ndescription = { "zh-CN" = "二", en = "two" }\ncategories = ["housing"]\n'
        'body = "C"\nmode = "transfer"\n'
        '[[routing.rules]]\nid = "three"\ndescription = { "zh-CN" = "三", en = "three" }\ncategories = ["labour"]\n'
        'body = "B"\nmode = "transfer"\n',
        "county",
    )
    rules = load_rule_set(("national",), [first, second])
    assert [r["id"] for r in rules.describe()["routing"]["rules"]] == ["two", "three", "one"]
    assert rules.route("labour", "330199", CLAIM).body_code == "B"  # the county's rule is tried first
    assert rules.route("housing", "330199", CLAIM).body_code == "C"  # replaced by id
    only_first = load_rule_set(("national",), [first])
    assert only_first.route("labour", "330199", CLAIM).body_code == "A"


def test_describe_says_which_pack_set_each_value(county: ComposedRules) -> None:
    described = county.describe()
    json.dumps(described, ensure_ascii=False)  # JSON-able
    assert described["name"] == "national+zhejiang+sample-county"
    assert [p["name"] for p in described["packs"]] == ["national", "zhejiang", "sample-county"]
    assert described["clocks"]["handling"]["set_by"] == "zhejiang"
    assert described["clocks"]["handling"]["days"] == 30
    assert described["clocks"]["review_request"]["set_by"] == "national"
    assert described["collective"] == {
        "tiers": [{"up_to": 10, "limit": 3}, {"up_to": None, "limit": 5}],
        "source": "ZJ art. 15",
        "set_by": "zhejiang",
    }
    assert described["calendar"]["local_days_off"][0]["set_by"] == "sample-county"
    assert {b["set_by"] for b in described["bodies"]} == {"sample-county"}
    declines = {d["id"]: d["set_by"] for d in described["screening"]["declines"]}
    assert declines["review-lapsed"] == "zhejiang" and declines["litigation"] == "national"
    assert "discipline" not in declines  # switched off by the county
    assert described["routing"]["default"]["set_by"] == "sample-county"
    assert described["whistleblower"] == {
        "guard_parent_body": True,
        "source": "2022 art. 30 para. 3",
        "set_by": "national",
    }


def test_describe_toml_is_readable_toml(county: ComposedRules) -> None:
    text = county.describe_toml()
    assert "# set by: zhejiang" in text
    parsed = tomllib.loads(text)
    assert parsed["clocks"]["notice"]["days"] == 5
    assert parsed["routing"]["default"]["body"] == "QX-GOV"


def test_guard_parent_body_option(write_pack: Callable[..., Path], county: ComposedRules) -> None:
    from petitionkit.domain.model import Respondent

    respondent = Respondent(unit_name="县人社局", body_code="QX-HRSS")
    assert county.guard_parent_body is True
    assert county.guarded_bodies(respondent) == {"QX-HRSS", "QX-GOV"}
    county_file = Path(__file__).resolve().parents[2] / "examples" / "sample-county" / "rules" / "county.toml"
    relaxed = load_rule_set(
        ("national", "zhejiang"), [county_file, write_pack("[whistleblower]\nguard_parent_body = false\n")]
    )
    assert relaxed.guard_parent_body is False
    assert relaxed.guarded_bodies(respondent) == {"QX-HRSS"}
    assert relaxed.guarded_bodies(attrs.evolve(respondent, body_code=None)) == frozenset()


@pytest.mark.parametrize("name", ["national", "zhejiang"])
def test_shipped_packs_state_a_source_for_every_clock(name: str) -> None:
    from petitionkit.rules import builtin_pack

    pack = builtin_pack(name)
    assert pack.clocks
    for rule in pack.clocks.values():
        assert rule.source and rule.origin.pack == name


def test_body_aliases_resolve_respondents_and_must_be_unambiguous(
    write_pack: Callable[..., Path], county: ComposedRules
) -> None:
    from petitionkit.domain.protection import BodyDirectory
    from petitionkit.rules import RulePackError

    directory = BodyDirectory.of(county.bodies())
    assert directory.named("县住建局") == "QX-HOUSING" and directory.named("清溪县 住房和城乡建设局") == "QX-HOUSING"
    assert directory.code(" qx-hrss ") == "QX-HRSS" and directory.named("某公司") is None
    assert county.body_info("QX-HRSS").to_dict()["aliases"] == ["县人社局", "清溪县人社局", "县劳动局"]  # type: ignore[union-attr]
    county_file = Path(__file__).resolve().parents[2] / "examples" / "sample-county" / "rules" / "county.toml"
    clash = write_pack(
        '[[bodies]]\ncode = "QX-JS"\nname = "清溪县建设局"\nkind = "government_department"\naliases = ["县 住建局"]\n'
    )
    with pytest.raises(RulePackError) as err:
        load_rule_set(("national", "zhejiang"), [county_file, clash])
    assert err.value.key_path.endswith(".aliases") and "QX-HOUSING" in err.value.message("en")
    blank = write_pack('[[bodies]]\ncode = "X"\nname = "某单位"\nkind = "other"\naliases = [" "]\n', name="blank")
    with pytest.raises(RulePackError) as err:
        load_rule_set(("national",), [blank])
    assert err.value.key_path.endswith("aliases[0]")
