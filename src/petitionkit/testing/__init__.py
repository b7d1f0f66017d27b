"""Helpers for testing petitionkit and its plugins: a settable clock, sample data, sample principals,
the storage contract.

Every use case needs a principal: :func:`open_test_office` opens an office acting as :data:`ADMIN`
(the built-in ``administrator`` role, which holds every permission); bind another with
``office.acting_as(REGISTRAR)`` and the like.

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

from petitionkit.domain.access import Principal
from petitionkit.domain.model import Body, BodyKind

if TYPE_CHECKING:
    import pluggy

    from petitionkit.config import OfficeConfig
    from petitionkit.domain.ports import Rules
    from petitionkit.notify import Message, Notifier
    from petitionkit.service import Office
    from petitionkit.storage.base import OutboxMessage, Storage

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


# Sample principals, one per built-in role of the national pack ([roles.*] in rules/packs/national.toml).
ADMIN = Principal("admin", "系统管理员", frozenset({"administrator"}))
REGISTRAR = Principal("wang", "王登记", frozenset({"registrar"}))
HANDLER = Principal("li", "李承办", frozenset({"handler"}))
DIRECTOR = Principal("zhao", "赵主任", frozenset({"director"}))
AUDITOR = Principal("sun", "孙审计", frozenset({"auditor"}))
SAMPLE_PRINCIPALS: tuple[Principal, ...] = (ADMIN, REGISTRAR, HANDLER, DIRECTOR, AUDITOR)


def principals_toml(os_user: str | None = None) -> str:
    """``[[principals]]`` entries for :data:`SAMPLE_PRINCIPALS`, to append to a test's petitionkit.toml;
    :data:`ADMIN` is mapped to ``os_user`` (default: the user running the tests)."""
    import getpass  # noqa: PLC0415

    user = os_user if os_user is not None else getpass.getuser()
    entries = []
    for p in SAMPLE_PRINCIPALS:
        roles = ", ".join(f'"{r}"' for r in sorted(p.roles))
        mapped = f'os_user = "{user}"\n' if p is ADMIN else ""
        entries.append(f'[[principals]]\nid = "{p.id}"\nname = "{p.display_name}"\nroles = [{roles}]\n{mapped}')
    return "\n" + "\n".join(entries)


def body_principal(*body_codes: str, id: str | None = None) -> Principal:
    """A handling body's user acting for ``body_codes`` (role ``handling_body``)."""
    return Principal(id or f"body-{body_codes[0].lower()}", "承办单位用户", frozenset({"handling_body"}), body_codes)


def open_test_office(
    config: OfficeConfig | Mapping[str, Any] | None = None,
    *,
    principal: Principal = ADMIN,
    plugin_manager: pluggy.PluginManager | None = None,
    storage: Storage | None = None,
    rules: Rules | None = None,
    notifier: Notifier | None = None,
    clock: Any = None,
) -> Office:
    """:func:`~petitionkit.service.open_office` acting as ``principal`` (default :data:`ADMIN`)."""
    from petitionkit.service import open_office  # noqa: PLC0415 - the service imports plugins at use

    kwargs: dict[str, Any] = {"plugin_manager": plugin_manager, "storage": storage, "rules": rules}
    kwargs["notifier"] = notifier
    if clock is not None:
        kwargs["clock"] = clock
    return open_office(config, **kwargs).acting_as(principal)


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
        "principals": [{"id": p.id, "name": p.display_name, "roles": sorted(p.roles)} for p in SAMPLE_PRINCIPALS],
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
