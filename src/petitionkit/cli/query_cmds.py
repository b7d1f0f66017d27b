"""Listing and searching cases; what is due and overdue.

Every list pages in the database (keyset, see ``petitionkit.service.paging``): ``--limit`` rows a page
(50 by default), ``--cursor`` resumes after the page that printed it, and the total is printed with
the page.  ``--json`` prints one page as one JSON object (``next_cursor`` and ``total`` in it);
``--jsonl`` streams every row from the cursor on as JSON Lines, a page at a time; ``--all`` prints
every page as tables.  Nothing builds the whole list in memory.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import click

from petitionkit.cli.app import Env, in_zone, run_command, to_jsonable
from petitionkit.cli.views import (
    case_view,
    obligation_view,
    print_cases,
    print_obligations,
    print_schedule_warning,
    table,
)
from petitionkit.domain.model import Case, CaseState, Obligation, PetitionKind
from petitionkit.domain.paging import DEFAULT_LIMIT, MAX_LIMIT
from petitionkit.errors import FieldError, InvalidInput
from petitionkit.i18n import translate
from petitionkit.labels import Labels

if TYPE_CHECKING:  # imported when a command runs, not at start-up (issue 21)
    from petitionkit.service.integration import FeedEvent
    from petitionkit.service.paging import Page

F = TypeVar("F", bound=Callable[..., Any])
STREAM_PAGE = 1000  # rows a page when streaming (--jsonl, --all) without --limit


def paging_options(func: F) -> F:
    """``--limit``, ``--cursor``, ``--all`` and ``--jsonl``, the options every list takes."""
    func = click.option(
        "--jsonl", is_flag=True, help="Stream every row from the cursor on as JSON Lines (one object a line)."
    )(func)
    func = click.option("--all", "every", is_flag=True, help="Print every page, not just the first.")(func)
    func = click.option("--cursor", help="Resume after the page that printed this cursor.")(func)
    return click.option(
        "--limit",
        type=click.IntRange(1, MAX_LIMIT),
        default=None,
        help=f"Rows a page (default {DEFAULT_LIMIT}; {STREAM_PAGE} when streaming with --jsonl or --all).",
    )(func)


def _mode(env: Env, limit: int | None, every: bool, jsonl: bool) -> tuple[int, bool]:
    """The page size, and whether every page is wanted; refuses combinations that would build a whole list."""
    if jsonl and env.as_json:
        raise click.UsageError("--jsonl replaces --json: give one of them")
    if every and env.as_json:
        raise click.UsageError("--all with --json would make one document of everything: use --jsonl")
    streaming = every or jsonl
    return limit or (STREAM_PAGE if streaming else DEFAULT_LIMIT), streaming


def _footer(env: Env, page: Page[Any], shown: int, command: str) -> None:
    """The total and, when there is more, the command that prints the next page."""
    if page.total is None:
        click.echo(translate("paging.shown", env.locale, shown=shown))
    else:
        click.echo(translate("paging.total", env.locale, shown=shown, total=page.total))
    if page.next_cursor:
        click.echo(translate("paging.next", env.locale, command=f"petitionkit {command} --cursor {page.next_cursor}"))


def _jsonl(env: Env, rows: Iterator[dict[str, Any]]) -> None:
    # Streamed rows bypass Env.emit, so they move their times to the office's zone themselves.
    zone = env.labels.zone
    for row in rows:
        click.echo(json.dumps(in_zone(to_jsonable(row), zone), ensure_ascii=False, sort_keys=True))


@click.command("list")
@click.option("--state", "states", multiple=True, type=click.Choice([s.value for s in CaseState]))
@click.option("--kind", type=click.Choice([k.value for k in PetitionKind]))
@click.option("--category")
@click.option("--region", "region_prefix", help="Region code or prefix (e.g. 3301).")
@click.option("--respondent-body")
@click.option("--text", help="Words in the subject.")
@paging_options
@click.pass_obj
@run_command
def list_cases(
    env: Env,
    /,
    states: tuple[str, ...],
    limit: int | None,
    cursor: str | None,
    every: bool,
    jsonl: bool,
    **filters: Any,
) -> None:
    """List and search cases, oldest first, a page at a time."""
    size, streaming = _mode(env, limit, every, jsonl)

    def pages() -> Iterator[Page[Case]]:
        after = cursor
        while True:
            page = env.office.cases_page(limit=size, cursor=after, states=states, **filters)
            yield page
            if not streaming or page.next_cursor is None:
                return
            after = page.next_cursor

    if jsonl:
        _jsonl(env, (case_view(c, env.labels) for page in pages() for c in page.items))
        return
    if env.as_json:
        page = next(pages())
        views = [case_view(c, env.labels) for c in page.items]
        env.emit({"cases": views, "count": len(views), "total": page.total, "next_cursor": page.next_cursor}, _none)
        return
    shown = 0
    for page in pages():
        shown += len(page.items)
        print_cases([case_view(c, env.labels) for c in page.items], env.labels)
    _footer(env, page, shown, "list")


def _none() -> None:
    """Nothing to print for humans (the JSON branch)."""


def _duty_view(o: Obligation, page: Page[Obligation], labels: Labels) -> dict[str, Any]:
    view = obligation_view(o, labels)
    view["tracking_number"] = page.tracking_numbers.get(o.case_id)
    return view


def _obligations(
    env: Env, overdue_only: bool, days: int, limit: int | None, cursor: str | None, every: bool, jsonl: bool
) -> None:
    office = env.office
    size, streaming = _mode(env, limit, every, jsonl)
    pages = office.duty_pages(days, overdue=overdue_only, limit=size, cursor=cursor, single=not streaming)
    if jsonl:
        _jsonl(env, (_duty_view(o, page, env.labels) for page in pages for o in page.items))
        return
    warning = office.schedule_warning()
    if env.as_json:
        page = next(pages)
        views = [_duty_view(o, page, env.labels) for o in page.items]
        data = {
            "obligations": views,
            "count": len(views),
            "total": page.total,
            "next_cursor": page.next_cursor,
            "today": office.today().isoformat(),
            "calendar_warning": warning.to_dict() if warning else None,
        }
        env.emit(data, _none)
        return
    shown = 0
    for page in pages:
        shown += len(page.items)
        print_obligations([_duty_view(o, page, env.labels) for o in page.items], env.labels, page.tracking_numbers)
    _footer(env, page, shown, "overdue" if overdue_only else f"due --days {days}")
    print_schedule_warning(warning, env.locale)


@click.command("due")
@click.option("--days", type=int, default=7, show_default=True, help="Due within this many days (overdue included).")
@paging_options
@click.pass_obj
@run_command
def due(env: Env, days: int, limit: int | None, cursor: str | None, every: bool, jsonl: bool) -> None:
    """Open duties due soon, overdue ones first, a page at a time."""
    _obligations(env, False, days, limit, cursor, every, jsonl)


@click.command("overdue")
@paging_options
@click.pass_obj
@run_command
def overdue(env: Env, limit: int | None, cursor: str | None, every: bool, jsonl: bool) -> None:
    """Open duties past their due date, a page at a time."""
    _obligations(env, True, 0, limit, cursor, every, jsonl)


def _feed_pages(env: Env, size: int, cursor: str | None, streaming: bool) -> Iterator[Page[FeedEvent]]:
    """Pages of the changes feed from ``cursor`` on (the feed's position is its keyset)."""
    from petitionkit.service.paging import Page, decode_cursor, encode_cursor  # noqa: PLC0415

    values = decode_cursor("feed", cursor)
    after = int(values[0]) if values and values[0].isdigit() else 0
    if values is not None and not (values and values[0].isdigit()):
        raise InvalidInput([FieldError("cursor", "cursor")])
    while True:
        found = env.office.changes(after=after, limit=size)
        more = len(found) == size
        after = found[-1].position if found else after
        yield Page(found, None, encode_cursor("feed", [str(after)]) if more else None)
        if not streaming or not more:
            return


def _feed_view(entry: FeedEvent) -> dict[str, Any]:
    return {
        "position": entry.position,
        "case_id": entry.case_id,
        "sequence": entry.sequence,
        "name": entry.name,
        "actor": entry.actor,
        "occurred_at": entry.occurred_at.isoformat(),
        "payload": dict(entry.payload),
    }


@click.command("changes")
@paging_options
@click.pass_obj
@run_command
def changes(env: Env, limit: int | None, cursor: str | None, every: bool, jsonl: bool) -> None:
    """What changed in the office's cases, in the order it happened, a page at a time (the changes feed)."""
    size, streaming = _mode(env, limit, every, jsonl)
    from petitionkit.service.integration import FEED_LIMIT  # noqa: PLC0415

    size = min(size, FEED_LIMIT)
    pages = _feed_pages(env, size, cursor, streaming)
    if jsonl:
        _jsonl(env, (_feed_view(e) for page in pages for e in page.items))
        return
    if env.as_json:
        page = next(pages)
        views = [_feed_view(e) for e in page.items]
        env.emit({"events": views, "count": len(views), "next_cursor": page.next_cursor}, _none)
        return
    shown = 0
    headers = translate("paging.changes.headers", env.locale).split("|")
    for page in pages:
        shown += len(page.items)
        words = env.labels
        table(
            headers,
            [(e.position, words.time(e.occurred_at), e.actor, words.event(e.name), e.case_id) for e in page.items],
        )
    _footer(env, page, shown, "changes")


COMMANDS: list[click.Command] = [list_cases, due, overdue, changes]
