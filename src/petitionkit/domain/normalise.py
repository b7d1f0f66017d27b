"""Normalise, then refuse: the one place where input from outside becomes values the office stores.

Every way in (the Python API, ``petitionkit register`` and its interactive form, imports, the case
commands' texts) passes through here, and the blind index of repeat detection compares the same
canonical forms (:func:`id_number_key`, :func:`phone_key`, :func:`name_key`), so what is stored and
what is compared always agree.  docs/input.md lists each rule for clerks.

What is **normalised** (and then stored so):

* every text: Unicode NFC; lone line separators and ``\\r\\n`` become ``\\n``; zero-width spaces
  (U+200B), word joiners (U+2060) and stray byte-order marks (U+FEFF) removed; single-line fields
  have every run of whitespace (also the ideographic space U+3000) collapsed to one space; all trimmed;
* codes and numbers (ID numbers, phones, region codes, category, tracking numbers): full-width
  digits and letters (０-９, Ａ-Ｚ, as Chinese input methods type them) become ASCII;
* a resident ID number: spaces and hyphens dropped, a lower-case check character ``x`` becomes ``X``;
* a phone: ``+86`` / ``0086`` / ``86`` before a mobile number dropped (``13800138000``); a landline
  written as ``0571 8888 8888``, ``(0571)88888888`` or ``+86 571 88888888`` becomes ``0571-88888888``;
  a 400/800 service number its 10 digits.  So no stored phone starts with ``+`` (see formula-safe CSV).

What is **refused** (:class:`~petitionkit.errors.InvalidInput` naming the field, zh-CN and en):

* control characters (NUL, ESC, DEL, C1 controls; in single-line fields also tabs and newlines are
  merely whitespace, in multi-line texts tabs and newlines are kept), Unicode non-characters;
* lone surrogates (text that was not valid UTF-8, e.g. a file read with the wrong encoding);
* bidirectional embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069): invisible
  characters that make a text read differently from what is stored ("Trojan source");
* text that is only invisible (zero-width characters, joiners, whitespace) where something was given;
* out-of-range numbers (a headcount below 1 or above :data:`MAX_HEADCOUNT`), received times before
  :data:`EARLIEST` or with a UTC offset no time zone uses (beyond ±14:00 or with seconds);
* malformed ID numbers (shape, province, birth date, GB 11643 check character), phones, e-mails,
  region codes (6 ASCII digits with a real province prefix: ``33¹⁹⁹⁹`` is refused, not folded);
* over-long fields (:data:`LIMITS`).

Nothing here does I/O.  Each function raises only :class:`~petitionkit.errors.InvalidInput`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any, Final, TypeVar

import attrs

from petitionkit.domain.drafts import MAX_CONTENT, MAX_SUBJECT, PetitionDraft
from petitionkit.domain.identity import FULL_WIDTH, PROVINCE_PREFIXES, id_check_digit, is_valid_email
from petitionkit.errors import FieldError, InvalidInput

T = TypeVar("T")

#: The most people a collective petition may be registered with (a stored whole number, not a guess).
MAX_HEADCOUNT: Final = 100_000
#: No petition was received before this (legacy records included).
EARLIEST: Final = datetime(1950, 1, 1, tzinfo=UTC)
#: The widest UTC offsets any time zone uses (UTC-12:00 .. UTC+14:00).
MIN_OFFSET: Final = timedelta(hours=-12)
MAX_OFFSET: Final = timedelta(hours=14)

#: Longest value of each kind of field, in characters after normalisation.
LIMITS: Final[Mapping[str, int]] = {
    "subject": MAX_SUBJECT,
    "content": MAX_CONTENT,
    "name": 100,
    "address": 500,
    "email": 254,
    "mandate_ref": 200,
    "unit_name": 200,
    "code": 64,
    "source_ref": 200,
    "referred_from": 200,
    "attachment_name": 255,
    "uri": 2000,
    "text": 20_000,  # a command's reason, note, reply text, opinion
}

# Removed from every text: they carry nothing a reader sees or a search needs.
_TIDY = str.maketrans(
    {"\u200b": None, "\u2060": None, "\ufeff": None}
    | dict.fromkeys(["\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c"], "\n")
)
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SPACES = re.compile(r"\s+")
_TRAILING = re.compile(r"[^\S\n]+(?=\n)")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Control characters but tab and newline (the others were made newlines or spaces before), direction
# controls, and the non-characters U+FDD0..U+FDEF and U+xFFFE/U+xFFFF of every plane.
_NONCHARACTERS = "".join(f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}" for p in range(17))
_FORBIDDEN = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef{_NONCHARACTERS}]")
# A fast answer to "is anything visible": ASCII letters and digits, CJK ideographs (else each character is asked).
_COMMON_VISIBLE = re.compile("[0-9A-Za-z\u4e00-\u9fff]")
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)
_ID_NOISE = re.compile(r"[\s\-]+")
_PHONE_NOISE = re.compile(r"[\s\-()（）.]+")
_MOBILE = re.compile(r"1[3-9][0-9]{9}", re.ASCII)
_LANDLINE = re.compile(r"0[1-9][0-9]{8,10}", re.ASCII)  # area code + local number, without separators
_SERVICE = re.compile(r"[48]00[0-9]{7}", re.ASCII)
_REGION = re.compile(r"[0-9]{6}", re.ASCII)
_EXTENSION = re.compile(r"(.*?)(?:-|转|ext\.?|x)([0-9]{1,6})", re.IGNORECASE)


def _refuse(field: str, problem: str, **params: Any) -> InvalidInput:
    return InvalidInput([FieldError(field, problem, params)])


# --- texts ----------------------------------------------------------------------------------------


def _visible(char: str) -> bool:
    category = unicodedata.category(char)
    return not (category.startswith(("Z", "C")) or char.isspace() or category == "Mn")


def text(value: object, field: str, *, limit: int, multiline: bool = False) -> str:
    """``value`` as stored: NFC, invisible debris removed, whitespace tidied; or refused (see the module)."""
    if not isinstance(value, str):
        raise _refuse(field, "wrong_type", expected="string")
    if value.isprintable():  # the common case: no control, format, surrogate, line or non-ASCII space character
        cleaned = unicodedata.normalize("NFC", value)
        cleaned = (_SPACES.sub(" ", cleaned) if "  " in cleaned and not multiline else cleaned).strip()
        if cleaned and not _COMMON_VISIBLE.search(cleaned) and not any(_visible(c) for c in cleaned):
            raise _refuse(field, "invisible")
        if len(cleaned) > limit:
            raise _refuse(field, "too_long", limit=limit)
        return cleaned
    if _SURROGATE.search(value):
        raise _refuse(field, "surrogate")
    cleaned = unicodedata.normalize("NFC", value.replace("\r\n", "\n").translate(_TIDY))
    bad = _FORBIDDEN.search(cleaned)
    if bad:
        char = bad.group()
        problem = "bidi_control" if char in _BIDI_CONTROLS else "control"
        raise _refuse(field, problem, code=f"U+{ord(char):04X}")
    if multiline:  # kept as written, but for trailing spaces
        cleaned = _TRAILING.sub("", cleaned).strip() if "\n" in cleaned else cleaned.strip()
    else:
        cleaned = _SPACES.sub(" ", cleaned).strip()
    if value.strip() and not _COMMON_VISIBLE.search(cleaned) and not any(_visible(c) for c in cleaned):
        raise _refuse(field, "invisible")
    if len(cleaned) > limit:
        raise _refuse(field, "too_long", limit=limit)
    return cleaned


def optional_text(value: object, field: str, *, limit: int, multiline: bool = False) -> str | None:
    """:func:`text` for an optional field: ``None`` and text that is empty once trimmed are ``None``."""
    if value is None:
        return None
    cleaned = text(value, field, limit=limit, multiline=multiline)
    return cleaned or None


def ascii_form(value: str) -> str:
    """Full-width digits, letters and signs as ASCII (``１３８`` -> ``138``), the ideographic space a space."""
    return value.translate(FULL_WIDTH)


def code(value: object, field: str, *, limit: int = LIMITS["code"]) -> str:
    """A code (category, body code, tracking number): a text with full-width characters made ASCII, no spaces."""
    cleaned = text(value, field, limit=limit)
    return "".join(ascii_form(cleaned).split())


# --- identifiers ----------------------------------------------------------------------------------


def id_number(value: object, field: str) -> str:
    """A resident ID number (GB 11643-1999) in its canonical form, or refused.

    Full-width digits made ASCII, spaces and hyphens dropped, ``x`` upper-cased; then 18 characters, a
    real province, a birth date between 1900 and today's year, and the right check character.
    """
    if isinstance(value, str) and _ID_SHAPE.fullmatch(value):  # already canonical: only the checks below
        cleaned = value
    else:
        cleaned = _ID_NOISE.sub("", ascii_form(text(value, field, limit=64))).upper()
    if not _ID_SHAPE.fullmatch(cleaned) or cleaned[:2] not in PROVINCE_PREFIXES:
        raise _refuse(field, "id_number")
    try:
        born = date(int(cleaned[6:10]), int(cleaned[10:12]), int(cleaned[12:14]))
    except ValueError:
        raise _refuse(field, "id_number") from None
    if born.year < 1900 or id_check_digit(cleaned[:17]) != cleaned[17]:
        raise _refuse(field, "id_number")
    return cleaned


def phone(value: object, field: str) -> str:
    """A phone number in its canonical form, or refused.

    A mainland mobile becomes its 11 digits (no ``+86``); a landline ``0AAA-NNNNNNNN`` (with ``-EXT``
    when it has an extension); a 400/800 service number its 10 digits.
    """
    if isinstance(value, str) and (_MOBILE.fullmatch(value) or _SERVICE.fullmatch(value)):
        return value  # already canonical
    cleaned = ascii_form(text(value, field, limit=64))
    extension = ""
    match = _EXTENSION.fullmatch(cleaned)
    if match:
        head = _PHONE_NOISE.sub("", match.group(1))
        if _LANDLINE.fullmatch(head) or _LANDLINE.fullmatch("0" + _without_country(head)):
            cleaned, extension = match.group(1), "-" + match.group(2)
    digits = _PHONE_NOISE.sub("", cleaned)
    international = digits.startswith(("+", "00"))
    digits = _without_country(digits)
    if not digits.isascii() or not digits.isdigit():
        raise _refuse(field, "phone")
    if _MOBILE.fullmatch(digits) and not extension:
        return digits
    if _SERVICE.fullmatch(digits) and not extension and not international:
        return digits
    if international and not digits.startswith("0"):
        digits = "0" + digits  # +86 571 ... is dialled 0571 ... at home
    if _LANDLINE.fullmatch(digits):
        area = 3 if digits[1] in "12" else 4  # 010, 02X; every other area code has 4 digits with the 0
        return f"{digits[:area]}-{digits[area:]}{extension}"
    raise _refuse(field, "phone")


def _without_country(digits: str) -> str:
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and (prefix != "86" or len(digits) == 13):
            return digits[len(prefix) :]
    return digits


def email(value: object, field: str) -> str:
    cleaned = text(value, field, limit=LIMITS["email"])
    if not is_valid_email(cleaned):
        raise _refuse(field, "email")
    return cleaned


def region_code(value: object, field: str) -> str:
    """A 6-digit administrative division code (GB/T 2260 shape, a real province), or refused.

    Only full-width digits are made ASCII: superscripts and other digit look-alikes (``33¹⁹⁹⁹``) are refused.
    """
    if isinstance(value, str) and _REGION.fullmatch(value):
        cleaned = value
    else:
        cleaned = "".join(ascii_form(text(value, field, limit=LIMITS["code"])).split())
    if not _REGION.fullmatch(cleaned) or cleaned[:2] not in PROVINCE_PREFIXES:
        raise _refuse(field, "region_code")
    return cleaned


def headcount(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _refuse(field, "wrong_type", expected="integer")
    if value < 1:
        raise _refuse(field, "positive")
    if value > MAX_HEADCOUNT:
        raise _refuse(field, "at_most", limit=MAX_HEADCOUNT)
    return value


def received_at(value: object, field: str) -> datetime:
    """An aware time with a real UTC offset, not before :data:`EARLIEST` (the future is the caller's check)."""
    if not isinstance(value, datetime):
        raise _refuse(field, "datetime")
    offset = value.utcoffset()
    if offset is None:
        raise _refuse(field, "datetime")
    if offset.seconds % 60 or offset.microseconds or not MIN_OFFSET <= offset <= MAX_OFFSET:
        raise _refuse(field, "utc_offset")
    if value.year < EARLIEST.year + 1 or value < EARLIEST:  # year 1 would overflow the UTC conversion
        raise _refuse(field, "too_early", earliest=EARLIEST.date().isoformat())
    return value


# --- the keys repeat detection compares (never raise) ---------------------------------------------


def id_number_key(value: str) -> str:
    """The ID number as the blind index compares it: its canonical form, or a tidy form of what was stored."""
    try:
        return id_number(value, "id_number")
    except InvalidInput:
        return _ID_NOISE.sub("", ascii_form(value)).upper()


def phone_key(value: str) -> str:
    """The phone as the blind index compares it: the digits of its canonical form (``+86`` never matters)."""
    try:
        canonical = phone(value, "phone")
    except InvalidInput:
        canonical = _without_country(_PHONE_NOISE.sub("", ascii_form(value)))
    return "".join(c for c in canonical if c.isascii() and c.isdigit())


def name_key(value: str) -> str:
    """A name as the blind index compares it: NFC, full-width made ASCII, no whitespace."""
    return "".join(unicodedata.normalize("NFC", ascii_form(value)).split())


# --- a whole draft --------------------------------------------------------------------------------


class _Collector:
    """Runs each field's normaliser, keeping the first problem of each field and the value as given."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def __call__(self, func: Callable[[Any, str], T], value: Any, field: str) -> T:
        try:
            return func(value, field)
        except InvalidInput as exc:
            self.errors.extend(exc.errors)
            return value  # type: ignore[no-any-return]  # kept as given; the draft is refused anyway


def _limited(limit: int, *, multiline: bool = False, optional: bool = False) -> Callable[[Any, str], Any]:
    if optional:
        return lambda v, f: optional_text(v, f, limit=limit, multiline=multiline)
    return lambda v, f: text(v, f, limit=limit, multiline=multiline)


def _optional(func: Callable[[Any, str], T]) -> Callable[[Any, str], T | None]:
    def run(value: Any, field: str) -> T | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return func(value, field)

    return run


Spec = tuple[tuple[str, Callable[[Any, str], Any]], ...]

_PERSON: Spec = (
    ("name", _limited(LIMITS["name"])),
    ("id_number", _optional(id_number)),
    ("phone", _optional(phone)),
    ("address", _limited(LIMITS["address"], optional=True)),
    ("email", _optional(email)),
    ("mandate_ref", _limited(LIMITS["mandate_ref"], optional=True)),
)
_RESPONDENT: Spec = (
    ("person_name", _limited(LIMITS["name"], optional=True)),
    ("unit_name", _limited(LIMITS["unit_name"], optional=True)),
    ("body_code", _optional(code)),
)
_ATTACHMENT: Spec = (
    ("name", _limited(LIMITS["attachment_name"])),
    ("uri", _limited(LIMITS["uri"])),
    ("sha256", _optional(code)),
)
_DRAFT: Spec = (
    ("received_at", received_at),
    ("subject", _limited(LIMITS["subject"])),
    ("content", _limited(LIMITS["content"], multiline=True)),
    ("region_code", region_code),
    ("headcount", headcount),
    ("referred_from", _limited(LIMITS["referred_from"], optional=True)),
    ("joins_case", _optional(code)),  # a tracking number or a case id
    ("source_ref", _limited(LIMITS["source_ref"], optional=True)),
)


def _normalised(obj: T, spec: Spec, where: str, run: _Collector, **more: Any) -> T:
    """``obj`` with each field of ``spec`` normalised; ``obj`` itself when nothing changed (no copy)."""
    changes = {k: v for k, v in more.items() if v is not getattr(obj, k)}
    for name, func in spec:
        value = getattr(obj, name)
        new = run(func, value, where + name)
        if new is not value and new != value:
            changes[name] = new
    return attrs.evolve(obj, **changes) if changes else obj  # type: ignore[misc]


def _same(new: tuple[Any, ...], old: tuple[Any, ...]) -> tuple[Any, ...]:
    return old if all(a is b for a, b in zip(new, old, strict=True)) else new


def normalise_draft(draft: PetitionDraft, categories: Mapping[str, Any] | None = None) -> PetitionDraft:
    """``draft`` with every field in its stored form, or :class:`InvalidInput` naming every refused field.

    ``categories`` (the rule packs' category keys) lets a category typed in another case or width match
    its declared key; whether a category is declared at all is the registration's check.
    """
    normalised, errors = normalised_draft(draft, categories)
    if errors:
        raise InvalidInput(errors)
    return normalised


def normalised_draft(
    draft: PetitionDraft, categories: Mapping[str, Any] | None = None
) -> tuple[PetitionDraft, list[FieldError]]:
    """:func:`normalise_draft` that returns the refusals instead of raising them (refused fields kept as given)."""
    run = _Collector()
    category = run(code, draft.category, "category")
    if categories and category not in categories:
        folded = {key.casefold(): key for key in categories}
        category = folded.get(category.casefold(), category) if isinstance(category, str) else category
    people = tuple(_normalised(p, _PERSON, f"petitioners[{i}].", run) for i, p in enumerate(draft.petitioners))
    attachments = tuple(_normalised(a, _ATTACHMENT, f"attachments[{i}].", run) for i, a in enumerate(draft.attachments))
    respondent = None if draft.respondent is None else _normalised(draft.respondent, _RESPONDENT, "respondent.", run)
    normalised = _normalised(
        draft,
        _DRAFT,
        "",
        run,
        category=category,
        petitioners=_same(people, draft.petitioners),
        attachments=_same(attachments, draft.attachments),
        respondent=respondent,
    )
    return normalised, run.errors


def command_texts(command: T) -> T:
    """A case command with each of its text fields normalised (``reason``, ``note``, ``text`` …), or refused.

    Empty stays empty (whether a text is required is the lifecycle's rule); text that is only invisible,
    control characters, lone surrogates and over-long texts are refused, naming the field.
    """
    if not attrs.has(type(command)):
        return command
    run = _Collector()
    changes: dict[str, Any] = {}
    for field in attrs.fields(type(command)):  # type: ignore[arg-type]  # attrs.has() checked it
        value = getattr(command, field.name)
        if isinstance(value, str) and not isinstance(value, Enum):
            limit = LIMITS["code"] if field.name.endswith(("_code", "_by")) else LIMITS["text"]
            multiline = field.name in _MULTILINE
            changes[field.name] = run(_limited(limit, multiline=multiline), value, field.name)
        elif isinstance(value, int) and not isinstance(value, bool):
            if field.name.endswith("days") and value < 1:  # an extension's or a report period's days
                run.errors.append(FieldError(field.name, "positive"))
            elif abs(value) > _MAX_COMMAND_NUMBER:
                run.errors.append(FieldError(field.name, "at_most", {"limit": _MAX_COMMAND_NUMBER}))
    if run.errors:
        raise InvalidInput(run.errors)
    return attrs.evolve(command, **changes)  # type: ignore[misc]


_MULTILINE = frozenset({"text", "opinion", "reason", "note", "comment"})
_MAX_COMMAND_NUMBER = 3650  # days of an extension or a report period: ten years is already absurd
