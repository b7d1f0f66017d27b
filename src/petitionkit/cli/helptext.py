"""``--help`` in the clerk's locale: one catalogue, applied when help or a usage line is printed (issue 20).

The English help stays where click reads it (a command's docstring, an option's ``help=``): it is the
``en`` text and the developer's documentation at once.  The Chinese lives in one catalogue,
``petitionkit/locale/help/commands.toml``, keyed by command path (``"report period"``; the top-level group
is ``"petitionkit"``) and, below it, by parameter name (click's name, ``as_of`` for ``--as-of``).
A table ``[en."report period"]`` fills or overrides the English the same way.  Arguments, which click
gives no help, have theirs in the catalogue in both locales, shared by name (``[zh-CN."*".params]
ref``) unless a command's own table says otherwise; they are listed under 参数 / Arguments.

Nothing here runs at start-up but :func:`adopt`, a walk over the command tree that gives every
command the :class:`~petitionkit.cli.usage.OfficeContext`; the catalogue is read the first time help
is printed.  Help is rendered from a shallow copy of the command whose texts are the locale's, so the
command tree itself is never changed.
"""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Iterator, Mapping
from functools import cache
from importlib.resources import files
from typing import Any

import click

from petitionkit.i18n import CATALOG, translate

ROOT = "petitionkit"
#: The table of argument help shared by every command (``REF`` means the same everywhere).
SHARED = "*"
CATALOGUE = ("locale", "help", "commands.toml")

#: click's own words, by locale: the headings, the metavars of the usage line, and option extras.
HEADINGS: Mapping[str, Mapping[str, str]] = {
    "zh-CN": {
        "usage": "用法：",
        "Options": "选项",
        "Commands": "命令",
        "Arguments": "参数",
        "[OPTIONS]": "[选项]",
        "COMMAND [ARGS]...": "命令 [参数]...",
        "default": "默认",
        "required": "必填",
        "colon": "：",
        "Show this message and exit.": "显示本帮助并退出。",
        "Show the version and exit.": "显示版本并退出。",
    },
    "en": {
        "usage": "Usage: ",
        "Options": "Options",
        "Commands": "Commands",
        "Arguments": "Arguments",
        "[OPTIONS]": "[OPTIONS]",
        "COMMAND [ARGS]...": "COMMAND [ARGS]...",
        "default": "default",
        "required": "required",
        "colon": ":",
    },
}


#: The label catalogue's prefix of an option's choices (``--channel letter`` → ``channel.letter``): under
#: a locale other than en the help lists each choice with its label, as a clerk cannot guess the codes.
CHOICE_LABELS: Mapping[str, str] = {
    "decline channel": "decline_channel",
    "channel": "channel",
    "states": "state",
    "kind": "kind",
    "role": "role",
    "outcome": "outcome",
    "rating": "rating",
    "clock": "clock",
}


@cache
def catalogue() -> dict[str, dict[str, dict[str, Any]]]:
    """The help catalogue: locale → command path → ``help``, ``short`` and ``params`` (read once)."""
    entry = files("petitionkit").joinpath(*CATALOGUE)
    data: dict[str, dict[str, dict[str, Any]]] = tomllib.loads(entry.read_text(encoding="utf-8"))
    return data


def command_key(ctx: click.Context) -> str:
    """The catalogue key of the context's command: its path below the top-level group."""
    names: list[str] = []
    while ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(reversed(names)) or ROOT


def _entry(locale: str, key: str) -> dict[str, Any]:
    return catalogue().get(locale, {}).get(key, {})


def _first_sentence(text: str) -> str:
    first = text.strip().split("\n\n")[0].replace("\n", "")
    return re.split(r"[。！？；]", first, maxsplit=1)[0]


def localized(command: click.Command, key: str, locale: str, *, with_commands: bool = True) -> click.Command:
    """A shallow copy of ``command`` whose help, short help and parameters' help are ``locale``'s."""
    entry = _entry(locale, key)
    twin = copy.copy(command)
    if entry.get("help"):
        twin.help = entry["help"]
        twin.short_help = entry.get("short") or (_first_sentence(entry["help"]) if locale != "en" else None)
    elif entry.get("short"):
        twin.short_help = entry["short"]
    words = HEADINGS.get(locale, HEADINGS["en"])
    twin.options_metavar = words["[OPTIONS]"] if command.options_metavar == "[OPTIONS]" else command.options_metavar
    texts: Mapping[str, str] = entry.get("params", {})
    twin.params = [_with_help(p, texts.get(p.name or ""), key, locale) for p in command.params]
    if isinstance(twin, click.Group) and isinstance(command, click.Group):
        if command.subcommand_metavar == "COMMAND [ARGS]...":
            twin.subcommand_metavar = words["COMMAND [ARGS]..."]
        if with_commands:
            twin.commands = {
                name: localized(sub, f"{key} {name}" if key != ROOT else name, locale, with_commands=False)
                for name, sub in command.commands.items()
            }
    return twin


def _with_help(param: click.Parameter, text: str | None, key: str, locale: str) -> click.Parameter:
    if not text or not isinstance(param, click.Option):
        return param
    twin = copy.copy(param)
    twin.help = text + (_choice_labels(param, key, locale) if locale != "en" else "")
    return twin


def _choice_labels(param: click.Option, key: str, locale: str) -> str:
    """``可选：letter＝来信；visit＝来访…`` when every choice of the option has a label, else nothing."""
    prefix = CHOICE_LABELS.get(f"{key} {param.name}") or CHOICE_LABELS.get(param.name or "")
    if prefix is None or not isinstance(param.type, click.Choice):
        return ""
    choices = [str(c) for c in param.type.choices]
    if not all(f"{prefix}.{c}" in CATALOG for c in choices):
        return ""
    return "可选： " + "； ".join(f"{c}＝{translate(f'{prefix}.{c}', locale)}" for c in choices) + "。"


class LocalizedFormatter(click.HelpFormatter):
    """click's formatter with its headings, usage prefix and option extras in the locale's words."""

    def __init__(self, locale: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.words = HEADINGS.get(locale, HEADINGS["en"])

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, self.words["usage"] if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{self.words.get(heading, heading)}{self.words['colon']}\n")

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        default, required = self.words["default"], self.words["required"]
        rows = [
            (
                term,
                self.words.get(text, text)
                .replace("[default: ", f"[{default}: ")
                .replace("[required]", f"[{required}]"),
            )
            for term, text in rows
        ]
        super().write_dl(rows, col_max, col_spacing)


def render_help(ctx: click.Context, locale: str) -> str:
    """The ``--help`` text of the context's command in ``locale``."""
    key = command_key(ctx)
    twin = localized(ctx.command, key, locale)
    formatter = LocalizedFormatter(locale, width=ctx.terminal_width, max_width=ctx.max_content_width)
    twin.format_usage(ctx, formatter)
    twin.format_help_text(ctx, formatter)
    rows = [(a.human_readable_name, argument_help(key, a, locale)) for a in _arguments(twin)]
    if any(text for _, text in rows):
        with formatter.section("Arguments"):
            formatter.write_dl([(name, text or "") for name, text in rows])
    twin.format_options(ctx, formatter)
    twin.format_epilog(ctx, formatter)
    return formatter.getvalue().rstrip("\n")


def _arguments(command: click.Command) -> list[click.Argument]:
    return [p for p in command.params if isinstance(p, click.Argument) and not getattr(p, "hidden", False)]


def argument_help(key: str, argument: click.Argument, locale: str) -> str | None:
    """An argument's help (click has none): the command's own entry, else the shared one."""
    name = argument.name or ""
    own: Mapping[str, str] = _entry(locale, key).get("params", {})
    shared: Mapping[str, str] = _entry(locale, SHARED).get("params", {})
    return own.get(name) or shared.get(name)


def render_usage(ctx: click.Context, locale: str) -> str:
    """The usage line of the context's command in ``locale`` (shown above a usage error)."""
    twin = localized(ctx.command, command_key(ctx), locale, with_commands=False)
    formatter = LocalizedFormatter(locale, width=ctx.terminal_width, max_width=ctx.max_content_width)
    twin.format_usage(ctx, formatter)
    return formatter.getvalue().rstrip("\n")


def walk(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command below ``group`` with its path, groups included (the catalogue's keys)."""
    for name, command in sorted(group.commands.items()):
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from walk(command, (*path, name))


def missing(group: click.Group, locales: tuple[str, ...] = ("zh-CN", "en")) -> list[str]:
    """What the help catalogue (and, for en, the decorators) lacks: one line per command or option."""
    gaps: list[str] = []
    tree = [((), group), *walk(group)]
    for path, command in tree:
        key = " ".join(path) or ROOT
        for locale in locales:
            entry = _entry(locale, key)
            english = locale == "en"
            if not entry.get("help") and not (english and (command.help or command.short_help)):
                gaps.append(f'[{locale}."{key}"] help')
            texts = entry.get("params", {})
            for argument in _arguments(command):
                if not argument_help(key, argument, locale):
                    gaps.append(f'[{locale}."{key}".params] {argument.name}  # {argument.human_readable_name}')
            for param in command.params:
                if not isinstance(param, click.Option) or param.hidden:
                    continue
                if not texts.get(param.name) and not (english and param.help):
                    gaps.append(f'[{locale}."{key}".params] {param.name}  # {"/".join(param.opts)}')
    return gaps
