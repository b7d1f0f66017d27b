"""Commands (指令): what a clerk or a body asks of a case, one small attrs class each, in the imperative.

The lifecycle (:mod:`petitionkit.domain.lifecycle`) decides each against the case's state; its
``TRANSITIONS`` table says which states admit which command.  ``action`` is the command's name in
the state machine, in errors and in ``allowed_actions``.
"""

from __future__ import annotations

from datetime import date

import attrs

from petitionkit.domain.model import DeclineChannel, EvaluationRating, ReplyOutcome


@attrs.frozen
class Accept:
    note: str = ""
    action = "accept"


@attrs.frozen
class DeclineCase:
    reason: str
    channel: DeclineChannel
    action = "decline"


@attrs.frozen
class Transfer:
    body_code: str
    note: str = ""
    rule_id: str | None = None  # the routing rule that chose the body, if any
    action = "transfer"


@attrs.frozen
class Assign:
    body_code: str
    note: str = ""
    report_days: int | None = None  # a routing rule's own report deadline; None: the clock's length
    rule_id: str | None = None  # the routing rule that chose the body, if any
    action = "assign"


@attrs.frozen
class Object:
    """The receiving body objects that the referral is outside its competence (misroute)."""

    reason: str
    action = "object"


@attrs.frozen
class RecordFeedback:
    """Feedback a body volunteers on a transfer (no report is owed); every feedback is kept."""

    text: str
    received_on: date | None = None  # when the feedback arrived (default: today)
    action = "record_feedback"


@attrs.frozen
class RecordReport:
    """An assigned body's result report (办结报告), carrying its reply to the petitioner."""

    outcome: ReplyOutcome
    text: str
    delivered_on: date | None = None
    action = "record_report"


@attrs.frozen
class Supervise:
    reason: str
    action = "supervise"


@attrs.frozen
class Extend:
    days: int
    reason: str
    approved_by: str
    action = "extend"


@attrs.frozen
class ReplyToPetitioner:
    outcome: ReplyOutcome
    text: str
    delivered_on: date | None = None
    action = "reply"


@attrs.frozen
class Evaluate:
    rating: EvaluationRating
    comment: str = ""
    action = "evaluate"


@attrs.frozen
class RequestReview:
    reason: str
    organ: str
    requested_on: date | None = None
    action = "request_review"


@attrs.frozen
class DecideReview:
    outcome: ReplyOutcome
    opinion: str
    delivered_on: date | None = None
    action = "decide_review"


@attrs.frozen
class RequestRereview:
    reason: str
    organ: str
    requested_on: date | None = None
    action = "request_rereview"


@attrs.frozen
class DecideRereview:
    outcome: ReplyOutcome
    opinion: str
    action = "decide_rereview"


@attrs.frozen
class Terminate:
    reason: str
    action = "terminate"


@attrs.frozen
class Withdraw:
    reason: str = ""
    action = "withdraw"


Command = (
    Accept
    | DeclineCase
    | Transfer
    | Assign
    | Object
    | RecordFeedback
    | RecordReport
    | Supervise
    | Extend
    | ReplyToPetitioner
    | Evaluate
    | RequestReview
    | DecideReview
    | RequestRereview
    | DecideRereview
    | Terminate
    | Withdraw
)
