"""The ``[knowledge]`` section of a rule pack: provisions (法规政策条款) and explanation snippets (解释口径).

.. code-block:: toml

    [[knowledge.provisions]]
    id = "xfgztl-2022-art30"
    level = "regulation"                      # law | regulation | local
    title = { "zh-CN" = "《信访工作条例》", en = "Regulations on Petition Work" }
    article = { "zh-CN" = "第三十条第三款", en = "article 30, paragraph 3" }
    text = { "zh-CN" = "…", en = "…" }
    source = "where the text comes from"
    effective_from = 2022-05-01
    effective_to = 2030-12-31                 # optional
    superseded_by = "another-provision-id"    # optional
    categories = ["labour"]                   # optional: every category when absent
    version = "2022"                          # optional: the effective date when absent

    [[knowledge.snippets]]
    id = "wages-explain"
    text = { "zh-CN" = "…", en = "…" }
    cites = ["xfgztl-2022-art30"]
    categories = ["labour"]

A later pack replaces an earlier one's provision or snippet of the same id (a new version of a local
policy).  Within a pack ids are unique; ``effective_to`` is not before ``effective_from``.  Checks across
packs (``superseded_by`` and ``cites`` name a declared provision, ``categories`` declared categories) run
when packs are composed (:func:`check_knowledge`).  See docs/rules.md "Knowledge".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from petitionkit.domain.knowledge import Knowledge, Provision, ProvisionLevel, Snippet
from petitionkit.rules.errors import RulePackError

if TYPE_CHECKING:
    from petitionkit.rules.schema import Origin, _Reader

PROVISION_KEYS = (
    "id", "level", "title", "article", "text", "source", "effective_from", "effective_to", "superseded_by",
    "categories", "version", "note",
)  # fmt: skip
SNIPPET_KEYS = ("id", "text", "cites", "categories", "note")


def read_knowledge(
    reader: _Reader, table: dict[str, Any]
) -> tuple[tuple[tuple[Provision, Origin], ...], tuple[tuple[Snippet, Origin], ...]]:
    """The provisions and snippets ``[knowledge]`` declares, each with where it was set."""
    reader.only(table, "knowledge", ("provisions", "snippets", "source", "note"))
    provisions: list[tuple[Provision, Origin]] = []
    seen: set[str] = set()
    for key, entry in reader.tables(table, "knowledge", "provisions"):
        reader.only(entry, key, PROVISION_KEYS)
        reader.string(entry, key, "note")
        pid = reader.identifier(reader.req_string(entry, key, "id"), f"{key}.id")
        if pid in seen:
            reader.fail(f"{key}.id", "duplicate", value=pid)
        seen.add(pid)
        level = reader.choice(entry, key, "level", ProvisionLevel, required=True)
        title = reader.req_text(entry, key, "title")
        article = reader.req_text(entry, key, "article")
        text = reader.req_text(entry, key, "text")
        source = reader.req_string(entry, key, "source")
        start = reader.day(entry, key, "effective_from")
        end = reader.day(entry, key, "effective_to") if "effective_to" in entry else None
        if end is not None and end < start:
            reader.fail(f"{key}.effective_to", "ends_before_start")
        superseded = reader.string(entry, key, "superseded_by")
        if superseded is not None:
            reader.identifier(superseded, f"{key}.superseded_by")
        provision = Provision(
            id=pid,
            level=level,
            title=title,
            article=article,
            text=text,
            source=source,
            effective_from=start,
            effective_to=end,
            superseded_by=superseded,
            categories=frozenset(reader.strings(entry, key, "categories") or ()),
            version=reader.string(entry, key, "version") or "",
            set_by=reader.pack,
        )
        provisions.append((provision, reader.origin(key)))
    snippets: list[tuple[Snippet, Origin]] = []
    seen = set()
    for key, entry in reader.tables(table, "knowledge", "snippets"):
        reader.only(entry, key, SNIPPET_KEYS)
        reader.string(entry, key, "note")
        sid = reader.identifier(reader.req_string(entry, key, "id"), f"{key}.id")
        if sid in seen:
            reader.fail(f"{key}.id", "duplicate", value=sid)
        seen.add(sid)
        snippet = Snippet(
            id=sid,
            text=reader.req_text(entry, key, "text"),
            cites=tuple(reader.strings(entry, key, "cites") or ()),
            categories=frozenset(reader.strings(entry, key, "categories") or ()),
            set_by=reader.pack,
        )
        snippets.append((snippet, reader.origin(key)))
    return tuple(provisions), tuple(snippets)


def check_knowledge(
    provisions: Mapping[str, tuple[Provision, Origin]],
    snippets: Mapping[str, tuple[Snippet, Origin]],
    categories: Mapping[str, object],
) -> Knowledge:
    """Cross-pack checks of the composed knowledge; the first problem names the file and key at fault."""
    for provision, origin in provisions.values():
        if provision.superseded_by is not None and provision.superseded_by not in provisions:
            raise RulePackError(
                origin.file, f"{origin.key}.superseded_by", "unknown_provision", {"value": provision.superseded_by}
            )
        _categories(provision.categories, categories, origin)
    for snippet, origin in snippets.values():
        for i, cited in enumerate(snippet.cites):
            if cited not in provisions:
                raise RulePackError(origin.file, f"{origin.key}.cites[{i}]", "unknown_provision", {"value": cited})
        _categories(snippet.categories, categories, origin)
    return Knowledge(
        provisions={pid: p for pid, (p, _) in provisions.items()},
        snippets={sid: s for sid, (s, _) in snippets.items()},
    )


def _categories(names: frozenset[str], categories: Mapping[str, object], origin: Origin) -> None:
    for name in sorted(names):
        if categories and name not in categories:
            raise RulePackError(origin.file, f"{origin.key}.categories", "unknown_category", {"value": name})
