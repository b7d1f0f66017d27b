"""Clerk- and petitioner-facing text in zh-CN (the default) and en.

A plain catalog keeps every string a clerk reads next to its translation and lets a test check
that both locales have every key with the same placeholders.  (gettext would need compiled
catalogs and a build step for a few dozen strings; see docs/design.md.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

DEFAULT_LOCALE: Final = "zh-CN"
LOCALES: Final = ("zh-CN", "en")

CATALOG: Final[dict[str, Mapping[str, str]]] = {
    # --- errors ---------------------------------------------------------------------------
    "error.invalid_input": {
        "zh-CN": "输入有误（{count} 处）：{details}",
        "en": "invalid input ({count} problem(s)): {details}",
    },
    "error.illegal_transition": {
        "zh-CN": "信访事项 {case} 当前状态为“{state}”，不能执行“{action}”；可执行：{allowed}",
        "en": "case {case} is {state}: cannot {action}; allowed actions: {allowed}",
    },
    "error.not_found": {
        "zh-CN": "未找到{what}“{key}”，请核对后重试",
        "en": "no {what} '{key}' was found; check it and try again",
    },
    "error.conflict": {
        "zh-CN": "信访事项 {case} 已被他人修改（版本 {expected} → {actual}），请重新载入后再操作",
        "en": "case {case} was changed by someone else (version {expected} -> {actual}); reload it and retry",
    },
    "error.window_closed": {
        "zh-CN": "信访事项 {case} 的“{clock}”期限已于 {due} 届满，不能再提出",
        "en": "case {case}: the {clock} window closed on {due}; the request can no longer be made",
    },
    "error.window_open": {
        "zh-CN": "信访事项 {case} 的“{clock}”期限至 {due} 才届满，届满前不能终结",
        "en": "case {case}: the {clock} window is open until {due}; it cannot be terminated before then",
    },
    "error.extension_refused": {
        "zh-CN": "信访事项 {case} 不能延期：{reason}",
        "en": "case {case} cannot be extended: {reason}",
    },
    "error.whistleblower_guard": {
        "zh-CN": "检举控告类事项 {case} 不得{action}给被检举人或其所在单位（{body}），请改送其他有权机关",
        "en": "accusation case {case} must not go to the accused or the accused's unit ({body}) by {action};"
        " refer it to another competent body",
    },
    "error.respondent_unresolved": {
        "zh-CN": "检举控告类信访件 {petitions} 的被检举单位（respondent.body_code）尚未确认，"
        "信访事项 {case} 暂不能向任何单位{action}；请先确认被检举单位："
        "petitionkit resolve-respondent {case} --body 单位代码（不属已知单位的用 --unlisted）",
        "en": "the respondent unit (respondent.body_code) of accusation petition(s) {petitions} is not resolved,"
        " so nothing of case {case} may go to any body ({action}); resolve it first:"
        " petitionkit resolve-respondent {case} --body CODE (or --unlisted when the unit is none of the known bodies)",
    },
    "error.configuration": {
        "zh-CN": "配置项 {setting} 有误：{problem}",
        "en": "setting {setting} is wrong: {problem}",
    },
    "error.storage": {
        "zh-CN": "数据库 {url} 不可用：{problem}",
        "en": "database {url} cannot be used: {problem}",
    },
    "error.unknown_body": {
        "zh-CN": "未知的承办单位“{body}”，请先在规则包中登记该单位",
        "en": "unknown handling body '{body}'; declare it in a rule pack first",
    },
    "error.not_notifiable": {
        "zh-CN": "匿名信访件无法告知或评价：{action}",
        "en": "an anonymous petition cannot be notified or rated: {action}",
    },
    # --- field problems --------------------------------------------------------------------
    "field.unknown_respondent_body": {
        "zh-CN": "不是规则包中已登记的单位代码；请核对代码，"
        "或只填写被反映单位名称（respondent.unit_name）待工作人员确认",
        "en": "is not the code of a body declared in the rule packs; check the code, or give only the unit's name"
        " (respondent.unit_name) for a clerk to resolve",
    },
    "field.nothing_unresolved": {
        "zh-CN": "该信访事项没有待确认被检举单位的检举控告类信访件；如需更正，请用 --petition 指明信访件",
        "en": "the case has no accusation whose respondent is unresolved;"
        " name the petition with --petition to correct one",
    },
    "field.one_resolution": {
        "zh-CN": "请在 --body 与 --unlisted 中二选一",
        "en": "give exactly one of --body and --unlisted",
    },
    "field.not_accusation": {
        "zh-CN": "该信访件不是本事项的检举控告类信访件",
        "en": "is not an accusation petition of this case",
    },
    "field.required": {"zh-CN": "必填", "en": "is required"},
    "field.unknown": {"zh-CN": "不是可识别的字段，请删除", "en": "is not a known field; remove it"},
    "field.wrong_type": {"zh-CN": "类型应为 {expected}", "en": "must be {expected}"},
    "field.choice": {"zh-CN": "应为以下之一：{choices}", "en": "must be one of: {choices}"},
    "field.blank": {"zh-CN": "不能为空", "en": "must not be blank"},
    "field.too_long": {"zh-CN": "不能超过 {limit} 个字符", "en": "must be at most {limit} characters"},
    "field.id_number": {
        "zh-CN": "不是有效的居民身份证号码（18 位，末位校验码按 GB 11643 计算）",
        "en": "is not a valid resident ID number (18 characters, GB 11643 check digit)",
    },
    "field.phone": {
        "zh-CN": "不是有效的电话号码（11 位手机号或带区号的固定电话）",
        "en": "is not a valid phone number (11-digit mobile, or landline with area code)",
    },
    "field.email": {"zh-CN": "不是有效的电子邮件地址", "en": "is not a valid e-mail address"},
    "field.region_code": {
        "zh-CN": "不是有效的 6 位行政区划代码",
        "en": "is not a valid 6-digit administrative division code",
    },
    "field.datetime": {
        "zh-CN": "应为带时区的 ISO 8601 时间，如 2026-09-25T09:30:00+08:00",
        "en": "must be an ISO 8601 time with a UTC offset, e.g. 2026-09-25T09:30:00+08:00",
    },
    "field.future": {"zh-CN": "不能晚于当前时间", "en": "must not be in the future"},
    "field.visit_needs_identity": {
        "zh-CN": "走访须登记至少一名具名信访人及其身份证号码",
        "en": "a visit needs at least one named petitioner with an ID number",
    },
    "field.anonymous_with_petitioners": {
        "zh-CN": "匿名信访件不应登记信访人身份",
        "en": "an anonymous petition must not carry petitioner identities",
    },
    "field.needs_petitioner": {
        "zh-CN": "非匿名信访件须至少登记一名信访人",
        "en": "a petition that is not anonymous needs at least one petitioner",
    },
    "field.anonymous_visit": {
        "zh-CN": "走访不能匿名",
        "en": "a visit cannot be anonymous",
    },
    "field.too_many_representatives": {
        "zh-CN": "{headcount} 人的集体访最多推选 {limit} 名代表",
        "en": "a collective petition of {headcount} people may elect at most {limit} representatives",
    },
    "field.agent_mandate": {
        "zh-CN": "委托代理人须提供授权委托书",
        "en": "an agent needs a written mandate (mandate_ref)",
    },
    "field.positive": {"zh-CN": "应为正整数", "en": "must be a positive whole number"},
    "field.at_most": {"zh-CN": "不能超过 {limit}", "en": "must be at most {limit}"},
    "field.before_reply": {
        "zh-CN": "不能早于答复日期 {day}",
        "en": "must not be before the reply date {day}",
    },
    # --- vocabulary a clerk reads ------------------------------------------------------------
    "state.registered": {"zh-CN": "已登记", "en": "registered"},
    "state.declined": {"zh-CN": "不予受理", "en": "declined"},
    "state.accepted": {"zh-CN": "已受理", "en": "accepted"},
    "state.transferred": {"zh-CN": "已转送", "en": "transferred"},
    "state.assigned": {"zh-CN": "已交办", "en": "assigned"},
    "state.replied": {"zh-CN": "已答复", "en": "replied"},
    "state.under_review": {"zh-CN": "复查中", "en": "under review"},
    "state.reviewed": {"zh-CN": "已复查", "en": "reviewed"},
    "state.under_rereview": {"zh-CN": "复核中", "en": "under re-review"},
    "state.terminated": {"zh-CN": "已终结", "en": "terminated"},
    "state.withdrawn": {"zh-CN": "已撤回", "en": "withdrawn"},
    "action.accept": {"zh-CN": "受理", "en": "accept"},
    "action.decline": {"zh-CN": "不予受理", "en": "decline"},
    "action.transfer": {"zh-CN": "转送", "en": "transfer"},
    "action.assign": {"zh-CN": "交办", "en": "assign"},
    "action.object": {"zh-CN": "提出异议", "en": "object"},
    "action.record_feedback": {"zh-CN": "登记反馈", "en": "record feedback"},
    "action.record_report": {"zh-CN": "登记办结报告", "en": "record report"},
    "action.supervise": {"zh-CN": "督办", "en": "supervise"},
    "action.extend": {"zh-CN": "延期", "en": "extend"},
    "action.reply": {"zh-CN": "答复", "en": "reply"},
    "action.evaluate": {"zh-CN": "评价", "en": "evaluate"},
    "action.request_review": {"zh-CN": "申请复查", "en": "request review"},
    "action.decide_review": {"zh-CN": "出具复查意见", "en": "decide review"},
    "action.request_rereview": {"zh-CN": "申请复核", "en": "request re-review"},
    "action.decide_rereview": {"zh-CN": "出具复核意见", "en": "decide re-review"},
    "action.terminate": {"zh-CN": "终结", "en": "terminate"},
    "action.withdraw": {"zh-CN": "撤回", "en": "withdraw"},
    "action.notify": {"zh-CN": "告知", "en": "notify"},
    "action.export": {"zh-CN": "导出", "en": "export"},
    "action.document": {"zh-CN": "制发文书", "en": "send a document"},
    "action.message": {"zh-CN": "发送通知", "en": "send a message"},
    "clock.notice": {"zh-CN": "告知期限", "en": "notice"},
    "clock.routing": {"zh-CN": "转送交办期限", "en": "routing"},
    "clock.misroute_objection": {"zh-CN": "异议期限", "en": "misroute objection"},
    "clock.handling": {"zh-CN": "办理期限", "en": "handling"},
    "clock.extension": {"zh-CN": "延期期限", "en": "extension"},
    "clock.referral_report": {"zh-CN": "办结报告期限", "en": "referral report"},
    "clock.review_request": {"zh-CN": "复查申请期限", "en": "review request"},
    "clock.review_opinion": {"zh-CN": "复查意见期限", "en": "review opinion"},
    "clock.rereview_request": {"zh-CN": "复核申请期限", "en": "re-review request"},
    "clock.rereview_opinion": {"zh-CN": "复核意见期限", "en": "re-review opinion"},
    "clock.supervision_reply": {"zh-CN": "督办回复期限", "en": "supervision reply"},
    "what.case": {"zh-CN": "信访事项", "en": "case"},
    "what.petition": {"zh-CN": "信访件", "en": "petition"},
    "what.query_code": {"zh-CN": "查询码", "en": "query code"},
    "what.referral": {"zh-CN": "转交办记录", "en": "referral"},
}


def extend(entries: Mapping[str, Mapping[str, str]]) -> None:
    """Add a module's own strings (each key with both locales); a key may not be defined twice."""
    for key, texts in entries.items():
        if key in CATALOG and CATALOG[key] != texts:
            raise ValueError(f"i18n key {key!r} is already defined differently")
        missing = set(LOCALES) - set(texts)
        if missing:
            raise ValueError(f"i18n key {key!r} lacks {sorted(missing)}")
        CATALOG[key] = texts


def translate(key: str, locale: str = DEFAULT_LOCALE, /, **params: Any) -> str:
    """Render ``key`` in ``locale`` (falling back to zh-CN), filling ``params``."""
    entry = CATALOG[key]
    text = entry.get(locale) or entry[DEFAULT_LOCALE]
    return text.format(**params) if params else text


def normalize_locale(locale: str | None) -> str:
    """Map 'zh', 'zh_CN.UTF-8', 'en_US' ... to a supported locale."""
    if not locale:
        return DEFAULT_LOCALE
    lowered = locale.replace("_", "-").split(".")[0].lower()
    if lowered.startswith("en"):
        return "en"
    return DEFAULT_LOCALE
