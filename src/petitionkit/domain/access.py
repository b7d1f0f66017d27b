"""Who acts (:class:`Principal`), what they may do (:class:`Permission`, :class:`Role`) and what they read
(:class:`AccessRecord`).

Authentication belongs to the embedding system: it hands the library an authenticated principal
(``office.acting_as(principal)``) and the library never trusts a name typed as text.  Roles are data:
the rule pack declares them (``[roles.<name>]``, see docs/rules.md).  Events record who acted as
:attr:`Principal.actor`: the principal's id, ``#``, and its roles joined by ``+`` (``li#registrar``);
:func:`split_actor` reads it back.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from datetime import datetime

import attrs

from petitionkit.domain.decisions import Bilingual

PRINCIPAL_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@-]*$")


class Permission(enum.StrEnum):
    """What a role may do; a use case asks for one of these."""

    REGISTER = "register"  # 登记
    SCREEN = "screen"  # 受理审查
    REFER = "refer"  # 转送、交办、督办
    EXTEND_REQUEST = "extend_request"  # 申请延期
    EXTEND_APPROVE = "extend_approve"  # 批准延期
    REPLY = "reply"  # 答复
    RECORD_REVIEW = "record_review"  # 复查、复核
    TERMINATE = "terminate"  # 终结、撤回
    READ_PERSONAL_DATA = "read_personal_data"  # 查阅个人信息
    EXPORT = "export"  # 导出
    REPORT = "report"  # 统计报表
    CONFIGURE = "configure"  # 配置、送达、期限重算
    AUDIT = "audit"  # 查阅访问记录
    RECORD_FEEDBACK = "record_feedback"  # 承办单位反馈
    RECORD_REPORT = "record_report"  # 承办单位办结报告
    OBJECT = "object"  # 承办单位异议
    PURGE = "purge"  # 按保存期限删除 (petitionkit purge --apply)


#: What a handling-body principal may ever do, whatever its roles: record what a body records, and
#: read (through the redaction policy) the cases referred to it.
BODY_PERMISSIONS = frozenset(
    {Permission.RECORD_FEEDBACK, Permission.RECORD_REPORT, Permission.OBJECT, Permission.READ_PERSONAL_DATA}
)


def _ids(values: Iterable[str]) -> frozenset[str]:
    return frozenset(values)


def _check_id(_instance: object, _attribute: object, value: str) -> None:
    if not PRINCIPAL_ID.match(value):
        raise ValueError(f"principal id {value!r} must be letters, digits, '_', '.', '@' or '-'")


@attrs.frozen
class Principal:
    """An authenticated user or system acting on an office.

    ``body_codes`` is set for a handling body's user: it then reads and records only on the cases
    referred to one of those bodies.
    """

    id: str = attrs.field(validator=_check_id)
    display_name: str = ""
    roles: frozenset[str] = attrs.field(default=frozenset(), converter=_ids)
    body_codes: frozenset[str] = attrs.field(default=frozenset(), converter=_ids)

    @property
    def actor(self) -> str:
        """What events record as their actor: ``id#role+role``."""
        return f"{self.id}#{'+'.join(sorted(self.roles))}" if self.roles else self.id

    @property
    def is_body(self) -> bool:
        return bool(self.body_codes)


def split_actor(actor: str) -> tuple[str, tuple[str, ...]]:
    """An event's actor as (principal id, roles); events recorded before principals have no roles."""
    principal, _, roles = actor.partition("#")
    return principal, tuple(r for r in roles.split("+") if r)


@attrs.frozen
class Role:
    """A role a rule pack declares: its words and its permissions."""

    name: str
    title: Bilingual
    permissions: frozenset[Permission]
    set_by: str = ""  # the pack that declared it


@attrs.frozen
class AccessRecord:
    """One read of personal data: who, when, which case or query, how many records, and why.

    Append-only: storage offers no way to change or delete one.
    """

    id: str
    office_code: str
    principal_id: str
    roles: str  # the principal's roles joined by "+"
    at: datetime
    action: str  # "petitions", "search", "export", "export_for_body", "lookup", "document" ...
    case_id: str | None
    query: str  # what was asked (a search's criteria, a body code); never a query code
    count: int  # how many records were read
    purpose: str = ""
    key_id: str | None = None  # the audit key that sealed it (None: written without a key)
    seal: str | None = None  # HMAC over the record's fields (petitionkit.audit.seals.access_seal_of)


@attrs.frozen
class AccessQuery:
    """Which access records to read (every given field narrows the result), oldest first unless
    ``newest_first`` (an auditor's list: the latest reads, however many came before)."""

    office_code: str
    case_id: str | None = None
    principal_id: str | None = None
    since: datetime | None = None
    limit: int = 1000
    offset: int = 0  # records to skip, in the order asked for (paging)
    newest_first: bool = False
