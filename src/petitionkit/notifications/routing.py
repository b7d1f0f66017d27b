"""Channel routing: one notifier per channel, and no channel without one.

``[settings.notifications] channels = {email = "email", sms = "sms"}`` sends e-mail messages through
the notifier registered as ``email`` and text messages through ``sms``.  ``[office] notifier`` serves
the ``console`` channel (staff at the console, bodies without a contact) and, when it names a real
notifier (not ``console``), every other channel not listed.  The console is never a fallback: a
channel with no notifier is not delivered.  Each of its messages fails with :class:`NoNotifier`,
stays pending, is retried and finally goes dead with a staff alert, and the office logs a warning
when it opens.  (A notifier object passed to ``open_office(notifier=...)`` by an embedding program
serves every channel not listed: that is an explicit choice too.)

Each notifier factory runs once, when the router is built, so bad settings fail at start-up with a
:class:`ConfigurationError`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import pluggy

from petitionkit import hookspecs
from petitionkit.config import OfficeConfig
from petitionkit.errors import ConfigurationError
from petitionkit.notifications.settings import NotificationSettings
from petitionkit.notify import Message, Notifier

log = logging.getLogger("petitionkit.notify")

CONSOLE = "console"
PLUGIN_OF = {"email": "petitionkit-smtp", "sms": "petitionkit-sms", "webhook": "petitionkit-webhook"}


class NoNotifier(ConfigurationError):
    """A message's channel has no notifier: it is not delivered (a failed attempt, never "sent")."""

    def __init__(self, channel: str) -> None:
        super().__init__(
            f"settings.notifications.channels.{channel}",
            f"no notifier is configured for channel '{channel}', so its messages are not delivered; install one "
            f"(e.g. {PLUGIN_OF.get(channel, 'a notifier plugin')}) and name it here, or remove '{channel}' from the"
            " *_channels settings",
        )
        self.channel = channel


class ChannelRouter:
    """A notifier that hands each message to the notifier of its channel (``default``: every other channel)."""

    def __init__(
        self,
        default: Notifier | None,
        by_channel: Mapping[str, Notifier] | None = None,
        unserved: Sequence[NoNotifier] = (),
    ) -> None:
        self.default = default
        self.by_channel = dict(by_channel or {})
        self.unserved = tuple(unserved)  # channels the office uses that nothing delivers

    def notifier_for(self, channel: str) -> Notifier:
        found = self.by_channel.get(channel, self.default)
        if found is None:
            raise NoNotifier(channel)
        return found

    def send(self, message: Message) -> None:
        self.notifier_for(message.channel).send(message)


def build_router(pm: pluggy.PluginManager, config: OfficeConfig, *, default: Notifier | None = None) -> ChannelRouter:
    """Build every configured notifier; ``default`` (from an embedding program) serves unlisted channels."""
    settings = NotificationSettings.from_config(config)
    factories = hookspecs.collect(pm.hook.petitionkit_register_notifiers)
    installed = ", ".join(sorted(factories)) or "none"
    built: dict[str, Notifier] = {}

    def make(name: str, setting: str) -> Notifier:
        if name not in built:
            if name not in factories:
                raise ConfigurationError(setting, f"'{name}' is not registered; installed: {installed}")
            built[name] = factories[name](config)
        return built[name]

    by_channel = {
        channel: make(name, f"settings.notifications.channels.{channel}") for channel, name in settings.channels.items()
    }
    if default is not None:
        return ChannelRouter(default, by_channel)
    office_notifier = make(config.notifier, "notifier")
    by_channel.setdefault(CONSOLE, office_notifier)
    if config.notifier != CONSOLE:
        return ChannelRouter(office_notifier, by_channel)
    used = {*settings.petitioner_channels, *settings.body_channels, *(channel for channel, _ in settings.staff)}
    unserved = [NoNotifier(channel) for channel in sorted(used - set(by_channel))]
    for missing in unserved:  # said where delivery happens (`petitionkit dispatch`), not on every command
        log.info("%s: %s", missing.setting, missing.problem)
    return ChannelRouter(None, by_channel, unserved)
