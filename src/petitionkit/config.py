"""An office's configuration: a TOML file (``petitionkit.toml``) with environment overrides."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from petitionkit.domain.access import Principal
from petitionkit.domain.model import Body
from petitionkit.errors import ConfigurationError, InvalidInput

ENV_PREFIX = "PETITIONKIT_"
CONFIG_FILE = "petitionkit.toml"


@attrs.frozen
class PrincipalEntry:
    """One ``[[principals]]`` entry: who may act on the office from the command line (``--as ID``).

    ``os_user`` maps an operating-system account to the entry when ``--as`` is not given.  The roles
    must be roles of the office's rule packs (checked when the office opens).
    """

    id: str
    name: str = ""
    roles: tuple[str, ...] = ()
    bodies: tuple[str, ...] = ()
    os_user: str | None = None

    def principal(self) -> Principal:
        return Principal(self.id, self.name or self.id, frozenset(self.roles), frozenset(self.bodies))


#: The largest ``[office] clock_tolerance_seconds``: an hour (a clock further off is a fault to fix).
MAX_CLOCK_TOLERANCE = 3600


@attrs.frozen
class OfficeConfig:
    """Everything that turns the library into one office's working system."""

    office_code: str = "OFFICE"  # prefix of tracking numbers, e.g. "XS" for 萧山
    office_name: str = "人大常委会信访室"
    database_url: str = "sqlite:///office.db"  # the embedded default; "memory://" keeps nothing
    timezone: str = "Asia/Shanghai"
    rules: str = "national"  # name of a registered rule set ("builtin": weekends only, for tests)
    rule_files: tuple[str, ...] = ()  # the office's own rule files, applied on top of ``rules`` in order
    notifier: str = "console"
    locale: str = "zh-CN"
    actor: str = "system"  # no longer used: events record the acting principal (kept so old files load)
    plugins_allow: tuple[str, ...] | None = None
    plugins_block: tuple[str, ...] = ()
    bodies: tuple[Body, ...] = ()  # bodies for the built-in rule set (rule packs declare their own)
    settings: Mapping[str, Any] = attrs.field(factory=dict)  # plugin settings, by plugin name
    base_dir: str = "."  # folder of the configuration file: relative paths in it start here
    # Offices sharing this database (a city and its counties): office code -> its config file, and
    # body code -> the office that body is. A referral to such a body arrives in that office.
    network_offices: Mapping[str, str] = attrs.field(factory=dict)
    network_bodies: Mapping[str, str] = attrs.field(factory=dict)
    principals: tuple[PrincipalEntry, ...] = ()  # [[principals]]: who may act through the command line
    # How far ahead of the office clock a recorded date may be (a clerk's PC running a little fast),
    # in seconds, 0 to 3600 (petitionkit.domain.recorded).
    clock_tolerance_seconds: int = 300

    def principal_entry(self, name: str) -> PrincipalEntry | None:
        """The ``[[principals]]`` entry whose id is ``name``."""
        return next((p for p in self.principals if p.id == name), None)

    def principal_of_os_user(self, user: str) -> PrincipalEntry | None:
        """The ``[[principals]]`` entry mapped to the operating-system account ``user``."""
        return next((p for p in self.principals if p.os_user == user), None)

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigurationError(
                "timezone", f"'{self.timezone}' is not an IANA time zone, e.g. Asia/Shanghai"
            ) from None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str = "configuration") -> OfficeConfig:
        """Build from a TOML-shaped mapping: ``[office]``, ``[database]``, ``[plugins]``, ``[[bodies]]``."""
        from petitionkit.serialization import structure  # noqa: PLC0415 - serialization imports config users

        office = dict(data.get("office", {}))
        database = data.get("database", {})
        plugins = data.get("plugins", {})
        known = {"office", "database", "rules", "plugins", "bodies", "settings", "network", "principals"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigurationError.of(
                f"{source}: {unknown[0]}", "config.unknown_section", expected=", ".join(sorted(known))
            )
        flat: dict[str, Any] = {**office}
        if "url" in database:
            flat["database_url"] = database["url"]
        if "allow" in plugins:
            flat["plugins_allow"] = plugins["allow"]
        if "block" in plugins:
            flat["plugins_block"] = plugins["block"]
        if "rules" in data:
            rules = data["rules"]
            if "set" in rules:
                flat["rules"] = rules["set"]
            if "files" in rules:
                flat["rule_files"] = rules["files"]
        if "bodies" in data:
            flat["bodies"] = data["bodies"]
        if "settings" in data:
            flat["settings"] = data["settings"]
        if "principals" in data:
            flat["principals"] = data["principals"]
        network = data.get("network", {})
        if "offices" in network:
            flat["network_offices"] = network["offices"]
        if "bodies" in network:
            flat["network_bodies"] = network["bodies"]
        try:
            config = structure(flat, cls)
        except InvalidInput as exc:
            first = exc.errors[0]
            raise ConfigurationError.of(f"{source}: {first.field}", f"field.{first.problem}", **first.params) from None
        config.zone  # noqa: B018 - validate the time zone now, not at first use
        if not 0 <= config.clock_tolerance_seconds <= MAX_CLOCK_TOLERANCE:
            raise ConfigurationError.of(
                f"{source}: office.clock_tolerance_seconds", "config.clock_tolerance", most=MAX_CLOCK_TOLERANCE
            )
        _check_principals(config.principals, source)
        return config

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None, *, env: Mapping[str, str] | None = None) -> OfficeConfig:
        """Read ``path`` (default: ./petitionkit.toml if present) and apply ``PETITIONKIT_*`` overrides."""
        env = os.environ if env is None else env
        data: dict[str, Any] = {}
        file = Path(path) if path is not None else Path(CONFIG_FILE)
        if path is not None or file.exists():
            try:
                data = tomllib.loads(file.read_text(encoding="utf-8"))
            except FileNotFoundError:
                raise ConfigurationError.of("--config", "config.no_such_file", file=file) from None
            except tomllib.TOMLDecodeError as exc:
                raise ConfigurationError.of(str(file), "config.not_toml", problem=exc) from None
        config = cls.from_mapping(data, source=str(file))
        if file.exists():
            config = attrs.evolve(config, base_dir=str(file.resolve().parent))
            config = attrs.evolve(config, database_url=_anchor_sqlite(config.database_url, file.resolve().parent))
        overrides: dict[str, Any] = {}
        for field in ("database_url", "office_code", "rules", "notifier", "locale", "actor", "timezone"):
            value = env.get(ENV_PREFIX + field.upper())
            if value:
                overrides[field] = value
        config = attrs.evolve(config, **overrides)
        config.zone  # noqa: B018
        return config


def _anchor_sqlite(url: str, folder: Path) -> str:
    """A relative SQLite path in a config file means next to that file, not the current folder."""
    prefix, _, path = url.partition(":///")
    if not prefix.startswith("sqlite") or not path or path.startswith("/") or path == ":memory:":
        return url
    return f"{prefix}:///{folder / path}"


def _check_principals(entries: tuple[PrincipalEntry, ...], source: str) -> None:
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        try:
            entry.principal()
        except ValueError as exc:
            raise ConfigurationError(f"{source}: principals[{i}].id", str(exc)) from None
        if entry.id in seen:
            raise ConfigurationError.of(f"{source}: principals[{i}].id", "config.principal_twice", id=entry.id)
        seen.add(entry.id)
