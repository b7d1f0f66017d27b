"""The top-level group, its shared options, and the error and output conventions.

Every command takes ``--json`` and then prints one JSON document and nothing else.  Errors are
one line and a documented exit code (see docs/cli.md); ``--debug`` shows the traceback.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from functools import cached_property, wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import click

from petitionkit.cli.usage import OfficeGroup, option_value, resolve_locale
from petitionkit.config import CONFIG_FILE, ENV_PREFIX, OfficeConfig
from petitionkit.domain.access import Principal
from petitionkit.errors import ConfigurationError, PetitionkitError, UnknownPrincipal
from petitionkit.i18n import translate
from petitionkit.labels import Labels
from petitionkit.plugins import make_plugin_manager
from petitionkit.redaction import scrub

if TYPE_CHECKING:  # the service layer is imported when a command opens the office (start-up, issue 21)
    from petitionkit.service import Office

F = TypeVar("F", bound=Callable[..., Any])

EXIT_UNEXPECTED = 70
DATABASE_URL_ENV = ENV_PREFIX + "DATABASE_URL"


class Env:
    """The context object: options of the top-level group and a lazily opened office."""

    def __init__(
        self,
        config_path: Path | None,
        as_json: bool,
        principal: str | None,
        debug: bool,
        locale: str | None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.config_path = config_path
        self.as_json = as_json
        self.principal_option = principal
        self.debug = debug
        self.locale_option = locale
        self.clock = clock
        self._office: Office | None = None

    @cached_property
    def config(self) -> OfficeConfig:
        # Never open (and so create) a database with a made-up office code just because the command
        # ran in the wrong folder: without a configuration file or database URL, refuse.
        if self.config_path is None and not Path(CONFIG_FILE).exists() and not os.environ.get(DATABASE_URL_ENV):
            raise ConfigurationError.of("--config", "config.no_office_here", file=CONFIG_FILE, folder=Path.cwd())
        return OfficeConfig.load(self.config_path)

    @cached_property
    def locale(self) -> str:
        """``--locale``, else ``[office] locale``, else ``PETITIONKIT_LOCALE``, else ``LANG`` and the like."""
        return resolve_locale(self.locale_option, self.config_path)

    @cached_property
    def labels(self) -> Labels:
        """Labels in the command's locale with the office's rule packs and time zone (opens the office)."""
        office = self.unbound_office
        return Labels(self.locale, office.rules, office.zone)

    def principal(self, office: Office) -> Principal:
        """Who acts: ``--as ID``, else the principal whose ``os_user`` is the operating-system user.

        Either must be a ``[[principals]]`` entry of the configuration, with roles the office's rule
        packs declare; anything else is refused (the library never trusts a typed name).
        """
        config = office.config
        known = [p.id for p in config.principals]
        if self.principal_option is not None:
            entry = config.principal_entry(self.principal_option)
            if entry is None:
                raise UnknownPrincipal("--as", self.principal_option, known)
        else:
            user = getpass.getuser()
            entry = config.principal_of_os_user(user)
            if entry is None:
                raise UnknownPrincipal("os_user", user, known)
        roles = office.rules.roles()
        index = config.principals.index(entry)
        for role in entry.roles:
            if role not in roles:
                raise ConfigurationError.of(
                    f"principals[{index}].roles", "config.unknown_role", role=role, roles=", ".join(roles)
                )
        return entry.principal()

    @property
    def office(self) -> Office:
        """The office, acting as the principal of ``--as`` (or of the operating-system user)."""
        if self._office is None:
            unbound = self.unbound_office
            self._office = unbound.acting_as(self.principal(unbound))
        return self._office

    @cached_property
    def unbound_office(self) -> Office:
        """The office bound to no principal: for commands that run no use case (rules, principals)."""
        from petitionkit.service import open_office  # noqa: PLC0415

        return open_office(self.config, clock=self.clock) if self.clock else open_office(self.config)

    def close(self) -> None:
        if "unbound_office" in self.__dict__:
            self.unbound_office.close()  # the bound office shares its storage

    def emit(self, data: Any, human: Callable[[], None]) -> None:
        """Print ``data`` as JSON with ``--json``, else call ``human`` to print tables.

        Every time in the document is given with the office's offset (``+08:00``), nested ones too.
        """
        if self.as_json:
            document = in_zone(to_jsonable(data), self._zone())
            click.echo(json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True))
        else:
            human()

    def _zone(self) -> tzinfo | None:
        try:
            return self.config.zone
        except PetitionkitError:  # no office (``init`` before it exists): times as they are
            return None


#: An ISO 8601 time with an offset, as ``datetime.isoformat`` writes it (a whole JSON string, nothing else).
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})")


def in_zone(value: Any, zone: tzinfo | None) -> Any:
    """``value`` (a JSON-ready document) with every ISO time string moved to ``zone``; the instant is kept.

    An audit event's ``payload`` stays as recorded: it is what the chain's digest covers.
    """
    if zone is None:
        return value
    if isinstance(value, dict):
        return {k: v if k == "payload" else in_zone(v, zone) for k, v in value.items()}
    if isinstance(value, list):
        return [in_zone(v, zone) for v in value]
    if isinstance(value, str) and _ISO_TIME.fullmatch(value):
        return datetime.fromisoformat(value).astimezone(zone).isoformat()
    return value


def to_jsonable(value: Any) -> Any:
    from petitionkit.serialization import unstructure  # noqa: PLC0415

    if attrs.has(type(value)):
        return unstructure(value)
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return unstructure(value)


def run_command(func: F) -> F:
    """Turn petitionkit errors into one line and their exit code (a JSON error with ``--json``)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        env = click.get_current_context().find_object(Env)
        assert env is not None
        try:
            return func(*args, **kwargs)
        except PetitionkitError as exc:
            if env.debug:
                raise
            if env.as_json:
                click.echo(json.dumps(exc.to_dict(), ensure_ascii=False, sort_keys=True))
            else:
                click.echo(f"{translate('cli.error', env.locale)}: {exc.message(env.locale)}", err=True)
            sys.exit(exc.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:  # output piped into `head` and the like: stop quietly
            sys.stderr.close()
            sys.exit(0)
        except Exception as exc:
            if env.debug:
                raise
            # A bug's text may hold a value it choked on: identity shapes are struck (--debug shows all).
            text = scrub(" ".join(str(exc).split()))[:300]
            if env.as_json:
                click.echo(json.dumps({"error": "unexpected", "type": type(exc).__name__, "message": text}))
            else:
                click.echo(translate("cli.unexpected", env.locale, kind=type(exc).__name__, text=text), err=True)
            sys.exit(EXIT_UNEXPECTED)
        finally:
            env.close()

    return wrapper  # type: ignore[return-value]


@click.group(cls=OfficeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Configuration file (default: ./petitionkit.toml).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document and nothing else.")
@click.option(
    "--as",
    "principal",
    default=None,
    help="Who acts: a [[principals]] id of petitionkit.toml (default: the one mapped to your OS user).",
)
@click.option(
    "--locale",
    default=None,
    help="zh-CN or en (default: [office] locale, PETITIONKIT_LOCALE, then LANG; else zh-CN).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.version_option(package_name="petitionkit")
@click.pass_context
def cli(
    ctx: click.Context, config_path: Path | None, as_json: bool, principal: str | None, locale: str | None, debug: bool
) -> None:
    """petitionkit: petition cases for People's Congress petition offices (人大信访)."""
    # Only code that invokes the group itself (tests, embedding) can supply a clock, through
    # ``obj={"clock": ...}``; the command line offers no way to backdate what the audit trail records.
    clock = ctx.obj.get("clock") if isinstance(ctx.obj, dict) else None
    ctx.obj = Env(config_path, as_json, principal, debug, locale, clock)
    ctx.obj.locale  # noqa: B018 - an unsupported --locale (or setting) is refused before anything runs
    configure_output(ctx, as_json=as_json, debug=debug)


def configure_output(ctx: click.Context, *, as_json: bool, debug: bool) -> None:
    """Warnings (a channel without a notifier, a failed delivery) go to standard error; the console
    notifier prints to standard output, or to standard error with ``--json``."""
    import logging  # noqa: PLC0415

    from petitionkit.default_plugins import console_notifier  # noqa: PLC0415

    level = logging.INFO if debug else logging.WARNING
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    token = console_notifier.STREAM.set("stderr" if as_json else "stdout")
    ctx.call_on_close(lambda: console_notifier.STREAM.reset(token))


def load_plugin_commands(group: click.Group, argv: Sequence[str]) -> None:
    """Let plugins add commands (``petitionkit_register_commands``), honouring ``[plugins] allow/block``.

    The configuration is the one the command will use (``--config FILE`` in ``argv``, else
    ./petitionkit.toml).  When it cannot be read, only the built-in plugins add commands: a blocked
    plugin is never imported, and the command itself then reports the configuration error.
    """
    path = _config_option(argv)
    try:
        config = OfficeConfig.load(path) if path is not None or Path(CONFIG_FILE).exists() else OfficeConfig()
        pm = make_plugin_manager(allow=config.plugins_allow, block=config.plugins_block)
    except PetitionkitError:
        pm = make_plugin_manager(load_entrypoints=False)
    pm.hook.petitionkit_register_commands(cli=group)


def _config_option(argv: Sequence[str]) -> str | None:
    """The value of the group's ``--config`` option in ``argv`` (before the command name)."""
    return option_value(argv, "--config")
