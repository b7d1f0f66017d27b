"""The words of reports and formal documents (their texts are in ``petitionkit/locale/reports.toml``)."""

from __future__ import annotations

from petitionkit import i18n


def keys(prefix: str) -> list[str]:
    """Every catalog key under ``prefix`` (e.g. ``"report.column"``), in catalog order."""
    return [k for k in i18n.CATALOG if k.startswith(prefix + ".")]


def label(key: str, locale: str = "zh-CN") -> str:
    """The text of ``key`` (a key of the message catalog) in ``locale``."""
    return i18n.translate(key, locale)


def region_label(code: str, locale: str = "zh-CN") -> str:
    """The name of an administrative division (行政区划) code, or the code itself when no name is known.

    The one place the reports turn a region code into words: the national division list of
    :mod:`petitionkit.regions` when it is there (``region_name(code, locale)``), else the code.
    """
    try:
        from petitionkit.regions import region_name  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415
    except ImportError:
        return code
    name = region_name(code, locale)
    return str(name) if name else code
