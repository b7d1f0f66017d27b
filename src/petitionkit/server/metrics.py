"""Prometheus metrics (``GET /metrics``): request latency by route, and the office's outbox depth and
overdue duties, read when scraped.  No label carries personal data or a case id: routes are path
templates (``/cases/{case_ref}``), never paths."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.plugins.prometheus import PrometheusConfig
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from petitionkit.domain.model import Party
from petitionkit.server.context import Api
from petitionkit.service import Office

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

#: Request latency (seconds) by method, route template and status: Litestar's middleware, on the
#: process-wide registry (each uvicorn worker reports its own).
REQUESTS = PrometheusConfig(
    app_name="petitionkit",
    prefix="petitionkit",
    group_path=True,
    exclude=["/metrics", "/health", "/ready"],
    buckets=[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0],
)


class OfficeCollector(Collector):
    """The office's gauges, read from the database at each scrape."""

    def __init__(self, office: Office) -> None:
        self.office = office

    def collect(self) -> Iterator[Metric]:
        office = self.office
        yesterday = office.today() - timedelta(days=1)
        with office.storage.transaction() as tx:
            pending = tx.pending_outbox_count()
            overdue = tx.open_obligations_due(office.config.office_code, yesterday)
        owed = [o for o in overdue if o.owed_by is not Party.PETITIONER]
        yield GaugeMetricFamily("petitionkit_outbox_pending", "Messages waiting for delivery", value=pending)
        family = GaugeMetricFamily(
            "petitionkit_overdue_obligations", "Open duties past their due date, by who owes them", labels=["owed_by"]
        )
        for party in (Party.OFFICE, Party.BODY, Party.REVIEWING_ORGAN):
            family.add_metric([party.value], sum(1 for o in owed if o.owed_by is party))
        yield family


def office_registry(office: Office) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(OfficeCollector(office))
    return registry


@get("/metrics", sync_to_thread=True, tags=["operations"], security=[{}], include_in_schema=False)
def metrics(api: NamedDependency[Api]) -> Response[bytes]:
    """Prometheus text format: the process's request metrics and the office's gauges."""
    body = generate_latest(REGISTRY) + generate_latest(api.metrics)
    return Response(body, media_type=CONTENT_TYPE)
