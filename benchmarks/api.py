"""Benchmark of the partner API's published tender list (DESIGN §11).

    python benchmarks/api.py [--tenders 300] [--duration 10] [--connections 16] [--keep-db]

1. Creates a PostgreSQL database (DATABASE_URL's server, database `opp_bench_api`), migrates it and seeds
   `--tenders` published tenders (assets, pooled contributions, outcome targets, one OCDS release each,
   written by the publication service).
2. Counts SQL queries per request of GET /api/v1/tenders/?page_size=N for N = 10 and 100 (in-process).
3. Starts gunicorn on 127.0.0.1 (2 sync workers: the machine has 2 cores) with the benchmark settings, which
   add one trivial JSON view (/bench/trivial/, only routed in these settings) and lift the API throttles.
4. Loads both URLs with the same tool and the same load, one after the other, on loopback only: Debian's
   `wrk` if installed (`apt-get install -y wrk`), else a bounded Python keep-alive load generator.
   Prints requests/s of each and the ratio (target >= 50 %). Under load the list is served from its page
   cache (keyed by the latest release id: published data only changes by appending a release); the
   uncached path's queries and in-process time are printed too.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_NAME = "opp_bench_api"
HOST, PORT = "127.0.0.1", 8971
LIST_URL = f"http://{HOST}:{PORT}/api/v1/tenders/?page_size=100"
TRIVIAL_URL = f"http://{HOST}:{PORT}/bench/trivial/"


def database_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/opp")
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        sys.exit("benchmarks/api.py needs PostgreSQL: set DATABASE_URL=postgres://…")
    return urlunsplit(parts._replace(path=f"/{DB_NAME}"))


def recreate_database(url: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.api_settings"
    import django

    django.setup()


def seed(n_tenders: int) -> None:
    import datetime
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction

    from departments.models import Asset, AssetCategory, Department
    from finance.models import BudgetLine, Contribution
    from outcomes.models import Indicator, Outcome
    from procurement.models import Tender, TenderAsset, TenderOutcome
    from procurement.publication.services import release_on_transition

    call_command("migrate", verbosity=0)
    User = get_user_model()
    requester = User.objects.create(username="bench-requester")
    decider = User.objects.create(username="bench-decider")
    departments = [
        Department.objects.create(code=code, name=name)
        for code, name in (
            ("transport", "Transport"),
            ("lighting", "Street lighting"),
            ("safety", "Public safety"),
        )
    ]
    categories = [
        AssetCategory.objects.create(code=code, name=name, unit=unit)
        for code, name, unit in (("shelter", "Bus shelter", "shelter"), ("lamp", "Street light", "lamp"))
    ]
    lines = {
        (d.code, year, kind): BudgetLine.objects.create(
            department=d, fiscal_year=year, budget_type=kind, amount=Decimal("1000000000.00")
        )
        for d in departments
        for year in (2027, 2028)
        for kind in ("capex", "opex")
    }
    outcome = Outcome.objects.create(
        title="Safer stops", theme="public_safety", owner_department=departments[0]
    )
    indicator = Indicator.objects.create(
        outcome=outcome,
        name="Night-time incidents",
        unit="incidents per month",
        direction="lower",
        baseline_value=Decimal("40"),
        baseline_period=datetime.date(2026, 1, 1),
        target_value=Decimal("25"),
        target_date=datetime.date(2030, 12, 31),
    )
    for index in range(n_tenders):
        with transaction.atomic():
            tender = Tender.objects.create(
                reference=f"T-2027-{index + 1:04d}",
                title=f"Smart, safe bus stops — route {index + 1}",
                description="Shelters, their lighting and cameras as one service, paid on outcomes.",
                lead_department=departments[index % 3],
                status=Tender.Status.PUBLISHED,
                tender_period_start=datetime.date(2027, 3, 1),
                tender_period_end=datetime.date(2027, 5, 31),
            )
            for a in range(10):
                department, category = departments[a % 3], categories[a % 2]
                asset = Asset.objects.create(
                    department=department,
                    category=category,
                    external_ref=f"B-{index:04d}-{a:02d}",
                    install_year=2010,
                    life_years=20,
                    replacement_cost=Decimal("800"),
                    maintenance_cost=Decimal("40"),
                    energy_cost=Decimal("60"),
                )
                TenderAsset.objects.create(tender=tender, asset=asset)
            for key, line in lines.items():
                if key[0] == "safety" and index % 2:
                    continue
                Contribution.objects.create(
                    tender=tender,
                    budget_line=line,
                    amount=Decimal("10000.50"),
                    status="approved",
                    requested_by=requester,
                    decided_by=decider,
                )
            TenderOutcome.objects.create(tender=tender, indicator=indicator, target_value=Decimal("25"))
            release_on_transition(tender=tender, action="publish", actor=decider)


def queries_per_request() -> dict[str, dict[int, int]]:
    """SQL queries of one list request, uncached (cache emptied first) and cached, for page sizes 10 and 100."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from procurement.publication.selectors import forget_published_version

    client = Client()
    counts: dict[str, dict[int, int]] = {"uncached": {}, "cached": {}}
    for size in (10, 100):
        client.get(f"/api/v1/tenders/?page_size={size}")  # warm up imports, schema, etc.
        for mode in ("uncached", "cached"):
            if mode == "uncached":
                cache.clear()
                forget_published_version()
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(f"/api/v1/tenders/?page_size={size}")
            assert response.status_code == 200, response.content[:300]
            assert len(response.json()["results"]) == size
            counts[mode][size] = len(ctx.captured_queries)
    return counts


def uncached_server_time(repeats: int = 30) -> tuple[float, float]:
    """In-process WSGI time (ms) of the list page of 100 with the page cache emptied first, and of the trivial view."""
    from django.core.cache import cache
    from django.test import Client

    from procurement.publication.selectors import forget_published_version

    client = Client()
    timings = {}
    for name, url in (("list", "/api/v1/tenders/?page_size=100"), ("trivial", "/bench/trivial/")):
        best = float("inf")
        for _ in range(repeats):
            cache.clear()
            forget_published_version()
            started = time.perf_counter()
            client.get(url)
            best = min(best, time.perf_counter() - started)
        timings[name] = best * 1000
    return timings["list"], timings["trivial"]


def start_gunicorn(url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "benchmarks.api_settings",
        "PYTHONPATH": str(ROOT),
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    proc = subprocess.Popen(
        [gunicorn, "config.wsgi:application", "-b", f"{HOST}:{PORT}", "-w", "2", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, PORT, timeout=1)
            conn.request("GET", "/bench/trivial/")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    sys.exit("gunicorn did not start")


def run_wrk(url: str, duration: int, connections: int) -> tuple[float, int]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, int(non2xx.group(1)) if non2xx else 0


def run_python_load(url: str, duration: int, connections: int) -> tuple[float, int]:
    """A bounded keep-alive load generator: `connections` threads, each looping until the deadline."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    deadline = time.monotonic() + duration
    counts, errors = [0] * connections, [0] * connections

    def worker(i):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        while time.monotonic() < deadline:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            counts[i] += 1
            if response.status != 200:
                errors[i] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - start), sum(errors)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tenders", type=int, default=300)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per URL")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--keep-db", action="store_true", help="reuse an already seeded database")
    args = parser.parse_args()
    if not 1 <= args.duration <= 120 or not 1 <= args.connections <= 256:
        sys.exit("duration must be 1–120 s and connections 1–256")

    url = database_url()
    if not args.keep_db:
        recreate_database(url)
    setup_django(url)
    if not args.keep_db:
        started = time.perf_counter()
        seed(args.tenders)
        print(f"seeded {args.tenders} published tenders in {time.perf_counter() - started:.1f} s")
    counts = queries_per_request()
    for mode in ("uncached", "cached"):
        print(
            f"SQL queries per list request ({mode}): page_size=10 → {counts[mode][10]}, 100 → {counts[mode][100]}"
        )
    list_ms, trivial_ms = uncached_server_time()
    print(
        f"in-process, page cache emptied: list page of 100 {list_ms:.2f} ms, trivial view {trivial_ms:.2f} ms"
    )

    tool = "wrk" if shutil.which("wrk") else "python"
    load = run_wrk if tool == "wrk" else run_python_load
    proc = start_gunicorn(url)
    try:
        load(TRIVIAL_URL, 2, args.connections)  # warm-up of both workers and connections
        load(LIST_URL, 2, args.connections)
        # Interleaved rounds of 2 s: a shared machine's background load then weighs on both URLs alike.
        rounds = max(1, args.duration // 2)
        results = {TRIVIAL_URL: [], LIST_URL: []}
        for _ in range(rounds):
            for url_ in (TRIVIAL_URL, LIST_URL):
                results[url_].append(load(url_, 2, args.connections))
        trivial_rps = sum(r for r, _ in results[TRIVIAL_URL]) / rounds
        trivial_errors = sum(e for _, e in results[TRIVIAL_URL])
        list_rps = sum(r for r, _ in results[LIST_URL]) / rounds
        list_errors = sum(e for _, e in results[LIST_URL])
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    ratio = list_rps / trivial_rps
    print(
        f"load tool: {tool}, {args.connections} connections, {rounds} interleaved rounds of 2 s per URL, "
        "gunicorn 2 sync workers"
    )
    print(f"trivial JSON view:                 {trivial_rps:9.1f} req/s (non-2xx: {trivial_errors})")
    print(f"published tender list, page of 100: {list_rps:9.1f} req/s (non-2xx: {list_errors})")
    print(f"ratio: {ratio:.1%} (target >= 50 %) → {'met' if ratio >= 0.5 else 'NOT met'}")
    constant = all(counts[m][10] == counts[m][100] <= 4 for m in counts)
    print(f"queries per request constant (<= 4): {'met' if constant else 'NOT met'}")


if __name__ == "__main__":
    main()
