"""Fixtures for the notification tests (helpers live in notify_helpers.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import pytest
from notify_helpers import RecordingNotifier, settings_with

from petitionkit.config import OfficeConfig
from petitionkit.service import Office
from petitionkit.testing import SHANGHAI, FakeClock, open_test_office

# The isolated-schema PostgreSQL fixtures (skip, or fail with PETITIONKIT_REQUIRE_POSTGRESQL=1).
from petitionkit.testing.databases import postgresql_base_url, postgresql_url  # noqa: F401


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def make_office(clock: FakeClock, notifier: RecordingNotifier) -> Callable[..., Office]:
    def make(
        notifications: Mapping[str, Any] | None = None, config: OfficeConfig | None = None, **office: Any
    ) -> Office:
        return open_test_office(config or settings_with(notifications, **office), clock=clock, notifier=notifier)

    return make


@pytest.fixture
def office(make_office: Callable[..., Office]) -> Office:
    return make_office()
