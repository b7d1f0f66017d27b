"""Public names of a package imported on first use (PEP 562 module ``__getattr__``).

A package lists where each of its public names lives; importing the package (the command line's
start-up, a settings plugin) then loads none of those submodules until a name is used (issue 21).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_exports(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``homes`` maps each public name to its submodule."""

    def public_name(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(f"{package}.{home}"), name)

    return public_name
