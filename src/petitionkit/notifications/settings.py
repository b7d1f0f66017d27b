"""Notification settings (通知设置): ``[settings.notifications]`` of petitionkit.toml.

Every key is optional::

    [settings.notifications]
    locale = "zh-CN"                      # default: [office] locale
    templates = "templates/notifications" # override folder, relative to the config file
    petitioner_channels = ["email", "sms"]  # how petitioners are reached (from their email / phone)
    body_channels = ["email", "webhook"]    # how handling bodies are reached (rule-pack contacts)
    channels = { email = "email", webhook = "webhook" }  # message channel -> notifier name
    remind_days = [3, 1]                  # reminders this many days before a due date
    escalate_after_days = 5               # overdue referrals escalate to the parent body after this
    max_attempts = 8                      # delivery attempts before a message is dead
    backoff_seconds = 30                  # first retry delay; doubles each attempt
    backoff_max_seconds = 3600

    [settings.notifications.staff]        # office staff (信访室工作人员) addresses, by channel
    email = ["xinfang@example.cn"]
    console = ["office"]
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import attrs

from petitionkit.config import OfficeConfig
from petitionkit.settings import OneOrMore, at_least, nonblank, read_settings

NAME = "notifications"


@attrs.frozen
class NotificationsTable:
    """``[settings.notifications]`` as written (declared by ``petitionkit.default_plugins.core_settings``)."""

    locale: str | None = attrs.field(default=None, validator=nonblank)
    templates: str = attrs.field(default="templates/notifications", validator=nonblank)
    petitioner_channels: tuple[str, ...] = attrs.field(default=("email", "sms"), validator=nonblank)
    body_channels: tuple[str, ...] = attrs.field(default=("email", "webhook"), validator=nonblank)
    channels: Mapping[str, str] = attrs.field(factory=dict)
    staff: Mapping[str, OneOrMore] | None = None
    remind_days: tuple[int, ...] = attrs.field(default=(3, 1), validator=at_least(1))
    escalate_after_days: int = attrs.field(default=5, validator=at_least(0))
    max_attempts: int = attrs.field(default=8, validator=at_least(1))
    backoff_seconds: float = attrs.field(default=30.0, validator=at_least(0))
    backoff_max_seconds: float = attrs.field(default=3600.0, validator=at_least(0))


@attrs.frozen
class NotificationSettings:
    """The parsed ``[settings.notifications]`` table (defaults fill what is missing)."""

    locale: str = "zh-CN"
    templates_dir: Path | None = None
    petitioner_channels: tuple[str, ...] = ("email", "sms")
    body_channels: tuple[str, ...] = ("email", "webhook")
    channels: Mapping[str, str] = attrs.field(factory=dict)
    staff: tuple[tuple[str, str], ...] = (("console", "office"),)  # (channel, address)
    remind_days: tuple[int, ...] = (3, 1)
    escalate_after_days: int = 5
    max_attempts: int = 8
    backoff_seconds: float = 30.0
    backoff_max_seconds: float = 3600.0

    def backoff(self, attempts: int) -> float:
        """Seconds to wait before the next try after ``attempts`` failed tries (exponential, capped)."""
        return float(min(self.backoff_max_seconds, self.backoff_seconds * 2 ** max(0, attempts - 1)))

    @classmethod
    def from_config(cls, config: OfficeConfig) -> NotificationSettings:
        """Read and check the settings; a bad value is a :class:`ConfigurationError` naming the key."""
        table = read_settings(config, NAME, NotificationsTable)
        folder = Path(table.templates)
        staff = (
            (("console", "office"),)
            if table.staff is None
            else tuple((channel, address) for channel, addresses in table.staff.items() for address in addresses)
        )
        return cls(
            locale=table.locale or config.locale,
            templates_dir=folder if folder.is_absolute() else Path(config.base_dir) / folder,
            petitioner_channels=table.petitioner_channels,
            body_channels=table.body_channels,
            channels=dict(table.channels),
            staff=staff,
            remind_days=tuple(sorted(set(table.remind_days))),
            escalate_after_days=table.escalate_after_days,
            max_attempts=table.max_attempts,
            backoff_seconds=table.backoff_seconds,
            backoff_max_seconds=table.backoff_max_seconds,
        )
