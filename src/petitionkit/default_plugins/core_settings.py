"""The settings tables of petitionkit itself, declared through the hook plugins use.

``[settings.notifications]`` (see :mod:`petitionkit.notifications.settings`) and ``[settings.audit]``
(see :mod:`petitionkit.audit.settings`) and ``[settings.privacy]`` (:mod:`petitionkit.privacy.settings`)
are checked when the office opens, like every plugin's table.
"""

from __future__ import annotations

from collections.abc import Callable

from petitionkit.audit import settings as audit_settings
from petitionkit.hookspecs import hookimpl
from petitionkit.notifications.settings import NAME, NotificationsTable
from petitionkit.privacy import settings as privacy_settings


@hookimpl
def petitionkit_declare_settings(register: Callable[..., None]) -> None:
    register(NAME, NotificationsTable)
    register(audit_settings.NAME, audit_settings.AuditSettings)
    register(privacy_settings.NAME, privacy_settings.PrivacySettings)
