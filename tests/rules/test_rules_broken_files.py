"""A broken rule file is rejected when it is loaded, naming the file, the key and what is expected."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from petitionkit.errors import PetitionkitError
from petitionkit.rules import RulePackError, load_pack, load_rule_set

GOOD_BODY = '[[bodies]]\ncode = "A"\nname = "甲局"\nkind = "government_department"\n'
CLOCK = '[clocks.handling]\ndays = 45\nconvention = "calendar_days"\nsource = "local"\n'

CASES = [
    # (id, file body, dotted key, problem, words of the expectation in en, in zh-CN)
    (
        "unknown key",
        CLOCK + "lenght = 3\n",
        "clocks.handling.lenght",
        "unknown_key",
        "days, convention",
        "应为以下之一",
    ),
    ("unknown section", "[clock]\n", "clock", "unknown_key", "clocks", "未知"),
    ("unknown clock", CLOCK.replace("handling", "handlng"), "clocks.handlng", "unknown_key", "handling", "未知"),
    (
        "wrong type",
        CLOCK.replace("45", '"45"'),
        "clocks.handling.days",
        "wrong_type",
        "an integer",
        "整数",
    ),
    ("not positive", CLOCK.replace("45", "0"), "clocks.handling.days", "positive", "1 or more", "正整数"),
    (
        "clock without a convention",
        '[clocks.handling]\ndays = 45\nsource = "local"\n',
        "clocks.handling.convention",
        "required_choice",
        "required, one of: calendar_days, working_days",
        "必填",
    ),
    (
        "bad convention",
        CLOCK.replace('"calendar_days"', '"business_days"'),
        "clocks.handling.convention",
        "choice",
        "calendar_days, working_days",
        "calendar_days, working_days",
    ),
    ("bad kind", CLOCK + 'kinds = ["complaint"]\n', "clocks.handling.kinds[0]", "choice", "claim", "claim"),
    (
        "repeat threshold above 1",
        "[repeats]\nthreshold = 1.5\n",
        "repeats.threshold",
        "wrong_type",
        "at most 1",
        "不大于 1",
    ),
    (
        "repeat threshold a string",
        '[repeats]\nthreshold = "0.4"\n',
        "repeats.threshold",
        "wrong_type",
        "above 0",
        "大于 0",
    ),
    (
        "closed matter of an open state",
        '[repeats.closed.accepted]\naction = "decline"\n',
        "repeats.closed.accepted",
        "unknown_key",
        "terminated, withdrawn",
        "未知",
    ),
    (
        "closed matter without an action",
        '[repeats.closed.terminated]\nfacts = ["terminated"]\n',
        "repeats.closed.terminated.action",
        "required_choice",
        "decline, new_case, join",
        "必填",
    ),
    (
        "declining a closed matter without facts",
        '[repeats.closed.terminated]\naction = "decline"\n',
        "repeats.closed.terminated.facts",
        "required",
        "required",
        "必填",
    ),
    (
        "declining a closed matter on an unknown fact",
        '[repeats.closed.withdrawn]\naction = "decline"\nfacts = ["gone"]\n',
        "repeats.closed.withdrawn.facts",
        "unknown_fact",
        "gone",
        "gone",
    ),
    (
        "route to an unknown body",
        GOOD_BODY + '[[routing.rules]]\nid = "r"\ndescription = { "zh-CN" = "甲", en = "a" }\ncategories = ["labour"]\n'
        'body = "NOWHERE"\nmode = "transfer"\n',
        "routing.rules[0].body",
        "unknown_body",
        "'NOWHERE'",
        "NOWHERE",
    ),
    (
        "default to an unknown body",
        '[routing.default]\nbody = "X"\nmode = "transfer"\ndescription = { "zh-CN" = "甲", en = "a" }\n',
        "routing.default.body",
        "unknown_body",
        "'X'",
        "X",
    ),
    (
        "cycle of parents",
        '[[bodies]]\ncode = "A"\nname = "甲"\nkind = "other"\nparent = "B"\n'
        '[[bodies]]\ncode = "B"\nname = "乙"\nkind = "other"\nparent = "C"\n'
        '[[bodies]]\ncode = "C"\nname = "丙"\nkind = "other"\nparent = "A"\n',
        "bodies[0].parent",
        "parent_cycle",
        "A → B → C → A",
        "循环",
    ),
    (
        "unknown parent",
        GOOD_BODY + 'parent = "GOV"\n',
        "bodies[0].parent",
        "unknown_body",
        "'GOV'",
        "GOV",
    ),
    ("bad region code", GOOD_BODY + 'regions = ["33019"]\n', "bodies[0].regions[0]", "region_code", "6 digits", "6"),
    (
        "letters in region",
        GOOD_BODY + 'regions = ["33AB99"]\n',
        "bodies[0].regions[0]",
        "region_code",
        "digits",
        "数字",
    ),
    (
        "bad body kind",
        GOOD_BODY.replace("government_department", "ministry"),
        "bodies[0].kind",
        "choice",
        "court",
        "court",
    ),
    (
        "bad email",
        GOOD_BODY + 'contacts = { email = "nobody" }\n',
        "bodies[0].contacts.email",
        "email",
        "e-mail",
        "电子邮件",
    ),
    (
        "unknown category in a route",
        GOOD_BODY + '[[routing.rules]]\nid = "r"\ndescription = { "zh-CN" = "甲", en = "a" }\ncategories = ["labor"]\n'
        'body = "A"\nmode = "transfer"\n',
        "routing.rules[0].categories",
        "unknown_category",
        "'labor'",
        "labor",
    ),
    (
        "report days on a transfer",
        GOOD_BODY
        + '[[routing.rules]]\nid = "r"\ndescription = { "zh-CN" = "甲", en = "a" }\nbody = "A"\nmode = "transfer"\n'
        "report_days = 10\n",
        "routing.rules[0].report_days",
        "report_days_mode",
        "assignment",
        "交办",
    ),
    (
        "two targets",
        GOOD_BODY + '[[routing.rules]]\nid = "r"\ndescription = { "zh-CN" = "甲", en = "a" }\nbody = "A"\n'
        'body_kind = "court"\nmode = "transfer"\n',
        "routing.rules[0].body",
        "one_target",
        "exactly one",
        "之一",
    ),
    (
        "reason without English",
        '[[screening.declines]]\nid = "x"\nchannel = "litigation"\nreason = { "zh-CN" = "甲" }\n',
        "screening.declines[0].reason.en",
        "required",
        "required",
        "必填",
    ),
    (
        "unknown fact",
        '[[screening.declines]]\nid = "x"\nfacts = ["in_court"]\nchannel = "litigation"\n'
        'reason = { "zh-CN" = "甲", en = "a" }\n',
        "screening.declines[0].facts",
        "unknown_fact",
        "'in_court'",
        "in_court",
    ),
    (
        "disable an unknown rule",
        '[[screening.declines]]\nid = "litigaton"\nenabled = false\n',
        "screening.declines[0].enabled",
        "disable_unknown",
        "litigaton",
        "litigaton",
    ),
    (
        "predicate no plugin registers",
        '[[screening.declines]]\nid = "x"\npredicate = "no_such_predicate"\nchannel = "litigation"\n'
        'reason = { "zh-CN" = "甲", en = "a" }\n',
        "screening.declines[0].predicate",
        "unknown_predicate",
        "no plugin registers the predicate 'no_such_predicate'",
        "判断函数",
    ),
    (
        "python = 'module:function' of earlier versions",
        '[[screening.declines]]\nid = "x"\npython = "office_hooks:check"\nchannel = "litigation"\n'
        'reason = { "zh-CN" = "甲", en = "a" }\n',
        "screening.declines[0].python",
        "python_removed",
        "petitionkit_register_predicates",
        "predicate",
    ),
    (
        "bad date",
        '[[calendar.local_days_off]]\ndate = "20 April"\nname = "甲"\n',
        "calendar.local_days_off[0].date",
        "wrong_type",
        "a date",
        "日期",
    ),
    (
        "extra year date outside the year",
        '[[calendar.extra_years]]\nyear = 2027\nholidays = [{ date = 2028-01-01, name = "元旦" }]\n',
        "calendar.extra_years[0].holidays[0].date",
        "year_mismatch",
        "2027",
        "2027",
    ),
    (
        "tiers out of order",
        "[collective]\ntiers = [{ up_to = 10, limit = 3 }, { up_to = 5, limit = 4 }, { limit = 5 }]\n",
        "collective.tiers[1].up_to",
        "tiers",
        "ascending",
        "升序",
    ),
    (
        "boolean wanted",
        "[whistleblower]\nguard_parent_body = 1\n",
        "whistleblower.guard_parent_body",
        "wrong_type",
        "boolean",
        "布尔",
    ),
    ("duplicate body", GOOD_BODY + GOOD_BODY, "bodies[1].code", "duplicate", "unique", "唯一"),
    (
        "retention kind",
        "[retention]\npersonal_date = { years = 3 }\n",
        "retention.personal_date",
        "unknown_key",
        "personal_data, content",
        "未知",
    ),
    (
        "retention both units",
        "[retention]\ncontent = { years = 3, days = 10 }\n",
        "retention.content",
        "retention_unit",
        "exactly one of years or days",
        "years（年）或 days（天）",
    ),
    (
        "retention no unit",
        '[retention]\ncontent = { source = "x" }\n',
        "retention.content",
        "retention_unit",
        "exactly one",
        "恰好",
    ),
    (
        "retention zero",
        "[retention]\nnotices = { days = 0 }\n",
        "retention.notices.days",
        "positive",
        "1 or more",
        "正整数",
    ),
    (
        "retention months",
        "[retention]\nnotices = { months = 6 }\n",
        "retention.notices.months",
        "unknown_key",
        "years, days",
        "未知",
    ),
    ("retention not a table", "[retention]\nnotices = 6\n", "retention.notices", "wrong_type", "table", "表"),
    (
        "extension without its meaning",  # issue 16: added days or the total period must be stated
        '[clocks.extension]\ndays = 30\nconvention = "calendar_days"\nsource = "local"\n',
        "clocks.extension.counts",
        "required_choice",
        "added_days, total_period",
        "必填",
    ),
    (
        "bad extension meaning",
        '[clocks.extension]\ndays = 30\nconvention = "calendar_days"\nsource = "local"\ncounts = "weeks"\n',
        "clocks.extension.counts",
        "choice",
        "added_days, total_period",
        "added_days, total_period",
    ),
    (
        "counts on another clock",
        CLOCK + 'counts = "added_days"\n',
        "clocks.handling.counts",
        "unknown_key",
        "days",
        "未知",
    ),
    ("not TOML", "[clocks.handling\n", "-", "not_toml", "TOML", "TOML"),
]


@pytest.mark.parametrize(("body", "key", "problem", "en", "zh"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_file_is_rejected_at_load(
    write_pack: Callable[..., Path], body: str, key: str, problem: str, en: str, zh: str
) -> None:
    path = write_pack(body, "broken")
    with pytest.raises(RulePackError) as err:
        load_rule_set(("national",), [path])
    error = err.value
    assert isinstance(error, PetitionkitError)
    assert (error.file, error.key_path, error.problem) == (str(path), key, problem)
    english, chinese = error.message("en"), error.message("zh-CN")
    for message in (english, chinese):
        assert str(path) in message and key in message
    assert en in english
    assert zh in chinese
    assert error.to_dict()["key"] == key


def test_the_pack_table_is_required(write_pack: Callable[..., Path]) -> None:
    path = write_pack("[clocks]\n", header=False)
    with pytest.raises(RulePackError) as err:
        load_pack(path)
    assert err.value.key_path == "pack"


def test_a_pack_name_must_be_simple(write_pack: Callable[..., Path]) -> None:
    path = write_pack('[pack]\nname = "My County"\n', header=False)
    with pytest.raises(RulePackError) as err:
        load_pack(path)
    assert err.value.key_path == "pack.name" and "sample-county" in str(err.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(RulePackError) as err:
        load_rule_set(("national",), ["rules/nowhere.toml"], base_dir=tmp_path)
    assert err.value.file == str(tmp_path / "rules" / "nowhere.toml")
    assert "does not exist" in str(err.value)


def test_a_pack_alone_must_define_every_clock(write_pack: Callable[..., Path]) -> None:
    from petitionkit.rules import compose

    path = write_pack(CLOCK, "alone")
    with pytest.raises(RulePackError) as err:
        compose([load_pack(path)])
    assert err.value.file == str(path) and err.value.key_path == "clocks.notice"
    assert err.value.problem == "missing_clock"


def test_a_pack_alone_must_declare_every_retention_period(write_pack: Callable[..., Path]) -> None:
    import attrs

    from petitionkit.rules import compose
    from petitionkit.rules.builtin import builtin_pack

    assert "retention" in load_rule_set(("national",)).describe_toml()  # the national pack declares them all
    bare = attrs.evolve(builtin_pack("national"), retention=())
    path = write_pack("[retention]\ncontent = { years = 5 }\n", "partial")
    with pytest.raises(RulePackError) as err:
        compose([bare, load_pack(path)])
    assert err.value.key_path == "retention.personal_data" and err.value.problem == "missing_section"


def test_an_office_pack_replaces_retention_kind_by_kind(write_pack: Callable[..., Path]) -> None:
    from petitionkit.domain.retention import RecordKind

    path = write_pack('[retention]\nsource = "本县档案保管期限表"\nnotices = { days = 1095 }\n', "county")
    rules = load_rule_set(("national",), [path])
    periods = rules.retention()
    assert (periods[RecordKind.NOTICES].days, periods[RecordKind.NOTICES].set_by) == (1095, "county")
    assert periods[RecordKind.NOTICES].source == "本县档案保管期限表"
    assert (periods[RecordKind.CONTENT].years, periods[RecordKind.CONTENT].set_by) == (30, "national")
    assert rules.describe()["retention"]["notices"] == {
        "days": 1095,
        "source": "本县档案保管期限表",
        "set_by": "county",
    }


def test_cycle_across_packs_names_the_later_file(write_pack: Callable[..., Path]) -> None:
    first = write_pack('[[bodies]]\ncode = "A"\nname = "甲"\nkind = "other"\n', "first")
    second = write_pack(
        '[[bodies]]\ncode = "B"\nname = "乙"\nkind = "other"\nparent = "A"\n'
        '[[bodies]]\ncode = "A"\nname = "甲"\nkind = "other"\nparent = "B"\n',
        "second",
    )
    with pytest.raises(RulePackError) as err:
        load_rule_set(("national",), [first, second])
    assert err.value.file == str(second) and err.value.problem == "parent_cycle"
