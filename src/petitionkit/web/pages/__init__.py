"""The workspace's pages: one module per page area, each with ``HANDLERS`` (its route handlers) and
``NAV`` (its entries in the navigation, each shown only to principals allowed to use it).

To add a page area: write ``pages/<area>.py`` with handlers taking ``visit: NamedDependency[Visit]``,
its templates in ``web/templates/``, its strings in ``locale/web.toml``, and list the module in
:func:`areas` (docs/web.md, "Adding a page").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

import attrs

from petitionkit.domain.access import Permission

if TYPE_CHECKING:
    from petitionkit.web.context import Visit


@attrs.frozen
class NavItem:
    """One entry of the navigation: shown when ``permission`` (if any) is allowed and ``shown`` agrees."""

    path: str  # below /workspace
    label: str  # an i18n key
    order: int = 100
    permission: Permission | None = None
    shown: Callable[[Visit], bool] | None = None

    def visible_to(self, visit: Visit) -> bool:
        if self.permission is not None and not visit.may(self.permission):
            return False
        return self.shown is None or self.shown(visit)


def areas() -> Sequence[ModuleType]:
    """Every page area's module, in navigation order of their first entries."""
    from petitionkit.web.pages import (  # noqa: PLC0415
        audit,
        bodies,
        cases,
        casework,
        intake,
        mywork,
        reports,
        signin,
        sso,
    )

    return (signin, sso, mywork, audit, intake, cases, casework, bodies, reports)


def handlers() -> list[Any]:
    return [h for area in areas() for h in area.HANDLERS]


def navigation(visit: Visit) -> list[NavItem]:
    """The entries ``visit``'s principal may use, in order."""
    items = [item for area in areas() for item in getattr(area, "NAV", ())]
    return sorted((i for i in items if i.visible_to(visit)), key=lambda i: (i.order, i.path))
