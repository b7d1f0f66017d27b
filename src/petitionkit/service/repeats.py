"""Repeat detection at intake (重复信访): candidate cases for a petition being registered, with why.

A repeat is "the same person + the same matter" (docs/repeats.md):

* **same person**: a petitioner of the new petition and one of an earlier case share an identity key
  (:func:`petitionkit.domain.tracking.identity_keys`: the ID number; the name with the phone; the phone;
  the name with the address), all normalised (full-width digits, ``+86``, a lower-case ``x``).  The
  lookup is one index range scan on the stored keys: the SQL store keeps only their keyed blind
  indexes (HMAC, :meth:`petitionkit.storage.sql.crypto.FieldCipher.blind`), the memory store a dict.
* **same matter**: the respondent, the region, the category, and the similarity of the texts
  (jieba words weighted by TF-IDF, :func:`petitionkit.reports.text.similarities`, as the reports'
  same-matter clusters use).

Each candidate case gets a *person* score (noisy-or of the keys that matched) and a *matter* score
(a weighted mean of the matter signals present); its score is their product, and the rule pack's
``[repeats] threshold`` decides which are shown.  The reasons list every signal that counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from petitionkit.domain.access import Permission
from petitionkit.domain.drafts import PetitionDraft
from petitionkit.domain.model import Case, Petition, Respondent
from petitionkit.domain.protection import normalise_respondent
from petitionkit.domain.tracking import NAME_PHONE_KEY, identity_keys
from petitionkit.errors import PetitionkitError
from petitionkit.i18n import LOCALES, translate
from petitionkit.serialization import structure_draft
from petitionkit.service.base import OfficeBase
from petitionkit.storage.base import Transaction

# How much each kind of identity key says that two petitioners are the same person.
# A phone alone is weak: relatives share one.
PERSON_WEIGHTS: Mapping[str, float] = {"id_number": 1.0, "name_phone": 1.0, "name_address": 0.9, "phone": 0.6}
# How much each matter signal weighs; a signal that cannot be compared (no respondent on one side,
# text similarity without the reports extra) is left out and the others are re-weighted.
MATTER_WEIGHTS: Mapping[str, float] = {"text": 0.55, "respondent": 0.2, "region": 0.15, "category": 0.1}
# Both sides name a respondent and no name matches: another matter more likely than not (the same
# person's complaint against another employer, another unit), so the matter score is multiplied by this.
RESPONDENT_MISMATCH = 0.5
# Texts that share (almost) no weighted word: another matter more likely than not, whatever else agrees.
TEXT_UNRELATED = 0.1
TEXT_UNRELATED_FACTOR = 0.6
# The most candidate cases compared for one petition (a person with more cases: those matching on
# the most identity keys, then the latest).
MAX_CASES = 50
# A text similarity below this is not given as a reason (it still counts in the score).
TEXT_REASON_FLOOR = 0.2


@attrs.frozen
class RepeatReason:
    """One reason a case is a repeat candidate: ``code`` names it, ``similarity`` for the text."""

    code: str  # id_number, name_phone, phone, name_address, respondent, region, category, text
    similarity: float | None = None

    def text(self, locale: str = "zh-CN") -> str:
        if self.similarity is None:
            return translate("repeats.reason." + self.code, locale)
        return translate("repeats.reason." + self.code, locale, similarity=f"{self.similarity:.2f}")

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "similarity": self.similarity, "text": {loc: self.text(loc) for loc in LOCALES}}


@attrs.frozen
class RepeatCandidate:
    """An earlier case the petition may repeat, with its score (0..1) and the reasons."""

    case: Case
    score: float
    person: float
    matter: float
    reasons: tuple[RepeatReason, ...]

    @property
    def tracking_number(self) -> str:
        return self.case.first_tracking_number

    def to_dict(self) -> dict[str, Any]:
        c = self.case
        return {
            "tracking_number": c.first_tracking_number,
            "state": c.state.value,
            "category": c.category,
            "region_code": c.region_code,
            "subject": c.subject,
            "opened_at": c.opened_at.isoformat(),
            "score": self.score,
            "person": self.person,
            "matter": self.matter,
            "reasons": [r.to_dict() for r in self.reasons],
        }

    def describe(self, locale: str = "zh-CN") -> str:
        """One line a clerk reads: tracking number, state, score and reasons."""
        sep = "; " if locale == "en" else "；"
        return translate(
            "repeats.candidate",
            locale,
            case=self.case.first_tracking_number,
            state=translate("state." + self.case.state.value, locale),
            score=f"{self.score:.2f}",
            reasons=sep.join(r.text(locale) for r in self.reasons),
        )


class RepeatSuspected(PetitionkitError):
    """The petition looks like a repeat of earlier cases: join one, or register it as new with a reason.

    Raised by ``register(..., refuse_repeats=True)``; nothing is stored.  ``candidates`` are the cases.
    """

    code = "repeat_suspected"
    exit_code = 11
    key = "error.repeat_suspected"

    def __init__(self, candidates: Sequence[RepeatCandidate]) -> None:
        super().__init__()
        self.candidates = tuple(candidates)

    def params(self, locale: str) -> dict[str, Any]:
        sep = " | "
        return {"count": len(self.candidates), "cases": sep.join(c.describe(locale) for c in self.candidates)}

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["candidates"] = [c.to_dict() for c in self.candidates]
        return data


# --- scoring (pure) -----------------------------------------------------------------------------------


def _compact(value: str | None) -> str:
    return "".join(ch for ch in (value or "").casefold() if ch.isalnum())


def respondent_keys(respondent: Respondent | None) -> set[str]:
    """What identifies a respondent for comparison: its body code, unit name, person name (compacted)."""
    if respondent is None:
        return set()
    keys = set()
    if respondent.body_code:
        keys.add("body:" + respondent.body_code)
    if unit := _compact(respondent.unit_name):
        keys.add("unit:" + unit)
    if person := _compact(respondent.person_name):
        keys.add("person:" + person)
    return keys


def person_score(kinds: Sequence[str]) -> float:
    """Noisy-or of the identity keys that matched."""
    miss = 1.0
    for kind in set(kinds):
        miss *= 1.0 - PERSON_WEIGHTS[kind]
    return 1.0 - miss


def matter_score(signals: Mapping[str, float | None]) -> float:
    """Weighted mean of the matter signals (0..1) present; ``None``: that signal cannot be compared."""
    present = {k: v for k, v in signals.items() if v is not None}
    total = sum(MATTER_WEIGHTS[k] for k in present)
    if total == 0:
        return 0.0
    return sum(MATTER_WEIGHTS[k] * v for k, v in present.items()) / total


def score_case(
    draft: PetitionDraft, case: Case, petitions: Sequence[Petition], kinds: Sequence[str], text: float | None
) -> RepeatCandidate:
    """Score ``case`` (with its ``petitions``) against ``draft``; ``kinds``: the identity keys that matched."""
    mine = respondent_keys(draft.respondent)
    theirs = respondent_keys(case.respondent).union(*(respondent_keys(p.respondent) for p in petitions))
    respondent = (1.0 if mine & theirs else 0.0) if mine and theirs else None
    regions = {case.region_code, *(p.region_code for p in petitions)}
    categories = {case.category, *(p.category for p in petitions)}
    signals = {
        "text": text,
        "respondent": respondent,
        "region": 1.0 if draft.region_code in regions else 0.0,
        "category": 1.0 if draft.category in categories else 0.0,
    }
    person, matter = person_score(kinds), matter_score(signals)
    if respondent == 0.0:
        matter *= RESPONDENT_MISMATCH
    if text is not None and text < TEXT_UNRELATED:
        matter *= TEXT_UNRELATED_FACTOR
    reasons = [RepeatReason(k) for k in PERSON_WEIGHTS if k in kinds]
    reasons += [RepeatReason(k) for k in ("respondent", "region", "category") if signals[k] == 1.0]
    if text is not None and text >= TEXT_REASON_FLOOR:
        reasons.append(RepeatReason("text", round(text, 2)))
    return RepeatCandidate(case, round(person * matter, 3), round(person, 3), round(matter, 3), tuple(reasons))


def draft_keys(draft: PetitionDraft) -> dict[str, str]:
    """The identity keys of every petitioner of ``draft`` (none for an anonymous petition)."""
    if draft.anonymous:
        return {}
    keys: dict[str, str] = {}
    for person in draft.petitioners:
        for key, kind in identity_keys(person).items():
            keys[key] = kind
            # a name with a phone is stored bare (no ID number given) or as "namephone:" (beside one)
            if kind == "name_phone":
                bare = key.rpartition(":")[2]
                keys[bare] = keys[f"{NAME_PHONE_KEY}:{bare}"] = kind
    return keys


def _text(subject: str, content: str) -> str:
    return f"{subject}\n{content}"


# --- the use case -------------------------------------------------------------------------------------


class RepeatDetection(OfficeBase):
    def check_repeats(self, petition: PetitionDraft | Mapping[str, Any], *, purpose: str = "") -> list[RepeatCandidate]:
        """Earlier cases this petition may repeat (重复信访), best first, with their scores and reasons.

        A preview before :meth:`register`: nothing is stored but the access record.  Only cases scoring
        at least the rule pack's ``[repeats] threshold`` are returned.  Needs ``register`` and
        ``read_personal_data``; a search by identity, so it is on record (``find_repeats``).
        """
        draft = petition if isinstance(petition, PetitionDraft) else structure_draft(petition)
        # the respondent's unit resolved to a body as registration would (compared by body code)
        respondent, _ = normalise_respondent(draft.respondent, self.rules.bodies(), strict=False)
        return self._check_repeats(attrs.evolve(draft, respondent=respondent), purpose, always=True)

    def find_repeats(self, petition: PetitionDraft | Mapping[str, Any], *, purpose: str = "") -> list[Case]:
        """The cases of :meth:`check_repeats` (kept for callers of earlier versions)."""
        return [c.case for c in self.check_repeats(petition, purpose=purpose)]

    def _check_repeats(self, draft: PetitionDraft, purpose: str, *, always: bool = False) -> list[RepeatCandidate]:
        """The candidates; on record when asked for (``always``) or when some are shown (at registration)."""
        principal = self.access.require(Permission.REGISTER)
        self.access.require(Permission.READ_PERSONAL_DATA)
        with self.storage.transaction() as tx:
            found = self._repeat_candidates(tx, draft)
            if found or always:
                query = f"repeats by identity and matter; candidates={len(found)}"
                self.access.record(tx, principal, "find_repeats", count=len(found), query=query, purpose=purpose)
        return found

    def _repeat_candidates(self, tx: Transaction, draft: PetitionDraft) -> list[RepeatCandidate]:
        """The candidates of ``draft`` read in ``tx`` (no permission check, no access record)."""
        keys = draft_keys(draft)
        if not keys:
            return []
        kinds_of: dict[str, list[str]] = defaultdict(list)
        for digest, case_id in tx.identity_matches(self.config.office_code, list(keys)):
            kinds_of[case_id].append(keys[digest])
        if not kinds_of:
            return []
        loaded = [(c, kinds_of[c.id]) for i in kinds_of if (c := tx.get_case(i)) is not None]
        loaded.sort(key=lambda item: (-len(set(item[1])), -item[0].opened_at.timestamp(), item[0].id))
        loaded = loaded[:MAX_CASES]
        petitions = {c.id: tx.petitions_of_case(c.id) for c, _ in loaded}
        texts = self._text_similarity(draft, [petitions[c.id] for c, _ in loaded])
        threshold = self.rules.repeat_policy().threshold
        scored = [
            score_case(draft, case, petitions[case.id], kinds, text)
            for (case, kinds), text in zip(loaded, texts, strict=True)
        ]
        found = [c for c in scored if c.score >= threshold]
        found.sort(key=lambda c: (-c.score, c.case.first_tracking_number))
        return found

    def _text_similarity(self, draft: PetitionDraft, groups: Sequence[Sequence[Petition]]) -> list[float | None]:
        """For each case, the best similarity of the draft's text to one of its petitions."""
        # imported here: the reports package is heavy and most commands never compare texts
        from petitionkit.reports.text import similarities, text_tools_installed  # noqa: PLC0415

        if not text_tools_installed():
            return [None] * len(groups)
        flat = [_text(p.subject, p.content) for group in groups for p in group]
        scores = iter(similarities(_text(draft.subject, draft.content), flat))
        return [max((next(scores) for _ in group), default=0.0) for group in groups]
