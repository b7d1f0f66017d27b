"""What an audit run finds: breaks (篡改迹象) and the report of each verifier."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from petitionkit.i18n import translate


@attrs.frozen
class AuditBreak:
    """The first broken item of one record (a case, an access record ...).

    ``record`` is the kind (``"case"``), ``subject`` its id, ``label`` what a clerk knows it by (the
    first tracking number), ``item`` the first broken item (``"event 5"``, ``"case row"``), ``problem`` a
    code whose message is ``audit.problem.<code>`` in ``locale/audit.toml`` with ``params``.
    """

    record: str
    subject: str
    item: str
    problem: str
    label: str = ""
    params: Mapping[str, Any] = attrs.field(factory=dict)

    def message(self, locale: str = "zh-CN") -> str:
        return translate(f"audit.problem.{self.problem}", locale, **self.params)

    def to_dict(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "subject": self.subject,
            "label": self.label,
            "item": self.item,
            "problem": self.problem,
            "message": self.message("en"),
            "message_zh": self.message("zh-CN"),
        }


@attrs.frozen
class VerifierReport:
    """What one verifier checked: how many records and events, which broke, how many were unkeyed."""

    name: str
    records: int
    items: int
    breaks: tuple[AuditBreak, ...] = ()
    unkeyed_records: int = 0
    unkeyed_items: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "records": self.records,
            "items": self.items,
            "intact": not self.breaks,
            "unkeyed_records": self.unkeyed_records,
            "unkeyed_items": self.unkeyed_items,
            "breaks": [b.to_dict() for b in self.breaks],
        }
