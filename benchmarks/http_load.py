"""A bounded load test of the HTTP API on loopback: N concurrent clients against ``uvicorn --workers W``
over PostgreSQL holding C cases (docs/benchmarks.md, "The HTTP API under load").

    python benchmarks/http_load.py --url postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        --cases 100000 --clients 16 --workers 2 --seconds 20

Three scenarios, one after the other, each for ``--seconds``: registering a petition (``POST
/petitions`` with an Idempotency-Key), reading a case (``GET /cases/{id}``, random among the first
thousand), and the due list (``GET /obligations/due?days=7&limit=50``).  As ``benchmarks/run.py`` does,
the office's clock is 2026-03-02 09:00 (just after the last generated petition) and obligations due more
than ``--open-days`` before it are set met first, so the due list holds a working office's backlog.
Prints p50/p99 latency, throughput and every non-2xx answer (an error) per scenario as JSON.  Not part
of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import petitions  # noqa: E402
from run import backlog  # noqa: E402

URL_ENV = "PETITIONKIT_BENCH_HTTP_URL"
SHANGHAI = timezone(timedelta(hours=8))
#: The offices' clock, as in benchmarks/run.py: just after the last generated petition, so the due list
#: holds what an office a few days into its month sees (not two years of duties all overdue).
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


def clock() -> datetime:
    return NOW


def _config(url: str) -> dict[str, Any]:
    from petitionkit.testing import office_settings  # noqa: PLC0415

    config = dict(office_settings())
    config["database"] = {"url": url}
    return config


def make_app() -> Any:
    """The application each uvicorn worker builds (``--factory``): the bench office over ``URL_ENV``."""
    from petitionkit.server.app import create_app  # noqa: PLC0415
    from petitionkit.server.settings import ServerSettings  # noqa: PLC0415
    from petitionkit.service import open_office  # noqa: PLC0415

    office = open_office(_config(os.environ[URL_ENV]), clock=clock)
    app = create_app(office, ServerSettings(max_page=200))
    app.on_shutdown.append(office.close)
    return app


def seed(url: str, cases: int) -> tuple[str, list[str], float]:
    """``cases`` petitions imported; an API key for the administrator; ids of cases to read."""
    from petitionkit.testing import ADMIN, open_test_office  # noqa: PLC0415

    with open_test_office(_config(url), principal=ADMIN, clock=clock) as office:
        started = time.perf_counter()
        report = office.import_petitions(petitions(cases), batch_size=2000)
        seconds = time.perf_counter() - started
        assert report.imported == cases and not report.rejected, report
        _key, token = office.create_api_key("admin", name="load test", days=1)
        ids = [c.id for c in office.search(limit=1000)]
    return token, ids, seconds


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(base: str, token: str, clients: int, seconds: float, call: Callable[[httpx.Client], int]) -> dict[str, Any]:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        mine: list[float] = []
        bad: dict[str, int] = {}
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as c:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                try:
                    status = call(c)
                except httpx.HTTPError as exc:
                    status = -1
                    bad[type(exc).__name__] = bad.get(type(exc).__name__, 0) + 1
                mine.append(time.perf_counter() - started)
                if not 200 <= status < 300 and status != -1:
                    bad[str(status)] = bad.get(str(status), 0) + 1
        with lock:
            latencies.extend(mine)
            for k, v in bad.items():
                errors[k] = errors.get(k, 0) + v

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "per_second": round(len(ordered) / elapsed, 1),
        "p50_ms": round(1000 * statistics.median(ordered), 1),
        "p99_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 1),
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="PostgreSQL base URL (a fresh schema is made in it)")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--open-days", type=int, default=30, help="obligations due before today-N count as met")
    args = parser.parse_args()

    from petitionkit.testing.databases import temporary_schema  # noqa: PLC0415

    with temporary_schema(args.url, prefix="httpload") as url:
        token, ids, import_seconds = seed(url, args.cases)
        closed = backlog("postgresql", url, args.open_days)  # as benchmarks/run.py: a working office
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "uvicorn", "http_load:make_app", "--factory", "--app-dir", str(HERE)]
        command += ["--workers", str(args.workers), "--port", str(port), "--log-level", "warning", "--no-access-log"]
        server = subprocess.Popen(
            command,
            env={**os.environ, URL_ENV: url},
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start")
                time.sleep(0.2)
            drafts = petitions(5000, seed=7, start=NOW - timedelta(days=20), end=NOW - timedelta(hours=1))
            pool = list(drafts)
            results = {
                "register": run(
                    base,
                    token,
                    args.clients,
                    args.seconds,
                    lambda c: (
                        c.post(
                            "/petitions", json=random.choice(pool), headers={"Idempotency-Key": uuid.uuid4().hex}
                        ).status_code
                    ),
                ),
                "get_case": run(
                    base, token, args.clients, args.seconds, lambda c: c.get(f"/cases/{random.choice(ids)}").status_code
                ),
                "due_list": run(
                    base,
                    token,
                    args.clients,
                    args.seconds,
                    lambda c: c.get("/obligations/due", params={"days": 7, "limit": 50}).status_code,
                ),
            }
        finally:
            server.terminate()
            server.wait(60)
    print(
        json.dumps(
            {
                "cases": args.cases,
                "clients": args.clients,
                "workers": args.workers,
                "seconds_per_scenario": args.seconds,
                "import_seconds": round(import_seconds, 1),
                "obligations_set_met": closed,
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
