"""The :class:`Office`: one method per use case, grouped by what the office does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from petitionkit.domain.model import Case
from petitionkit.service.attachments import AttachmentUseCases
from petitionkit.service.casework import CaseworkUseCases
from petitionkit.service.commands import CaseCommands
from petitionkit.service.delivery import Delivery
from petitionkit.service.documents import DocumentUseCases
from petitionkit.service.history import HistoryUseCases
from petitionkit.service.integration import Integrations
from petitionkit.service.paging import ListPages
from petitionkit.service.queries import CaseQueries
from petitionkit.service.registration import RegistrationUseCases
from petitionkit.service.search import SearchUseCases


class Office(
    RegistrationUseCases,
    CaseCommands,
    CaseQueries,
    ListPages,
    Delivery,
    HistoryUseCases,
    Integrations,
    CaseworkUseCases,
    DocumentUseCases,
    AttachmentUseCases,
    SearchUseCases,
):
    """A working petition office.  Create it with :func:`~petitionkit.service.open_office`.

    Use cases: registration (:class:`~petitionkit.service.registration.RegistrationUseCases`), the case
    commands (:class:`~petitionkit.service.commands.CaseCommands`), reading the office
    (:class:`~petitionkit.service.queries.CaseQueries`, paged lists in
    :class:`~petitionkit.service.paging.ListPages`), delivery
    (:class:`~petitionkit.service.delivery.Delivery`), whole case histories in and out
    (:class:`~petitionkit.service.history.HistoryUseCases`) and what integrations use
    (:class:`~petitionkit.service.integration.Integrations`: API keys, the changes feed), reception,
    investigation and knowledge (:class:`~petitionkit.service.casework.CaseworkUseCases`), attachments
    (:class:`~petitionkit.service.attachments.AttachmentUseCases`) and search
    (:class:`~petitionkit.service.search.SearchUseCases`); each change
    runs in the office's unit of work (``office.uow``, :class:`~petitionkit.service.unit_of_work.UnitOfWork`).
    """

    def resolve_respondent(
        self,
        case_ref: str,
        *,
        body: str | None = None,
        unlisted: bool = False,
        petition: str | None = None,
    ) -> Case:
        """A clerk resolves an accusation's respondent unit (确认被检举单位); recorded as an event.

        See :func:`petitionkit.respondents.resolve_respondent`.
        """
        from petitionkit.respondents import resolve_respondent  # noqa: PLC0415 - it drives the office

        return resolve_respondent(self, case_ref, body=body, unlisted=unlisted, petition=petition)

    def export_for_body(self, body_code: str, *, purpose: str = "") -> Iterator[dict[str, Any]]:
        """Petition documents of the cases referred to ``body_code``, safe to hand to that body.

        Every document goes through the redaction policy (:mod:`petitionkit.redaction`): a case
        guarded against the body, or with an unresolved accusation respondent, is never exported (an
        ``ExportRefused`` event records each refusal); protected identities are withheld, also where
        they appear in the subject or content.  Needs ``export`` (a body's principal: its own bodies
        only); one access record counts the documents handed over.
        """
        from petitionkit.exchange import export_for_body  # noqa: PLC0415 - exchange reads the office

        return export_for_body(self, body_code, purpose=purpose)

    def __enter__(self) -> Office:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
