"""The SQL storage backend for ``sqlite:`` and ``postgresql:`` URLs.

Optional settings under ``[settings.sql]`` in petitionkit.toml: ``busy_timeout`` (seconds a SQLite
writer waits for the lock, default 30), ``sqlite_synchronous`` (``full`` by default: a committed
petition survives a power cut; ``normal`` is faster and may lose the last commits, never consistency)
and ``pool_size`` (connections kept open, default 5).
Report queries run as SQL (``GROUP BY`` over the tables), registered with the backend.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from petitionkit.config import OfficeConfig
from petitionkit.errors import ConfigurationError
from petitionkit.hookspecs import hookimpl
from petitionkit.storage.base import Storage

if TYPE_CHECKING:
    from petitionkit.reports.source import ReportSource


def _setting(settings: dict[str, Any], name: str, kind: type, default: Any) -> Any:
    value = settings.get(name, default)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ConfigurationError(f"settings.sql.{name}", f"must be a {kind.__name__}")
    return value


def _factory(url: str, config: OfficeConfig) -> Storage:
    from petitionkit.storage.sql import SqlStorage  # noqa: PLC0415 - SQLAlchemy loads only when used

    settings = dict(config.settings.get("sql", {}))
    return SqlStorage(
        url,
        base_dir=config.base_dir,
        busy_timeout=_setting(settings, "busy_timeout", float, 30.0),
        sqlite_synchronous=_setting(settings, "sqlite_synchronous", str, "full").lower(),
        pool_size=_setting(settings, "pool_size", int, 5),
    )


def _report_source(storage: Storage) -> ReportSource:
    from petitionkit.reports.source import ReportsUnsupported  # noqa: PLC0415
    from petitionkit.reports.sql_source import SqlReportSource  # noqa: PLC0415 - reports load only when used
    from petitionkit.storage.sql import SqlStorage  # noqa: PLC0415

    if not isinstance(storage, SqlStorage):
        raise ReportsUnsupported(storage.url)
    return SqlReportSource.for_storage(storage)


@hookimpl
def petitionkit_register_storage(register: Callable[..., None]) -> None:
    register("sqlite", _factory, report_source=_report_source)
    register("postgresql", _factory, report_source=_report_source)
