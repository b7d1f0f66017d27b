"""Helpers of the dispatcher (投递): outbox row -> message, retry delays, dead-letter alerts.

``Office.dispatch`` claims a batch, sends each message through the notifier of its channel and
records the outcome.  Delivery is at least once: a worker that dies after sending but before
recording leaves the message to be sent again when its lease ends, with the same idempotency key.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from petitionkit.config import OfficeConfig
from petitionkit.notifications.planner import Planner
from petitionkit.notify import Message
from petitionkit.storage.base import OutboxMessage

DEAD_LETTER = "staff_dead_letter"


def message_of(item: OutboxMessage, config: OfficeConfig) -> Message:
    """The message an outbox row carries (rows from before the planner go to the office console)."""
    p = item.payload
    if "channel" not in p or "recipient" not in p:
        return Message(
            recipient=config.office_code,
            channel="console",
            subject=item.topic,
            body=str(dict(p)),
            idempotency_key=item.idempotency_key,
            case_id=item.case_id,
        )
    return Message(
        recipient=str(p["recipient"]),
        channel=str(p["channel"]),
        subject=str(p.get("subject", item.topic)),
        body=str(p.get("body", "")),
        idempotency_key=item.idempotency_key,
        case_id=item.case_id,
        obligation_id=p.get("obligation_id"),
    )


def describe_error(exc: BaseException) -> str:
    """A one-line error for ``last_error`` (bounded; notifiers must not put secrets in messages)."""
    return f"{type(exc).__name__}: {exc}"[:500]


def dead_letter_alerts(
    planner: Planner, item: OutboxMessage, message: Message, attempts: int, error: str, now: datetime
) -> list[OutboxMessage]:
    """Staff alerts for a message that will not be retried (none for a dead alert: no loops)."""
    if item.topic == DEAD_LETTER:
        return []
    params = {
        "topic": item.topic,
        "channel": message.channel,
        "recipient": message.recipient,
        "attempts": attempts,
        "error": error,
        "message_id": item.id,
    }
    planned = planner.staff_messages(DEAD_LETTER, params, f"dead:{item.id}")
    return [attrs.evolve(m.to_outbox(now), case_id=item.case_id) for m in planned]
