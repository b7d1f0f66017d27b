"""Named predicates that rule packs refer to (``predicate = "name"``), registered by plugins.

A plugin registers them through the ``petitionkit_register_predicates`` hook; a pack names one and
the pack reader resolves the name when the pack is loaded (an unknown name is a
:class:`~petitionkit.rules.errors.RulePackError` naming the file and the key).

The reader takes the predicates as an argument (``load_pack(path, predicates=...)``); when it is not
given, the predicates made active with :func:`using_predicates` apply.  :func:`petitionkit.open_office`
activates its plugin manager's predicates while the rules factory runs, so a factory that loads packs
(the built-in ones do) needs no new argument.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType
from typing import Any

Predicate = Callable[[Any], bool]
"""``predicate(query) -> bool``: a ``ScreeningQuery`` for screening rules, a ``RouteQuery`` for routing rules."""

_NONE: Mapping[str, Predicate] = MappingProxyType({})
_ACTIVE: ContextVar[Mapping[str, Predicate]] = ContextVar("petitionkit_predicates", default=_NONE)


def active_predicates() -> Mapping[str, Predicate]:
    """The predicates packs loaded now may name (none outside :func:`using_predicates`)."""
    return _ACTIVE.get()


@contextmanager
def using_predicates(predicates: Mapping[str, Predicate]) -> Iterator[None]:
    """Make ``predicates`` the ones packs loaded inside the ``with`` block may name."""
    token = _ACTIVE.set(MappingProxyType(dict(predicates)))
    try:
        yield
    finally:
        _ACTIVE.reset(token)
