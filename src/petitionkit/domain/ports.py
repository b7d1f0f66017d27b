"""What the domain needs from the outside world, as protocols.

Rule sets (jurisdiction rules) and calendars are supplied by plugins; the lifecycle only
talks to these protocols.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from petitionkit.domain.clocks import Clock, Deadline, DeadlineBasis
from petitionkit.domain.model import Body, PetitionKind


class Calendar(Protocol):
    """Which days are working days."""

    @property
    def name(self) -> str:
        """Identifies the data, e.g. ``"weekends-only"``; recorded in every deadline basis."""
        ...

    def day_off_reason(self, day: date) -> str | None:
        """``None`` for a working day, else why it is a day off (``"weekend"``, ``"holiday:春节"``)."""
        ...


class Rules(Protocol):
    """A composed jurisdiction rule set: clocks, bodies, collective-petition limits."""

    @property
    def name(self) -> str: ...

    def deadline(self, clock: Clock, start: date, kind: PetitionKind, *, extension_days: int = 0) -> Deadline | None:
        """Due date of ``clock`` started on ``start``; ``None`` when the clock does not apply to ``kind``."""
        ...

    def recompute(self, basis: DeadlineBasis) -> Deadline:
        """Recompute a recorded basis with the rule set's current calendar."""
        ...

    def max_extension_days(self, kind: PetitionKind) -> int:
        """Longest extension of the handling period allowed for ``kind`` (0: none)."""
        ...

    def representative_limit(self, headcount: int) -> int:
        """How many representatives a collective petition of ``headcount`` people may elect."""
        ...

    def bodies(self) -> Sequence[Body]:
        """Every handling body the office knows."""
        ...
