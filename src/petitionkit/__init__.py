"""petitionkit: the petition-case library for People's Congress petition offices (人大信访).

Start with :func:`open_office`::

    import petitionkit
    office = petitionkit.open_office({"office": {"office_code": "XS"}})  # SQLite: ./office.db
    registration = office.register({...})
"""

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
