"""Property-based tests of the whole HTTP API from its own OpenAPI document (schemathesis), on SQLite and
PostgreSQL: whatever the generated request, no 5xx, and every documented response matches its schema."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error, response_schema_conformance  # noqa: E402

from petitionkit.server.app import create_app  # noqa: E402
from petitionkit.server.settings import ServerSettings  # noqa: E402
from petitionkit.service import open_office  # noqa: E402
from petitionkit.testing import office_settings  # noqa: E402
from petitionkit.testing.databases import temporary_schema  # noqa: E402

from .conftest import Provider, Server, serve  # noqa: E402


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def module_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, provider: Provider
) -> Iterator[Server]:
    """One server per database kind for every operation of the document (starting one per operation
    would cost more than the examples)."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('property') / 'office.db'}"
        else:
            url = stack.enter_context(temporary_schema(request.getfixturevalue("postgresql_base_url")))
        found = serve(url, provider, public_rate_per_minute=1000)
        stack.callback(found.office.close)
        stack.callback(found.stop)
        yield found


def _document() -> dict[str, Any]:
    """The document the server publishes (it depends on no database: made here, on the in-memory one)."""
    with open_office(office_settings()) as office:
        return dict(create_app(office, ServerSettings()).openapi_schema.to_schema())


schema = schemathesis.openapi.from_dict(_document())


@schema.parametrize()
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_answers_without_5xx_and_as_documented(case: Any, module_server: Server) -> None:
    server = module_server
    headers = {
        "Authorization": f"Bearer {server.provider.token('u-admin')}",
        "Idempotency-Key": uuid.uuid4().hex,
        "If-Match": '"1"',
    }
    response = case.call(base_url=server.base, headers=headers)
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
