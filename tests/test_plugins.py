"""The plugin manager used as pluggy intends: entry points with their distributions, allow and block
(also for CLI commands), observers isolated from each other, report sources from the storage hook."""

from __future__ import annotations

import importlib.metadata
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from petitionkit.cli import cli
from petitionkit.cli.app import load_plugin_commands
from petitionkit.config import OfficeConfig
from petitionkit.domain.events import Event
from petitionkit.errors import ConfigurationError
from petitionkit.hookspecs import hookimpl
from petitionkit.plugins import DEFAULT_PLUGINS, loaded_plugins, make_plugin_manager
from petitionkit.reports.memory_source import MemoryReportSource
from petitionkit.reports.source import ReportsUnsupported, report_source
from petitionkit.service import Office
from petitionkit.storage.memory import MemoryStorage
from petitionkit.testing import SAMPLE_BODIES, FakeClock, open_test_office, sample_petition

HELLO = """
import click
from petitionkit.hookspecs import hookimpl

@hookimpl
def petitionkit_register_commands(cli):
    @cli.command("hello")
    def hello():
        click.echo("hello from an installed plugin")
"""


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str, str], None]:
    """Install a distribution ``petitionkit-<name> 1.2.3`` whose entry point ``<name>`` is ``source``."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))

    def install(name: str, source: str) -> None:
        module = f"petitionkit_{name}"
        (site / f"{module}.py").write_text(source, encoding="utf-8")
        info = site / f"{module}-1.2.3.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: petitionkit-{name}\nVersion: 1.2.3\n", encoding="utf-8"
        )
        (info / "entry_points.txt").write_text(f"[petitionkit]\n{name} = {module}\n", encoding="utf-8")
        monkeypatch.delitem(sys.modules, module, raising=False)

    return install


def write_config(folder: Path, plugins: str = "") -> Path:
    path = folder / "petitionkit.toml"
    path.write_text(f'[database]\nurl = "memory://"\n{plugins}', encoding="utf-8")
    return path


def plugins_json(config: Path) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["--config", str(config), "--json", "plugins"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def group_with_plugin_commands(argv: list[str]) -> click.Group:
    group = click.Group("copy", commands=dict(cli.commands), params=cli.params, callback=cli.callback)
    load_plugin_commands(group, argv)
    return group


# --- entry points, allow and block ----------------------------------------------------------------


def test_an_installed_plugin_is_loaded_with_its_distribution_and_version(
    install: Callable[[str, str], None],
) -> None:
    install("hello", HELLO)
    (hello,) = [p for p in loaded_plugins(make_plugin_manager()) if p.name == "hello"]
    assert (hello.distribution, hello.version, hello.origin) == (
        "petitionkit-hello",
        "1.2.3",
        "petitionkit-hello 1.2.3",
    )


def test_plugins_json_lists_smtp_and_webhook_with_their_distributions(tmp_path: Path) -> None:
    pytest.importorskip("petitionkit_smtp")
    pytest.importorskip("petitionkit_webhook")
    data = plugins_json(write_config(tmp_path))
    found = {p["name"]: p for p in data["plugins"]}
    for name, dist in (("email", "petitionkit-smtp"), ("webhook", "petitionkit-webhook")):
        version = importlib.metadata.version(dist)
        assert (found[name]["distribution"], found[name]["version"]) == (dist, version)
        assert found[name]["origin"] == f"{dist} {version}"
        assert "petitionkit_declare_settings" in found[name]["hooks"]
    assert {"email", "webhook", "notifications", "sql"} <= set(data["provides"]["settings"])
    assert all(found[name]["origin"] == "builtin" for name in DEFAULT_PLUGINS)


def test_a_blocked_plugin_is_not_imported_and_adds_no_command(
    install: Callable[[str, str], None], tmp_path: Path
) -> None:
    install("hello", HELLO)
    blocked = write_config(tmp_path, '[plugins]\nblock = ["hello"]\n')
    group = group_with_plugin_commands(["--config", str(blocked), "hello"])
    assert "hello" not in group.commands
    assert "petitionkit_hello" not in sys.modules  # blocked names are never imported
    data = plugins_json(blocked)
    assert "hello" not in {p["name"] for p in data["plugins"]} and "hello" in data["blocked"]

    (tmp_path / "open").mkdir()
    allowed = write_config(tmp_path / "open")
    group = group_with_plugin_commands([f"--config={allowed}", "--locale", "en", "hello"])
    result = CliRunner().invoke(group, ["hello"])
    assert result.exit_code == 0 and result.output == "hello from an installed plugin\n"


def test_a_broken_configuration_loads_no_third_party_command(
    install: Callable[[str, str], None], tmp_path: Path
) -> None:
    install("hello", HELLO)
    broken = tmp_path / "petitionkit.toml"
    broken.write_text("[plugins\n", encoding="utf-8")
    assert "hello" not in group_with_plugin_commands(["--config", str(broken), "hello"]).commands


def test_an_allow_list_excludes_unlisted_third_party_plugins(
    install: Callable[[str, str], None], tmp_path: Path
) -> None:
    install("hello", HELLO)
    install("other", HELLO.replace('"hello"', '"other"'))
    data = plugins_json(write_config(tmp_path, '[plugins]\nallow = ["other"]\n'))
    names = {p["name"] for p in data["plugins"]}
    assert "other" in names and "hello" not in names and "email" not in names and "webhook" not in names
    assert set(DEFAULT_PLUGINS) <= names  # built-ins always load
    assert "hello" in data["blocked"]
    group = group_with_plugin_commands(["--config", str(tmp_path / "petitionkit.toml")])
    assert "other" in group.commands and "hello" not in group.commands


def test_an_entry_point_that_cannot_be_imported_is_named(install: Callable[[str, str], None]) -> None:
    install("broken", "raise ImportError('a dependency is missing')\n")
    with pytest.raises(ConfigurationError) as err:
        make_plugin_manager()
    assert err.value.setting == "plugins.broken" and "a dependency is missing" in err.value.problem
    assert "plugins.block" in err.value.problem
    assert "broken" not in [p.name for p in loaded_plugins(make_plugin_manager(block=["broken"]))]


# --- observers ------------------------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []

    @hookimpl
    def petitionkit_event_recorded(self, event: Event, office: Office) -> None:
        self.events.append(event)


class Broken:
    @hookimpl(tryfirst=True)
    def petitionkit_event_recorded(self, event: Event) -> None:
        raise RuntimeError("observer down")


@pytest.mark.parametrize("order", ["broken registered first", "broken registered last"])
def test_an_observer_that_raises_does_not_silence_the_next(order: str, caplog: pytest.LogCaptureFixture) -> None:
    recorder, broken = Recorder(), Broken()
    plugins = [broken, recorder] if order.endswith("first") else [recorder, broken]
    pm = make_plugin_manager(load_entrypoints=False, extra=plugins)
    # the raising observer is called first (tryfirst), the recording one after it
    impls = pm.hook.petitionkit_event_recorded.get_hookimpls()
    assert impls[-1].plugin is broken
    office = open_test_office(
        OfficeConfig(database_url="memory://", rules="builtin", bodies=SAMPLE_BODIES),
        plugin_manager=pm,
        clock=FakeClock(),
    )
    with caplog.at_level(logging.ERROR, logger="petitionkit.plugins"):
        case = office.register(sample_petition()).case
        office.accept(case.id)
    assert [e.name for e in recorder.events] == [e.name for e in office.events(case.id)]
    failures = [r for r in caplog.records if "observer" in r.getMessage()]
    assert len(failures) == len(recorder.events)
    assert pm.get_name(broken) in failures[0].getMessage()


# --- report sources -------------------------------------------------------------------------------


def test_report_sources_are_registered_with_the_storage() -> None:
    class NoReports:
        @hookimpl
        def petitionkit_register_storage(self, register: Callable[..., None]) -> None:
            register("plain", lambda url, config: MemoryStorage(url))

    pm = make_plugin_manager(load_entrypoints=False, extra=[NoReports()])
    with open_test_office(OfficeConfig(database_url="memory://"), plugin_manager=pm) as office:
        source = report_source(office.storage, office.pm)
        assert isinstance(source, MemoryReportSource)
        source.close()
    with (
        open_test_office(OfficeConfig(database_url="plain://x"), plugin_manager=pm) as office,
        pytest.raises(ReportsUnsupported),
    ):
        report_source(office.storage, office.pm)  # a MemoryStorage, but its plugin registered no queries
