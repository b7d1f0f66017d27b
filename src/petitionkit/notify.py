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


class DeliveryError(Exception):
    """What a notifier raises when it knows more than "it failed" (any other exception is retried).

    ``retryable = False``: no later attempt can succeed (an invalid number, an unapproved template);
    the dispatcher gives up at once, marks the message dead and alerts the staff.  ``retry_after``
    (seconds): the receiver asked to wait at least that long (HTTP 429 ``Retry-After``, a provider's
    flow control); the dispatcher waits for the longer of it and its own backoff.
    """

    def __init__(self, message: str, *, retryable: bool = True, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class Notifier(Protocol):
    def send(self, message: Message) -> None:
        """Deliver ``message`` or raise; raising makes the dispatcher retry later (see :class:`DeliveryError`)."""
        ...
