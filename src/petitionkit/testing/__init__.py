"""Helpers for testing petitionkit and its plugins: a settable clock, sample data, the storage contract.

Plugin authors run the storage contract suite against their backend::

    from petitionkit.testing.storage_contract import StorageContract

    class TestMyStorage(StorageContract):
        @pytest.fixture
        def storage(self):
            yield MyStorage(...)  # empty
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import attrs

from petitionkit.domain.model import Body, BodyKind

if TYPE_CHECKING:
    from petitionkit.notify import Message
    from petitionkit.service import Office
    from petitionkit.storage.base import OutboxMessage

SHANGHAI = ZoneInfo("Asia/Shanghai")


class FakeClock:
    """A clock tests move by hand: ``clock.advance(days=15)``."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


SAMPLE_BODIES: tuple[Body, ...] = (
    Body("GOV", "区人民政府", BodyKind.GOVERNMENT),
    Body("GOV-HRSS", "区人力资源和社会保障局", BodyKind.GOVERNMENT_DEPARTMENT, parent_code="GOV"),
    Body("GOV-HOUSING", "区住房和城乡建设局", BodyKind.GOVERNMENT_DEPARTMENT, parent_code="GOV"),
    Body("GOV-LAND", "区自然资源和规划局", BodyKind.GOVERNMENT_DEPARTMENT, parent_code="GOV"),
    Body("COURT", "区人民法院", BodyKind.COURT),
    Body("PROCURATORATE", "区人民检察院", BodyKind.PROCURATORATE),
    Body("SUPERVISION", "区监察委员会", BodyKind.SUPERVISORY_COMMISSION),
    Body("SC-LAW", "区人大常委会法制工作委员会", BodyKind.STANDING_COMMITTEE_BODY),
    Body("TOWN-A", "某镇人大主席团", BodyKind.LOWER_CONGRESS),
)

# Valid GB 11643 numbers (checked by petitionkit.domain.identity), made up for tests.
SAMPLE_ID_NUMBERS = ("11010519491231002X", "440524198001010013", "330102199001011234")


def sample_petition(**overrides: Any) -> dict[str, Any]:
    """A valid registration input (a letter with one named petitioner); ``overrides`` replace keys."""
    data: dict[str, Any] = {
        "channel": "letter",
        "received_at": "2026-03-02T08:30:00+08:00",
        "kind": "claim",
        "subject": "拖欠工资问题",
        "content": "本人在某建筑工地务工，被拖欠工资三个月，多次讨要未果，请求依法处理。",
        "category": "labour",
        "region_code": "330109",
        "petitioners": [
            {"name": "张三", "id_number": SAMPLE_ID_NUMBERS[0], "phone": "13800138000", "address": "某街道1号"}
        ],
    }
    data.update(overrides)
    return data


def office_settings(**office: Any) -> Mapping[str, Any]:
    """A configuration mapping with the sample bodies, on the in-memory backend, counting weekends only
    (the ``builtin`` rule set: the default for offices is ``national``)."""
    return {
        "office": {"office_code": "XS", **office},
        "database": {"url": "memory://"},
        "rules": {"set": "builtin"},
        "bodies": [
            {k: v for k, v in attrs.asdict(b).items() if v is not None} | {"kind": b.kind.value} for b in SAMPLE_BODIES
        ],
    }


def rendered(office: Office, row: OutboxMessage) -> Message:
    """An outbox row as its recipient will read it: rendered now from its stored template values."""
    from petitionkit.notifications.dispatch import message_of  # noqa: PLC0415 - only tests need it

    return message_of(row, office.config, office.planner.renderer)
