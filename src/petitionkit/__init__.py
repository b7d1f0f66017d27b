"""petitionkit: the petition-case library for People's Congress petition offices (人大信访).

Start with :func:`open_office`::

    import petitionkit
    office = petitionkit.open_office({"office": {"office_code": "XS"}})  # SQLite: ./office.db
    registration = office.register({...})
"""

from typing import TYPE_CHECKING, Any

from petitionkit.config import OfficeConfig
from petitionkit.domain.drafts import PetitionDraft
from petitionkit.domain.model import (
    Body,
    BodyKind,
    Case,
    CaseState,
    Channel,
    DeclineChannel,
    EvaluationRating,
    Person,
    PetitionerRole,
    PetitionKind,
    ReplyOutcome,
    Respondent,
)
from petitionkit.errors import PetitionkitError

if TYPE_CHECKING:
    from petitionkit.service import Office, Registration, open_office

__version__ = "0.1.0"

__all__ = [
    "Body",
    "BodyKind",
    "Case",
    "CaseState",
    "Channel",
    "DeclineChannel",
    "EvaluationRating",
    "Office",
    "OfficeConfig",
    "Person",
    "PetitionDraft",
    "PetitionKind",
    "PetitionerRole",
    "PetitionkitError",
    "Registration",
    "ReplyOutcome",
    "Respondent",
    "open_office",
]


def __getattr__(name: str) -> Any:
    """The service's names, imported on first use: ``import petitionkit.cli`` (a command's start-up)
    does not pay for the whole service layer (issue 21)."""
    if name in ("Office", "Registration", "open_office"):
        from petitionkit import service  # noqa: PLC0415

        return getattr(service, name)
    raise AttributeError(f"module 'petitionkit' has no attribute {name!r}")
