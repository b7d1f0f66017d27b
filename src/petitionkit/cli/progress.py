"""Progress of long work on standard error: a bar with rate and ETA on a terminal, quiet otherwise.

One helper for every long command (import, export, recompute, purge, key re-encryption, audit
verification, report building).  The service layer reports progress through plain callbacks
(``progress(done, total)`` and the like) or is handed an iterator; it never imports click.

When standard error is a terminal, click's progress bar is drawn (click is the CLI's library already:
no new dependency, and it draws the bar, percentage and ETA; the rate is added beside it).  Otherwise
nothing is printed, so pipes, cron mails and ``--json`` output stay clean.  ``PETITIONKIT_PROGRESS``
overrides the choice: ``1`` (or ``always``) prints progress even when standard error is no terminal,
as one line per step (``import: 500/2000 (25%) 812/s, ETA 0:00:02``), ``0`` (or ``never``) silences
it on a terminal too.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, TypeVar

import click

from petitionkit.i18n import translate

T = TypeVar("T")

PROGRESS_ENV = "PETITIONKIT_PROGRESS"


def mode() -> str:
    """``bar`` (standard error is a terminal), ``lines`` (forced, no terminal) or ``off``."""
    wanted = os.environ.get(PROGRESS_ENV, "").strip().lower()
    if wanted in ("0", "never", "no", "off"):
        return "off"
    terminal = sys.stderr.isatty()
    if terminal:
        return "bar"
    return "lines" if wanted in ("1", "always", "yes", "on") else "off"


class Reporter:
    """Progress of one piece of work, ``label`` naming it; ``update(done, total)`` as it goes."""

    def __init__(self, label: str, locale: str, how: str) -> None:
        self.label, self.locale, self.how = label, locale, how
        self.started = time.monotonic()
        self.done = 0
        self.total: int | None = None
        self._bar: Any = None

    def _rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    def _eta(self) -> str:
        rate = self._rate()
        if not self.total or rate <= 0:
            return "-"
        return str(timedelta(seconds=round(max(self.total - self.done, 0) / rate)))

    def update(self, done: int, total: int | None = None, label: str | None = None) -> None:
        """``done`` of ``total`` (``None``: not known) finished so far; ``label`` renames the current step."""
        step, self.done = done - self.done, done
        if total is not None:
            self.total = total
        if label is not None:
            self.label = label
        if self.how == "bar":
            self._draw(step)
        elif self.how == "lines":
            click.echo(self.line(), err=True)

    def restart(self, label: str, total: int | None = None) -> None:
        """A new step with its own count (a table of its own, another verifier)."""
        self.finish()
        self.label, self.done, self.total, self.started = label, 0, total, time.monotonic()

    def advance(self, count: int = 1) -> None:
        self.update(self.done + count, self.total)

    def line(self) -> str:
        """The progress as one line of text (the ``lines`` mode)."""
        total = "?" if self.total is None else self.total
        share = f"{100 * self.done // self.total}%" if self.total else "-"
        return translate(
            "progress.line",
            self.locale,
            label=self.label,
            done=self.done,
            total=total,
            share=share,
            rate=f"{self._rate():.0f}",
            eta=self._eta(),
        )

    def _draw(self, step: int) -> None:
        if self._bar is None or (self.total is not None and self._bar.length != self.total):
            if self._bar is not None:
                self._bar.render_finish()
            self._bar = click.progressbar(
                length=self.total,
                label=self.label,
                file=sys.stderr,
                show_eta=True,
                show_percent=self.total is not None,
                item_show_func=lambda _item: translate("progress.rate", self.locale, rate=f"{self._rate():.0f}"),
            )
            self._bar.__enter__()
            step = self.done
        self._bar.label = self.label
        self._bar.update(step, current_item=self.done)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


@contextmanager
def reporting(label: str, locale: str) -> Iterator[Reporter]:
    """A :class:`Reporter` for the work inside the ``with`` block (the bar is closed at its end)."""
    reporter = Reporter(label, locale, mode())
    try:
        yield reporter
    finally:
        reporter.finish()


def track(items: Iterable[T], label: str, locale: str, total: int | None = None) -> Iterator[T]:
    """``items`` as they come, counted on a progress bar (a line each 1% of ``total``, or each 500
    items when the total is unknown, in the ``lines`` mode)."""
    how = mode()
    if how == "off":
        yield from items
        return
    every = max(1, total // 100) if total else 500
    with reporting(label, locale) as reporter:
        reporter.total = total
        pending = 0
        for item in items:
            yield item
            pending += 1
            if pending >= every or (how == "bar" and pending >= max(1, every // 10)):
                reporter.advance(pending)
                pending = 0
        if pending or reporter.done == 0:
            reporter.advance(pending)


def callback(reporter: Reporter) -> Callable[[int, int], None]:
    """``progress(done, total)``, the callback shape of the service layer's batch work (purge)."""
    return reporter.update


def step_callback(reporter: Reporter) -> Callable[..., None]:
    """``progress(where, done[, total])``: counts that start again for each ``where`` (key re-encryption
    table by table, audit verification verifier by verifier)."""
    base = reporter.label
    current: list[str] = []

    def show(where: str, done: int, total: int | None = None) -> None:
        if current != [where]:
            current[:] = [where]
            reporter.restart(f"{base} {where}", total)
        reporter.update(done, total)

    return show
