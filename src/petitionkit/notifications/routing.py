"""Channel routing: one notifier per channel, the office's ``[office] notifier`` for the rest.

``[settings.notifications] channels = {email = "email", webhook = "webhook"}`` sends e-mail
messages through the notifier registered as ``email`` and webhook messages through ``webhook``;
every other channel (``console``, ``sms`` ...) goes through ``[office] notifier`` (default
``console``).  Each notifier factory runs once, when the router is built, so bad settings fail
at start-up with a :class:`ConfigurationError`.
"""

from __future__ import annotations

from collections.abc import Mapping

import pluggy

from petitionkit import hookspecs
from petitionkit.config import OfficeConfig
from petitionkit.errors import ConfigurationError
from petitionkit.notifications.settings import NotificationSettings
from petitionkit.notify import Message, Notifier


class ChannelRouter:
    """A notifier that hands each message to the notifier of its channel."""

    def __init__(self, default: Notifier, by_channel: Mapping[str, Notifier] | None = None) -> None:
        self.default = default
        self.by_channel = dict(by_channel or {})

    def notifier_for(self, channel: str) -> Notifier:
        return self.by_channel.get(channel, self.default)

    def send(self, message: Message) -> None:
        self.notifier_for(message.channel).send(message)


def build_router(pm: pluggy.PluginManager, config: OfficeConfig, *, default: Notifier | None = None) -> ChannelRouter:
    """Build every configured notifier (``default`` replaces ``[office] notifier`` when given)."""
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

    if default is None:
        default = make(config.notifier, "notifier")
    else:
        built[config.notifier] = default
    by_channel = {
        channel: make(name, f"settings.notifications.channels.{channel}") for channel, name in settings.channels.items()
    }
    return ChannelRouter(default, by_channel)
