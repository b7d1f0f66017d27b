"""The formal documents (文书) an office issues, and the placeholders each template may use.

Each document type has a fixed, documented placeholder set: ``required`` placeholders must appear
in its template (a notice of non-acceptance that does not say where to go instead is unlawful), and
any placeholder outside ``required | optional`` is a typo the office must fix.  Both are checked
before any document is made (:func:`petitionkit.documents.check_template`).
"""

from __future__ import annotations

import enum

import attrs


class Audience(enum.StrEnum):
    """Who a document is addressed to."""

    PETITIONER = "petitioner"  # 信访人: may carry the petitioner's identity
    BODY = "body"  # 承办单位: never carries the identity of a confidential or accusation case


# Every document may use these.
COMMON = frozenset(
    {
        "office_name",  # 本机关名称
        "issuer",  # 落款 (default: office_name)
        "contact_phone",  # 联系电话 ([settings.documents] contact_phone)
        "issue_date",  # 成文日期: the act's date (e.g. 2026年3月2日), the same on every reprint
        "document_number",  # 文号, e.g. X人信转〔2026〕3号 (the document register)
        "header_organ",  # 版头: the issuing organ ([settings.documents] header, default the issuer)
        "tracking_number",  # 信访件编号 (the case's first)
        "subject",  # 事由
        "received_date",  # 收到日期
        "category",  # 问题类别 (words)
        "region_code",  # 问题发生地代码
        "region_name",  # 问题发生地 (the division's name, else the code: reports.labels.region_label)
        "kind_label",  # 建议意见类 / 检举控告类 / 申诉求决类
        "channel_label",  # 来信 / 来访 / ...
    }
)
# The petitioner's identity: filled for documents to the petitioner; withheld ("（依法保密）") in
# documents to a body when the case is confidential or an accusation (2022 art. 30 para. 3).
IDENTITY = frozenset(
    {"petitioner_name", "petitioner_id_number", "petitioner_phone", "petitioner_address", "petitioner_email"}
)


@attrs.frozen
class DocumentKind:
    """One type of formal document and its template's placeholders."""

    name: str  # also the template's file name without ``.docx``
    audience: Audience
    required: frozenset[str]
    optional: frozenset[str] = frozenset()

    @property
    def placeholders(self) -> frozenset[str]:
        return self.required | self.optional | COMMON | IDENTITY

    @property
    def file_name(self) -> str:
        return f"{self.name}.docx"


KINDS: dict[str, DocumentKind] = {
    k.name: k
    for k in (
        DocumentKind(
            "acceptance-notice",  # 受理告知书
            Audience.PETITIONER,
            frozenset(
                {"petitioner_name", "tracking_number", "received_date", "subject", "accepted_date", "issue_date"}
            ),
            frozenset({"handling_due", "handling_days"}),
        ),
        DocumentKind(
            "non-acceptance-notice",  # 不予受理告知书
            Audience.PETITIONER,
            frozenset(
                {
                    "petitioner_name",
                    "tracking_number",
                    "received_date",
                    "subject",
                    "decline_reason",
                    "decline_channel",
                    "issue_date",
                }
            ),
            frozenset({"declined_date"}),
        ),
        DocumentKind(
            "transfer-letter",  # 转送函
            Audience.BODY,
            frozenset({"body_name", "tracking_number", "subject", "content", "transfer_date", "issue_date"}),
            frozenset({"body_code", "objection_due", "note"}),
        ),
        DocumentKind(
            "assignment-letter",  # 交办函
            Audience.BODY,
            frozenset(
                {"body_name", "tracking_number", "subject", "content", "assignment_date", "report_due", "issue_date"}
            ),
            frozenset({"body_code", "report_days", "objection_due", "note"}),
        ),
        DocumentKind(
            "supervision-notice",  # 督办函
            Audience.BODY,
            frozenset(
                {
                    "body_name",
                    "tracking_number",
                    "subject",
                    "assignment_date",
                    "report_due",
                    "supervision_reason",
                    "supervision_reply_due",
                    "issue_date",
                }
            ),
            frozenset({"body_code", "supervision_date"}),
        ),
        DocumentKind(
            "extension-notice",  # 延期告知书
            Audience.PETITIONER,
            frozenset(
                {
                    "petitioner_name",
                    "tracking_number",
                    "subject",
                    "extension_days",
                    "extension_reason",
                    "new_due",
                    "issue_date",
                }
            ),
            frozenset({"original_due", "approved_by"}),
        ),
        DocumentKind(
            "handling-opinion",  # 处理意见书
            Audience.PETITIONER,
            frozenset(
                {
                    "petitioner_name",
                    "tracking_number",
                    "received_date",
                    "subject",
                    "reply_outcome",
                    "reply_text",
                    "review_days",
                    "review_organ",
                    "issue_date",
                }
            ),
            frozenset({"replied_date"}),
        ),
    )
}
