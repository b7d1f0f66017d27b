"""The document register (发文登记): every formal document (文书) an office issued, with its number (文号).

A document states one act of the office (a referral, a decision, a reply): its number is allocated
once per act and kind, from a counter per office, kind and year, and is never reused; printing the
document again gives the same number and the same date (the act's, not the printing day's).
"""

from __future__ import annotations

from datetime import date, datetime

import attrs


@attrs.frozen
class IssuedDocument:
    """One entry of the document register: which document, numbered how, stating which act of which case."""

    office_code: str
    kind: str  # a document kind's name, e.g. "transfer-letter"
    year: int  # the year in the number (the act's year)
    sequence: int  # N in 〔year〕N号, from 1 per office, kind and year
    number: str  # 文号, e.g. "X人信转〔2026〕3号"
    case_id: str
    tracking_number: str
    act: str  # which act: a referral's id, "decline", "reply", an event's sequence ...
    act_date: date  # 成文日期: the act's date in the office's time zone
    issued_at: datetime  # when the number was allocated
    actor: str  # who issued it (the principal's actor)


def document_number(prefix: str, year: int, sequence: int) -> str:
    """The 文号 as GB/T 9704 writes it: ``prefix〔year〕N号`` (hexagonal brackets, no leading zeros)."""
    return f"{prefix}〔{year}〕{sequence}号"
