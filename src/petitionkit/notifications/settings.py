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
from typing import Any

import attrs

from petitionkit.config import OfficeConfig
from petitionkit.errors import ConfigurationError

PREFIX = "settings.notifications"
KNOWN_KEYS = frozenset(
    {
        "locale",
        "templates",
        "petitioner_channels",
        "body_channels",
        "channels",
        "staff",
        "remind_days",
        "escalate_after_days",
        "max_attempts",
        "backoff_seconds",
        "backoff_max_seconds",
    }
)


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
        raw = config.settings.get("notifications", {})
        if not isinstance(raw, Mapping):
            raise ConfigurationError(PREFIX, "must be a table")
        unknown = sorted(set(raw) - KNOWN_KEYS)
        if unknown:
            raise ConfigurationError(f"{PREFIX}.{unknown[0]}", f"unknown key; expected one of {sorted(KNOWN_KEYS)}")
        base = Path(config.base_dir)
        templates = raw.get("templates", "templates/notifications")
        if not isinstance(templates, str):
            raise ConfigurationError(f"{PREFIX}.templates", "must be a folder path")
        folder = Path(templates) if Path(templates).is_absolute() else base / templates
        return cls(
            locale=_string(raw, "locale", config.locale),
            templates_dir=folder,
            petitioner_channels=_strings(raw, "petitioner_channels", ("email", "sms")),
            body_channels=_strings(raw, "body_channels", ("email", "webhook")),
            channels=_channels(raw.get("channels", {})),
            staff=_staff(raw.get("staff")),
            remind_days=tuple(sorted({_positive_int(v, "remind_days") for v in _list(raw, "remind_days", [3, 1])})),
            escalate_after_days=_positive_int(raw.get("escalate_after_days", 5), "escalate_after_days", zero=True),
            max_attempts=_positive_int(raw.get("max_attempts", 8), "max_attempts"),
            backoff_seconds=_number(raw.get("backoff_seconds", 30), "backoff_seconds"),
            backoff_max_seconds=_number(raw.get("backoff_max_seconds", 3600), "backoff_max_seconds"),
        )


def _string(raw: Mapping[str, Any], key: str, default: str) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"{PREFIX}.{key}", "must be a non-empty string")
    return value


def _list(raw: Mapping[str, Any], key: str, default: list[Any]) -> list[Any]:
    value = raw.get(key, default)
    if not isinstance(value, list | tuple):
        raise ConfigurationError(f"{PREFIX}.{key}", "must be a list")
    return list(value)


def _strings(raw: Mapping[str, Any], key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    values = _list(raw, key, list(default))
    if not all(isinstance(v, str) and v for v in values):
        raise ConfigurationError(f"{PREFIX}.{key}", "must be a list of channel names")
    return tuple(values)


def _channels(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ConfigurationError(f"{PREFIX}.channels", 'must map channels to notifier names, e.g. {email = "email"}')
    return dict(value)


def _staff(value: Any) -> tuple[tuple[str, str], ...]:
    if value is None:
        return (("console", "office"),)
    if not isinstance(value, Mapping):
        raise ConfigurationError(f"{PREFIX}.staff", 'must be a table of channel = ["address", ...]')
    found: list[tuple[str, str]] = []
    for channel, addresses in value.items():
        items = [addresses] if isinstance(addresses, str) else addresses
        if not isinstance(items, list | tuple) or not all(isinstance(a, str) and a for a in items):
            raise ConfigurationError(f"{PREFIX}.staff.{channel}", "must be an address or a list of addresses")
        found.extend((str(channel), a) for a in items)
    return tuple(found)


def _positive_int(value: Any, key: str, *, zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < (0 if zero else 1):
        raise ConfigurationError(f"{PREFIX}.{key}", f"must be a whole number {'>= 0' if zero else '>= 1'}")
    return value


def _number(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigurationError(f"{PREFIX}.{key}", "must be a number of seconds >= 0")
    return float(value)
