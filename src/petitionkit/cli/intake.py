"""The interactive registration form (走访登记, ``petitionkit register --interactive``).

Each answer is checked at its own prompt and asked again when wrong, so nothing typed before is
lost: free text through the same normaliser as every other way in (:mod:`petitionkit.domain.normalise`,
docs/input.md); channels, kinds, roles and categories from a numbered list, answered with the
number, the code, or the Chinese or English name; the region with its six-digit code or its name
(``西湖区``, ``杭州市西湖区``; a name several divisions share asks for the code).  Before anything is
saved the clerk sees a summary in the locale and confirms it, or picks a field by its number to
change; when the registration is refused (a visit without an ID number, too few representatives)
only the fields the refusal names are asked again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import click

from petitionkit.domain import normalise
from petitionkit.domain.model import Channel, PetitionerRole, PetitionKind
from petitionkit.errors import FieldError, InvalidInput
from petitionkit.labels import Labels


def _headcount(value: Any, field: str) -> int:
    text = normalise.ascii_form(str(value)).strip()
    if not text.lstrip("+-").isascii() or not text.lstrip("+-").isdigit():
        raise InvalidInput([FieldError(field, "wrong_type", {"expected": "integer"})])
    return normalise.headcount(int(text), field)


CHECKS: dict[str, Callable[[Any, str], Any]] = {
    "petitioners[0].name": lambda v, f: normalise.text(v, f, limit=normalise.LIMITS["name"]),
    "petitioners[0].id_number": normalise.id_number,
    "petitioners[0].phone": normalise.phone,
    "headcount": _headcount,
    "category": normalise.code,
    "region_code": normalise.region_code,
    "subject": lambda v, f: normalise.text(v, f, limit=normalise.LIMITS["subject"]),
    "content": lambda v, f: normalise.text(v, f, limit=normalise.LIMITS["content"], multiline=True),
}


def checked(field: str, locale: str) -> Callable[[Any], Any]:
    """A ``click.prompt`` value_proc: the answer normalised, or the field's problem shown and asked again."""
    check = CHECKS[field]

    def proc(value: Any) -> Any:
        try:
            result = check(value, field)
        except InvalidInput as refused:
            raise click.UsageError("; ".join(e.message(locale) for e in refused.errors)) from None
        if isinstance(result, str) and not result:
            raise click.UsageError(FieldError(field, "blank").message(locale))
        return result

    return proc


def chosen(choices: Mapping[str, str], labels: Labels, extra: Mapping[str, str] | None = None) -> Callable[[Any], str]:
    """A value_proc for a numbered list: the number, the code, or a name (``choices``: code → label)."""
    codes = list(choices)
    names = {label.casefold(): code for code, label in choices.items()}
    names |= {name.casefold(): code for name, code in (extra or {}).items()}

    def proc(value: Any) -> str:
        answer = normalise.ascii_form(str(value)).strip()
        if answer.isdigit() and 1 <= int(answer) <= len(codes):
            return codes[int(answer) - 1]
        if answer in choices or answer.lower() in choices:
            return answer if answer in choices else answer.lower()
        found = names.get(answer.casefold())
        if found is None:
            raise click.UsageError(labels.word("cli.not_a_choice", answer=answer[:40]))
        return found

    return proc


def region(labels: Labels) -> Callable[[Any], str]:
    """A value_proc for the region: a six-digit code, or a division's name that only one division has."""
    check = checked("region_code", labels.locale)

    def proc(value: Any) -> str:
        answer = str(value).strip()
        if normalise.ascii_form(answer).strip().isdigit():
            return str(check(answer))
        from petitionkit.regions import divisions, region_name  # noqa: PLC0415 - loads the list

        matches: list[str] = []
        for code in divisions():
            padded = code.ljust(6, "0")
            full = region_name(padded) or ""
            if len(answer) >= 2 and (full == answer or full.endswith(answer)) and padded not in matches:
                matches.append(padded)
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise click.UsageError(labels.word("cli.region_unknown", answer=answer[:40]))
        shown = labels.joined(f"{region_name(c)} {c}" for c in matches[:6])
        raise click.UsageError(labels.word("cli.region_ambiguous", answer=answer[:40], matches=shown))

    return proc


class Form:
    """The answers of one interactive registration, each field asked, shown and changed on its own."""

    #: The form's fields in order (``role`` only when several people came).
    FIELDS: ClassVar[tuple[str, ...]] = (
        "channel", "name", "id_number", "phone", "address", "headcount", "role", "kind", "category", "region_code",
        "subject", "content", "confidential",
    )  # fmt: skip
    #: Which fields a refusal asks again: by its problem, else by the field it names (headcount asks the role).
    PROBLEMS: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "visit_needs_identity": ("name", "id_number"),
        "needs_petitioner": ("name",),
        "needs_representatives": ("headcount",),
        "too_many_representatives": ("headcount",),
    }
    REFUSED: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "petitioners[0].name": ("name",),
        "petitioners[0].id_number": ("id_number",),
        "petitioners[0].phone": ("phone",),
        "petitioners[0].address": ("address",),
        "headcount": ("headcount",),
        "channel": ("channel",),
        "kind": ("kind",),
        "category": ("category",),
        "region_code": ("region_code",),
        "subject": ("subject",),
        "content": ("content",),
    }

    def __init__(self, labels: Labels) -> None:
        self.labels = labels
        self.answers: dict[str, Any] = {}

    # --- asking ----------------------------------------------------------------------------------

    def _title(self, field: str) -> str:
        return self.labels.word(f"form.{field}")

    def _prompt(self, text: str, proc: Callable[[Any], Any] | None, default: Any = None, show: bool = True) -> Any:
        """Ask until ``proc`` takes the answer; its refusal is shown in the locale (click's would be English)."""
        while True:
            answer = click.prompt(text, default=default, type=str, err=True, show_default=show)
            if proc is None:
                return answer
            try:
                return proc(answer)
            except click.UsageError as refused:
                click.echo(f"{self.labels.word('cli.error')}: {refused.message}", err=True)

    def _choose(self, field: str, choices: Mapping[str, str], default: str | None = None) -> str:
        click.echo(self._title(field) + ("：" if self.labels.locale == "zh-CN" else ":"), err=True)
        for n, label in enumerate(choices.values(), start=1):
            click.echo(f"  {n:>2}. {label}", err=True)
        extra = self._other_locale_names(field, choices)
        answer: str = self._prompt(
            self.labels.word("cli.choose", field=self._title(field)),
            chosen(choices, self.labels, extra),
            choices[default] if default else None,
        )
        return answer

    def _other_locale_names(self, field: str, choices: Mapping[str, str]) -> dict[str, str]:
        """The names in the other locale too: a clerk may type 申诉求决类 under --locale en."""
        other = Labels("en" if self.labels.locale == "zh-CN" else "zh-CN", self.labels.rules)
        name = {"channel": other.channel, "kind": other.kind, "role": other.role, "category": other.category}[field]
        return {name(code): code for code in choices}

    def _text(self, field: str, check: str | None, default: Any = None) -> Any:
        proc = checked(check, self.labels.locale) if check else None
        return self._prompt(self._title(field), proc, default, show=default not in (None, ""))

    def ask(self, field: str) -> None:
        """Ask ``field`` (again), keeping every other answer."""
        labels, a = self.labels, self.answers
        if field == "channel":
            a[field] = self._choose(field, {c.value: labels.channel(c) for c in Channel}, a.get(field, "visit"))
        elif field in ("name", "id_number", "phone"):
            a[field] = self._text(field, f"petitioners[0].{field}", a.get(field))
        elif field == "address":
            a[field] = self._text(field, None, a.get(field, "")) or None
        elif field == "headcount":
            a[field] = self._text(field, "headcount", a.get(field, 1))
            if a[field] > 1:
                self.ask("role")
            else:
                a.pop("role", None)
        elif field == "role":
            roles = {r.value: labels.role(r) for r in PetitionerRole}
            a[field] = self._choose(field, roles, a.get(field, "representative"))
        elif field == "kind":
            a[field] = self._choose(field, {k.value: labels.kind(k) for k in PetitionKind}, a.get(field, "claim"))
        elif field == "category":
            a[field] = self._choose(field, dict(labels.categories()), a.get(field))
        elif field == "region_code":
            a[field] = self._prompt(labels.word("cli.region_prompt"), region(labels), a.get(field))
        elif field in ("subject", "content"):
            a[field] = self._text(field, field, a.get(field))
        elif field == "confidential":
            a[field] = click.confirm(self._title(field) + "？", default=a.get(field, False), err=True)

    def fill(self) -> None:
        for field in self.FIELDS:
            if field != "role" and field not in self.answers:
                self.ask(field)

    # --- the summary -----------------------------------------------------------------------------

    def shown(self) -> list[tuple[str, str]]:
        """The answers as the summary lists them: (field, text), in form order."""
        labels, a = self.labels, self.answers
        texts = {
            "channel": labels.channel(a["channel"]),
            "role": labels.role(a["role"]) if "role" in a else "",
            "kind": labels.kind(a["kind"]),
            "category": labels.category(a["category"]),
            "region_code": f"{labels.region(a['region_code'])}",
            "confidential": labels.word("view.yes") if a.get("confidential") else "",
        }
        rows = []
        for field in self.FIELDS:
            text = texts[field] if field in texts else a.get(field)
            if text not in (None, ""):
                rows.append((field, str(text)))
        return rows

    def confirm(self) -> bool:
        """Show the summary until the clerk saves it (True) or gives up (False)."""
        while True:
            click.echo("", err=True)
            click.echo(self.labels.word("cli.summary"), err=True)
            rows = self.shown()
            for n, (field, text) in enumerate(rows, start=1):
                click.echo(f"  {n:>2}. {self._title(field)}：{text}", err=True)
            if click.confirm(self.labels.word("cli.confirm"), default=True, err=True):
                return True
            pick = click.prompt(self.labels.word("cli.redo"), default="", show_default=False, err=True).strip()
            if not pick:
                return False
            index = int(pick) - 1 if pick.isdigit() else -1
            if 0 <= index < len(rows):
                self.ask(rows[index][0])

    def correct(self, refused: InvalidInput) -> bool:
        """Ask again only the fields a refusal names (False: it names none of the form's fields)."""
        fields = [f for e in refused.errors for f in self.PROBLEMS.get(e.problem, self.REFUSED.get(e.field, ()))]
        if not fields:
            return False
        click.echo(f"{self.labels.word('cli.error')}: {refused.message(self.labels.locale)}", err=True)
        for field in dict.fromkeys(fields):
            self.ask(field)
        return True

    # --- the petition ----------------------------------------------------------------------------

    def petition(self, received_at: str) -> dict[str, Any]:
        """The registration document (as ``register --file`` takes it)."""
        a = self.answers
        person: dict[str, Any] = {k: a.get(k) for k in ("name", "id_number", "phone", "address")}
        if "role" in a:
            person["role"] = a["role"]
        keys: Sequence[str] = ("channel", "headcount", "kind", "category", "region_code", "subject", "content")
        return {
            **{k: a[k] for k in keys},
            "petitioners": [person],
            "confidential": bool(a.get("confidential")),
            "received_at": received_at,
        }
