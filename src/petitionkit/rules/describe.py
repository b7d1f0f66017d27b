"""Printing a composed rule set: a JSON-able dict, and TOML-like text with ``# set by`` comments."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from petitionkit.domain.clocks import Clock

if TYPE_CHECKING:
    from petitionkit.rules.compose import ComposedRules, Composition
    from petitionkit.rules.schema import Label, RouteRule, ScreeningRule

SET_BY = "set_by"


def _sorted(values: Iterable[Any] | None) -> list[str] | None:
    return None if values is None else sorted(str(getattr(v, "value", v)) for v in values)


def _labels(labels: Mapping[str, Label]) -> dict[str, Any]:
    return {k: {**v.text.to_dict(), SET_BY: v.origin.pack} for k, v in labels.items()}


def _decline(rule: ScreeningRule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "description": rule.description.to_dict(),
        "kinds": _sorted(rule.kinds),
        "categories": _sorted(rule.categories),
        "facts": _sorted(rule.facts),
        "predicate": rule.predicate_name or None,
        "channel": rule.channel.value,
        "reason": rule.reason.to_dict(),
        "source": rule.source,
        SET_BY: rule.origin.pack,
    }


def _route(rule: RouteRule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "description": rule.description.to_dict(),
        "kinds": _sorted(rule.kinds),
        "categories": _sorted(rule.categories),
        "regions": None if rule.regions is None else list(rule.regions),
        "respondent_bodies": _sorted(rule.respondent_bodies),
        "respondent_kinds": _sorted(rule.respondent_kinds),
        "facts": _sorted(rule.facts),
        "predicate": rule.predicate_name or None,
        "body": rule.body,
        "body_kind": rule.body_kind.value if rule.body_kind else None,
        "mode": rule.mode.value,
        "report_days": rule.report_days,
        "source": rule.source,
        SET_BY: rule.origin.pack,
    }


def describe(rules: ComposedRules, c: Composition) -> dict[str, Any]:
    """Everything the composed set says, in application order, each entry with the pack that set it."""
    source, source_pack = c.screening_source
    screening: dict[str, Any] = {"source": source, SET_BY: source_pack}
    if c.accept_kinds is not None:
        screening["accept_kinds"] = {"value": _sorted(c.accept_kinds[0]), SET_BY: c.accept_kinds[1].pack}
    if c.accept_categories is not None:
        screening["accept_categories"] = {
            "value": _sorted(c.accept_categories[0]),
            SET_BY: c.accept_categories[1].pack,
        }
    if c.not_accepted is not None:
        na = c.not_accepted
        screening["not_accepted"] = {
            "channel": na.channel.value,
            "reason": na.reason.to_dict(),
            "source": na.source,
            SET_BY: na.origin.pack,
        }
    screening["facts"] = _labels(c.facts)
    screening["declines"] = [_decline(r) for r in c.declines]
    routing: dict[str, Any] = {"rules": [_route(r) for r in c.routes]}
    if c.default_route is not None:
        d = c.default_route
        routing["default"] = {
            "body": d.body,
            "mode": d.mode.value,
            "report_days": d.report_days,
            "description": d.description.to_dict(),
            "source": d.source,
            SET_BY: d.origin.pack,
        }
    result: dict[str, Any] = {
        "name": rules.name,
        "packs": [
            {"name": p.name, "file": p.file, "version": p.version, "title": p.title.to_dict() if p.title else None}
            for p in c.packs
        ],
        "calendar": rules.calendar.describe(),
        "clocks": {
            clock.value: {
                "days": rule.days,
                "convention": rule.convention.value,
                "source": rule.source,
                "kinds": _sorted(rule.kinds),
                "note": rule.note or None,
                **({"counts": rule.counts.value} if rule.counts is not None else {}),
                SET_BY: rule.origin.pack,
            }
            for clock in Clock
            if (rule := c.clocks.get(clock)) is not None
        },
        "categories": _labels(c.categories),
        "screening": screening,
        "bodies": [d.info.to_dict() for d in c.bodies.values()],
        "routing": routing,
    }
    if c.collective is not None:
        result["collective"] = {
            "tiers": [{"up_to": t.up_to, "limit": t.limit} for t in c.collective.tiers],
            "source": c.collective.source,
            SET_BY: c.collective.origin.pack,
        }
    result["repeats"] = rules.repeat_policy().to_dict()
    wb = c.whistleblower
    result["whistleblower"] = {
        "guard_parent_body": rules.guard_parent_body,
        "source": wb.source if wb else "",
        SET_BY: wb.origin.pack if wb else "",
    }
    result["retention"] = {
        kind.value: {
            **({"years": p.years} if p.years else {"days": p.days}),
            "source": p.source,
            SET_BY: p.set_by,
        }
        for kind, p in c.retention.items()
    }
    return result


# --- TOML-like text ----------------------------------------------------------------------------------

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(key: str) -> str:
    return key if _BARE.match(key) else json.dumps(key, ensure_ascii=False)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{_key(k)} = {_scalar(v)}" for k, v in value.items() if v is not None)
        return "{ " + items + " }" if items else "{}"
    return json.dumps(str(value), ensure_ascii=False)


def _is_inline(value: Any) -> bool:
    """Small tables without provenance print inline (names, reasons, contacts)."""
    return (
        isinstance(value, dict) and SET_BY not in value and all(not isinstance(v, dict | list) for v in value.values())
    )


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _emit(table: Mapping[str, Any], path: str, out: list[str]) -> None:
    if table.get(SET_BY):
        out.append(f"# set by: {table[SET_BY]}")
    for k, v in table.items():
        if k == SET_BY or v is None:
            continue
        if _is_inline(v) or not (isinstance(v, dict) or _is_table_array(v)):
            out.append(f"{_key(k)} = {_scalar(v)}")
    for k, v in table.items():
        if k == SET_BY or v is None:
            continue
        sub = f"{path}.{_key(k)}" if path else _key(k)
        if isinstance(v, dict) and not _is_inline(v):
            out.append("")
            out.append(f"[{sub}]")
            _emit(v, sub, out)
        elif _is_table_array(v):
            for item in v:
                out.append("")
                out.append(f"[[{sub}]]")
                _emit(item, sub, out)


def to_toml(described: Mapping[str, Any]) -> str:
    """Render :func:`describe`'s dict as TOML-like text (``None`` values omitted, provenance as comments)."""
    out: list[str] = ["# Composed rule set, as applied (later packs override earlier ones)."]
    _emit(described, "", out)
    return "\n".join(out) + "\n"
