"""The words of reports and formal documents, in zh-CN and en (added to :mod:`petitionkit.i18n`)."""

from __future__ import annotations

from collections.abc import Mapping

from petitionkit import i18n


def _pairs(prefix: str, entries: Mapping[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
    return {f"{prefix}.{key}": {"zh-CN": zh, "en": en} for key, (zh, en) in entries.items()}


STRINGS: dict[str, dict[str, str]] = {
    # --- field problems and errors ----------------------------------------------------------
    "field.period_order": {"zh-CN": "不能早于开始日期 {day}", "en": "must not be before the start date {day}"},
    "field.period_format": {
        "zh-CN": "应为 2026、2026-03、2026Q1 或 2026-01-01..2026-03-15 形式的统计期",
        "en": "must be a period such as 2026, 2026-03, 2026Q1 or 2026-01-01..2026-03-15",
    },
    "error.template_placeholders": {
        "zh-CN": "文书模板 {template}（{document}）有误：{details}。"
        "请对照 docs/reports.md 中该文书的占位符清单修改模板",
        "en": "document template {template} ({document}) is wrong: {details}; fix it against the placeholder list"
        " of this document in docs/reports.md",
    },
    "template.unknown": {"zh-CN": "未知占位符 {names}", "en": "unknown placeholder(s) {names}"},
    "template.missing": {"zh-CN": "缺少必需占位符 {names}", "en": "missing required placeholder(s) {names}"},
    "template.unreadable": {
        "zh-CN": "不是可读取的 Word 模板（{reason}）",
        "en": "is not a readable Word template ({reason})",
    },
    "error.document_not_applicable": {
        "zh-CN": "信访事项 {case} 不能出具“{document}”：{reason}",
        "en": "case {case}: no {document} can be made: {reason}",
    },
    "error.reports_unsupported": {
        "zh-CN": "存储后端 {url} 不提供统计查询；请使用 SQLite、PostgreSQL 或内存存储",
        "en": "the storage backend {url} offers no report queries; use SQLite, PostgreSQL or memory storage",
    },
    "reason.not_declined": {"zh-CN": "该事项未作不予受理", "en": "the case was not declined"},
    "reason.not_accepted": {"zh-CN": "该事项未受理", "en": "the case was not accepted"},
    "reason.no_referral": {"zh-CN": "该事项没有{mode}记录", "en": "the case has no {mode}"},
    "reason.not_supervised": {"zh-CN": "该事项未督办", "en": "the case was not supervised"},
    "reason.not_extended": {"zh-CN": "该事项未延期", "en": "the handling period was not extended"},
    "reason.no_reply": {"zh-CN": "该事项尚未答复", "en": "the case has no reply yet"},
    # --- documents ------------------------------------------------------------------------------
    **_pairs(
        "document",
        {
            "acceptance-notice": ("受理告知书", "notice of acceptance"),
            "non-acceptance-notice": ("不予受理告知书", "notice of non-acceptance"),
            "transfer-letter": ("转送函", "transfer letter"),
            "assignment-letter": ("交办函", "assignment letter"),
            "supervision-notice": ("督办函", "supervision notice"),
            "extension-notice": ("延期告知书", "extension notice"),
            "handling-opinion": ("处理意见书", "handling opinion"),
        },
    ),
    "document.redacted": {"zh-CN": "（依法保密）", "en": "(withheld by law)"},
    "document.anonymous": {"zh-CN": "匿名", "en": "anonymous"},
    **_pairs(
        "decline_channel",
        {
            "litigation": ("依法向人民法院提起诉讼", "bring the matter before a people's court"),
            "arbitration": ("依法申请仲裁", "apply for arbitration"),
            "administrative_reconsideration": ("依法申请行政复议", "apply for administrative reconsideration"),
            "discipline_inspection": ("向纪检监察机关反映", "raise it with the discipline inspection organs"),
            "party_appeal": ("按党内程序提出申诉", "appeal through the Party procedure"),
            "other_organ": ("向有权处理的机关、单位提出", "raise it with the competent organ"),
            "none": ("本机关不再受理", "this office will not accept it again"),
        },
    ),
    # --- report vocabulary ----------------------------------------------------------------------
    **_pairs(
        "report.channel",
        {
            "letter": ("来信", "letters"),
            "visit": ("来访", "visits"),
            "phone": ("来电", "calls"),
            "online": ("网上信访", "online"),
            "fax": ("传真", "fax"),
            "referred_in": ("上级转来", "referred in"),
        },
    ),
    **_pairs(
        "report.kind",
        {
            "suggestion": ("建议意见类", "suggestions"),
            "accusation": ("检举控告类", "accusations"),
            "claim": ("申诉求决类", "claims"),
        },
    ),
    **_pairs(
        "report.dimension",
        {
            "channel": ("信访渠道", "channel"),
            "kind": ("信访类型", "kind"),
            "category": ("问题类别", "category"),
            "region": ("问题发生地", "region"),
            "respondent": ("被反映单位（人）", "respondent"),
            "respondent_body": ("被反映机关", "respondent body"),
            "office": ("信访机构", "office"),
        },
    ),
    **_pairs(
        "report.total",
        {
            "petitions": ("信访件次", "petitions"),
            "cases": ("新登记信访事项", "new cases"),
            "people": ("人次", "people"),
            "collective_petitions": ("集体访（5人以上）批次", "collective petitions (5+ people)"),
            "collective_people": ("集体访人次", "people in collective petitions"),
            "repeat_petitions": ("重复信访件次", "repeat petitions"),
            "anonymous_petitions": ("匿名信件", "anonymous petitions"),
        },
    ),
    **_pairs(
        "report.section",
        {
            "totals": ("总体情况", "Overview"),
            "breakdowns": ("分类统计", "Breakdowns"),
            "trend": ("月度走势", "Monthly trend"),
            "respondents": ("被反映较多的机关和单位", "Organs most complained about"),
            "referrals": ("转送、交办情况", "Transfers and assignments"),
            "supervision": ("督办情况", "Supervision"),
            "timeliness": ("按期办理情况", "Handling on time"),
            "overdue": ("逾期未办结事项", "Overdue open cases"),
            "extensions": ("延期办理", "Extensions"),
            "evaluations": ("满意度评价", "Satisfaction ratings"),
            "reviews": ("复查、复核", "Review and re-review"),
            "collective": ("集体访", "Collective petitions"),
            "repeats": ("重复信访", "Repeat petitions"),
            "conclusions": ("办结情况", "Cases concluded"),
            "signals": ("苗头性、倾向性问题", "Trend signals"),
            "clusters": ("同一事项多人反映", "Same matter, several petitioners"),
            "method": ("统计口径与方法", "Definitions and method"),
        },
    ),
    **_pairs(
        "report.column",
        {
            "item": ("项目", "item"),
            "current": ("本期", "this period"),
            "previous": ("上期", "previous period"),
            "last_year": ("去年同期", "same period last year"),
            "change_previous": ("环比", "vs previous"),
            "change_last_year": ("同比", "vs last year"),
            "count": ("数量", "count"),
            "share": ("占比", "share"),
            "cases": ("事项数", "cases"),
            "petitions": ("件次", "petitions"),
            "body": ("单位", "body"),
            "clock": ("期限", "clock"),
            "met": ("按期", "on time"),
            "late": ("逾期办结", "late"),
            "overdue": ("逾期未结", "overdue"),
            "pending": ("未到期", "not yet due"),
            "on_time_rate": ("按期率", "on-time rate"),
            "transfers": ("转送", "transfers"),
            "assignments": ("交办", "assignments"),
            "reported": ("已反馈/报结", "reported"),
            "objected": ("退回异议", "objected"),
            "open": ("办理中", "open"),
            "withdrawn": ("撤回", "withdrawn"),
            "status": ("状态", "status"),
            "tracking_number": ("编号", "tracking number"),
            "subject": ("事由", "subject"),
            "due": ("到期日", "due"),
            "days_overdue": ("逾期天数", "days overdue"),
            "rating": ("评价", "rating"),
            "history": ("历史各期", "history"),
            "baseline": ("历史均值", "baseline mean"),
            "ratio": ("倍数", "ratio"),
            "p_value": ("p 值", "p-value"),
            "q_value": ("q 值（FDR）", "q-value (FDR)"),
            "petitioners": ("信访人数", "petitioners"),
            "terms": ("关键词", "key terms"),
            "month": ("月份", "month"),
        },
    ),
    **_pairs(
        "report.rating",
        {
            "satisfied": ("满意", "satisfied"),
            "basically_satisfied": ("基本满意", "basically satisfied"),
            "dissatisfied": ("不满意", "dissatisfied"),
        },
    ),
    **_pairs(
        "report.outcome",
        {
            "support": ("支持", "supported"),
            "explain": ("解释说明", "explained"),
            "not_support": ("不予支持", "not supported"),
            "mediated": ("调解达成协议", "mediated"),
        },
    ),
    **_pairs(
        "report.figure",
        {
            "on_time_rate": ("按期办理率", "on-time rate"),
            "satisfaction_rate": ("满意率（含基本满意）", "satisfaction rate (incl. basically satisfied)"),
            "review_rate": ("申请复查率", "review request rate"),
            "rereview_rate": ("申请复核率", "re-review request rate"),
            "replies": ("答复（出具处理意见）", "replies"),
            "review_requests": ("申请复查", "review requests"),
            "reviews_decided": ("复查办结", "reviews decided"),
            "rereview_requests": ("申请复核", "re-review requests"),
            "rereviews_decided": ("复核办结", "re-reviews decided"),
            "extensions": ("延期办理", "extensions"),
            "declined": ("不予受理", "declined"),
            "closure_rate": ("本期登记事项办结率", "closure rate of this period's cases"),
            "opened": ("本期登记事项", "cases opened"),
            "closed": ("已办结", "closed"),
            "in_progress": ("办理中", "in progress"),
            "supervisions": ("督办", "supervision notices"),
            "collective_share": ("集体访占比", "share of collective petitions"),
            "collective_people_share": ("集体访人次占比", "share of people in collective petitions"),
            "repeat_share": ("重复信访占比", "share of repeat petitions"),
            "repeat_petitioners": ("重复信访人", "repeat petitioners"),
            "overdue_cases": ("逾期未办结事项", "overdue open cases"),
            "office": ("本机关", "this office"),
            "none": ("未注明", "not stated"),
        },
    ),
}

i18n.extend(STRINGS)


def label(key: str, locale: str = "zh-CN") -> str:
    """The text of ``key`` (a key of :data:`STRINGS` or the core catalog) in ``locale``."""
    return i18n.translate(key, locale)
