"""What every request of one application shares (:class:`Api`) and the dependencies handlers ask for."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import State

from petitionkit.server.auth import Authenticator
from petitionkit.server.idempotency import HttpProblem
from petitionkit.server.problems import simple
from petitionkit.server.ratelimit import RateLimiter
from petitionkit.server.settings import ServerSettings
from petitionkit.service import Office


class Api:
    """What every request of one application shares: the office (unbound), settings, authentication."""

    def __init__(self, office: Office, settings: ServerSettings, authenticator: Authenticator) -> None:
        self.office, self.settings, self.authenticator = office, settings, authenticator
        self.public_limit = RateLimiter(settings.public_rate_per_minute)
        self.intake_limit = RateLimiter(settings.intake_rate_per_minute)
        from petitionkit.server.metrics import office_registry  # noqa: PLC0415 - metrics import this module

        self.metrics = office_registry(office)

    def bound(self, request: Request[Any, Any, Any]) -> Office:
        """The office acting as the request's principal (401 when it has none)."""
        principal = self.authenticator.principal(request.headers.get("authorization"), self.office.now())
        return self.office.acting_as(principal)

    def public(self) -> Office:
        """The office acting as ``public_principal`` (the public endpoints); 404 when none is configured."""
        name = self.settings.public_principal
        entry = self.office.config.principal_entry(name) if name else None
        if entry is None:
            raise HttpProblem(simple(404, "no_such_endpoint", title="not_found", path="/public"))
        return self.office.acting_as(entry.principal())


def api_of(state: State) -> Api:
    api = state["api"]
    assert isinstance(api, Api)
    return api


def provide_office(request: Request[Any, Any, Any], state: State) -> Office:
    return api_of(state).bound(request)


def provide_api(state: State) -> Api:
    return api_of(state)
