"""The petition office's domain objects.

Every class here is a frozen attrs class: the service layer changes a case by building a
new value (``attrs.evolve``) and the storage layer persists it.  Nothing in this package
imports SQLAlchemy, click or a plugin.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime

import attrs

from petitionkit.domain.clocks import Clock, DeadlineBasis


class Channel(enum.StrEnum):
    """How a petition reached the office (2022 art. 17)."""

    LETTER = "letter"  # 来信
    VISIT = "visit"  # 来访
    PHONE = "phone"  # 电话
    ONLINE = "online"  # 网上信访
    FAX = "fax"  # 传真
    REFERRED_IN = "referred_in"  # 转来: referred in from another organ


class PetitionKind(enum.StrEnum):
    """The three kinds of items of 2022 arts. 29-31."""

    SUGGESTION = "suggestion"  # 建议意见类
    ACCUSATION = "accusation"  # 检举控告类
    CLAIM = "claim"  # 申诉求决类


class PetitionerRole(enum.StrEnum):
    PETITIONER = "petitioner"  # 信访人
    REPRESENTATIVE = "representative"  # 代表 (of a collective petition)
    AGENT = "agent"  # 委托代理人


class CaseState(enum.StrEnum):
    """States of a case (信访事项) in the lifecycle state machine."""

    REGISTERED = "registered"  # 已登记, awaiting screening or re-routing
    DECLINED = "declined"  # 不予受理
    ACCEPTED = "accepted"  # 受理, handled by the office or its Standing Committee body
    TRANSFERRED = "transferred"  # 转送: referred out, no report owed
    ASSIGNED = "assigned"  # 交办: referred out, a result report owed
    REPLIED = "replied"  # 已答复 (处理意见书)
    UNDER_REVIEW = "under_review"  # 复查中
    REVIEWED = "reviewed"  # 已复查
    UNDER_REREVIEW = "under_rereview"  # 复核中
    TERMINATED = "terminated"  # 终结
    WITHDRAWN = "withdrawn"  # 撤回

    @property
    def is_closed(self) -> bool:
        """A closed case owes nothing: no obligation may stay open on it."""
        return self in CLOSED_STATES


CLOSED_STATES = frozenset({CaseState.DECLINED, CaseState.TRANSFERRED, CaseState.TERMINATED, CaseState.WITHDRAWN})


class DeclineChannel(enum.StrEnum):
    """Where a declined petitioner is told to go (诉访分离)."""

    LITIGATION = "litigation"  # 诉讼
    ARBITRATION = "arbitration"  # 仲裁
    ADMINISTRATIVE_RECONSIDERATION = "administrative_reconsideration"  # 行政复议
    DISCIPLINE_INSPECTION = "discipline_inspection"  # 纪检监察机关
    PARTY_APPEAL = "party_appeal"  # 党内申诉
    OTHER_ORGAN = "other_organ"  # 其他有权机关
    NONE = "none"  # nothing further (e.g. terminated matter)


class ReferralMode(enum.StrEnum):
    TRANSFER = "transfer"  # 转送/转办: no report owed back
    ASSIGNMENT = "assignment"  # 交办: result report (办结报告) owed by a deadline


class ReferralStatus(enum.StrEnum):
    OPEN = "open"
    OBJECTED = "objected"  # the body objected to a misroute
    REPORTED = "reported"  # the body sent its result report / feedback
    WITHDRAWN = "withdrawn"


class ObligationStatus(enum.StrEnum):
    OPEN = "open"
    MET = "met"
    LATE = "late"  # met after its due date
    WAIVED = "waived"  # no longer owed (withdrawal, lapsed window, misroute)


class Party(enum.StrEnum):
    """Who owes or is owed an obligation."""

    OFFICE = "office"
    PETITIONER = "petitioner"
    BODY = "body"
    REVIEWING_ORGAN = "reviewing_organ"


class ReplyOutcome(enum.StrEnum):
    SUPPORT = "support"  # 支持
    EXPLAIN = "explain"  # 解释说明
    NOT_SUPPORT = "not_support"  # 不予支持
    MEDIATED = "mediated"  # 调解达成协议


class EvaluationRating(enum.StrEnum):
    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意


class BodyKind(enum.StrEnum):
    GOVERNMENT_DEPARTMENT = "government_department"  # 政府部门
    GOVERNMENT = "government"  # 人民政府
    COURT = "court"  # 人民法院
    PROCURATORATE = "procuratorate"  # 人民检察院
    SUPERVISORY_COMMISSION = "supervisory_commission"  # 监察委员会
    STANDING_COMMITTEE_BODY = "standing_committee_body"  # 常委会工作机构/专门委员会
    LOWER_CONGRESS = "lower_congress"  # 下级人大常委会 / 乡镇人大主席团
    PETITION_OFFICE = "petition_office"  # 信访工作机构
    OTHER = "other"


@attrs.frozen
class Person:
    """A petitioner, representative or agent as registered."""

    name: str
    role: PetitionerRole = PetitionerRole.PETITIONER
    id_number: str | None = None  # 居民身份证号码 (GB 11643)
    phone: str | None = None
    address: str | None = None
    email: str | None = None
    mandate_ref: str | None = None  # 授权委托书 reference, for an agent


@attrs.frozen
class Respondent:
    """The person and/or unit complained about (被反映人/被检举人)."""

    person_name: str | None = None
    unit_name: str | None = None
    body_code: str | None = None  # the unit, when it is a body the office knows
    # A clerk confirmed the unit is none of the bodies the office knows (see resolve-respondent).
    unlisted: bool = False


@attrs.frozen
class Attachment:
    """A document attached by reference (the file itself lives elsewhere)."""

    name: str
    uri: str
    sha256: str | None = None


@attrs.frozen
class Petition:
    """One incoming communication (信访件): a letter, visit, call, online form or fax."""

    id: str
    office_code: str
    tracking_number: str
    query_code_digest: str
    case_id: str
    channel: Channel
    received_at: datetime
    registered_at: datetime
    kind: PetitionKind
    subject: str
    content: str
    category: str
    region_code: str
    petitioners: tuple[Person, ...] = ()
    anonymous: bool = False
    confidential: bool = False
    headcount: int = 1  # people behind a collective petition (集体访)
    respondent: Respondent | None = None
    attachments: tuple[Attachment, ...] = ()
    referred_from: str | None = None  # organ that referred it in
    source_ref: str | None = None  # the row's key in the system it was imported from
    # 重复信访 of a closed matter: the tracking number of the case it repeats, when the petition opened
    # a case of its own because that one was terminated or withdrawn (a joined repeat is in the case).
    repeat_of: str | None = None

    @property
    def is_collective(self) -> bool:
        return self.headcount >= 5

    @property
    def can_be_notified(self) -> bool:
        """Anonymous petitions cannot be notified or rated."""
        return not self.anonymous


@attrs.frozen
class Body:
    """A handling organ the office refers to (一府一委两院, Standing Committee bodies...)."""

    code: str
    name: str
    kind: BodyKind
    level: str = "county"
    parent_code: str | None = None
    # Other names petitioners use for it (简称, 旧称), matched when a respondent names a unit.
    aliases: tuple[str, ...] = ()
    # Where notifications reach it, by channel: {"email": "...", "webhook": "https://..."}.
    contacts: Mapping[str, str] = attrs.field(factory=dict, hash=False)


@attrs.frozen
class Obligation:
    """One reply clock: who owes what to whom, from when, by when.

    ``basis`` keeps every input that computed ``due`` so it can be recomputed and explained.
    """

    id: str
    case_id: str
    clock: Clock
    owed_by: Party
    owed_to: Party
    status: ObligationStatus
    due: date
    basis: DeadlineBasis
    opened_at: datetime
    body_code: str | None = None
    referral_id: str | None = None
    closed_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status is ObligationStatus.OPEN


@attrs.frozen
class Feedback:
    """One feedback (反馈) a body sent on a transfer: what it said, when it arrived, who recorded it.

    ``received_on`` is ``None`` and ``recorded_by`` ``""`` only for feedback stored before release 0.2
    kept the history (one text per referral, read back as the single entry it was).
    """

    text: str
    received_on: date | None
    recorded_at: datetime
    recorded_by: str = ""


@attrs.frozen
class Referral:
    """A transfer (转送) or assignment (交办) of a case to a handling body."""

    id: str
    case_id: str
    body_code: str
    mode: ReferralMode
    status: ReferralStatus
    referred_at: datetime
    objection_due: date | None = None
    note: str = ""
    feedback: str | None = None  # the body's last word: its objection, report, or latest feedback
    closed_at: datetime | None = None
    feedbacks: tuple[Feedback, ...] = ()  # every feedback on a transfer, oldest first


def legacy_feedbacks(
    mode: ReferralMode, status: ReferralStatus, feedback: str | None, closed_at: datetime | None
) -> tuple[Feedback, ...]:
    """The feedback history of a referral stored before it was kept: its one text, when that text was a
    transfer's feedback (an assignment's is its report, an objected referral's the objection)."""
    if mode is ReferralMode.TRANSFER and status is ReferralStatus.REPORTED and feedback is not None and closed_at:
        return (Feedback(feedback, None, closed_at, ""),)
    return ()


@attrs.frozen
class Reply:
    """The written reply or handling opinion (处理意见书/答复)."""

    outcome: ReplyOutcome
    text: str
    replied_at: datetime
    delivered_on: date  # the petitioner's receipt date starts the review window
    by_body_code: str | None = None


@attrs.frozen
class Evaluation:
    rating: EvaluationRating
    comment: str
    evaluated_at: datetime


@attrs.frozen
class Decline:
    reason: str
    channel: DeclineChannel
    declined_at: datetime


@attrs.frozen
class Extension:
    days: int
    reason: str
    approved_by: str
    extended_at: datetime


@attrs.frozen
class ReviewStep:
    """A review (复查) or re-review (复核): the request and, once given, the opinion."""

    requested_on: date
    reason: str
    organ: str
    opinion: str | None = None
    outcome: ReplyOutcome | None = None
    decided_at: datetime | None = None


@attrs.frozen
class Case:
    """The matter (信访事项) one or more petitions raise: the aggregate the lifecycle changes."""

    id: str
    office_code: str
    state: CaseState
    version: int
    kind: PetitionKind
    category: str
    region_code: str
    subject: str
    opened_at: datetime
    petition_ids: tuple[str, ...]
    first_tracking_number: str
    confidential: bool = False
    anonymous: bool = False
    respondent: Respondent | None = None
    obligations: tuple[Obligation, ...] = ()
    referrals: tuple[Referral, ...] = ()
    decline: Decline | None = None
    extension: Extension | None = None
    reply: Reply | None = None
    evaluations: tuple[Evaluation, ...] = ()
    review: ReviewStep | None = None
    rereview: ReviewStep | None = None
    closed_reason: str | None = None
    updated_at: datetime | None = None
    # Head of the case's event hash chain (see petitionkit.domain.events).
    last_sequence: int = 0
    last_digest: str = "0" * 64

    @property
    def open_obligations(self) -> tuple[Obligation, ...]:
        return tuple(o for o in self.obligations if o.is_open)

    @property
    def current_referral(self) -> Referral | None:
        for referral in reversed(self.referrals):
            if referral.status is ReferralStatus.OPEN:
                return referral
        return None

    def obligation(self, clock: Clock) -> Obligation | None:
        """The open obligation on ``clock``, if any."""
        for ob in self.obligations:
            if ob.clock is clock and ob.is_open:
                return ob
        return None
