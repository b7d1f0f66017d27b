"""Legal and policy knowledge (法规政策库): provisions a clerk reads to a petitioner, and their citations.

A rule pack declares *provisions* (法律、法规和地方性政策条款: title, article, text, source, effective dates,
the provision that superseded it) and *snippets* (接谈解释口径: a reusable explanation per category, citing
provisions); see docs/rules.md "Knowledge".  A case never keeps a live reference to a provision: what
it cites is a :class:`Citation`, a snapshot of the provision's identity, version and text on the day it
was cited, so a provision amended or superseded later is shown as such in old cases (:func:`status`),
never silently changed.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

import attrs

from petitionkit.domain.decisions import Bilingual
from petitionkit.errors import FieldError, InvalidInput


class ProvisionLevel(enum.StrEnum):
    """What kind of norm a provision belongs to."""

    LAW = "law"  # 法律
    REGULATION = "regulation"  # 行政法规、党内法规
    LOCAL = "local"  # 地方性法规、地方政策


@attrs.frozen
class Provision:
    """One article (条款) of a law, regulation or local policy, as a rule pack declares it."""

    id: str  # stable across versions, e.g. "xfgztl-2022-art30"
    level: ProvisionLevel
    title: Bilingual  # 《信访工作条例》
    article: Bilingual  # 第三十条第三款
    text: Bilingual
    source: str  # where the text comes from (publication, URL)
    effective_from: date
    effective_to: date | None = None
    superseded_by: str | None = None  # another provision's id
    categories: frozenset[str] = frozenset()  # empty: every category
    version: str = ""  # the pack's label of this text; empty: the effective date
    set_by: str = ""  # the pack that declared it

    @property
    def version_label(self) -> str:
        return self.version or self.effective_from.isoformat()

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def applies_to(self, category: str | None) -> bool:
        return not self.categories or category is None or category in self.categories


@attrs.frozen
class Snippet:
    """A reusable explanation (解释口径) a clerk adapts when receiving a petitioner, citing provisions."""

    id: str
    text: Bilingual
    cites: tuple[str, ...] = ()
    categories: frozenset[str] = frozenset()
    set_by: str = ""

    def applies_to(self, category: str | None) -> bool:
        return not self.categories or category is None or category in self.categories


class CitationStatus(enum.StrEnum):
    """How a stored citation stands against the knowledge the office has today."""

    CURRENT = "current"  # the same version, still in force
    AMENDED = "amended"  # the pack now holds another version of the provision
    SUPERSEDED = "superseded"  # replaced by another provision, or no longer in force
    UNKNOWN = "unknown"  # the pack no longer declares it


@attrs.frozen
class Citation:
    """What a case cites: a provision's identity, version and text as they were on ``cited_on``."""

    provision_id: str
    version: str
    title: Bilingual
    article: Bilingual
    text: Bilingual
    source: str
    effective_from: date
    effective_to: date | None
    superseded_by: str | None
    cited_on: date

    def label(self, locale: str = "zh-CN") -> str:
        """``《信访工作条例》第三十条`` / ``Regulations on Petition Work, article 30``."""
        return (
            f"{self.title(locale)}{self.article(locale)}"
            if locale != "en"
            else f"{self.title(locale)}, {self.article(locale)}"
        )


@attrs.frozen
class Knowledge:
    """The provisions and snippets of the composed rule packs."""

    provisions: Mapping[str, Provision] = attrs.field(factory=dict)
    snippets: Mapping[str, Snippet] = attrs.field(factory=dict)

    def relevant(self, category: str | None, on: date) -> list[Provision]:
        """The provisions in force on ``on`` that apply to ``category`` (every one for ``None``), by id."""
        return [p for _, p in sorted(self.provisions.items()) if p.applies_to(category) and p.in_force(on)]

    def snippets_for(self, category: str | None) -> list[Snippet]:
        return [s for _, s in sorted(self.snippets.items()) if s.applies_to(category)]

    def cite(self, ids: Iterable[str], on: date, field: str = "citations") -> tuple[Citation, ...]:
        """Snapshots of the provisions ``ids`` as of ``on``; a typed error names each unknown or repealed one."""
        errors: list[FieldError] = []
        found: list[Citation] = []
        for i, provision_id in enumerate(dict.fromkeys(ids)):
            provision = self.provisions.get(provision_id)
            if provision is None:
                errors.append(FieldError(f"{field}[{i}]", "unknown_provision", {"value": provision_id}))
                continue
            if not provision.in_force(on):
                errors.append(FieldError(f"{field}[{i}]", "provision_not_in_force", {"value": provision_id}))
                continue
            found.append(citation_of(provision, on))
        if errors:
            raise InvalidInput(errors)
        return tuple(found)

    def status(self, citation: Citation, on: date) -> CitationStatus:
        """How ``citation`` stands today: the stored text is never changed, only marked."""
        provision = self.provisions.get(citation.provision_id)
        if provision is None:
            return CitationStatus.UNKNOWN
        if provision.superseded_by or not provision.in_force(on):
            return CitationStatus.SUPERSEDED
        if provision.version_label != citation.version or provision.text != citation.text:
            return CitationStatus.AMENDED
        return CitationStatus.CURRENT


def citation_of(provision: Provision, on: date) -> Citation:
    return Citation(
        provision_id=provision.id,
        version=provision.version_label,
        title=provision.title,
        article=provision.article,
        text=provision.text,
        source=provision.source,
        effective_from=provision.effective_from,
        effective_to=provision.effective_to,
        superseded_by=provision.superseded_by,
        cited_on=on,
    )


def citation_json(c: Citation) -> dict[str, object]:
    return {
        "provision_id": c.provision_id,
        "version": c.version,
        "title": c.title.to_dict(),
        "article": c.article.to_dict(),
        "text": c.text.to_dict(),
        "source": c.source,
        "effective_from": c.effective_from.isoformat(),
        "effective_to": None if c.effective_to is None else c.effective_to.isoformat(),
        "superseded_by": c.superseded_by,
        "cited_on": c.cited_on.isoformat(),
    }


def _bilingual(value: Mapping[str, str]) -> Bilingual:
    return Bilingual(value["zh-CN"], value["en"])


def citation_from_json(d: Mapping[str, object]) -> Citation:
    def day(v: object) -> date | None:
        return None if v is None else date.fromisoformat(str(v))

    start = day(d["effective_from"])
    cited = day(d["cited_on"])
    assert start is not None and cited is not None
    return Citation(
        provision_id=str(d["provision_id"]),
        version=str(d["version"]),
        title=_bilingual(d["title"]),  # type: ignore[arg-type]
        article=_bilingual(d["article"]),  # type: ignore[arg-type]
        text=_bilingual(d["text"]),  # type: ignore[arg-type]
        source=str(d["source"]),
        effective_from=start,
        effective_to=day(d["effective_to"]),
        superseded_by=None if d["superseded_by"] is None else str(d["superseded_by"]),
        cited_on=cited,
    )


def basis_lines(citations: Sequence[Citation], locale: str = "zh-CN") -> str:
    """The citations as a notice prints them: one line each, label then text."""
    return "\n".join(
        f"{c.label(locale)}：{c.text(locale)}" if locale != "en" else f"{c.label(locale)}: {c.text(locale)}"
        for c in citations
    )
