"""A clerk resolves an accusation's respondent (确认被检举单位).

An accusation whose respondent unit is not a known body (a unit named in words no rule pack
declares, a person without a unit, no respondent at all) can be registered but nothing of its case
may go to any body (:class:`~petitionkit.errors.RespondentUnresolved`): the guard of 2022 art. 30
para. 3 cannot know whom to keep it from.  The clerk settles it here — the body the accused unit is,
or that it is none of the bodies the office knows (``unlisted``) — and the resolution is a
``RespondentResolved`` event on the case (no names in it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from petitionkit.domain import event_types as ev
from petitionkit.domain import lifecycle as lc
from petitionkit.domain.access import Permission
from petitionkit.domain.model import Case, PetitionKind, Respondent
from petitionkit.domain.protection import BodyDirectory, is_resolved
from petitionkit.errors import FieldError, InvalidInput, UnknownBody

if TYPE_CHECKING:
    from petitionkit.service import Office
    from petitionkit.storage.base import Transaction


def resolve_respondent(
    office: Office,
    case_ref: str,
    *,
    body: str | None = None,
    unlisted: bool = False,
    petition: str | None = None,
) -> Case:
    """Record that the accused unit of the case's accusation(s) is ``body`` (or, ``unlisted``, none known).

    ``petition`` (a tracking number) names one accusation petition — also to correct an earlier
    resolution; without it every accusation of the case whose respondent is unresolved is resolved.
    Raises :class:`InvalidInput` (both or neither of ``body``/``unlisted``; nothing to resolve; the
    petition is not an accusation of the case) or :class:`UnknownBody`; nothing is written then.
    The office's principal needs ``screen``.
    """
    if (body is None) == (not unlisted):
        raise InvalidInput([FieldError("body", "one_resolution")])
    code: str | None = None
    if body is not None:
        code = BodyDirectory.of(office.rules.bodies()).code(body)
        if code is None:
            raise UnknownBody(body)

    def resolve(tx: Transaction, case: Case, ctx: lc.Context) -> lc.Decision:
        accusations = [p for p in tx.petitions_of_case(case.id) if p.kind is PetitionKind.ACCUSATION]
        if petition is not None:
            targets = [p for p in accusations if p.tracking_number == petition]
            if not targets:
                raise InvalidInput([FieldError("petition", "not_accusation")])
        else:
            targets = [p for p in accusations if not is_resolved(p.respondent)]
            if not targets:
                raise InvalidInput([FieldError("respondent", "nothing_unresolved")])
        resolutions = []
        case_respondent = None
        for target in targets:
            resolved = attrs.evolve(target.respondent or Respondent(), body_code=code, unlisted=unlisted)
            tx.set_petition_respondent(target.id, resolved)
            resolutions.append(
                ev.RespondentResolved(petition=target.tracking_number, body_code=code, unlisted=unlisted)
            )
            if target.tracking_number == case.first_tracking_number:
                case_respondent = resolved
        return lc.resolve_respondents(case, resolutions, case_respondent, ctx)

    return office.uow.run(case_ref, resolve, permission=Permission.SCREEN)
