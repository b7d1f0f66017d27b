"""Typed errors of the rules engine, with their zh-CN and en texts.

* :class:`RulePackError` — a rule file (规则包) is broken: names the file, the dotted key and what
  is expected.  Raised when a pack is loaded or composed, never later while a case is handled.
* :class:`CalendarDataMissing` — a date falls in a year for which no official holiday schedule
  (节假日安排) is known: names the year and how to add the data.
* :class:`NoRoute` — no routing rule (分流规则) gives a permissible body.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from petitionkit import i18n
from petitionkit.errors import PetitionkitError
from petitionkit.i18n import translate

i18n.extend(
    {
        "error.rule_pack": {
            "zh-CN": "规则文件 {file} 有误：{key} {problem}",
            "en": "rule file {file} is wrong at {key}: {problem}",
        },
        "error.calendar_data_missing": {
            "zh-CN": "没有 {year} 年的节假日安排数据（{calendar} 只含 {covered} 年）；请升级 chinesecalendar"
            "（pip install -U chinesecalendar），或在规则包中用 [[calendar.extra_years]] 声明 year = {year}"
            " 的节假日（holidays）和调休上班日（workdays），不作推测",
            "en": "no holiday schedule for year {year} ({calendar} covers {covered}); upgrade chinesecalendar"
            " (pip install -U chinesecalendar) or declare year = {year} with its holidays and make-up working days"
            " (workdays) in a rule pack's [[calendar.extra_years]]; no guess is made",
        },
        "error.no_route": {
            "zh-CN": "没有可用的承办单位：{why}。请人工确定承办单位，"
            "必要时由共同的上级机关决定（2022 年条例第二十四条）",
            "en": "no permissible handling body: {why}. Choose the body by hand; if competence is disputed the common"
            " superior decides (2022 art. 24)",
        },
        "rules.no_route.no_default": {
            "zh-CN": "没有规则匹配，且规则包未声明 [routing.default]",
            "en": "no rule matched and no pack declares [routing.default]",
        },
        "rules.no_route.guarded": {
            "zh-CN": "检举控告类事项不得转交被检举单位或其上级（{bodies}），默认承办单位也在其中",
            "en": "an accusation must not reach the accused unit or its parent ({bodies}), and the default body is one"
            " of them",
        },
        # --- what a rule file is expected to contain ----------------------------------------
        "rules.problem.not_toml": {"zh-CN": "不是有效的 TOML：{detail}", "en": "is not valid TOML: {detail}"},
        "rules.problem.missing_file": {
            "zh-CN": "文件不存在（路径相对于配置文件所在目录）",
            "en": "the file does not exist (paths are relative to the configuration file's folder)",
        },
        "rules.problem.unknown_key": {
            "zh-CN": "是未知的键；应为以下之一：{allowed}",
            "en": "is an unknown key; expected one of: {allowed}",
        },
        "rules.problem.wrong_type": {
            "zh-CN": "类型错误；应为{expected}",
            "en": "has the wrong type; expected {expected}",
        },
        "rules.problem.required": {
            "zh-CN": "缺失；该项必填（{expected}）",
            "en": "is missing; it is required ({expected})",
        },
        "rules.problem.required_choice": {
            "zh-CN": "缺失；该项必填，应为以下之一：{choices}",
            "en": "is missing; it is required, one of: {choices}",
        },
        "rules.problem.choice": {
            "zh-CN": "取值无效；应为以下之一：{choices}",
            "en": "is invalid; expected one of: {choices}",
        },
        "rules.problem.positive": {
            "zh-CN": "取值无效；应为正整数（1 及以上）",
            "en": "is invalid; expected a whole number of 1 or more",
        },
        "rules.problem.not_negative": {
            "zh-CN": "取值无效；应为 0 或正整数",
            "en": "is invalid; expected a whole number of 0 or more",
        },
        "rules.problem.name": {
            "zh-CN": "取值无效；应为小写字母、数字和连字符组成的名称，如 sample-county",
            "en": "is invalid; expected a name of lower-case letters, digits and hyphens, e.g. sample-county",
        },
        "rules.problem.identifier": {
            "zh-CN": "取值无效；应为字母、数字、连字符或下划线组成的标识",
            "en": "is invalid; expected an identifier of letters, digits, hyphens or underscores",
        },
        "rules.problem.duplicate": {
            "zh-CN": "与同一文件中前面的“{value}”重复；应唯一",
            "en": "repeats '{value}' from earlier in the same file; expected a unique value",
        },
        "rules.problem.ambiguous_name": {
            "zh-CN": "“{value}”与单位“{code}”的代码、名称或别名相同（不计大小写和空格）；被反映单位须能唯一确定",
            "en": "'{value}' is also the code, name or alias of body '{code}' (ignoring case and spaces); a respondent"
            " unit must resolve to one body",
        },
        "rules.problem.blank": {
            "zh-CN": "不能为空",
            "en": "must not be blank",
        },
        "rules.problem.unknown_body": {
            "zh-CN": "引用了未声明的单位“{code}”；应为本包或之前规则包中 [[bodies]] 声明的单位代码",
            "en": "names an undeclared body '{code}'; expected the code of a body declared in [[bodies]] of this"
            " or an earlier pack",
        },
        "rules.problem.parent_cycle": {
            "zh-CN": "上级单位形成循环（{cycle}）；应为树状隶属关系",
            "en": "makes the parent bodies a cycle ({cycle}); expected a tree",
        },
        "rules.problem.region_code": {
            "zh-CN": "“{code}”不是有效的行政区划代码或前缀；应为 2、4、6 位（省、市、县）或 9、12 位（乡镇、村）数字",
            "en": "'{code}' is not a valid administrative division code or prefix; expected 2, 4 or 6 digits"
            " (province, city, county) or 9 or 12 digits (township, village)",
        },
        "rules.problem.unknown_category": {
            "zh-CN": "引用了未声明的事项类别“{value}”；应为 [categories] 中声明的类别",
            "en": "names an undeclared category '{value}'; expected a category declared in [categories]",
        },
        "rules.problem.unknown_fact": {
            "zh-CN": "引用了未声明的情形“{value}”；应为 [screening.facts] 中声明的情形",
            "en": "names an undeclared fact '{value}'; expected a fact declared in [screening.facts]",
        },
        "rules.problem.unknown_predicate": {
            "zh-CN": "没有插件注册名为“{value}”的判断函数（已注册：{known}）；"
            "请安装并启用通过 petitionkit_register_predicates 注册它的插件",
            "en": "no plugin registers the predicate '{value}' (registered: {known}); install and enable the plugin"
            " that registers it through petitionkit_register_predicates",
        },
        "rules.problem.python_removed": {
            "zh-CN": "不再支持 python = “模块:函数”（此处为“{value}”）；请在插件中通过"
            " petitionkit_register_predicates 注册该函数，并改写为 predicate = “名称”（见 docs/rules.md）",
            "en": "python = 'module:function' is no longer read (here '{value}'); register the function in a plugin"
            " through petitionkit_register_predicates and write predicate = 'name' instead (see docs/rules.md)",
        },
        "rules.problem.one_target": {
            "zh-CN": "应恰好给出 body（单位代码）或 body_kind（按区划选择该类单位）之一",
            "en": "expected exactly one of body (a body code) or body_kind (the body of that kind serving the region)",
        },
        "rules.problem.report_days_mode": {
            "zh-CN": '只能用于 mode = "assignment"（交办）',
            "en": 'is only allowed with mode = "assignment"',
        },
        "rules.problem.tiers": {
            "zh-CN": "分档有误；应按 up_to 升序排列，且最后一档不写 up_to",
            "en": "is wrong; expected tiers in ascending up_to order, the last one without up_to",
        },
        "rules.problem.year_range": {
            "zh-CN": "年份超出范围；应在 {first} 至 {last} 年之间",
            "en": "is out of range; expected a year from {first} to {last}",
        },
        "rules.problem.statutory_missing": {
            "zh-CN": "缺少法定节假日“{holiday}”（{holiday_en}）：{missing} 不是休息日。"
            "《全国年节及纪念日放假办法》规定{holiday}放假 {days} 天（{dates}），"
            "声明的年份须全部包含；请对照国务院办公厅的通知补全",
            "en": "misses the statutory holiday {holiday_en} ({holiday}): {missing} is not a day off. The national"
            " holiday regulation gives {holiday_en} {days} day(s) off ({dates}) and a declared year must contain"
            " them all; check it against the State Council General Office notice",
        },
        "rules.problem.makeup_weekday": {
            "zh-CN": "{value} 不是星期六或星期日；调休上班日只能是周末",
            "en": "{value} is not a Saturday or Sunday; a make-up working day is always a weekend day",
        },
        "rules.problem.makeup_far": {
            "zh-CN": "{value} 距离任何声明的节假日都超过 {reach} 天；调休上班日应紧邻节假日，请检查日期",
            "en": "{value} is more than {reach} days from every declared holiday; a make-up working day lies next"
            " to a holiday period, so check the date",
        },
        "rules.problem.year_mismatch": {
            "zh-CN": "日期 {value} 不在 {year} 年；应为该年的日期",
            "en": "date {value} is not in {year}; expected a date of that year",
        },
        "rules.problem.missing_clock": {
            "zh-CN": "没有任何规则包定义该期限；应在本包或之前的规则包中声明",
            "en": "is defined by no pack; expected a definition in this or an earlier pack",
        },
        "rules.problem.missing_section": {
            "zh-CN": "没有任何规则包定义该项；应在本包或之前的规则包中声明",
            "en": "is defined by no pack; expected a definition in this or an earlier pack",
        },
        "rules.problem.email": {
            "zh-CN": "不是有效的电子邮件地址；应形如 xfb@example.gov.cn",
            "en": "is not a valid e-mail address; expected e.g. xfb@example.gov.cn",
        },
        "rules.problem.url": {
            "zh-CN": "不是有效的网址；应以 https:// 或 http:// 开头",
            "en": "is not a valid URL; expected one starting with https:// or http://",
        },
        "rules.problem.disable_unknown": {
            "zh-CN": "停用了不存在的规则“{value}”；enabled = false 只能用于之前规则包中已有的规则编号",
            "en": "disables an unknown rule '{value}'; enabled = false only applies to a rule id of an earlier pack",
        },
        "rules.type.integer": {"zh-CN": "整数", "en": "an integer"},
        "rules.type.string": {"zh-CN": "字符串", "en": "a string"},
        "rules.type.boolean": {"zh-CN": "布尔值（true/false）", "en": "a boolean (true/false)"},
        "rules.type.table": {"zh-CN": "表（table）", "en": "a table"},
        "rules.type.array": {"zh-CN": "数组", "en": "an array"},
        "rules.type.string_array": {"zh-CN": "字符串数组", "en": "an array of strings"},
        "rules.type.table_array": {"zh-CN": "表数组（[[...]]）", "en": "an array of tables ([[...]])"},
        "rules.type.date": {"zh-CN": "日期（如 2026-04-20）", "en": "a date (e.g. 2026-04-20)"},
        "rules.type.text": {
            "zh-CN": '双语文本表 { "zh-CN" = "...", en = "..." }',
            "en": 'a bilingual table { "zh-CN" = "...", en = "..." }',
        },
        "rules.type.name_text": {
            "zh-CN": "字符串或双语文本表",
            "en": "a string or a bilingual table",
        },
    }
)


class RulePackError(PetitionkitError):
    """A rule file is broken: ``file``, the dotted ``key`` and what is expected (``problem``).

    ``problem`` is a key under ``rules.problem.`` in the catalog and ``params`` fill it, so the
    message exists in zh-CN and en.
    """

    code = "rule_pack"
    exit_code = 7
    key = "error.rule_pack"

    def __init__(self, file: str, key: str, problem: str, params: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        self.file, self.key_path, self.problem = file, key, problem
        self.problem_params = dict(params or {})

    def params(self, locale: str) -> dict[str, Any]:
        values = {
            k: (translate(v.key, locale) if isinstance(v, TypeName) else v) for k, v in self.problem_params.items()
        }
        return {
            "file": self.file,
            "key": self.key_path,
            "problem": translate("rules.problem." + self.problem, locale, **values),
        }

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.update({"file": self.file, "key": self.key_path, "problem": self.problem})
        return data


class TypeName:
    """A type name in an error message, translated when the message is rendered."""

    def __init__(self, name: str) -> None:
        self.key = "rules.type." + name

    def __repr__(self) -> str:
        return f"TypeName({self.key!r})"


class CalendarDataMissing(PetitionkitError):
    """No official holiday data for ``year``: fail loudly, never guess (see docs/rules.md)."""

    code = "calendar_data_missing"
    exit_code = 7
    key = "error.calendar_data_missing"

    def __init__(self, year: int, calendar: str, covered: str) -> None:
        super().__init__()
        self.year, self.calendar, self.covered = year, calendar, covered

    def params(self, locale: str) -> dict[str, Any]:
        return {"year": self.year, "calendar": self.calendar, "covered": self.covered}


class NoRoute(PetitionkitError):
    """Routing found no permissible body; ``reason`` is ``"no_default"`` or ``"guarded"``."""

    code = "no_route"
    exit_code = 4
    key = "error.no_route"

    def __init__(self, reason: str, guarded: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.reason, self.guarded = reason, guarded

    def params(self, locale: str) -> dict[str, Any]:
        why = translate("rules.no_route." + self.reason, locale, bodies=", ".join(sorted(self.guarded)))
        return {"why": why}
