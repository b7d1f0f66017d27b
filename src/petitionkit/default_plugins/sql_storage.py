"""The SQL storage backend for ``sqlite:`` and ``postgresql:`` URLs.

Optional settings under ``[settings.sql]`` in petitionkit.toml (:class:`SqlSettings`):
``busy_timeout`` (seconds a SQLite writer waits for the lock, default 30), ``sqlite_synchronous``
(``full`` by default: a committed petition survives a power cut; ``normal`` is faster and may lose
the last commits, never consistency) and ``pool_size`` (connections kept open, default 5).
Report queries run as SQL (``GROUP BY`` over the tables), registered with the backend.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from petitionkit.config import OfficeConfig
from petitionkit.hookspecs import hookimpl
from petitionkit.settings import at_least, one_of, read_settings
from petitionkit.storage.base import Storage

if TYPE_CHECKING:
    from petitionkit.reports.source import ReportSource

NAME = "sql"


SQLITE_SYNCHRONOUS = ("off", "normal", "full", "extra")  # as petitionkit.storage.sql.engine (not imported here)


def _lower(value: str) -> str:
    return value.lower()


@attrs.frozen
class SqlSettings:
    """``[settings.sql]``."""

    busy_timeout: float = attrs.field(default=30.0, validator=at_least(0))
    sqlite_synchronous: str = attrs.field(default="full", converter=_lower, validator=one_of(*SQLITE_SYNCHRONOUS))
    pool_size: int = attrs.field(default=5, validator=at_least(1))


def _factory(url: str, config: OfficeConfig) -> Storage:
    from petitionkit.storage.sql import SqlStorage  # noqa: PLC0415 - SQLAlchemy loads only when used

    settings = read_settings(config, NAME, SqlSettings)
    return SqlStorage(
        url,
        base_dir=config.base_dir,
        busy_timeout=settings.busy_timeout,
        sqlite_synchronous=settings.sqlite_synchronous,
        pool_size=settings.pool_size,
    )


def _report_source(storage: Storage) -> ReportSource:
    from petitionkit.reports.source import ReportsUnsupported  # noqa: PLC0415
    from petitionkit.reports.sql_source import SqlReportSource  # noqa: PLC0415 - reports load only when used
    from petitionkit.storage.sql import SqlStorage  # noqa: PLC0415

    if not isinstance(storage, SqlStorage):
        raise ReportsUnsupported(storage.url)
    return SqlReportSource.for_storage(storage)


@hookimpl
def petitionkit_declare_settings(register: Callable[..., None]) -> None:
    register(NAME, SqlSettings)


@hookimpl
def petitionkit_register_storage(register: Callable[..., None]) -> None:
    register("sqlite", _factory, report_source=_report_source)
    register("postgresql", _factory, report_source=_report_source)
