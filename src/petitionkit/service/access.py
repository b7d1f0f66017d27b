"""Access control and access records for one office bound to a principal (``office.access``).

Every use case asks :class:`AccessControl` first: is the office bound to a principal
(:class:`~petitionkit.errors.PrincipalRequired` if not), may the principal do this on this case
(:class:`~petitionkit.errors.PermissionDenied`), and, for a read of personal data, one append-only
:class:`~petitionkit.domain.access.AccessRecord` in the transaction of the read.

The decision: a handling-body principal reaches only cases referred to one of its bodies, never a
case whose accusation is guarded against it, and does only what a body does
(:data:`~petitionkit.domain.access.BODY_PERMISSIONS`), whatever any plugin says.  Then every
``petitionkit_permission_allowed`` implementation is asked: any ``False`` denies, else any ``True``
allows, else deny (fail closed).  The built-in role policy is one such plugin.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import attrs

from petitionkit.audit.seals import seal_access
from petitionkit.domain.access import BODY_PERMISSIONS, AccessRecord, Permission, Principal, Role
from petitionkit.domain.ids import new_id
from petitionkit.domain.model import Case, Petition, ReviewStep
from petitionkit.errors import PermissionDenied, PrincipalRequired, SeparationOfDuties, UnknownPrincipal
from petitionkit.redaction import Disclosure, Item, Recipient, disclosure
from petitionkit.storage.base import Transaction

if TYPE_CHECKING:
    from petitionkit.service.office import Office


def referred_to(case: Case, body_codes: frozenset[str]) -> bool:
    """Whether ``case`` was ever transferred or assigned to one of ``body_codes``."""
    return any(r.body_code in body_codes for r in case.referrals)


class AccessControl:
    """The principal an office is bound to, what it may do, and the record of what it reads."""

    def __init__(self, office: Office) -> None:
        self.office = office

    # --- who and what ----------------------------------------------------------------------------

    def principal(self, use_case: str) -> Principal:
        """The bound principal; :class:`PrincipalRequired` when the office is not bound to one."""
        principal = self.office.principal
        if principal is None:
            raise PrincipalRequired(use_case)
        return principal

    def roles(self) -> Mapping[str, Role]:
        return self.office.rules.roles()

    def allowed(self, principal: Principal, permission: Permission, case: Case | None = None) -> bool:
        """Whether ``principal`` may do ``permission`` (on ``case``): body scope, then the decision hook."""
        if principal.is_body:
            if permission not in BODY_PERMISSIONS:
                return False
            if case is not None and not referred_to(case, principal.body_codes):
                return False
        answers = self.office.pm.hook.petitionkit_permission_allowed(
            principal=principal, permission=permission.value, case=case, roles=self.roles()
        )
        return False not in answers and True in answers

    def require(self, permission: Permission, case: Case | None = None) -> Principal:
        """The bound principal, if it may do ``permission`` (on ``case``); else raise."""
        principal = self.principal(permission.value)
        if not self.allowed(principal, permission, case):
            raise PermissionDenied(principal.id, permission.value, case.first_tracking_number if case else None)
        return principal

    def require_office_staff(self, use_case: str) -> Principal:
        """The bound principal, if it is not a handling body's (office-wide reads without personal data)."""
        principal = self.principal(use_case)
        if principal.is_body:
            raise PermissionDenied(principal.id, "read_office", None)
        return principal

    def require_visible(self, case: Case, use_case: str) -> Principal:
        """The bound principal, if it may see ``case`` at all (a body: only the cases referred to it)."""
        principal = self.principal(use_case)
        if principal.is_body and not referred_to(case, principal.body_codes):
            raise PermissionDenied(principal.id, "read_case", case.first_tracking_number)
        return principal

    def approver(self, approved_by: Principal | str, case: Case, requester: Principal) -> Principal:
        """The approver of an extension: a configured principal who may approve, not the requester."""
        if isinstance(approved_by, str):
            entry = self.office.config.principal_entry(approved_by)
            if entry is None:
                known = [p.id for p in self.office.config.principals]
                raise UnknownPrincipal("approved_by", approved_by, known)
            approved_by = entry.principal()
        if approved_by.id == requester.id:
            raise SeparationOfDuties("approved_by", approved_by.id, "same_principal")
        if not self.allowed(approved_by, Permission.EXTEND_APPROVE, case):
            raise SeparationOfDuties("approved_by", approved_by.id, "not_approver")
        return approved_by

    # --- what a body may read --------------------------------------------------------------------

    def body_view(self, principal: Principal, case: Case, petitions: Sequence[Petition]) -> Disclosure | None:
        """What a body principal may read of ``case`` (``None`` for office staff, who read it whole).

        Raises :class:`PermissionDenied` when the redaction policy refuses every one of its bodies
        (an accusation guarded against it, or an unresolved respondent).
        """
        if not principal.is_body:
            return None
        for code in sorted(principal.body_codes & {r.body_code for r in case.referrals}):
            seen = disclosure(case, petitions, self.office.rules, Recipient.HANDLING_BODY, body_code=code)
            if seen.refused is None:
                return seen
        raise PermissionDenied(principal.id, "read_case", case.first_tracking_number)

    @staticmethod
    def redacted_case(case: Case, seen: Disclosure | None) -> Case:
        """``case`` as a body may read it: the subject and every text written in the office or by bodies
        (notes, feedback, reasons, replies, opinions, comments) with protected identities struck."""
        if seen is None:
            return case

        def note(text: str) -> str:
            return seen.text(Item.NOTES, text)

        def optional(text: str | None) -> str | None:
            return None if text is None else note(text)

        def step(review: ReviewStep | None) -> ReviewStep | None:
            if review is None:
                return None
            return attrs.evolve(review, reason=note(review.reason), opinion=optional(review.opinion))

        return attrs.evolve(
            case,
            subject=seen.text(Item.SUBJECT, case.subject),
            referrals=tuple(
                attrs.evolve(
                    r,
                    note=note(r.note),
                    feedback=optional(r.feedback),
                    feedbacks=tuple(attrs.evolve(f, text=note(f.text)) for f in r.feedbacks),
                )
                for r in case.referrals
            ),
            decline=None if case.decline is None else attrs.evolve(case.decline, reason=note(case.decline.reason)),
            extension=None
            if case.extension is None
            else attrs.evolve(case.extension, reason=note(case.extension.reason)),
            reply=None if case.reply is None else attrs.evolve(case.reply, text=note(case.reply.text)),
            evaluations=tuple(attrs.evolve(e, comment=note(e.comment)) for e in case.evaluations),
            review=step(case.review),
            rereview=step(case.rereview),
            closed_reason=optional(case.closed_reason),
        )

    @staticmethod
    def redacted_petition(petition: Petition, seen: Disclosure | None) -> Petition:
        if seen is None:
            return petition
        people = tuple(shown for p in petition.petitioners if (shown := seen.person(p)) is not None)
        return attrs.evolve(
            petition,
            petitioners=people,
            subject=seen.text(Item.SUBJECT, petition.subject),
            content=seen.text(Item.CONTENT, petition.content),
            source_ref=None if len(people) < len(petition.petitioners) else petition.source_ref,
        )

    # --- the record ------------------------------------------------------------------------------

    def record(
        self,
        tx: Transaction,
        principal: Principal,
        action: str,
        *,
        count: int,
        case_id: str | None = None,
        query: str = "",
        purpose: str = "",
    ) -> AccessRecord:
        """Append one access record in ``tx`` (the read's own transaction)."""
        record = AccessRecord(
            id=new_id(),
            office_code=self.office.config.office_code,
            principal_id=principal.id,
            roles="+".join(sorted(principal.roles)),
            at=self.office.now(),
            action=action,
            case_id=case_id,
            query=query,
            count=count,
            purpose=purpose,
        )
        record = seal_access(record, self.office.uow.keyring)  # an edit behind petitionkit's back is found
        tx.append_access([record])
        return record
