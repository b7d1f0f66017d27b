"""Search a clerk can use (检索): words in any text of a case, or a petitioner by phone, ID number or name.

*Full text* (:meth:`SearchUseCases.search_text`): the query is segmented like the indexed texts
(:mod:`petitionkit.search`) and a document matches when it holds every word; hits come newest first,
a page at a time (the ``next`` cursor is the last hit's position: keyset paging, as fast on the
thousandth page as on the first), one result per case on a page (a case whose subject and petition
both match shows once; on a later page it may show again for an older text).  Office staff see every
hit; a handling body's principal only hits
on cases referred to it that the redaction policy lets it read (so an accused body never finds an
accusation), their subjects as the policy lets it read them.

*A person* (:meth:`SearchUseCases.find_person`): the phone, the ID number, or the name with the phone
or the address, turned into the identity keys repeat detection uses
(:func:`petitionkit.domain.tracking.identity_keys`) and looked up through their blind indexes: the
index never holds them in plain text.  A name alone is no key (thousands share one).  It is a read of
personal data: office staff with ``read_personal_data`` only, and on record.
"""

from __future__ import annotations

import attrs

from petitionkit.domain.access import Permission
from petitionkit.domain.casework import KINDS as CASEWORK_KINDS
from petitionkit.domain.model import Case, Person
from petitionkit.domain.tracking import NAME_PHONE_KEY, identity_keys
from petitionkit.errors import FieldError, InvalidInput, PermissionDenied
from petitionkit.redaction import Disclosure, Visibility, casework_visibility
from petitionkit.search import index_case, query_words
from petitionkit.service.base import OfficeBase
from petitionkit.storage.base import TextQuery, Transaction

MAX_PAGE = 100


@attrs.frozen
class SearchResult:
    """One hit: the case, its subject as the principal may read it, and which text of it matched."""

    position: int
    case_id: str
    tracking_number: str
    subject: str
    state: str
    source_kind: str
    source_id: str


@attrs.frozen
class SearchPage:
    """A page of hits; ``next`` is the cursor of the following page (``None``: this was the last)."""

    results: tuple[SearchResult, ...]
    next: int | None


def _may_hit(seen: Disclosure | None, source_kind: str) -> bool:
    """Whether a hit in a text of ``source_kind`` may be shown: a casework record's text only when the
    policy lets the body read that kind of record (an accused body never finds an accusation's
    investigation); office staff (``seen`` ``None``) every text."""
    if seen is None or source_kind not in CASEWORK_KINDS:
        return True
    return casework_visibility(seen, source_kind) is not Visibility.WITHHELD


def _limit(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput([FieldError("limit", "at_most", {"limit": MAX_PAGE})])
    return limit


class SearchUseCases(OfficeBase):
    """Full-text search and person lookup (``office.search_text``, ``office.find_person``)."""

    def search_text(self, text: str, *, before: int | None = None, limit: int = 20) -> SearchPage:
        """Cases whose texts hold every word of ``text``, newest first; ``before``: the previous page's ``next``."""
        principal = self.access.principal("search")
        words = query_words(text or "")
        if not words:
            raise InvalidInput([FieldError("text", "blank")])
        query = TextQuery(self.config.office_code, words, before, _limit(limit))
        results: list[SearchResult] = []
        with self.storage.transaction() as tx:
            hits = tx.search_documents(query)
            cases: dict[str, tuple[Case, Disclosure | None] | None] = {}
            shown: set[str] = set()
            for hit in hits:
                if hit.case_id in shown:
                    continue  # one result per case on a page: its newest matching text
                if hit.case_id not in cases:
                    cases[hit.case_id] = self._visible(tx, hit.case_id)
                visible = cases[hit.case_id]
                if visible is None or not _may_hit(visible[1], hit.source_kind):
                    continue
                case = visible[0]
                shown.add(case.id)
                results.append(
                    SearchResult(
                        hit.position,
                        case.id,
                        case.first_tracking_number,
                        case.subject,
                        case.state.value,
                        hit.source_kind,
                        hit.source_id,
                    )
                )
            self.access.record(tx, principal, "search_text", count=len(results), query=" ".join(words))
        following = hits[-1].position if len(hits) == query.limit else None
        return SearchPage(tuple(results), following)

    def _visible(self, tx: Transaction, case_id: str) -> tuple[Case, Disclosure | None] | None:
        """The case as the bound principal may read it and what the policy discloses to it (``None``:
        office staff), or ``None`` when it may not see the case at all."""
        case = tx.get_case(case_id)
        if case is None:
            return None
        try:
            principal = self.access.require_visible(case, "search")
            if not principal.is_body:
                return case, None  # office staff read every case whole
            seen = self.access.body_view(principal, case, tx.petitions_of_case(case.id))
        except PermissionDenied:
            return None
        return self.access.redacted_case(case, seen), seen

    def find_person(
        self,
        *,
        name: str | None = None,
        phone: str | None = None,
        id_number: str | None = None,
        address: str | None = None,
        purpose: str = "",
    ) -> list[Case]:
        """Cases with a petition by the person given (exact, through the blind indexes); on record."""
        self.access.require_office_staff("find_person")
        principal = self.access.require(Permission.READ_PERSONAL_DATA)
        keys = self._person_keys(name, phone, id_number, address)
        with self.storage.transaction() as tx:
            matched = tx.identity_matches(self.config.office_code, keys)
            case_ids = list(dict.fromkeys(case_id for _, case_id in matched))
            found = [c for c in (tx.get_case(i) for i in case_ids) if c is not None]
            asked = "+".join(f for f, v in (("name", name), ("phone", phone), ("id_number", id_number)) if v)
            self.access.record(tx, principal, "find_person", count=len(found), query=asked, purpose=purpose)
        return sorted(found, key=lambda c: (c.opened_at, c.id), reverse=True)

    @staticmethod
    def _person_keys(name: str | None, phone: str | None, id_number: str | None, address: str | None) -> list[str]:
        wanted: set[str]
        if id_number and id_number.strip():
            wanted = {"id_number"}
        elif name and name.strip() and phone and phone.strip():
            wanted = {"name_phone"}
        elif phone and phone.strip():
            wanted = {"phone"}
        elif name and name.strip() and address and address.strip():
            wanted = {"name_address"}
        else:
            raise InvalidInput([FieldError("phone", "required")])
        person = Person(name=name or "", id_number=id_number, phone=phone, address=address)
        keys = [key for key, why in identity_keys(person).items() if why in wanted]
        if wanted == {"name_phone"}:  # stored bare without an ID number, prefixed beside one
            keys += [f"{NAME_PHONE_KEY}:{key}" for key in keys]
        return keys

    def reindex(self, *, page_size: int = 500) -> int:
        """Rebuild every case's documents from every source (after an upgrade, or to repair); how many cases."""
        self.access.require(Permission.CONFIGURE)
        after: str | None = None
        done = 0
        while True:
            with self.storage.transaction() as tx:
                refs = tx.case_refs_for_audit(self.config.office_code, after, page_size)
                for case_id, _ in refs:
                    index_case(tx, case_id)
            done += len(refs)
            if len(refs) < page_size:
                return done
            after = refs[-1][0]
