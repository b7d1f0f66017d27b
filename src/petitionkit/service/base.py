"""What every part of an :class:`~petitionkit.service.office.Office` shares: its collaborators,
its clock, and reading a case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, cast

import pluggy

from petitionkit.config import OfficeConfig
from petitionkit.domain.events import Event
from petitionkit.domain.model import Case, Petition
from petitionkit.domain.ports import Rules
from petitionkit.notifications.planner import Planner
from petitionkit.notifications.routing import ChannelRouter, build_router
from petitionkit.notify import Notifier
from petitionkit.rules.calendar import RuleCalendar, ScheduleWarning
from petitionkit.service.unit_of_work import UnitOfWork
from petitionkit.storage.base import Storage

if TYPE_CHECKING:
    from petitionkit.network import OfficeNetwork
    from petitionkit.service.office import Office

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class OfficeBase:
    """An office's collaborators (from :func:`~petitionkit.service.open_office`) and basic reads."""

    network: OfficeNetwork

    def __init__(
        self,
        config: OfficeConfig,
        *,
        storage: Storage,
        rules: Rules,
        notifier: Notifier,
        plugin_manager: pluggy.PluginManager,
        clock: Clock = utc_now,
    ) -> None:
        self.config = config
        self.storage = storage
        self.rules = rules
        self.notifier = notifier
        self.pm = plugin_manager
        self.clock = clock
        self.zone = config.zone
        self.uow = UnitOfWork(cast("Office", self))  # every OfficeBase is built as an Office
        self._planner: Planner | None = None
        self._router: ChannelRouter | None = None

    def now(self) -> datetime:
        """The office clock, in the office's time zone."""
        return self.uow.now()

    def today(self) -> date:
        return self.now().date()

    @property
    def planner(self) -> Planner:
        """Plans and renders the messages events imply (built on first use)."""
        if self._planner is None:
            self._planner = Planner(self.config, self.rules)
        return self._planner

    @property
    def router(self) -> ChannelRouter:
        """The notifier of every channel."""
        if isinstance(self.notifier, ChannelRouter):
            return self.notifier
        if self._router is None:
            self._router = build_router(self.pm, self.config, default=self.notifier)
        return self._router

    def schedule_warning(self) -> ScheduleWarning | None:
        """Whether next year's holiday schedule is missing and today is within 60 days of the data's end."""
        calendar = self.rules.calendar
        return calendar.schedule_warning(self.today()) if isinstance(calendar, RuleCalendar) else None

    # --- reading a case -------------------------------------------------------------------------

    def case(self, case_ref: str) -> Case:
        """A case by id or by the tracking number of any of its petitions."""
        with self.storage.transaction() as tx:
            return self.uow.resolve(tx, case_ref)

    def petitions(self, case_ref: str) -> list[Petition]:
        with self.storage.transaction() as tx:
            return tx.petitions_of_case(self.uow.resolve(tx, case_ref).id)

    def events(self, case_ref: str) -> list[Event]:
        with self.storage.transaction() as tx:
            return tx.events_of_case(self.uow.resolve(tx, case_ref).id)

    def close(self) -> None:
        self.storage.close()
