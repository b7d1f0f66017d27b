"""Message templates (通知模板): Jinja2, plain text, one file per message type and locale.

A template's first line is the subject, the rest (after one blank line) the body.  Packaged
templates live in ``petitionkit/notifications/templates/<locale>/<type>.txt``; an office overrides
any of them by dropping a file with the same relative path into its override folder
(``[settings.notifications] templates``, default ``templates/notifications`` next to petitionkit.toml).

Templates render in Jinja's sandbox under a :class:`~petitionkit.sandbox.Policy`: only the documented
placeholders (:data:`PLACEHOLDERS`), no attribute of a placeholder, no call, no ``_`` names.  An office
template that reaches further is refused when the office opens and again if it is rendered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from petitionkit.errors import ConfigurationError
from petitionkit.i18n import normalize_locale
from petitionkit.sandbox import Policy, environment

#: Every value a notification template may use (docs/notifications.md lists them by message type).
PLACEHOLDERS = frozenset(
    {
        "office_name", "office_code", "tracking_number", "kind", "category", "withheld", "subject", "confidential",
        "petitioners", "content", "reason", "note", "due", "days", "days_left", "days_overdue", "new_due", "old_due",
        "outcome", "outcome_label", "delivered_on", "body_name", "parent_name", "mode", "mode_label",
        "channel_label", "clock", "clock_label", "action", "action_label", "handling_due", "report_due", "reply_due",
        "review_due", "rereview_due", "requested_on", "bodies", "organ", "superior", "rule", "refusal", "text",
        "missing_year", "moves", "count", "topic", "channel", "recipient", "attempts", "error", "message_id",
        "threshold", "provisional_note", "decline_channel", "body_code", "basis",
    }
)  # fmt: skip
POLICY = Policy(names=PLACEHOLDERS)


class Renderer:
    """Renders ``(subject, body)`` for a message type in a locale; office overrides come first."""

    def __init__(self, override_dir: Path | None = None) -> None:
        loaders: list[jinja2.BaseLoader] = []
        self.override_dir = override_dir if override_dir is not None and override_dir.is_dir() else None
        if self.override_dir is not None:
            loaders.append(jinja2.FileSystemLoader(str(self.override_dir)))
        loaders.append(jinja2.PackageLoader("petitionkit.notifications", "templates"))
        self.env = environment(
            POLICY,
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=False,  # plain text, never HTML
            keep_trailing_newline=False,
            trim_blocks=False,
            lstrip_blocks=True,
        )

    def check(self) -> None:
        """Compile every template of the office's own folder now (when the office opens), so a broken
        override, or one that reaches beyond its placeholders, is a :class:`ConfigurationError` naming its
        file and line, not a failure (or worse) at delivery.
        (The packaged templates are checked by petitionkit's own tests.)"""
        if self.override_dir is None:
            return
        for path in sorted(self.override_dir.rglob("*.txt")):
            name = path.relative_to(self.override_dir).as_posix()
            try:
                self.env.get_template(name)
            except jinja2.TemplateSyntaxError as exc:
                raise ConfigurationError(
                    f"template {path}", f"line {exc.lineno}: {exc.message}; fix the template"
                ) from None

    def render(self, message_type: str, locale: str, context: Mapping[str, Any]) -> tuple[str, str]:
        """The subject and body of ``message_type`` in ``locale`` (zh-CN when that locale lacks it)."""
        loc = normalize_locale(locale)
        names = [f"{loc}/{message_type}.txt", f"zh-CN/{message_type}.txt"]
        try:
            template = self.env.select_template(names)
            text = template.render(**context)
        except jinja2.TemplateNotFound:
            raise ConfigurationError(f"template {names[0]}", "no such notification template") from None
        except jinja2.TemplateError as exc:  # SecurityError and UnsafeTemplate included: nothing ran
            raise ConfigurationError(f"template {names[0]}", f"cannot be rendered: {exc}") from None
        subject, _, body = text.strip().partition("\n")
        lines = [line.rstrip() for line in body.strip().splitlines()]
        tidy = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))  # empty {% if %} lines leave no gaps
        return subject.strip(), tidy + "\n"
