"""The default notifier: writes each message to the ``petitionkit.notify`` logger.

It serves every channel no other notifier is configured for (``[office] notifier = "console"``),
so a new office sees its notices, letters and alerts in the log before e-mail or webhooks are set up.
The subject line is logged at INFO, the body at DEBUG (it may carry personal data).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from petitionkit.config import OfficeConfig
from petitionkit.hookspecs import hookimpl
from petitionkit.notify import Message

log = logging.getLogger("petitionkit.notify")


class ConsoleNotifier:
    def send(self, message: Message) -> None:
        log.info("to %s via %s: %s [%s]", message.recipient, message.channel, message.subject, message.idempotency_key)
        log.debug("%s", message.body)


def _factory(config: OfficeConfig) -> ConsoleNotifier:
    return ConsoleNotifier()


@hookimpl
def petitionkit_register_notifiers(register: Callable[..., None]) -> None:
    register("console", _factory)
