"""The console notifier (控制台): prints each message's line to standard output.

It exists only where it is named: ``[office] notifier = "console"`` (the default) serves the
``console`` channel (office staff at the console, bodies without a contact), and a channel may be
sent to it explicitly (``channels = { sms = "console" }``, for a trial).  It is never a silent
fallback for a channel that has no notifier (see :mod:`petitionkit.notifications.routing`).

Each message prints as ``to <recipient> via <channel>: <subject> [<key>]``.  A petitioner's phone or
e-mail (a channel sent to the console for a trial) is printed masked (``138****8000``), and the body,
which may carry personal data, is neither printed nor logged: console output and logs end up in files
and journals nobody erases.  With ``--json`` the command line sends these lines to standard error, so
standard output stays one JSON document.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from contextvars import ContextVar

from petitionkit.config import OfficeConfig
from petitionkit.hookspecs import hookimpl
from petitionkit.notify import Message
from petitionkit.redaction import mask_address, scrub

log = logging.getLogger("petitionkit.notify")

#: The stream the console prints to, by name (looked up when printing): "stdout" or "stderr".
STREAM: ContextVar[str] = ContextVar("petitionkit_console_stream", default="stdout")


class ConsoleNotifier:
    def send(self, message: Message) -> None:
        stream = sys.stderr if STREAM.get() == "stderr" else sys.stdout
        recipient = message.recipient
        if scrub(recipient) != recipient:  # shaped like a phone number or an e-mail address
            recipient = mask_address(recipient)
        print(
            f"to {recipient} via {message.channel}: {message.subject} [{message.idempotency_key}]",
            file=stream,
            flush=True,
        )
        log.debug("%s to %s: %d characters", message.message_type or "message", message.channel, len(message.body))


def _factory(config: OfficeConfig) -> ConsoleNotifier:
    return ConsoleNotifier()


@hookimpl
def petitionkit_register_notifiers(register: Callable[..., None]) -> None:
    register("console", _factory)
