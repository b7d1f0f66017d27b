"""A test plugin implements every hook; each hook is documented and tested (this file)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
import click
import pytest
from click.testing import CliRunner

from petitionkit import hookspecs
from petitionkit.audit import AuditRun, Checkpoint, VerifierReport, verify_office, write_checkpoint
from petitionkit.config import OfficeConfig
from petitionkit.domain.access import Principal, Role
from petitionkit.domain.attachments import ScanVerdict
from petitionkit.domain.events import Event
from petitionkit.domain.model import Case, PetitionKind
from petitionkit.errors import AttachmentRefused, ConfigurationError, PermissionDenied
from petitionkit.hookspecs import hookimpl
from petitionkit.notify import Message
from petitionkit.plugins import DEFAULT_PLUGINS, loaded_plugins, make_plugin_manager
from petitionkit.rules import RulePackError
from petitionkit.rules.builtin import BuiltinNationalRules
from petitionkit.rules.decisions import RouteQuery
from petitionkit.service import Office
from petitionkit.settings import SettingError, at_least, read_settings
from petitionkit.storage.memory import MemoryStorage
from petitionkit.testing import SAMPLE_BODIES, FakeClock, office_settings, open_test_office, sample_petition
from petitionkit.testing.files import TINY_PDF, TINY_PNG

DOCS = Path(__file__).resolve().parents[1] / "docs" / "plugins.md"
HOOKS = sorted(name for name in dir(hookspecs) if name.startswith("petitionkit_"))


class RecordingNotifier:
    def __init__(self) -> None:
        self.sent: list[Message] = []

    def send(self, message: Message) -> None:
        self.sent.append(message)


@attrs.frozen
class GreeterSettings:
    """The typed ``[settings.greeter]`` of the test plugin."""

    greeting: str = "你好"
    retries: int = attrs.field(default=3, validator=at_least(0))
    hosts: tuple[str, ...] = ()


def large_collective(query: RouteQuery) -> bool:
    return query.headcount > 50


class FullPlugin:
    """Implements every hook, the way a third-party distribution would."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.storages: list[tuple[str, MemoryStorage]] = []
        self.notifier = RecordingNotifier()
        self.checkpoints: list[Checkpoint] = []
        self.blobs: dict[str, bytes] = {}

    @hookimpl
    def petitionkit_register_storage(self, register: Callable[..., None]) -> None:
        def factory(url: str, config: OfficeConfig) -> MemoryStorage:
            storage = MemoryStorage(url)
            self.storages.append((url, storage))
            return storage

        register("teststore", factory)

    @hookimpl
    def petitionkit_register_rules(self, register: Callable[..., None]) -> None:
        register("testrules", lambda config: BuiltinNationalRules(bodies=SAMPLE_BODIES))

    @hookimpl
    def petitionkit_register_notifiers(self, register: Callable[..., None]) -> None:
        register("recording", lambda config: self.notifier)

    @hookimpl
    def petitionkit_declare_settings(self, register: Callable[..., None]) -> None:
        register("greeter", GreeterSettings)

    @hookimpl
    def petitionkit_register_predicates(self, register: Callable[..., None]) -> None:
        register("large_collective", large_collective)

    @hookimpl
    def petitionkit_register_commands(self, cli: click.Group) -> None:
        @cli.command("hello")
        def hello() -> None:
            click.echo("hello from a plugin")

    @hookimpl
    def petitionkit_event_recorded(self, event: Event, office: Office) -> None:
        self.events.append(event)

    @hookimpl
    def petitionkit_permission_allowed(
        self, principal: Principal, permission: str, case: Case | None, roles: Mapping[str, Role]
    ) -> bool | None:
        # A county's OA system: its own role "oa-registrar" may register; "vetoed" may never export.
        if permission == "register" and "oa-registrar" in principal.roles:
            return True
        if permission == "export" and principal.id == "vetoed":
            return False
        return None

    @hookimpl
    def petitionkit_register_key_providers(self, register: Callable[..., None]) -> None:
        register("testkeys", lambda config: [("plugin-key", b"k" * 32)])

    @hookimpl
    def petitionkit_register_master_key_providers(self, register: Callable[..., None]) -> None:
        register("testkms", lambda config: [("kms-old", b"o" * 32), ("kms-new", b"n" * 32)])

    @hookimpl
    def petitionkit_register_checkpoint_sinks(self, register: Callable[..., None]) -> None:
        register("memory", lambda config: self)

    def write(self, checkpoint: Checkpoint) -> str:  # the sink the plugin registers
        self.checkpoints.append(checkpoint)
        return "memory"

    @hookimpl
    def petitionkit_register_blob_stores(self, register: Callable[..., None]) -> None:
        register("dictstore", lambda config: self)

    def put(self, data: bytes) -> str:  # the blob store the plugin registers: a dict by SHA-256
        name = hashlib.sha256(data).hexdigest()
        self.blobs[name] = data
        return name

    def get(self, ref: str) -> bytes:
        return self.blobs[ref]

    def exists(self, ref: str) -> bool:
        return ref in self.blobs

    @hookimpl
    def petitionkit_scan_attachment(self, data: bytes, media_type: str) -> ScanVerdict | None:
        return ScanVerdict("test-scanner", "Test.Pattern" if b"TEST-PATTERN" in data else None)

    @hookimpl
    def petitionkit_register_audit_verifiers(self, register: Callable[..., None]) -> None:
        def access_records(run: AuditRun) -> VerifierReport:
            run.progress("access", 1)
            return VerifierReport("access", 1, 1)

        register("access", access_records)


@pytest.fixture
def plugin() -> FullPlugin:
    return FullPlugin()


@pytest.fixture
def plugin_office(plugin: FullPlugin) -> Office:
    pm = make_plugin_manager(load_entrypoints=False, extra=[plugin])
    config = OfficeConfig(office_code="T", database_url="teststore://x", rules="testrules", notifier="recording")
    return open_test_office(config, plugin_manager=pm, clock=FakeClock())


def test_hook_petitionkit_register_storage(plugin: FullPlugin, plugin_office: Office) -> None:
    assert plugin.storages == [("teststore://x", plugin_office.storage)]


def test_hook_petitionkit_register_rules(plugin_office: Office) -> None:
    assert plugin_office.rules.bodies() == SAMPLE_BODIES


def test_hook_petitionkit_register_notifiers(plugin: FullPlugin, plugin_office: Office) -> None:
    reg = plugin_office.register(sample_petition())
    plugin_office.accept(reg.case.id)
    result = plugin_office.dispatch()
    assert result.sent == 1
    (message,) = plugin.notifier.sent
    assert (message.channel, message.recipient, message.case_id) == ("sms", "13800138000", reg.case.id)
    assert message.idempotency_key.startswith(f"{reg.case.id}:4:accepted:")
    assert plugin_office.dispatch().sent == 0  # delivered once


def test_hook_petitionkit_permission_allowed(plugin_office: Office) -> None:
    # allowed by the plugin alone, for a role no rule pack declares
    oa = plugin_office.acting_as(Principal("oa-1", "OA", frozenset({"oa-registrar"})))
    reg = oa.register(sample_petition())
    assert plugin_office.events(reg.case.id)[0].actor == "oa-1#oa-registrar"
    with pytest.raises(PermissionDenied):  # the plugin has no opinion on accept, the role policy none: denied
        oa.accept(reg.case.id)
    # a veto wins over the administrator role
    vetoed = plugin_office.acting_as(Principal("vetoed", "V", frozenset({"administrator"})))
    vetoed.search()  # other permissions of the role still hold
    with pytest.raises(PermissionDenied) as err:
        list(vetoed.iter_cases_with_petitions())
    assert err.value.permission == "export"
    # nobody's opinion: fail closed
    with pytest.raises(PermissionDenied):
        plugin_office.acting_as(Principal("nobody")).register(sample_petition())


def test_hook_petitionkit_event_recorded(plugin: FullPlugin, plugin_office: Office) -> None:
    reg = plugin_office.register(sample_petition())
    plugin_office.accept(reg.case.id)
    assert [e.name for e in plugin.events] == [e.name for e in plugin_office.events(reg.case.id)]


def test_hook_petitionkit_register_commands(plugin: FullPlugin) -> None:
    from petitionkit.cli.app import cli

    group = click.Group("copy", commands=dict(cli.commands), params=cli.params, callback=cli.callback)
    pm = make_plugin_manager(load_entrypoints=False, extra=[plugin])
    pm.hook.petitionkit_register_commands(cli=group)
    result = CliRunner().invoke(group, ["hello"])
    assert result.exit_code == 0 and result.output == "hello from a plugin\n"


def test_hook_petitionkit_declare_settings(plugin: FullPlugin) -> None:
    pm = make_plugin_manager(load_entrypoints=False, extra=[plugin])
    config = OfficeConfig(database_url="memory://", settings={"greeter": {"retries": 5, "hosts": ["oa.example.cn"]}})
    with open_test_office(config, plugin_manager=pm) as office:
        typed = read_settings(office.config, "greeter", GreeterSettings)
    assert typed == GreeterSettings(retries=5, hosts=("oa.example.cn",))
    bad = attrs.evolve(config, settings={"greeter": {"retries": "5"}})
    with pytest.raises(ConfigurationError) as err:  # checked when the office opens, before anything is used
        open_test_office(bad, plugin_manager=pm)
    assert isinstance(err.value, SettingError) and err.value.setting == "settings.greeter.retries"
    assert "a whole number" in err.value.message("en") and "整数" in err.value.message("zh-CN")


def test_hook_petitionkit_register_predicates(plugin: FullPlugin, tmp_path: Path) -> None:
    (tmp_path / "county.toml").write_text(
        '[pack]\nname = "county"\n'
        '[[bodies]]\ncode = "GOV"\nname = "县政府"\nkind = "government"\n'
        '[[routing.rules]]\nid = "large"\ndescription = { "zh-CN" = "大规模集体访", en = "large collective" }\n'
        'predicate = "large_collective"\nbody = "GOV"\nmode = "assignment"\nreport_days = 10\n'
        '[routing.default]\nbody = "GOV"\nmode = "transfer"\ndescription = { "zh-CN" = "丙", en = "c" }\n',
        encoding="utf-8",
    )
    pm = make_plugin_manager(load_entrypoints=False, extra=[plugin])
    config = OfficeConfig(database_url="memory://", rule_files=("county.toml",), base_dir=str(tmp_path))
    with open_test_office(config, plugin_manager=pm) as office:
        assert office.rules.route("labour", "330199", PetitionKind.CLAIM, headcount=80).rule_id == "large"
        assert office.rules.route("labour", "330199", PetitionKind.CLAIM, headcount=8).default_used
    with pytest.raises(RulePackError) as err:  # without the plugin the name is unknown when the pack loads
        open_test_office(config, plugin_manager=make_plugin_manager(load_entrypoints=False))
    assert err.value.file == str(tmp_path / "county.toml") and err.value.key_path == "routing.rules[0].predicate"


def audited_office(plugin: FullPlugin, **audit: Any) -> Office:
    pm = make_plugin_manager(load_entrypoints=False, extra=[plugin])
    config = OfficeConfig(
        office_code="T",
        database_url="teststore://x",
        rules="testrules",
        notifier="recording",
        settings={"audit": {"key_provider": "testkeys", **audit}},
    )
    return open_test_office(config, plugin_manager=pm, clock=FakeClock())


def test_hook_petitionkit_register_key_providers(plugin: FullPlugin) -> None:
    office = audited_office(plugin)
    case = office.register(sample_petition()).case
    assert {e.key_id for e in office.events(case.id)} == {"plugin-key"}


def test_hook_petitionkit_register_master_key_providers(plugin: FullPlugin, sqlite_url: str) -> None:
    from sqlalchemy import select

    from petitionkit.storage.sql.tables import data_keys, petitions

    pm = make_plugin_manager(load_entrypoints=False, extra=[plugin])
    config = {
        **office_settings(),
        "database": {"url": sqlite_url},
        "settings": {"privacy": {"key_provider": "testkms"}},
    }
    office = open_test_office(config, plugin_manager=pm, clock=FakeClock())
    reg = office.register(sample_petition())
    with office.storage.engine.connect() as c:  # type: ignore[attr-defined]
        assert set(c.execute(select(data_keys.c.master_key_id)).scalars()) == {"kms-new"}  # the newest wraps
        assert c.execute(select(petitions.c.content)).scalar_one().startswith("pk1:")
    assert office.petitions(reg.case.id)[0].content == sample_petition()["content"]
    office.close()
    with pytest.raises(ConfigurationError, match="not registered"):
        bad = {**config, "settings": {"privacy": {"key_provider": "nokms"}}}
        open_test_office(bad, plugin_manager=pm)


def test_hook_petitionkit_register_checkpoint_sinks(plugin: FullPlugin) -> None:
    office = audited_office(plugin, checkpoint_sink="memory")
    office.register(sample_petition())
    report, where = write_checkpoint(office)
    assert report.intact and where == "memory"
    assert [(c.case_count, c.key_id) for c in plugin.checkpoints] == [(1, "plugin-key")]


def test_hook_petitionkit_register_audit_verifiers(plugin: FullPlugin) -> None:
    seen: list[tuple[str, int]] = []
    report = verify_office(audited_office(plugin), progress=lambda name, done: seen.append((name, done)))
    assert [r.name for r in report.reports] == ["access", "access_records", "cases", "casework"] and (
        "access",
        1,
    ) in seen


def test_hook_petitionkit_register_blob_stores(plugin: FullPlugin) -> None:
    pm = make_plugin_manager(load_entrypoints=False, extra=[plugin])
    config = {**office_settings(), "settings": {"attachments": {"store": "dictstore"}}}
    office = open_test_office(config, plugin_manager=pm, clock=FakeClock())
    ref = office.register(sample_petition()).case.id
    attachment = office.attach(ref, TINY_PNG, filename="a.png")
    assert list(plugin.blobs) == [attachment.blob_ref]
    assert office.read_attachment(attachment.id)[1] == TINY_PNG
    with pytest.raises(ConfigurationError, match="nostore"):
        bad = {**office_settings(), "settings": {"attachments": {"store": "nostore"}}}
        open_test_office(bad, plugin_manager=pm).attach(ref, TINY_PNG, filename="a.png")


def test_hook_petitionkit_scan_attachment(plugin: FullPlugin, tmp_path: Path) -> None:
    pm = make_plugin_manager(load_entrypoints=False, extra=[plugin])
    config = {**office_settings(), "settings": {"attachments": {"store": "dictstore"}}}
    office = open_test_office(config, plugin_manager=pm, clock=FakeClock())
    ref = office.register(sample_petition()).case.id
    with pytest.raises(AttachmentRefused, match=r"Test\.Pattern"):
        office.attach(ref, TINY_PDF + b"TEST-PATTERN", filename="a.pdf")
    assert plugin.blobs == {}
    assert office.attach(ref, TINY_PDF, filename="a.pdf").media_type == "application/pdf"


def test_every_hook_has_a_test_here() -> None:
    tested = {name.removeprefix("test_hook_") for name in globals() if name.startswith("test_hook_")}
    assert tested == set(HOOKS)


def test_every_hook_is_implemented_by_the_test_plugin() -> None:
    assert {n for n in dir(FullPlugin) if n.startswith("petitionkit_")} == set(HOOKS)


def test_every_hook_is_documented() -> None:
    documented = set(re.findall(r"^### (petitionkit_\w+)", DOCS.read_text(encoding="utf-8"), re.MULTILINE))
    assert documented == set(HOOKS)


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_typed_and_has_a_docstring(hook: str) -> None:
    spec: Any = getattr(hookspecs, hook)
    assert spec.__doc__ and ":param" in spec.__doc__ and ":return:" in spec.__doc__
    assert "return" in spec.__annotations__


def test_builtins_register_through_the_public_hooks() -> None:
    pm = make_plugin_manager(load_entrypoints=False)
    names = [p.name for p in loaded_plugins(pm)]
    assert names == list(DEFAULT_PLUGINS)
    assert {p.origin for p in loaded_plugins(pm)} == {"builtin"}


def test_plugins_can_be_restricted_and_blocked() -> None:
    memory = "petitionkit.default_plugins.memory_storage"
    pm = make_plugin_manager(load_entrypoints=False, block=[memory])
    assert memory not in [p.name for p in loaded_plugins(pm)]
    with pytest.raises(ConfigurationError, match="memory"):
        open_test_office(OfficeConfig(database_url="memory://"), plugin_manager=pm)
    only = make_plugin_manager(load_entrypoints=False, allow=[memory])
    assert [p.name for p in loaded_plugins(only)] == list(DEFAULT_PLUGINS)  # allow never drops a built-in


def test_unknown_rule_set_or_notifier_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError) as err:
        open_test_office(OfficeConfig(database_url="memory://", rules="martian"))
    assert err.value.setting == "rules" and "builtin" in err.value.problem
    with pytest.raises(ConfigurationError) as err:
        open_test_office(OfficeConfig(database_url="memory://", notifier="pigeon"))
    assert err.value.setting == "notifier"


def test_two_plugins_claiming_one_name_is_an_error(plugin: FullPlugin) -> None:
    class Clash:
        @hookimpl
        def petitionkit_register_notifiers(self, register: Callable[..., None]) -> None:
            register("recording", lambda config: RecordingNotifier())

    pm = make_plugin_manager(load_entrypoints=False, extra=[plugin, Clash()])
    with pytest.raises(ConfigurationError, match="same name"):
        open_test_office(OfficeConfig(database_url="memory://", notifier="recording"), plugin_manager=pm)
