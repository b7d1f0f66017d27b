"""The in-memory storage backend (``memory://``)."""

from __future__ import annotations

from collections.abc import Callable

from petitionkit.config import OfficeConfig
from petitionkit.hookspecs import hookimpl
from petitionkit.storage.memory import MemoryStorage


def _factory(url: str, config: OfficeConfig) -> MemoryStorage:
    return MemoryStorage(url)


@hookimpl
def petitionkit_register_storage(register: Callable[..., None]) -> None:
    register("memory", _factory)
