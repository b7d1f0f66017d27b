"""What a clerk records on a case must make sense: texts that say something, dates within the case's life.

* A required text (a reply, a reason, an opinion, a body's feedback) is refused when it is blank:
  empty, only whitespace, or only characters nobody can see (zero-width spaces, format controls,
  fillers such as U+3164), which look like text in a form and carry nothing.
* A date a clerk records (a delivery, a request, a body's feedback) is refused when it lies after
  today (the office's date of *now*, plus a small clock tolerance for a clerk's PC that runs a few
  minutes ahead, see :data:`DEFAULT_TOLERANCE`) or before the step it follows: the case's
  registration at the earliest, then e.g. the acceptance for a reply, the referral for a body's report,
  the reply's delivery for a review request.  A date before the case existed would start a window that
  "closed" years ago, and the petitioner would lose the right to review.

Each refusal is an :class:`~petitionkit.errors.InvalidInput` naming the field; nothing is changed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from petitionkit.errors import FieldError, InvalidInput

#: How far ahead of the office clock a recorded date may be (a clerk's PC clock runs a little fast).
DEFAULT_TOLERANCE = timedelta(minutes=5)

# Unicode categories that draw nothing on their own: controls, format characters (zero-width
# space/joiners, BOM, bidi marks), separators, lone surrogates, combining marks with no base.
# (Unassigned and private-use characters are left alone: a newer emoji or an office's own glyph shows.)
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp", "Mn", "Me"})
# Letters and symbols that render as blank space (Hangul fillers, braille blank).
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def is_blank(text: str) -> bool:
    """Whether ``text`` shows nothing: empty, whitespace, or only invisible characters."""
    return all(ch.isspace() or ch in _BLANK_LOOKING or unicodedata.category(ch) in _INVISIBLE_CATEGORIES for ch in text)


def require_texts(**texts: str) -> None:
    """Refuse, naming every such field, the required texts among ``texts`` that are blank."""
    errors = [FieldError(name, "blank") for name, text in texts.items() if is_blank(text)]
    if errors:
        raise InvalidInput(errors)


def latest_day(now: datetime, tolerance: timedelta) -> date:
    """The latest date a clerk may record: the office's date of ``now`` plus the clock tolerance."""
    return (now + tolerance).date()


def check_day(field: str, day: date, *, latest: date, bounds: Iterable[tuple[date | None, str]]) -> None:
    """Refuse ``day`` when it is after ``latest`` or before any of ``bounds``.

    ``bounds`` are (earliest date, problem key) pairs, e.g. ``(registered_on, "before_registration")``
    then the step ``day`` follows; a ``None`` date is no bound.  The first bound that ``day`` precedes
    names the problem, so list the earliest first: a date before the case existed is named so.
    """
    if day > latest:
        raise InvalidInput([FieldError(field, "after_today", {"day": latest.isoformat()})])
    for earliest, problem in bounds:
        if earliest is not None and day < earliest:
            raise InvalidInput([FieldError(field, problem, {"day": earliest.isoformat()})])
