"""The in-memory storage backend (``memory://``), with its report queries in plain Python."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from petitionkit.config import OfficeConfig
from petitionkit.hookspecs import hookimpl
from petitionkit.storage.base import Storage

if TYPE_CHECKING:
    from petitionkit.reports.source import ReportSource
    from petitionkit.storage.memory import MemoryStorage


def _factory(url: str, config: OfficeConfig) -> MemoryStorage:
    from petitionkit.storage.memory import MemoryStorage  # noqa: PLC0415 - when an office opens (issue 21)

    return MemoryStorage(url)


def _report_source(storage: Storage) -> ReportSource:
    from petitionkit.reports.memory_source import MemoryReportSource  # noqa: PLC0415 - reports load only when used
    from petitionkit.reports.source import ReportsUnsupported  # noqa: PLC0415
    from petitionkit.storage.memory import MemoryStorage  # noqa: PLC0415

    if not isinstance(storage, MemoryStorage):
        raise ReportsUnsupported(storage.url)
    return MemoryReportSource(storage)


@hookimpl
def petitionkit_register_storage(register: Callable[..., None]) -> None:
    register("memory", _factory, report_source=_report_source)
