"""The redaction policy (脱敏规则): what each recipient may learn of a case, in one place.

Every path out of the office asks this module, never its own rule: outbox messages of every
channel (and so webhooks), Word documents, ``export_for_body`` and reports.  For a case (with all of
its petitions) and a recipient kind it decides

* whether anything may go at all (:attr:`Disclosure.refused`): nothing of a case reaches a body it
  is guarded against (the unit of any accusation in it, or that unit's parent when the rule set
  guards parents), and nothing reaches *any* body while an accusation's respondent is unresolved
  (2022 art. 30 para. 3: redacting the name is not enough, such an item is never routed there);
* which petitioners' identities (name, ID number, phone, address, e-mail) it may see
  (:data:`POLICY`, documented as a table in ``docs/security.md`` and tested against it); to a body a
  petition complains about (even a claim's), every petitioner's identity counts as protected;
* how free text is shown: ``redacted`` text has every identity the recipient may not see struck
  (``***``) wherever it appears — also spaced, hyphenated or in full-width digits — and, when anyone
  is hidden, every ID-number-, mobile- and e-mail-shaped string as well.

It fails closed: an unknown recipient kind sees nothing, and a value it cannot classify is withheld.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any, Final

import attrs

from petitionkit.domain.model import Case, Person, Petition
from petitionkit.domain.ports import Rules
from petitionkit.domain.protection import CaseProtection, case_protection
from petitionkit.errors import ProtectionRefusal, RespondentUnresolved, WhistleblowerGuard

STRUCK: Final = "***"
WITHHELD_NAME: Final = "（依法保密）"


class Recipient(enum.StrEnum):
    """Who a piece of a case is addressed to."""

    PETITIONER = "petitioner"  # 信访人: notices about their own matter
    OFFICE_STAFF = "office_staff"  # 信访工作人员: inside the office
    HANDLING_BODY = "handling_body"  # 承办单位: a body a case is transferred or assigned to
    PARENT_BODY = "parent_body"  # 上级机关: escalation notices about a body's late report
    REPORT_READER = "report_reader"  # 报告阅读者: chairpersons' council, Standing Committee


class Item(enum.StrEnum):
    """What of a case a recipient may see."""

    ORDINARY_IDENTITY = "ordinary_identity"  # a petitioner no rule protects
    PROTECTED_IDENTITY = "protected_identity"  # confidential petition, or any petitioner of an accusation case
    SUBJECT = "subject"  # 事由
    CONTENT = "content"  # the petition's text
    NOTES = "notes"  # notes, reasons, reply and report texts written in the office or by bodies


class Visibility(enum.StrEnum):
    SHOWN = "shown"
    REDACTED = "redacted"  # shown with every identity the recipient may not see struck
    WITHHELD = "withheld"


class Gate(enum.StrEnum):
    """Case-level conditions under which nothing at all goes to a recipient."""

    GUARDED_BODY = "guarded_body"  # the recipient is the unit of an accusation in the case, or its parent
    UNRESOLVED_RESPONDENT = "unresolved_respondent"  # an accusation's respondent is not resolved


S, R, W = Visibility.SHOWN, Visibility.REDACTED, Visibility.WITHHELD

#: The policy, recipient by item.  ``docs/security.md`` shows it as a table; a test compares them.
POLICY: Final[Mapping[Recipient, Mapping[Item, Visibility]]] = {
    Recipient.PETITIONER: {
        Item.ORDINARY_IDENTITY: S,
        Item.PROTECTED_IDENTITY: W,
        Item.SUBJECT: R,
        Item.CONTENT: R,
        Item.NOTES: R,
    },
    Recipient.OFFICE_STAFF: {
        Item.ORDINARY_IDENTITY: S,
        Item.PROTECTED_IDENTITY: S,
        Item.SUBJECT: S,
        Item.CONTENT: S,
        Item.NOTES: S,
    },
    Recipient.HANDLING_BODY: {
        Item.ORDINARY_IDENTITY: S,
        Item.PROTECTED_IDENTITY: W,
        Item.SUBJECT: R,
        Item.CONTENT: R,
        Item.NOTES: R,
    },
    Recipient.PARENT_BODY: {
        Item.ORDINARY_IDENTITY: W,
        Item.PROTECTED_IDENTITY: W,
        Item.SUBJECT: R,
        Item.CONTENT: W,
        Item.NOTES: R,
    },
    Recipient.REPORT_READER: {
        Item.ORDINARY_IDENTITY: W,
        Item.PROTECTED_IDENTITY: W,
        Item.SUBJECT: R,
        Item.CONTENT: W,
        Item.NOTES: W,
    },
}

#: Which gates close each recipient off entirely (see :class:`Gate`).
GATES: Final[Mapping[Recipient, tuple[Gate, ...]]] = {
    Recipient.PETITIONER: (),
    Recipient.OFFICE_STAFF: (),
    Recipient.HANDLING_BODY: (Gate.GUARDED_BODY, Gate.UNRESOLVED_RESPONDENT),
    Recipient.PARENT_BODY: (Gate.GUARDED_BODY, Gate.UNRESOLVED_RESPONDENT),
    Recipient.REPORT_READER: (),
}

BODY_RECIPIENTS: Final = frozenset({Recipient.HANDLING_BODY, Recipient.PARENT_BODY})


def visibility(recipient: Recipient | str, item: Item | str) -> Visibility:
    """What ``recipient`` may see of ``item``; anything unknown is withheld (fail closed)."""
    try:
        return POLICY[Recipient(recipient)][Item(item)]
    except (KeyError, ValueError):
        return Visibility.WITHHELD


# --- striking identities out of text ------------------------------------------------------------------

_SEPARATOR = r"[\s\-－—_·./]*"
# Shapes of identity values, struck whenever anyone in the case is hidden from the recipient.
_ID_NUMBER_REST = r"(?:[\s\-]?\d){16}[\s\-]?[\dXxＸｘ](?!\d)"  # after its first digit
_MOBILE_REST = r"[3-9３-９](?:[\s\-]?\d){9}(?!\d)"  # after its first digit, a 1 of either width
_ID_NUMBER = rf"(?<!\d)\d{_ID_NUMBER_REST}"
_MOBILE = rf"(?<!\d)[1１]{_MOBILE_REST}"
# A local part starts only where a run of its characters starts, and no run is given back: without
# the look-behind and the possessive runs, a long text without "@" (10,000 characters of Chinese are
# all \w) was rescanned from every position, quadratic time (seconds a petition in search indexing).
_EMAIL = r"(?<![\w.+\-])[\w.+\-]++\s*(?:@|＠)\s*[\w\-]++(?:\s*\.\s*[\w\-]++)+"
_SHAPES = re.compile("|".join((_ID_NUMBER, _MOBILE, _EMAIL)))


def _char(ch: str) -> str:
    if "0" <= ch <= "9":
        return f"[{ch}{chr(ord(ch) + 0xFEE0)}]"  # the full-width digit too
    if ch in "xX":
        return "[xXＸｘ]"
    return re.escape(ch)


def _value_pattern(value: str) -> str | None:
    chars = [c for c in value if not c.isspace()]
    if not chars:
        return None
    return _SEPARATOR.join(_char(c) for c in chars)


def identity_values(person: Person) -> tuple[str, ...]:
    """The values that identify ``person`` (an agent's mandate reference included)."""
    values = (person.name, person.id_number, person.phone, person.address, person.email, person.mandate_ref)
    return tuple(v for v in values if v and v.strip())


@attrs.frozen
class Striker:
    """Strikes the identities of ``hidden`` people (and identity shapes, if anyone is hidden) from text."""

    values: tuple[str, ...]  # the hidden people's own values, longest first
    shapes: bool = False  # identity shapes too

    @classmethod
    def hiding(cls, hidden: Sequence[Person], *, shapes: bool = False) -> Striker:
        """Strike ``hidden`` people's values and, if there are any (or ``shapes``), identity shapes."""
        values = sorted({v.strip() for p in hidden for v in identity_values(p)}, key=len, reverse=True)
        kept = tuple(v for v in values if _value_pattern(v))
        if not kept and not (hidden or shapes):
            return cls(())
        return cls(kept, shapes=True)

    def __call__(self, text: str) -> str:
        if not text:
            return text
        # Only the values that can occur in this text are compiled (a period report strikes many subjects,
        # each of other people: compiling every value's pattern cost it seconds, issue 21).  The people's
        # values first, whole, then any identity shape left: at least what one alternation struck.
        present = tuple(v for v in self.values if _may_occur(v, text))
        if present:
            text = _values_pattern(present).sub(STRUCK, text)
        return strike_shapes(text) if self.shapes else text


def _may_occur(value: str, text: str) -> bool:
    """False only if ``value``'s pattern cannot match in ``text``: one of its digits (either width) or
    uncased letters (CJK: no case variant under IGNORECASE) is absent.  Other characters are not checked."""
    for ch in value:
        if "0" <= ch <= "9":
            if ch not in text and chr(ord(ch) + 0xFEE0) not in text:
                return False
        elif unicodedata.category(ch) == "Lo" and ch not in text:
            return False
    return True


@lru_cache(maxsize=256)
def _values_pattern(values: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(p for v in values if (p := _value_pattern(v))), re.IGNORECASE)


#: Strikes every ID-number-, mobile- and e-mail-shaped string (compiled once).
SHAPES: Final = Striker((), shapes=True)


def scrub(text: str, values: Iterable[str] = ()) -> str:
    """``text`` fit for a log line or a stored error message: ``values`` (what is known of the people a
    message concerns: its address, the names and texts it carries) struck wherever they appear, also
    spaced or in full-width digits, and every ID-number-, mobile- and e-mail-shaped string struck too.

    Values shorter than two characters are not struck (they would strike half of any text)."""
    if not text:
        return text
    kept = sorted({v.strip() for v in values if len(v.strip()) >= 2}, key=len, reverse=True)
    parts = [p for v in kept if (p := _value_pattern(v))]
    pattern = re.compile("|".join([*parts, _SHAPES.pattern]), re.IGNORECASE) if parts else _SHAPES_ANY_CASE
    return pattern.sub(STRUCK, text)


_SHAPES_ANY_CASE = re.compile(_SHAPES.pattern, re.IGNORECASE)
# The ID-number and mobile shapes as one pattern that starts with a digit (its look-behind moved after
# that digit: "a digit not preceded by a digit"), so the engine skips from digit to digit instead of
# trying both alternatives at every position of a long Chinese text: the same matches, about 5× faster.
_NUMBER_SHAPES = re.compile(rf"\d(?<!\d\d)(?:{_ID_NUMBER_REST}|(?<=[1１]){_MOBILE_REST})", re.IGNORECASE)
_DIGIT = re.compile(r"\d")


def strike_shapes(text: str) -> str:
    """``text`` with every ID-number-, mobile- and e-mail-shaped string struck: what ``_SHAPES_ANY_CASE``
    strikes, found faster.  An e-mail shape needs an ``@`` (either width), a number shape a digit; a text
    without ``@`` is struck of the number shapes alone, a text without either is returned as it is."""
    if "@" in text or "＠" in text:
        return _SHAPES_ANY_CASE.sub(STRUCK, text)
    if _DIGIT.search(text) is None:
        return text
    return _NUMBER_SHAPES.sub(STRUCK, text)


def mask_address(address: str) -> str:
    """A petitioner's address shortened so staff can tell which it was without holding it: a mobile
    number as ``138****8000``, an e-mail as ``z***@example.cn``, anything else as ``***``."""
    digits = "".join(c for c in address if c.isdigit())
    if re.fullmatch(_MOBILE, address.strip()) or (len(digits) == 11 and digits.startswith("1")):
        return f"{digits[:3]}****{digits[-4:]}"
    local, at, domain = address.strip().rpartition("@")
    if at and local and domain:
        return f"{local[0]}***@{domain}"
    return STRUCK


# --- what one recipient may learn of one case -------------------------------------------------------


@attrs.frozen
class Disclosure:
    """What one recipient may learn of one case (build it with :func:`disclosure`)."""

    recipient: Recipient | None  # None: an unknown recipient kind (sees nothing)
    protection: CaseProtection
    refused: ProtectionRefusal | None
    visible: tuple[Person, ...]
    strike: Striker

    def sees(self, item: Item) -> Visibility:
        if self.recipient is None or self.refused is not None:
            return Visibility.WITHHELD
        return visibility(self.recipient, item)

    def shows(self, person: Person) -> bool:
        """Whether the recipient may see ``person``'s identity."""
        return self.refused is None and person in self.visible

    @property
    def identity_withheld(self) -> bool:
        """Whether anyone of the case is hidden from the recipient."""
        return len(self.visible) < len(self.protection.people)

    def text(self, item: Item, value: str | None) -> str:
        """``value`` as the recipient may see it: itself, with identities struck, or nothing."""
        seen = self.sees(item)
        if value is None or seen is Visibility.WITHHELD:
            return ""
        if seen is Visibility.REDACTED or self.identity_withheld:
            return self.strike(value)
        return value

    def person(self, person: Person) -> Person | None:
        """``person`` as the recipient may see them (``None``: hidden); visible values are struck of
        any hidden person's values too, so a shared name or phone never slips through."""
        if not self.shows(person):
            return None
        return Person(
            name=self.strike(person.name),
            role=person.role,
            id_number=self.strike(person.id_number) if person.id_number else None,
            phone=self.strike(person.phone) if person.phone else None,
            address=self.strike(person.address) if person.address else None,
            email=self.strike(person.email) if person.email else None,
            mandate_ref=self.strike(person.mandate_ref) if person.mandate_ref else None,
        )

    def params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Message parameters with every string treated as a note (codes and dates carry no identity)."""
        return {k: self.text(Item.NOTES, v) if isinstance(v, str) else v for k, v in params.items()}


def disclosure(
    case: Case,
    petitions: Sequence[Petition],
    rules: Rules,
    recipient: Recipient | str,
    *,
    body_code: str | None = None,
    action: str = "message",
) -> Disclosure:
    """What ``recipient`` may learn of ``case`` (``petitions``: all of the case's petitions).

    For a body recipient, ``body_code`` is the body addressed; ``refused`` is then set when a gate
    closes (the error the caller raises or records), and nothing is visible.
    """
    protection = case_protection(case, petitions, rules)
    try:
        kind: Recipient | None = Recipient(recipient)
    except ValueError:
        kind = None
    refused: ProtectionRefusal | None = None
    if kind is None:
        refused = None
    elif kind in BODY_RECIPIENTS:
        if body_code is None or body_code in protection.guarded_bodies:
            refused = WhistleblowerGuard(case.first_tracking_number, action, body_code or "?")
        elif protection.unresolved:
            refused = RespondentUnresolved(case.first_tracking_number, action, body_code, protection.unresolved)
    if kind is None or refused is not None:
        return Disclosure(kind, protection, refused, (), Striker.hiding(protection.people))

    complained_of = kind in BODY_RECIPIENTS and body_code in protection.complained_of

    def shown(person: Person) -> bool:
        protected = complained_of or protection.is_protected(person)
        item = Item.PROTECTED_IDENTITY if protected else Item.ORDINARY_IDENTITY
        return visibility(kind, item) is Visibility.SHOWN

    visible = tuple(p for p in protection.people if shown(p))
    hidden = [p for p in protection.people if p not in visible]
    return Disclosure(kind, protection, None, visible, Striker.hiding(hidden))


# --- casework records: receptions, investigations, legal bases ---------------------------------------

#: Which casework records (petitionkit.domain.casework, by kind) each recipient may read, and how: their
#: texts count as :attr:`Item.NOTES` (written in the office).  ``docs/security.md`` shows it as a table.
CASEWORK_POLICY: Final[Mapping[Recipient, Mapping[str, Visibility]]] = {
    Recipient.PETITIONER: {"reception": W, "investigation": W, "basis": W},
    Recipient.OFFICE_STAFF: {"reception": S, "investigation": S, "basis": S},
    Recipient.HANDLING_BODY: {"reception": R, "investigation": R, "basis": R},
    Recipient.PARENT_BODY: {"reception": W, "investigation": W, "basis": W},
    Recipient.REPORT_READER: {"reception": W, "investigation": W, "basis": W},
}


def casework_visibility(seen: Disclosure, kind: str) -> Visibility:
    """Whether (and how) the recipient of ``seen`` may read a casework record of ``kind``.

    Fails closed: an unknown recipient or kind, or a refused disclosure (a body the case is guarded
    against, an unresolved respondent), sees nothing.  An investigation of a case holding an accusation
    reaches no body at all (2022 art. 30 ¶3: the accusation's "related circumstances" include who was
    heard and what was found), whichever body asks.
    """
    if seen.recipient is None or seen.refused is not None:
        return Visibility.WITHHELD
    shown = CASEWORK_POLICY.get(seen.recipient, {}).get(kind, Visibility.WITHHELD)
    if kind == "investigation" and seen.recipient in BODY_RECIPIENTS and seen.protection.has_accusation:
        return Visibility.WITHHELD
    return shown
