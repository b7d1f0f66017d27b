"""Building the registered rule sets: built-in packs, then the office's own rule files."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from petitionkit.domain.model import Body
from petitionkit.rules.builtin import builtin_pack
from petitionkit.rules.calendar import BaseCalendar
from petitionkit.rules.compose import ComposedRules, compose
from petitionkit.rules.predicates import Predicate
from petitionkit.rules.schema import RulePack, load_pack


def resolve_files(files: Sequence[str | os.PathLike[str]], base_dir: str | os.PathLike[str] = ".") -> list[Path]:
    """Rule file paths, relative ones taken from ``base_dir`` (the configuration file's folder)."""
    return [Path(f) if Path(f).is_absolute() else Path(base_dir) / f for f in files]


def load_packs(
    files: Sequence[str | os.PathLike[str]],
    base_dir: str | os.PathLike[str] = ".",
    *,
    predicates: Mapping[str, Predicate] | None = None,
) -> list[RulePack]:
    """Load and check each file (raises :class:`RulePackError` on the first broken one).

    ``predicates``: what ``predicate = "name"`` may name (default: the active ones, see
    :func:`petitionkit.rules.predicates.using_predicates`).
    """
    return [load_pack(path, predicates=predicates) for path in resolve_files(files, base_dir)]


def load_rule_set(
    builtin: Sequence[str] = ("national",),
    files: Sequence[str | os.PathLike[str]] = (),
    *,
    base_dir: str | os.PathLike[str] = ".",
    calendar: BaseCalendar | None = None,
    bodies: Sequence[Body] = (),
    predicates: Mapping[str, Predicate] | None = None,
) -> ComposedRules:
    """Compose built-in packs (e.g. ``("national", "zhejiang")``) and then ``files``, in order.

    This is how an office tests its own rule file without Python changes::

        rules = load_rule_set(("national",), ["rules/county.toml"])
        rules.route("labour", "330199", PetitionKind.CLAIM).body.code

    ``predicates``: the predicates the files may name (``predicate = "name"``), e.g.
    ``petitionkit.plugins.registered_predicates(make_plugin_manager())``.
    """
    packs = [builtin_pack(name) for name in builtin] + load_packs(files, base_dir, predicates=predicates)
    return compose(packs, calendar=calendar, bodies=bodies)
