"""Helpers of the dispatcher (投递): outbox row -> message, retry delays, dead-letter alerts.

``Office.dispatch`` claims a batch, sends each message through the notifier of its channel and
records the outcome.  Delivery is at least once: a worker that dies after sending but before
recording leaves the message to be sent again when its lease ends, with the same idempotency key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from petitionkit.config import OfficeConfig
from petitionkit.domain.model import Petition
from petitionkit.notifications.planner import BODY, STAFF, Planner, render_payload
from petitionkit.notifications.templates import Renderer
from petitionkit.notify import Message
from petitionkit.redaction import identity_values, mask_address, scrub
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


# Template values that are codes, labels and dates of the office, never a person's: not struck from errors.
NOT_PERSONAL = frozenset(
    {
        "office_name",
        "office_code",
        "tracking_number",
        "kind",
        "category",
        "mode",
        "mode_label",
        "outcome",
        "outcome_label",
        "decline_channel",
        "basis",  # titles and articles of laws cited (petitionkit.domain.knowledge)
        "channel_label",
        "clock",
        "clock_label",
        "action",
        "action_label",
        "withheld",
        "provisional_note",
        "topic",
        "channel",
        "message_id",
    }
)


def message_digest(message: Message) -> str:
    """``sha256:<hex>`` of the message as handed to the notifier: channel, address, subject, text and key.

    The receipt keeps it (keyed under the index key on an encrypted store), so shown a letter later the
    office can tell whether it is the one it sent, without keeping the letter (``Office.receipt_matches``).
    """
    canonical = json.dumps(
        [message.channel, message.recipient, message.subject, message.body, message.idempotency_key],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def known_values(payload: Mapping[str, Any]) -> list[str]:
    """What an outbox payload holds of people (its address and every personal template value), to strike."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, Mapping):
            for v in value.values():
                walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)

    walk(payload.get("recipient"))
    context = payload.get("context")
    if isinstance(context, Mapping):
        walk({k: v for k, v in context.items() if k not in NOT_PERSONAL})
    for legacy in ("subject", "body"):  # rows from before messages were rendered at delivery
        walk(payload.get(legacy))
    return found


def case_values(petitions: Iterable[Petition]) -> list[str]:
    """What the case's petitions hold of people: every petitioner's identity values, subjects, content."""
    found: list[str] = []
    for petition in petitions:
        found.extend(v for person in petition.petitioners for v in identity_values(person))
        found.extend(v for v in (petition.subject, petition.content) if v)
    return found


def describe_error(exc: BaseException, payload: Mapping[str, Any] | None = None, known: Iterable[str] = ()) -> str:
    """A one-line error for ``last_error``, the log and the staff alert: bounded, and scrubbed of the
    message's address and template values, of ``known`` (:func:`case_values` of its case) and of anything
    shaped like an ID number, mobile or e-mail (a notifier's or a server's text may echo any of them)."""
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return scrub(text, [*known_values(payload or {}), *known])[:500]


def dead_letter_alerts(
    planner: Planner, item: OutboxMessage, attempts: int, error: str, now: datetime
) -> list[OutboxMessage]:
    """Staff alerts for a message that will not be retried (none for a dead alert: no loops).

    A petitioner's address is masked (``138****8000``): the staff find the case by its tracking number;
    a body's or the staff's own address is shown as it is."""
    if item.topic == DEAD_LETTER:
        return []
    recipient = str(item.payload.get("recipient", ""))
    if item.payload.get("audience") not in (BODY, STAFF):
        recipient = mask_address(recipient)
    context = item.payload.get("context")
    tracking = context.get("tracking_number", "") if isinstance(context, Mapping) else ""
    params = {
        "topic": item.topic,
        "channel": str(item.payload.get("channel", "console")),
        "recipient": recipient,
        "tracking_number": tracking,
        "attempts": attempts,
        "error": error,
        "message_id": item.id,
    }
    planned = planner.staff_messages(DEAD_LETTER, params, f"dead:{item.id}")
    return [attrs.evolve(m.to_outbox(now), case_id=item.case_id) for m in planned]
