"""The service layer: one method per use case, each run in one unit of work.

``open_office(config)`` is the composition root (:mod:`petitionkit.service.bootstrap`): it builds the
plugin manager, picks the storage backend by URL scheme, the rule set and the notifier by name, and
returns an :class:`Office`.  Every change loads the case, asks the lifecycle to decide, and writes
the case, its events and outbox messages in one transaction; observers hear of the events after
commit (:mod:`petitionkit.service.unit_of_work`).
"""

from petitionkit.service.base import Clock
from petitionkit.service.bootstrap import open_office
from petitionkit.service.office import Office
from petitionkit.service.repeats import RepeatCandidate, RepeatReason, RepeatSuspected
from petitionkit.service.results import DispatchResult, ImportReport, Progress, Registration, RejectedRow
from petitionkit.service.unit_of_work import UnitOfWork

__all__ = [
    "Clock",
    "DispatchResult",
    "ImportReport",
    "Office",
    "Progress",
    "Registration",
    "RejectedRow",
    "RepeatCandidate",
    "RepeatReason",
    "RepeatSuspected",
    "UnitOfWork",
    "open_office",
]
