"""The one settings path: [settings.<name>] structured into attrs classes, problems named by key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import pytest

from petitionkit.config import OfficeConfig
from petitionkit.errors import ConfigurationError
from petitionkit.settings import OneOrMore, SettingError, between, greater_than, http_url, nonblank, structure_settings
from petitionkit.testing import open_test_office


@attrs.frozen
class Gateway:
    host: str = attrs.field(validator=nonblank)
    port: int = attrs.field(default=443, validator=between(1, 65535))
    url: str | None = attrs.field(default=None, validator=http_url)
    timeout: float = attrs.field(default=10.0, validator=greater_than(0))
    hosts: tuple[str, ...] = ()
    staff: Mapping[str, OneOrMore] = attrs.field(factory=dict)


def test_a_table_is_typed() -> None:
    typed = structure_settings(
        "gw", {"host": "h", "timeout": 3, "staff": {"email": "a@x.cn", "sms": ["1", "2"]}}, Gateway
    )
    assert typed == Gateway(host="h", timeout=3.0, staff={"email": ("a@x.cn",), "sms": ("1", "2")})
    assert isinstance(typed.timeout, float)


@pytest.mark.parametrize(
    ("raw", "key", "en", "zh"),
    [
        ({}, "settings.gw.host", "is required (a string)", "必须填写"),
        ({"host": "h", "port": "443"}, "settings.gw.port", "must be a whole number", "应为整数"),
        ({"host": "h", "port": 0}, "settings.gw.port", "between 1 and 65535", "1 到 65535"),
        ({"host": "h", "timeout": True}, "settings.gw.timeout", "must be a number", "数字"),
        ({"host": "h", "hosts": "oa.example.cn"}, "settings.gw.hosts", "a list of strings", "字符串列表"),
        ({"host": "h", "url": "ftp://x"}, "settings.gw.url", "http(s) URL", "网址"),
        ({"host": "h", "staff": {"email": 3}}, "settings.gw.staff.email", "an address or a list", "地址"),
        ({"host": "h", "bogus": 1}, "settings.gw.bogus", "not a known key", "不是可识别的配置项"),
        ({"host": " "}, "settings.gw.host", "must not be blank", "不能为空"),
        ("h", "settings.gw", "must be a table", "应为表"),
    ],
)
def test_a_bad_setting_names_its_key(raw: Any, key: str, en: str, zh: str) -> None:
    with pytest.raises(SettingError) as err:
        structure_settings("gw", raw, Gateway)
    assert isinstance(err.value, ConfigurationError) and err.value.setting == key
    assert key in err.value.message("en") and en in err.value.message("en")
    assert key in err.value.message("zh-CN") and zh in err.value.message("zh-CN")
    assert err.value.to_dict()["error"] == "configuration"


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"sql": {"pool_size": "5"}}, "settings.sql.pool_size"),
        ({"sql": {"sqlite_synchronous": "sometimes"}}, "settings.sql.sqlite_synchronous"),
        ({"notifications": {"remind_days": [0]}}, "settings.notifications.remind_days"),
    ],
)
def test_builtin_tables_are_checked_when_the_office_opens(settings: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigurationError) as err:
        open_test_office(
            OfficeConfig(database_url="memory://", settings=settings)
        )  # memory: the sql table is checked too
    assert err.value.setting == key
