"""Import and export of petitions as CSV and JSON Lines, for offices leaving spreadsheets behind.

A CSV row is flat (documented columns below); a JSON Lines row is the registration document of
:func:`petitionkit.serialization.structure_draft`. Both are read lazily, one row at a time.

CSV columns: ``source_ref, channel, received_at, kind, subject, content, category, region_code,
anonymous, confidential, headcount, petitioner_name, petitioner_id_number, petitioner_phone,
petitioner_address, petitioner_email, petitioner_role, petitioners (JSON list, for several people),
respondent_person, respondent_unit, respondent_body, referred_from``. Empty cells are absent values.

Files to import may be UTF-8 (with or without a byte-order mark) or GB18030/GBK, as Chinese Excel and
WPS save them: :func:`open_import` detects which (charset-normalizer).  A row that cannot be read is
reported with its number and left out; the rows beside it are still read.  Written CSV is
formula-safe (:mod:`petitionkit.csvsafe`), and reading takes that escape off again.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from charset_normalizer import from_bytes

from petitionkit import csvsafe
from petitionkit.domain.access import Permission, Principal
from petitionkit.domain.drafts import MAX_CONTENT
from petitionkit.domain.event_types import ExportRefused
from petitionkit.domain.identity import FULL_WIDTH
from petitionkit.domain.model import Petition
from petitionkit.domain.protection import BodyDirectory
from petitionkit.errors import FieldError, InvalidInput, PermissionDenied, UnknownBody
from petitionkit.redaction import WITHHELD_NAME, Disclosure, Item, Recipient, disclosure

if TYPE_CHECKING:
    from petitionkit.service import Office

CSV_COLUMNS = (
    "source_ref",
    "channel",
    "received_at",
    "kind",
    "subject",
    "content",
    "category",
    "region_code",
    "anonymous",
    "confidential",
    "headcount",
    "petitioner_name",
    "petitioner_id_number",
    "petitioner_phone",
    "petitioner_address",
    "petitioner_email",
    "petitioner_role",
    "petitioners",
    "respondent_person",
    "respondent_unit",
    "respondent_body",
    "referred_from",
)
# Columns an export adds for reading; an import of an exported file ignores them.
EXPORT_ONLY = ("tracking_number", "case_id", "state", "identity_withheld")
_TRUE = {"true", "1", "yes", "y", "是"}
_FALSE = {"false", "0", "no", "n", "否", ""}
_PERSON = {
    "name": "petitioner_name",
    "id_number": "petitioner_id_number",
    "phone": "petitioner_phone",
    "address": "petitioner_address",
    "email": "petitioner_email",
    "role": "petitioner_role",
}
_RESPONDENT = {"person_name": "respondent_person", "unit_name": "respondent_unit", "body_code": "respondent_body"}


def csv_row_to_document(row: Mapping[str, str | None]) -> dict[str, Any]:
    """Turn one CSV row into a registration document, or raise InvalidInput naming the columns."""
    errors: list[FieldError] = []
    # A row with more cells than the header has them under None (csv.DictReader's restkey).
    unknown = sorted((k for k in row if k not in CSV_COLUMNS and k not in EXPORT_ONLY), key=lambda k: k or "")
    errors.extend(FieldError(k or "(unnamed column)", "unknown") for k in unknown)
    cell = {k: csvsafe.unescape_cell((v or "").strip()) for k, v in row.items() if k in CSV_COLUMNS}
    doc: dict[str, Any] = {}
    for key in (
        "source_ref",
        "channel",
        "received_at",
        "kind",
        "subject",
        "content",
        "category",
        "region_code",
        "referred_from",
    ):
        if cell.get(key):
            doc[key] = cell[key]
    for key in ("anonymous", "confidential"):
        value = cell.get(key, "").lower()
        if value in _TRUE:
            doc[key] = True
        elif value not in _FALSE:
            errors.append(FieldError(key, "wrong_type", {"expected": "true/false"}))
    if cell.get("headcount"):
        # ASCII (or full-width) digits only: int() would also take "1_000" and other scripts' digits.
        number = cell["headcount"].translate(FULL_WIDTH).strip()
        if _INTEGER.fullmatch(number):
            doc["headcount"] = int(number)
        else:
            errors.append(FieldError("headcount", "wrong_type", {"expected": "integer"}))
    if cell.get("petitioners"):
        try:
            doc["petitioners"] = json.loads(cell["petitioners"])
        except json.JSONDecodeError:
            errors.append(FieldError("petitioners", "wrong_type", {"expected": "a JSON list"}))
    else:
        person = {field: cell[column] for field, column in _PERSON.items() if cell.get(column)}
        doc["petitioners"] = [person] if person else []
    respondent = {field: cell[column] for field, column in _RESPONDENT.items() if cell.get(column)}
    if respondent:
        doc["respondent"] = respondent
    if errors:
        raise InvalidInput(errors)
    return doc


def read_csv(stream: IO[str]) -> Iterator[dict[str, Any] | InvalidInput]:
    """Documents from a CSV stream with a header row (an InvalidInput in place of an unreadable row)."""
    # A cell may hold a whole petition (MAX_CONTENT characters, quoted): the csv module's default limit
    # (131,072) would end the import on the first long letter instead of refusing just that row.
    csv.field_size_limit(max(csv.field_size_limit(), 4 * MAX_CONTENT))
    reader = csv.DictReader(stream)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:  # a cell longer than even that, or a broken quote: that row only
            yield InvalidInput([FieldError(f"line {reader.line_num}", "wrong_type", {"expected": "a CSV row"})])
            continue
        try:
            yield csv_row_to_document(row)
        except InvalidInput as problem:
            yield problem


# --- input safety (issue 16): the encoding of a file to import --------------------------------------

_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)
_SAMPLE = 1 << 20  # the detector reads the first MiB
_CHINESE = ("gb18030", "gbk", "gb2312", "hz")


def detect_encoding(head: bytes) -> str:
    """The encoding of a file that begins with ``head``: ``utf-8-sig``, ``utf-8``, ``utf-16`` or ``gb18030``.

    A byte-order mark decides; else text that is valid UTF-8 is UTF-8; else charset-normalizer's
    candidates decide, and any of the GB family (GB2312, GBK, GB18030) is read as GB18030, their superset
    (short GBK text is easily taken for Big5 or a Japanese code page, which no county office writes).
    Raises :class:`InvalidInput` (``encoding``) for anything else.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # the sample may end mid-character
        return "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = [match.encoding for match in from_bytes(head)]
    if any(name.replace("_", "").startswith(_CHINESE) for name in candidates):
        return "gb18030"
    raise InvalidInput([FieldError("(file)", "encoding")])


@contextmanager
def open_import(path: str | Path) -> Iterator[IO[str]]:
    """``path`` opened as text in its detected encoding (:func:`detect_encoding`).

    Bytes that do not decode further on (beyond the sample) become lone surrogates, which the
    normaliser refuses in that row's field: a bad row, never a crash.
    """
    with Path(path).open("rb") as raw:
        encoding = detect_encoding(_sample(raw))
        raw.seek(0)
        with io.TextIOWrapper(raw, encoding=encoding, errors="surrogateescape", newline="") as text:
            yield text


def _sample(raw: IO[bytes]) -> bytes:
    """The bytes the encoding is told from: the file's first MiB or, when that is all ASCII (a long
    ASCII header or leading rows), the MiB from its first non-ASCII byte on."""
    head = raw.read(_SAMPLE)
    if not head.isascii() or len(head) < _SAMPLE:
        return head
    while chunk := raw.read(_SAMPLE):
        if not chunk.isascii():
            start = next(i for i, byte in enumerate(chunk) if byte > 0x7F)
            return chunk[start:] + raw.read(start)
    return head


def decode_document(data: bytes) -> str:
    """A whole document (``petitionkit register --file``) as text, in its detected encoding."""
    return data.decode(detect_encoding(data), errors="surrogateescape")


# --- end input safety


def read_jsonl(stream: IO[str]) -> Iterator[dict[str, Any] | InvalidInput]:
    """Documents from a JSON Lines stream (blank lines are skipped but still counted)."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            yield InvalidInput([FieldError(f"line {number}", "blank")])
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError:
            yield InvalidInput([FieldError(f"line {number}", "wrong_type", {"expected": "a JSON object"})])
            continue
        yield (
            doc
            if isinstance(doc, dict)
            else InvalidInput([FieldError(f"line {number}", "wrong_type", {"expected": "a JSON object"})])
        )


def petition_document(p: Petition, state: str) -> dict[str, Any]:
    """A petition as a re-importable registration document, with where it stands now."""
    from petitionkit.serialization import unstructure  # noqa: PLC0415

    doc: dict[str, Any] = {
        "source_ref": p.source_ref or p.tracking_number,
        "tracking_number": p.tracking_number,
        "case_id": p.case_id,
        "state": state,
        "channel": p.channel.value,
        "received_at": p.received_at.isoformat(),
        "kind": p.kind.value,
        "subject": p.subject,
        "content": p.content,
        "category": p.category,
        "region_code": p.region_code,
        "anonymous": p.anonymous,
        "confidential": p.confidential,
        "headcount": p.headcount,
        "petitioners": unstructure(list(p.petitioners)),
        "respondent": unstructure(p.respondent),
        "referred_from": p.referred_from,
    }
    return doc


def write_jsonl(docs: Iterable[Mapping[str, Any]], stream: IO[str]) -> int:
    count = 0
    for doc in docs:
        stream.write(json.dumps(doc, ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
    return count


def write_csv(docs: Iterable[Mapping[str, Any]], stream: IO[str]) -> int:
    """Flat CSV in the import format (plus tracking_number, case_id and state)."""
    columns = (*CSV_COLUMNS, "tracking_number", "case_id", "state")
    writer = csvsafe.dict_writer(stream, columns, extrasaction="ignore")  # formula-safe cells
    writer.writeheader()
    count = 0
    for doc in docs:
        flat: dict[str, Any] = {k: doc.get(k) for k in columns if not isinstance(doc.get(k), list | dict)}
        people = doc.get("petitioners") or []
        if len(people) == 1:
            flat.update({column: people[0].get(field) for field, column in _PERSON.items()})
        elif people:
            flat["petitioners"] = json.dumps(people, ensure_ascii=False)
        respondent = doc.get("respondent") or {}
        flat.update({column: respondent.get(field) for field, column in _RESPONDENT.items()})
        for key in ("anonymous", "confidential"):
            flat[key] = "true" if doc.get(key) else "false"
        writer.writerow(flat)
        count += 1
    return count


def body_document(petition: Petition, state: str, seen: Disclosure) -> dict[str, Any]:
    """A petition document as the body of ``seen`` may read it (the redaction policy decides)."""
    from petitionkit.serialization import unstructure  # noqa: PLC0415

    doc = petition_document(petition, state)
    people: list[dict[str, Any]] = []
    for person in petition.petitioners:
        shown = seen.person(person)
        if shown is None:
            people.append({"role": person.role.value, "name": WITHHELD_NAME})
        else:
            people.append(unstructure(shown))
    withheld = any(seen.person(p) is None for p in petition.petitioners) or seen.identity_withheld
    doc.update(
        subject=seen.text(Item.SUBJECT, petition.subject),
        content=seen.text(Item.CONTENT, petition.content),
        petitioners=people,
        identity_withheld=withheld,
    )
    if withheld:
        doc["source_ref"] = None  # a legacy key can name the person it came from
    return doc


def export_for_body(office: Office, body_code: str, *, purpose: str = "") -> Iterator[dict[str, Any]]:
    """Petition documents of the cases referred to ``body_code``, as the redaction policy lets it read them.

    A case guarded against the body (any accusation in it names the body or, when guarded, its child)
    or with an unresolved accusation respondent is not exported: each refusal is an ``ExportRefused``
    event on the case, with who asked and which rule refused.  Raises :class:`UnknownBody` first.

    Office staff need ``export``; a handling body's principal may export for its own bodies only (with
    ``read_personal_data``).  One access record (``export_for_body``) counts the documents handed over.
    """
    code = BodyDirectory.of(office.rules.bodies()).code(body_code)
    if code is None:
        raise UnknownBody(body_code)
    principal = office.access.principal("export_for_body")
    if principal.is_body:
        if code not in principal.body_codes:
            raise PermissionDenied(principal.id, Permission.EXPORT.value)
        office.access.require(Permission.READ_PERSONAL_DATA)
    else:
        office.access.require(Permission.EXPORT)
    return _export(office, principal, code, purpose)


def _export(office: Office, principal: Principal, code: str, purpose: str) -> Iterator[dict[str, Any]]:
    count = 0
    try:
        for case, petitions in office._every_case():
            if not any(r.body_code == code for r in case.referrals):
                continue
            seen = disclosure(case, petitions, office.rules, Recipient.HANDLING_BODY, body_code=code, action="export")
            if seen.refused is not None:
                office.uow.record_refusal(case.id, seen.refused, actor=principal.actor, event=ExportRefused)
                continue
            for petition in petitions:
                count += 1
                yield body_document(petition, case.state.value, seen)
    finally:
        with office.storage.transaction() as tx:
            office.access.record(tx, principal, "export_for_body", count=count, query=code, purpose=purpose)
