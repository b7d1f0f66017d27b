"""The words of reports and formal documents (their texts are in ``petitionkit/locale/reports.toml``)."""

from __future__ import annotations

from petitionkit import i18n


def keys(prefix: str) -> list[str]:
    """Every catalog key under ``prefix`` (e.g. ``"report.column"``), in catalog order."""
    return [k for k in i18n.CATALOG if k.startswith(prefix + ".")]


def label(key: str, locale: str = "zh-CN") -> str:
    """The text of ``key`` (a key of the message catalog) in ``locale``."""
    return i18n.translate(key, locale)
