"""Shared fixtures and Hypothesis profiles (fast by default, ``HYPOTHESIS_PROFILE=thorough`` on demand)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from petitionkit.service import Office
from petitionkit.testing import FakeClock, office_settings, open_test_office

settings.register_profile("fast", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "thorough", max_examples=1000, deadline=None, stateful_step_count=60, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def office(clock: FakeClock) -> Office:
    """An in-memory office with the sample bodies and a hand-moved clock."""
    return open_test_office(office_settings(), clock=clock)
