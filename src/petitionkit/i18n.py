"""Clerk- and petitioner-facing text in zh-CN (the default) and en.

The catalogs live in one package, ``petitionkit/locale``: a TOML file per area (errors and states,
rule-pack problems, explanations, notifications, reports, settings, calendar), each key with its
zh-CN and en text side by side, loaded once when this module is imported, so every string is
there whatever the program imported first.  A test checks that both locales have every key with
the same placeholders.  (gettext would need compiled catalogs and a build step; see docs/design.md.)
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib.resources import files
from typing import Any, Final

DEFAULT_LOCALE: Final = "zh-CN"
LOCALES: Final = ("zh-CN", "en")


def _load_catalogs() -> dict[str, Mapping[str, str]]:
    catalog: dict[str, Mapping[str, str]] = {}
    folder = files("petitionkit") / "locale"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            for key, texts in tomllib.loads(entry.read_text(encoding="utf-8")).items():
                if key in catalog:
                    raise ValueError(f"message key {key} is in two catalogs ({entry.name})")
                catalog[key] = texts
    return catalog


#: Every clerk- and petitioner-facing string, by key: the package's catalogs (``petitionkit/locale/*.toml``,
#: one file per area, both locales side by side), then whatever plugins add with :func:`extend`.
CATALOG: Final[dict[str, Mapping[str, str]]] = _load_catalogs()


def extend(entries: Mapping[str, Mapping[str, str]]) -> None:
    """Add a module's own strings (each key with both locales); a key may not be defined twice."""
    for key, texts in entries.items():
        if key in CATALOG and CATALOG[key] != texts:
            raise ValueError(f"i18n key {key!r} is already defined differently")
        missing = set(LOCALES) - set(texts)
        if missing:
            raise ValueError(f"i18n key {key!r} lacks {sorted(missing)}")
        CATALOG[key] = texts


def translate(key: str, locale: str = DEFAULT_LOCALE, /, **params: Any) -> str:
    """Render ``key`` in ``locale`` (falling back to zh-CN), filling ``params``."""
    entry = CATALOG[key]
    text = entry.get(locale) or entry[DEFAULT_LOCALE]
    return text.format(**params) if params else text


def normalize_locale(locale: str | None) -> str:
    """Map 'zh', 'zh_CN.UTF-8', 'en_US' ... to a supported locale."""
    if not locale:
        return DEFAULT_LOCALE
    lowered = locale.replace("_", "-").split(".")[0].lower()
    if lowered.startswith("en"):
        return "en"
    return DEFAULT_LOCALE


def parse_locale(locale: str) -> str | None:
    """The supported locale ``locale`` names, or None when it names another language.

    Accepts the forms a user or the environment gives: ``zh-CN``, ``zh``, ``zh_CN.UTF-8``, ``en``,
    ``en_US.UTF-8``; the C and POSIX locales (no language chosen) mean the default, zh-CN.
    """
    text = locale.strip()
    base = text.split(".")[0].split("@")[0]
    if base in ("", "C", "POSIX"):
        return DEFAULT_LOCALE
    language = base.replace("_", "-").split("-")[0].lower()
    if language == "en":
        return "en"
    if language == "zh":
        return DEFAULT_LOCALE
    return None
