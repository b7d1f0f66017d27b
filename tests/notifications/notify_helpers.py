"""Helpers of the notification tests: an office whose bodies and petitioner can be reached."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from petitionkit.notify import Message
from petitionkit.service import Office
from petitionkit.storage.base import OutboxMessage, OutboxStatus
from petitionkit.testing import office_settings, sample_petition

CONTACTS = {
    "GOV": {"email": "gov@gov.example.cn"},
    "GOV-HRSS": {"email": "hrss@gov.example.cn", "webhook": "https://oa.example.cn/hooks/hrss"},
    "GOV-HOUSING": {"email": "housing@gov.example.cn"},
}
PETITIONER_EMAIL = "zhangsan@example.com"
PETITIONER_PHONE = "13800138000"


class RecordingNotifier:
    """Records what it is asked to send; fails while ``failures`` is positive."""

    def __init__(self, failures: int = 0) -> None:
        self.sent: list[Message] = []
        self.failures = failures

    def send(self, message: Message) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("receiver down")
        self.sent.append(message)


def settings_with(notifications: Mapping[str, Any] | None = None, **office: Any) -> dict[str, Any]:
    """The sample office configuration with body contacts and ``[settings.notifications]``."""
    data = dict(office_settings(**office))
    data["bodies"] = [{**b, "contacts": CONTACTS[b["code"]]} if b["code"] in CONTACTS else b for b in data["bodies"]]
    data["settings"] = {"notifications": {"staff": {"email": ["staff@rd.example.cn"]}, **(notifications or {})}}
    return data


def petition(**overrides: Any) -> dict[str, Any]:
    data = sample_petition(**overrides)
    if "petitioners" not in overrides:
        data["petitioners"] = [{**data["petitioners"][0], "email": PETITIONER_EMAIL}]
    return data


def outbox(office: Office, status: OutboxStatus | None = None) -> list[OutboxMessage]:
    """Every outbox row of a memory-backed office, in enqueue order."""
    rows: list[OutboxMessage] = list(office.storage.outbox.values())  # type: ignore[attr-defined]
    return [r for r in rows if status is None or r.status is status]


def topics(rows: list[OutboxMessage]) -> list[tuple[str, str, str]]:
    return [(r.topic, r.payload["channel"], r.payload["recipient"]) for r in rows]
