"""What every part of an :class:`~petitionkit.service.office.Office` shares: its collaborators,
its clock, the principal it acts for, and reading a case."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, cast

import pluggy

from petitionkit.config import OfficeConfig
from petitionkit.domain.access import Permission, Principal
from petitionkit.domain.events import Event
from petitionkit.domain.model import Case, Petition
from petitionkit.domain.ports import Rules
from petitionkit.notifications.planner import Planner
from petitionkit.notifications.routing import ChannelRouter, build_router
from petitionkit.notify import Notifier
from petitionkit.rules.calendar import RuleCalendar, ScheduleWarning
from petitionkit.service.access import AccessControl
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
    #: The authenticated principal this office acts for (``None``: every use case raises
    #: :class:`~petitionkit.errors.PrincipalRequired`); bind one with :meth:`acting_as`.
    principal: Principal | None = None

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
        self.access = AccessControl(cast("Office", self))
        self._planner: Planner | None = None
        self._router: ChannelRouter | None = None

    def acting_as(self, principal: Principal) -> Office:
        """This office bound to ``principal``: same storage, rules, plugins and clock.

        The embedding system authenticates the principal; the library checks what it may do on every
        use case and records it on every event (``Principal.actor``) and every read of personal data.
        """
        from petitionkit.network import OfficeNetwork  # noqa: PLC0415 - the network opens offices

        bound = copy.copy(self)
        bound.principal = principal
        bound.uow = UnitOfWork(cast("Office", bound))
        bound.access = AccessControl(cast("Office", bound))
        if hasattr(self, "network"):
            bound.network = OfficeNetwork(cast("Office", bound), self.network.open_peer)
        return cast("Office", bound)

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
        """A case by id or by the tracking number of any of its petitions (no petitioner in it).

        A handling body's principal reads only a case referred to one of its bodies, its subject as
        the redaction policy lets the body read it.
        """
        with self.storage.transaction() as tx:
            case = self.uow.resolve(tx, case_ref)
            principal = self.access.require_visible(case, "case")
            seen = self.access.body_view(principal, case, tx.petitions_of_case(case.id))
        return self.access.redacted_case(case, seen)

    def petitions(self, case_ref: str, *, purpose: str = "") -> list[Petition]:
        """The petitions of a case, petitioners included: a read of personal data, on record.

        Needs ``read_personal_data``.  A handling body's principal reads them through the redaction
        policy (accusers and confidential petitioners hidden).  ``purpose`` is kept with the record.
        """
        with self.storage.transaction() as tx:
            case = self.uow.resolve(tx, case_ref)
            principal = self.access.require(Permission.READ_PERSONAL_DATA, case)
            petitions = tx.petitions_of_case(case.id)
            seen = self.access.body_view(principal, case, petitions)
            self.access.record(tx, principal, "petitions", count=len(petitions), case_id=case.id, purpose=purpose)
        return [self.access.redacted_petition(p, seen) for p in petitions]

    def case_file(
        self, case_ref: str, *, purpose: str = "", action: str = "case_file"
    ) -> tuple[Case, list[Petition], list[Event]]:
        """The case, its petitions and its events in one read, on record once as ``action`` (documents
        use ``"document"``).  Office staff with ``read_personal_data`` only."""
        self.access.require_office_staff(action)
        with self.storage.transaction() as tx:
            case = self.uow.resolve(tx, case_ref)
            principal = self.access.require(Permission.READ_PERSONAL_DATA, case)
            petitions = tx.petitions_of_case(case.id)
            events = tx.events_of_case(case.id)
            self.access.record(tx, principal, action, count=len(petitions), case_id=case.id, purpose=purpose)
        return case, petitions, events

    def events(self, case_ref: str) -> list[Event]:
        """The case's audit trail (no personal data); office staff only."""
        self.access.require_office_staff("events")
        with self.storage.transaction() as tx:
            return tx.events_of_case(self.uow.resolve(tx, case_ref).id)

    def close(self) -> None:
        self.storage.close()
