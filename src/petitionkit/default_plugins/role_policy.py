"""The built-in role policy: a principal may do what one of its roles grants (``[roles.<name>]``)."""

from __future__ import annotations

from collections.abc import Mapping

from petitionkit.domain.access import Principal, Role
from petitionkit.domain.model import Case
from petitionkit.hookspecs import hookimpl


@hookimpl
def petitionkit_permission_allowed(
    principal: Principal, permission: str, case: Case | None, roles: Mapping[str, Role]
) -> bool | None:
    """``True`` when a role of the principal grants ``permission``; else no opinion (other plugins may allow)."""
    granted = any(permission in roles[name].permissions for name in principal.roles if name in roles)
    return True if granted else None
