"""Who a case must be protected from (保护检举控告人, 为信访人保密): per petition, the case the strictest.

Protection belongs to each petition (信访件), and a case (信访事项) inherits the strictest of its
petitions (2022 art. 30 para. 3):

* every **accusation** (检举控告类) petition of the case — the first one or a repeat that joined a claim
  case — guards the case against its respondent's unit (被检举单位) and, where the rule set says so
  (``[whistleblower] guard_parent_body``), that unit's parent body;
* a respondent must **resolve** to a body the office knows (or a clerk must confirm that the unit is
  none of them) before an accusation can leave the office at all: an unresolved respondent blocks
  every body-bound path, because the guard cannot know whom to keep it from;
* a **confidential** petition (要求保密) hides its petitioners' identity on every body-bound path;
  a case with any accusation hides every petitioner's identity from every body.

Respondent body codes are normalised at registration: whitespace (also full-width) removed, NFKC
folded, matched case-insensitively against the declared codes; a unit given by name only is matched
against the bodies' names and declared aliases (``aliases`` in a rule pack's ``[[bodies]]``).
Nothing here does I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

import attrs

from petitionkit.domain.model import Body, Case, Person, Petition, PetitionKind, Respondent
from petitionkit.domain.ports import Rules
from petitionkit.errors import FieldError

_SPACE = re.compile(r"\s+")
# Words a petitioner may add around a unit's name ("县住建局的" / "原县住建局") are not guessed at:
# only the whole name, after folding, matches.


def fold_code(code: str) -> str:
    """A body code as compared: NFKC (full-width letters and hyphens), no whitespace, case-folded."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", code)).casefold()


def fold_name(name: str) -> str:
    """A unit's name as compared: NFKC, no whitespace, case-folded (so "清溪县 住建局" matches)."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", name)).casefold()


@attrs.frozen
class BodyDirectory:
    """The bodies of a rule set indexed by folded code and by folded name and alias."""

    by_code: dict[str, str]
    by_name: dict[str, str]

    @classmethod
    def of(cls, bodies: Iterable[Body]) -> BodyDirectory:
        by_code: dict[str, str] = {}
        by_name: dict[str, str] = {}
        for body in bodies:
            by_code.setdefault(fold_code(body.code), body.code)
            for name in (body.name, *body.aliases):
                if name.strip():
                    by_name.setdefault(fold_name(name), body.code)
        return cls(by_code, by_name)

    def code(self, typed: str) -> str | None:
        """The declared code ``typed`` means (``None``: no body has it)."""
        return self.by_code.get(fold_code(typed))

    def named(self, unit_name: str) -> str | None:
        """The code of the body whose name or alias is ``unit_name`` (``None``: none)."""
        return self.by_name.get(fold_name(unit_name))


def normalise_respondent(
    respondent: Respondent | None, bodies: Iterable[Body], *, strict: bool = True
) -> tuple[Respondent | None, list[FieldError]]:
    """The respondent with its body code normalised, or found from the unit's name.

    With ``strict`` (registration), a body code that is no known body is a field error
    (``respondent.body_code``); without it (a referral from another office), such a code is dropped
    and the respondent stays unresolved for a clerk to resolve.  ``unlisted`` from outside is never
    trusted: only :func:`petitionkit.respondents.resolve_respondent` records it.
    """
    if respondent is None:
        return None, []
    directory = BodyDirectory.of(bodies)
    respondent = attrs.evolve(respondent, unlisted=False)
    if respondent.body_code is not None and respondent.body_code.strip():
        code = directory.code(respondent.body_code)
        if code is not None:
            return attrs.evolve(respondent, body_code=code), []
        if strict:
            return respondent, [FieldError("respondent.body_code", "unknown_respondent_body")]
        respondent = attrs.evolve(respondent, body_code=None)
    else:
        respondent = attrs.evolve(respondent, body_code=None)
    if respondent.unit_name:
        code = directory.named(respondent.unit_name)
        if code is not None:
            return attrs.evolve(respondent, body_code=code), []
    return respondent, []


def is_resolved(respondent: Respondent | None) -> bool:
    """Whether the guard knows whom an accusation against ``respondent`` must be kept from."""
    return respondent is not None and (respondent.body_code is not None or respondent.unlisted)


@attrs.frozen
class CaseProtection:
    """What a case must be protected from, derived from every one of its petitions."""

    has_accusation: bool
    # Bodies nothing of the case may ever reach: each accusation's unit (and parent, when guarded).
    guarded_bodies: frozenset[str]
    # Tracking numbers of accusation petitions whose respondent does not resolve (blocks every body).
    unresolved: tuple[str, ...]
    # People whose identity no body may learn: every petitioner of a confidential petition, and every
    # petitioner of a case with an accusation or marked confidential.
    protected_people: tuple[Person, ...]
    # Everyone who petitioned in the case (report readers see none of them).
    people: tuple[Person, ...]
    # Units any petition complains about, and their guarded parents: such a body may handle a claim
    # about itself, but never learns who complained.
    complained_of: frozenset[str] = frozenset()

    @property
    def blocks_bodies(self) -> bool:
        """Nothing may go to any body while an accusation's respondent is unresolved."""
        return bool(self.unresolved)

    def is_protected(self, person: Person) -> bool:
        return person in self.protected_people


def guarded_bodies_of(respondent: Respondent | None, rules: Rules) -> frozenset[str]:
    """The accused unit of ``respondent`` and, if the rule set guards parents, its parent."""
    if respondent is None or respondent.body_code is None:
        return frozenset()
    return frozenset({respondent.body_code, *rules.guarded_bodies(respondent)})


def case_protection(case: Case, petitions: Sequence[Petition], rules: Rules) -> CaseProtection:
    """The protection ``case`` inherits from ``petitions`` (all of its petitions).

    When ``petitions`` is empty (not read), the case's own kind and respondent stand in for its
    first petition, so a caller that forgot to read them still gets the case-level guard.
    """
    accusations: list[tuple[str, Respondent | None]] = [
        (p.tracking_number, p.respondent) for p in petitions if p.kind is PetitionKind.ACCUSATION
    ]
    if not petitions and case.kind is PetitionKind.ACCUSATION:
        accusations.append((case.first_tracking_number, case.respondent))
    guarded: set[str] = set()
    unresolved: list[str] = []
    for tracking, respondent in accusations:
        if not is_resolved(respondent):
            unresolved.append(tracking)
        guarded |= guarded_bodies_of(respondent, rules)
    has_accusation = bool(accusations) or case.kind is PetitionKind.ACCUSATION
    if case.kind is PetitionKind.ACCUSATION:
        guarded |= guarded_bodies_of(case.respondent, rules)
    people = tuple(dict.fromkeys(person for p in petitions for person in p.petitioners))
    whole_case = has_accusation or case.confidential
    protected = tuple(
        dict.fromkeys(person for p in petitions if whole_case or p.confidential for person in p.petitioners)
    )
    complained_of = {code for p in petitions for code in guarded_bodies_of(p.respondent, rules)}
    complained_of |= guarded_bodies_of(case.respondent, rules)
    return CaseProtection(
        has_accusation, frozenset(guarded), tuple(unresolved), protected, people, frozenset(complained_of)
    )
