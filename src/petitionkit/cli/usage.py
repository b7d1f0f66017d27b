"""The command line's locale, and click's usage errors in that locale or as JSON.

The locale is ``--locale``, else the office's ``[office] locale`` (petitionkit.toml), else
``PETITIONKIT_LOCALE``, else the POSIX variables ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` (in that
order, as the C library reads them), else zh-CN.  A locale given on purpose that is not supported
(``--locale fr``, a file or ``PETITIONKIT_LOCALE`` saying ``fr``) is refused with exit 2; a system
``LANG`` in another language only means the default, since the clerk chose nothing.

Usage errors (an unknown option, a missing argument, a value not among the choices) are raised by
click before any command runs.  :class:`OfficeGroup` catches them wherever they arise and shows them
as every other error: one JSON document on standard output with ``--json``, else one line in the
locale, both with exit status 2.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import click

from petitionkit.config import CONFIG_FILE, ENV_PREFIX
from petitionkit.errors import PetitionkitError, UnknownLocale
from petitionkit.i18n import DEFAULT_LOCALE, LOCALES, parse_locale, translate

LOCALE_ENV = ENV_PREFIX + "LOCALE"
POSIX_LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


def _file_locale(config_path: Path | None) -> str | None:
    """``[office] locale`` of the configuration file, when the file exists and says one."""
    path = config_path or Path(CONFIG_FILE)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None  # the command itself reports a missing or broken file
    office = data.get("office")
    value = office.get("locale") if isinstance(office, dict) else None
    return value if isinstance(value, str) and value.strip() else None


def resolve_locale(option: str | None, config_path: Path | None, environ: Any = None) -> str:
    """The locale a command speaks (see the module docstring for the order)."""
    env = os.environ if environ is None else environ
    chosen = (
        ("--locale", option),
        (f"{config_path or CONFIG_FILE} [office] locale", _file_locale(config_path)),
        (LOCALE_ENV, env.get(LOCALE_ENV) or None),
    )
    for source, value in chosen:
        if value:
            found = parse_locale(value)
            if found is None:
                raise UnknownLocale(source, value, LOCALES)
            return found
    for name in POSIX_LOCALE_VARIABLES:
        value = env.get(name)
        if value:  # the first one set decides, as in the C library
            return parse_locale(value) or DEFAULT_LOCALE
    return DEFAULT_LOCALE


def _quiet_locale(ctx: click.Context | None) -> str:
    """The locale to report a usage error in: the command's, or a sensible one if that is what failed."""
    from petitionkit.cli.app import Env  # noqa: PLC0415 - app imports this module

    env = ctx.find_object(Env) if ctx is not None else None
    try:
        return env.locale if env is not None else resolve_locale(None, None)
    except PetitionkitError:
        return DEFAULT_LOCALE


def _name_of(exc: click.BadParameter) -> str:
    if exc.param_hint is not None:
        hint = exc.param_hint
        return hint if isinstance(hint, str) else " / ".join(hint)
    if exc.param is not None:
        return exc.param.get_error_hint(exc.ctx)
    return ""


def usage_message(exc: click.ClickException, locale: str) -> str:
    """A usage error in ``locale``: the common ones in the catalog's words, others as click says them."""
    if isinstance(exc, click.NoSuchOption):
        hint = ""
        if exc.possibilities:
            hint = translate("cli.usage.did_you_mean", locale, options=", ".join(sorted(exc.possibilities)))
        return translate("cli.usage.no_such_option", locale, option=exc.option_name, hint=hint)
    if isinstance(exc, click.exceptions.NoSuchCommand):
        return translate("cli.usage.no_such_command", locale, command=exc.command_name)
    if isinstance(exc, click.MissingParameter):
        what = "argument" if exc.param_type == "argument" or isinstance(exc.param, click.Argument) else "option"
        return translate("cli.usage.missing", locale, what=translate(f"cli.usage.{what}", locale), name=_name_of(exc))
    if isinstance(exc, click.BadParameter) and _name_of(exc):
        return translate("cli.usage.bad_value", locale, name=_name_of(exc), problem=exc.message)
    return exc.format_message()


def usage_document(exc: click.ClickException) -> dict[str, Any]:
    """The JSON error document of a usage error (the shape of every ``--json`` error, docs/cli.md)."""
    doc: dict[str, Any] = {
        "error": "usage",
        "message": usage_message(exc, "en"),
        "message_zh": usage_message(exc, "zh-CN"),
    }
    if isinstance(exc, click.BadParameter) and _name_of(exc):
        doc["parameter"] = _name_of(exc)
    if isinstance(exc, click.UsageError) and exc.ctx is not None:
        doc["command"] = exc.ctx.command_path
    return doc


class ShownUsageError(click.ClickException):
    """A usage error re-raised to be shown the petitionkit way (JSON, or one line in the locale)."""

    exit_code = click.UsageError.exit_code  # 2, as click's own

    def __init__(self, original: click.ClickException, as_json: bool, locale: str) -> None:
        super().__init__(original.format_message())
        self.original, self.as_json, self.locale = original, as_json, locale

    def show(self, file: IO[Any] | None = None) -> None:
        if self.as_json:
            click.echo(json.dumps(usage_document(self.original), ensure_ascii=False, sort_keys=True))
            return
        original = self.original
        ctx = original.ctx if isinstance(original, click.UsageError) else None
        if ctx is not None:
            click.echo(ctx.get_usage(), err=True)
            click.echo(translate("cli.usage.help", self.locale, command=ctx.command_path), err=True)
        message = usage_message(original, self.locale)
        click.echo(f"{translate('cli.error', self.locale)}: {message}", err=True)


class LocaleRefused(click.ClickException):
    """An unsupported locale, refused before any command runs (both languages: which one was wanted?)."""

    exit_code = UnknownLocale.exit_code

    def __init__(self, error: UnknownLocale, as_json: bool) -> None:
        super().__init__(error.message("en"))
        self.error, self.as_json = error, as_json

    def show(self, file: IO[Any] | None = None) -> None:
        if self.as_json:
            click.echo(json.dumps(self.error.to_dict(), ensure_ascii=False, sort_keys=True))
            return
        click.echo(f"{translate('cli.error', 'zh-CN')}: {self.error.message('zh-CN')}", err=True)
        click.echo(f"{translate('cli.error', 'en')}: {self.error.message('en')}", err=True)


def _wants_json(ctx: click.Context | None, args: Sequence[str]) -> bool:
    """``--json`` was given: as the group parsed it, or (when parsing the group failed) among the words."""
    if ctx is not None:
        return bool(ctx.params.get("as_json"))
    return "--json" in args


class OfficeContext(click.Context):
    """A context whose help and usage line are in the command's locale (see petitionkit.cli.helptext)."""

    def help_locale(self) -> str:
        """The locale of the command (``--locale`` and the rest); before the group ran, from its words."""
        from petitionkit.cli.app import Env  # noqa: PLC0415 - app imports this module

        env = self.find_object(Env)
        try:
            if env is not None:
                return env.locale
            words = self.find_root().meta.get(ARGV_KEY, ())
            config = option_value(words, "--config")
            return resolve_locale(option_value(words, "--locale"), Path(config) if config else None)
        except PetitionkitError:
            return DEFAULT_LOCALE

    def get_help(self) -> str:
        from petitionkit.cli import helptext  # noqa: PLC0415 - the catalogue is read only for help

        return helptext.render_help(self, self.help_locale())

    def get_usage(self) -> str:
        from petitionkit.cli import helptext  # noqa: PLC0415

        return helptext.render_usage(self, self.help_locale())


ARGV_KEY = "petitionkit.argv"


def option_value(words: Sequence[str], option: str) -> str | None:
    """The value of the top-level group's ``option`` among its words (before the command name)."""
    args = iter(words)
    for arg in args:
        if arg == option:
            return next(args, None)
        if arg.startswith(option + "="):
            return arg.split("=", 1)[1]
        if arg in ("--config", "--as", "--locale"):  # the group's options that take a value
            next(args, None)
        elif not arg.startswith("-"):  # the command: later options are the command's own
            break
    return None


def adopt(command: click.Command) -> None:
    """Give ``command`` and every command below it the :class:`OfficeContext` (plugins' too)."""
    if command.context_class is click.Context:
        command.context_class = OfficeContext
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            adopt(sub)


class OfficeGroup(click.Group):
    """The top-level group: usage errors anywhere below it are shown as petitionkit errors; help and
    usage lines anywhere below it are in the command's locale."""

    context_class = OfficeContext

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[ARGV_KEY] = tuple(args)  # the help of the group itself is printed before its options are
        return super().parse_args(ctx, args)

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        given = list(args)
        adopt(self)  # commands added since (plugins', tests') too: a walk over ~150 commands, no import
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            raise ShownUsageError(exc, _wants_json(None, given), _quiet_locale(None)) from exc

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UnknownLocale as exc:
            raise LocaleRefused(exc, _wants_json(ctx, ())) from exc
        except click.UsageError as exc:
            raise ShownUsageError(exc, _wants_json(ctx, ()), _quiet_locale(ctx)) from exc
