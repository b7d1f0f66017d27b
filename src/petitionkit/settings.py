"""One settings path: a ``[settings.<name>]`` table of petitionkit.toml structured into an attrs class.

A plugin declares its table through the ``petitionkit_declare_settings`` hook (as pytest's
``pytest_addoption`` and tox's ``tox_add_core_config`` let plugins declare options)::

    @attrs.frozen
    class SmsSettings:
        gateway: str = attrs.field(validator=settings.http_url)
        timeout: float = attrs.field(default=10.0, validator=settings.greater_than(0))

    @hookimpl
    def petitionkit_declare_settings(register):
        register("sms", SmsSettings)

and reads it, typed, with :func:`read_settings`.  The table is structured with cattrs (strict: no
type coercion, no unknown keys); every problem is a :class:`SettingError` (a
:class:`~petitionkit.errors.ConfigurationError`) naming ``settings.<name>.<key>`` and what is
expected, in zh-CN and en.  :func:`check_settings` structures every declared table that is present
when the office opens, so a bad key fails fast there, not at the first notice.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, NewType, TypeVar, get_args, get_origin
from urllib.parse import urlsplit

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError

from petitionkit import hookspecs
from petitionkit.errors import ConfigurationError
from petitionkit.i18n import translate

if TYPE_CHECKING:
    import pluggy

    from petitionkit.config import OfficeConfig

__all__ = [
    "OneOrMore",
    "SettingError",
    "SettingProblem",
    "Term",
    "at_least",
    "between",
    "check_settings",
    "declared_settings",
    "greater_than",
    "http_url",
    "nonblank",
    "one_of",
    "read_settings",
    "structure_settings",
]

T = TypeVar("T")


class Term(str):
    """A parameter of a setting problem that is itself translated (``setting.type.<term>``)."""

    __slots__ = ()


class SettingError(ConfigurationError):
    """A bad setting: ``setting`` is the dotted key (``settings.email.port``), the problem is translated.

    ``problem`` (inherited) holds the English text for logs; ``message(locale)`` is what a clerk reads.
    """

    def __init__(self, setting: str, problem: str, **params: Any) -> None:
        self.problem_key, self.problem_params = problem, params
        super().__init__(setting, self._problem("en"))

    def _problem(self, locale: str) -> str:
        params = {
            k: translate("setting.type." + v, locale) if isinstance(v, Term) else v
            for k, v in self.problem_params.items()
        }
        return translate("setting." + self.problem_key, locale, **params)

    def params(self, locale: str) -> dict[str, Any]:
        return {"setting": self.setting, "problem": self._problem(locale)}


class SettingProblem(ValueError):
    """Raised by a validator of a settings class: ``key`` (the field), ``problem`` and its params."""

    def __init__(self, key: str, problem: str, **params: Any) -> None:
        super().__init__(f"{key}: {problem}")
        self.key, self.problem, self.params = key, problem, params


# --- validators (attrs validators that say what is expected) -------------------------------------


def at_least(limit: float) -> Any:
    """A number, or each number of a list, is at least ``limit``."""

    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        for item in value if isinstance(value, tuple) else (value,):
            if item < limit:
                raise SettingProblem(attribute.name, "at_least", limit=limit)

    return check


def greater_than(limit: float) -> Any:
    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value <= limit:
            raise SettingProblem(attribute.name, "greater_than", limit=limit)

    return check


def between(low: int, high: int) -> Any:
    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not low <= value <= high:
            raise SettingProblem(attribute.name, "between", low=low, high=high)

    return check


def one_of(*choices: str) -> Any:
    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value not in choices:
            raise SettingProblem(attribute.name, "choice", choices=", ".join(choices))

    return check


def nonblank(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A string, or each string of a list, is not blank (``None`` passes: the field is optional)."""
    for item in value if isinstance(value, tuple) else (value,):
        if item is not None and not item.strip():
            raise SettingProblem(attribute.name, "blank")


def http_url(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """An ``http://`` or ``https://`` URL with a host (``None`` passes: the field is optional)."""
    if value is None:
        return
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingProblem(attribute.name, "url")


# --- structuring ---------------------------------------------------------------------------------

OneOrMore = NewType("OneOrMore", tuple[str, ...])
"""A string or a list of strings (``email = "a@x.cn"`` or ``email = ["a@x.cn", "b@x.cn"]``)."""


def _structure_float(value: Any, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("not a number")
    return float(value)


def _structure_one_or_more(value: Any, _: type) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(a, str) and a.strip() for a in items):
        raise TypeError("not a string or a list of strings")
    return tuple(items)


def _is_tuple(cls: Any) -> bool:
    return get_origin(cls) is tuple


def _tuple_hook(converter: cattrs.Converter) -> Any:
    def structure(value: Any, cls: Any) -> tuple[Any, ...]:
        if not isinstance(value, list | tuple):  # a string is iterable, but is not a list of strings
            raise TypeError("not a list")
        (item, *_rest) = get_args(cls)
        return tuple(converter.structure(v, item) for v in value)

    return structure


def _make_converter() -> cattrs.Converter:
    from petitionkit.serialization import make_converter  # noqa: PLC0415 - serialization imports domain code

    converter = make_converter()  # strict: no extra keys, no str/int/bool coercion
    converter.register_structure_hook(float, _structure_float)
    converter.register_structure_hook(OneOrMore, _structure_one_or_more)
    converter.register_structure_hook_func(_is_tuple, _tuple_hook(converter))
    return converter


_CONVERTER: cattrs.Converter | None = None


def _converter() -> cattrs.Converter:
    global _CONVERTER  # noqa: PLW0603 - built once, on first use
    if _CONVERTER is None:
        _CONVERTER = _make_converter()
    return _CONVERTER


def _term(cls: Any) -> Term:
    args = [a for a in get_args(cls) if a is not type(None)]
    if cls is OneOrMore:
        return Term("addresses")
    if get_origin(cls) is not None and type(None) in get_args(cls) and len(args) == 1:
        return _term(args[0])  # Optional[X]
    if _is_tuple(cls):
        item = args[0] if args else None
        return Term("string_list" if item is str else "integer_list" if item is int else "list")
    if cls is str or (isinstance(cls, type) and issubclass(cls, enum.Enum)):
        return Term("string")
    if cls is bool:
        return Term("boolean")
    if cls is int:
        return Term("integer")
    if cls is float:
        return Term("number")
    if get_origin(cls) in (dict, Mapping) or cls in (dict, Mapping):
        return Term("table")
    return Term("value")


def _problems(
    exc: BaseException, path: tuple[str, ...], field_type: Any
) -> Iterator[tuple[tuple[str, ...], str, dict[str, Any]]]:
    """Flatten cattrs' exception groups into (path, problem, params)."""
    if isinstance(exc, SettingProblem):
        yield (*path, exc.key), exc.problem, exc.params
    elif isinstance(exc, ForbiddenExtraKeysError):
        known = ", ".join(a.name for a in attrs.fields(exc.cl)) if attrs.has(exc.cl) else ""
        for key in sorted(exc.extra_fields):
            yield (*path, key), "unknown", {"choices": known}
    elif isinstance(exc, ClassValidationError | IterableValidationError):
        with_notes, without = exc.group_exceptions()
        for inner, note in with_notes:
            if hasattr(note, "name"):
                step = str(note.name)
            else:  # a list item or a table's key
                step = f"[{note.index}]" if isinstance(note.index, int) else str(note.index)
            yield from _problems(inner, (*path, step), getattr(note, "type", None))
        for inner in without:
            yield from _problems(inner, path, field_type)
    elif isinstance(exc, KeyError):
        yield path, "required", {"expected": _term(field_type)}
    else:
        yield path, "wrong_type", {"expected": _term(field_type)}


def _dotted(section: str, path: tuple[str, ...]) -> str:
    return section + "".join(p if p.startswith("[") else f".{p}" for p in path)


def structure_settings(name: str, raw: Any, cls: type[T]) -> T:
    """Structure the table ``raw`` of ``[settings.<name>]`` into ``cls``.

    :raises SettingError: naming ``settings.<name>.<key>`` (the first problem; tables are short).
    """
    section = f"settings.{name}"
    if not isinstance(raw, Mapping):
        raise SettingError(section, "wrong_type", expected=Term("table"))
    try:
        return _converter().structure(dict(raw), cls)
    except Exception as exc:  # cattrs raises exception groups of many kinds
        found = sorted(_problems(exc, (), cls), key=lambda p: p[0])
        if not found:
            raise SettingError(section, "wrong_type", expected=Term("value")) from exc
        path, problem, params = found[0]
        raise SettingError(_dotted(section, path), problem, **params) from None


def read_settings(config: OfficeConfig, name: str, cls: type[T]) -> T:
    """The typed ``[settings.<name>]`` of ``config`` (an absent table is an empty one: defaults)."""
    return structure_settings(name, config.settings.get(name, {}), cls)


def declared_settings(pm: pluggy.PluginManager) -> dict[str, type[Any]]:
    """``{name: attrs class}`` declared through ``petitionkit_declare_settings``."""
    found = hookspecs.collect(pm.hook.petitionkit_declare_settings)
    for name, cls in found.items():
        if not (isinstance(cls, type) and attrs.has(cls)):
            raise ConfigurationError(f"settings.{name}", f"is declared with {cls!r}, which is not an attrs class")
    return found


def check_settings(pm: pluggy.PluginManager, config: OfficeConfig) -> dict[str, Any]:
    """Structure every declared table present in ``config`` (when the office opens: fail fast).

    Absent tables are left to the plugin: a table with required keys is only needed when the plugin
    is used (its factory then reports the missing table).  Returns ``{name: typed settings}``.
    """
    declared = declared_settings(pm)
    return {
        name: structure_settings(name, config.settings[name], cls)
        for name, cls in declared.items()
        if name in config.settings
    }
