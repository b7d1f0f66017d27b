"""Notifications: what a notifier plugin receives and must deliver.

Messages are planned and rendered by :mod:`petitionkit.notifications` when a change is recorded,
written to the outbox in the same transaction, and handed to a notifier by the dispatcher.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import attrs


@attrs.frozen
class Message:
    """A rendered message, ready to deliver."""

    recipient: str  # an address the channel understands (e-mail, phone, URL, "body:<code>", "office")
    channel: str  # "console", "email", "sms", "webhook" ...
    subject: str
    body: str
    idempotency_key: str  # the same message delivered twice carries the same key
    case_id: str | None = None
    obligation_id: str | None = None  # the duty (clock) the message concerns, if any
    body_code: str | None = None  # for a message to a handling body: its code (e.g. a per-body webhook secret)
    message_type: str | None = None  # the planner's type ("accepted", "referred", "reply" ...), if planned
    # The template's values (redacted and localized JSON values: tracking_number, handling_due ...), for
    # channels that send a provider's approved template with parameters instead of the text (SMS).
    params: Mapping[str, Any] = attrs.field(factory=dict, hash=False)


class Notifier(Protocol):
    def send(self, message: Message) -> None:
        """Deliver ``message`` or raise; raising makes the dispatcher retry later."""
        ...
