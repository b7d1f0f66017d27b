"""What the case page shows and offers of a case's casework (issue 22): the knowledge for its category,
its receptions (接谈), investigations (调查核实), citations and attachments, each read as the signed-in
principal through the service.

Nothing here decides who may read what: the service does (``case_knowledge`` needs an office principal
allowed to screen the case; ``casework`` and ``attachments`` need ``read_personal_data`` on record and
apply the redaction policy, so an accused body reads none of an accusation's casework).  A read the
service refuses is simply not shown; the forms are offered only when the principal's roles allow the
write, which the service checks again when the form is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs

from petitionkit.domain.access import Permission
from petitionkit.domain.attachments import Attachment, AttachmentKind
from petitionkit.domain.casework import InquiryKind, Investigation, InvestigationMode, Reception, ReceptionChannel
from petitionkit.domain.knowledge import Provision
from petitionkit.errors import PermissionDenied
from petitionkit.service.casework import CitationView, KnowledgeView, citation_views

if TYPE_CHECKING:
    from petitionkit.domain.model import Case
    from petitionkit.web.context import Visit

PURPOSE = "workspace case page"

#: Each casework form's inputs, as the service names its arguments (so its field errors land beside them).
FORMS: Mapping[str, tuple[str, ...]] = {
    "receive": ("channel", "received_at", "petitioner_ref", "asked", "explained", "citations", "response", "settled"),
    "attach": ("file", "kind"),
    "plan_investigation": ("mode", "investigators", "places", "due_on", "purpose"),
    "record_inquiry": ("investigation", "kind", "at", "place", "persons", "summary"),
    "add_evidence": ("investigation", "attachment_id", "description"),
    "record_findings": ("investigation", "findings"),
}

CHOICES: Mapping[str, tuple[str, ...]] = {
    "reception_channel": tuple(c.value for c in ReceptionChannel),
    "attachment_kind": tuple(k.value for k in AttachmentKind),
    "investigation_mode": tuple(m.value for m in InvestigationMode),
    "inquiry_kind": tuple(k.value for k in InquiryKind),
}


@attrs.frozen
class CaseworkPanel:
    """The casework the principal may see of one case, and which casework forms it is offered."""

    knowledge: KnowledgeView | None  # None: not office staff allowed to screen this case
    receptions: tuple[Reception, ...]
    investigations: tuple[Investigation, ...]
    citations: tuple[CitationView, ...]
    attachments: tuple[Attachment, ...] | None  # None: the principal may not read this case's files
    may_receive: bool
    may_attach: bool
    may_investigate: bool

    @property
    def provisions(self) -> tuple[Provision, ...]:
        """The provisions a form may cite (those in force for the case's category today)."""
        return self.knowledge.provisions if self.knowledge is not None else ()

    @property
    def with_findings(self) -> tuple[Investigation, ...]:
        """The investigations whose findings a reply may state."""
        return tuple(i for i in self.investigations if i.findings is not None)

    @property
    def open_investigations(self) -> tuple[Investigation, ...]:
        return tuple(i for i in self.investigations if i.concluded_at is None)


def casework_panel(visit: Visit, case: Case) -> CaseworkPanel:
    """Read the case's casework as ``visit``'s principal (one ``casework`` read and one ``attachments``
    read, both on record with the page's purpose)."""
    office, principal = visit.office, visit.principal
    assert principal is not None
    ref = case.first_tracking_number
    staff = not principal.is_body

    def allowed(permission: Permission) -> bool:
        return office.access.allowed(principal, permission, case)

    knowledge = office.case_knowledge(ref) if staff and allowed(Permission.SCREEN) else None
    records = []
    attachments: tuple[Attachment, ...] | None = None
    if allowed(Permission.READ_PERSONAL_DATA):
        records = office.casework(ref, purpose=PURPOSE)
        try:
            attachments = tuple(office.attachments(ref, purpose=PURPOSE))
        except PermissionDenied:  # a file cannot be redacted: a body hidden from someone reads none
            attachments = None
    return CaseworkPanel(
        knowledge=knowledge,
        receptions=tuple(r for r in records if isinstance(r, Reception)),
        investigations=tuple(r for r in records if isinstance(r, Investigation)),
        citations=tuple(citation_views(records, office.rules.knowledge(), office.today())),
        attachments=attachments,
        may_receive=staff and allowed(Permission.REGISTER),
        may_attach=staff and allowed(Permission.REGISTER),
        may_investigate=staff and allowed(Permission.SCREEN),
    )


def field_names() -> list[str]:
    """Every casework form's field, as the service names it (the page shows their errors beside them)."""
    return sorted({name for names in FORMS.values() for name in names})
