"""The console notifier (控制台): prints each message's line to standard output.

It exists only where it is named: ``[office] notifier = "console"`` (the default) serves the
``console`` channel (office staff at the console, bodies without a contact), and a channel may be
sent to it explicitly (``channels = { sms = "console" }``, for a trial).  It is never a silent
fallback for a channel that has no notifier (see :mod:`petitionkit.notifications.routing`).

Each message prints as ``to <recipient> via <channel>: <subject> [<key>]``; the body, which may carry
personal data, goes to the ``petitionkit.notify`` logger at DEBUG only.  With ``--json`` the command
line sends these lines to standard error, so standard output stays one JSON document.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from contextvars import ContextVar

from petitionkit.config import OfficeConfig
from petitionkit.hookspecs import hookimpl
from petitionkit.notify import Message

log = logging.getLogger("petitionkit.notify")

#: The stream the console prints to, by name (looked up when printing): "stdout" or "stderr".
STREAM: ContextVar[str] = ContextVar("petitionkit_console_stream", default="stdout")


class ConsoleNotifier:
    def send(self, message: Message) -> None:
        stream = sys.stderr if STREAM.get() == "stderr" else sys.stdout
        print(
            f"to {message.recipient} via {message.channel}: {message.subject} [{message.idempotency_key}]",
            file=stream,
            flush=True,
        )
        log.debug("%s", message.body)


def _factory(config: OfficeConfig) -> ConsoleNotifier:
    return ConsoleNotifier()


@hookimpl
def petitionkit_register_notifiers(register: Callable[..., None]) -> None:
    register("console", _factory)
