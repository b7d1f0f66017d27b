"""Helpers of the dispatcher (投递): outbox row -> message, retry delays, dead-letter alerts.

``Office.dispatch`` claims a batch, sends each message through the notifier of its channel and
records the outcome.  Delivery is at least once: a worker that dies after sending but before
recording leaves the message to be sent again when its lease ends, with the same idempotency key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from petitionkit.config import OfficeConfig
from petitionkit.notifications.planner import Planner, render_payload
from petitionkit.notifications.templates import Renderer
from petitionkit.notify import Message
from petitionkit.storage.base import OutboxMessage

DEAD_LETTER = "staff_dead_letter"


def message_of(item: OutboxMessage, config: OfficeConfig, renderer: Renderer) -> Message:
    """The message an outbox row carries, rendered now from its stored template values.

    Rows written before messages were rendered at delivery carry their text (``subject``/``body``);
    rows from before the planner go to the office console.  A template that fails to render raises
    :class:`~petitionkit.errors.ConfigurationError`, which the dispatcher treats as a failed delivery.
    """
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
    message_type = str(p.get("type", item.topic))
    params: dict[str, Any] = {}
    if "context" in p:
        subject, body = render_payload(renderer, message_type, str(p.get("locale")), p["context"])
        params = dict(p["context"])
    else:
        subject, body = str(p.get("subject", item.topic)), str(p.get("body", ""))
    return Message(
        recipient=str(p["recipient"]),
        channel=str(p["channel"]),
        subject=subject,
        body=body,
        idempotency_key=item.idempotency_key,
        case_id=item.case_id,
        obligation_id=p.get("obligation_id"),
        body_code=str(p["body_code"]) if p.get("audience") == "body" and p.get("body_code") else None,
        message_type=message_type,
        params=params,
    )


def describe_error(exc: BaseException) -> str:
    """A one-line error for ``last_error`` (bounded; notifiers must not put secrets in messages)."""
    return f"{type(exc).__name__}: {exc}"[:500]


def dead_letter_alerts(
    planner: Planner, item: OutboxMessage, attempts: int, error: str, now: datetime
) -> list[OutboxMessage]:
    """Staff alerts for a message that will not be retried (none for a dead alert: no loops)."""
    if item.topic == DEAD_LETTER:
        return []
    params = {
        "topic": item.topic,
        "channel": str(item.payload.get("channel", "console")),
        "recipient": str(item.payload.get("recipient", "")),
        "attempts": attempts,
        "error": error,
        "message_id": item.id,
    }
    planned = planner.staff_messages(DEAD_LETTER, params, f"dead:{item.id}")
    return [attrs.evolve(m.to_outbox(now), case_id=item.case_id) for m in planned]
