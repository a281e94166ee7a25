"""Benchmark of the HTML pages beside the trivial views (issue 17): throughput as a share of /healthz.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/<n> \
        .venv/bin/python benchmarks/pages.py [--tenders 100] [--assets 5000] [--workers 4] [--rounds 5]

1. Creates a PostgreSQL database `opp_bench_pages` (dropped at the end unless --keep), migrates it and seeds
   --tenders published tenders (benchmarks/api.py's seed: the publication service writes every release) and
   one draft tender bundling --assets assets of three departments, led by an official of Transport.
2. Prints SQL queries per request of each page (Django test client; anonymous public pages twice: the first
   renders, the second is served from the page cache).
3. Starts gunicorn (--workers sync workers, benchmark settings: DEBUG off, persistent connections; the cache is
   Redis when REDIS_URL is set, as in production) on 127.0.0.1 and loads, in interleaved rounds of 2 s so that
   the shared machine's background load weighs on all alike: /healthz (the baseline the issue names: a
   database query and, with REDIS_URL, a broker ping), the trivial JSON view of benchmarks/api.py, the public
   tender list, a public tender page, the official's tender page (signed in by a session cookie), the
   finance panels it loads with htmx, the partner API's list (issue 17: keep ≥ 90 % of /healthz), and the
   official's inbox: the floor of any signed-in page. Load: `wrk`
   (Debian package) with --connections connections, else a Python keep-alive loop; loopback only.
4. Prints req/s, p99 latency and the ratio to /healthz measured in the same run, against the targets.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import api as api_bench  # noqa: E402  (after the path)

# Overridable (BENCH_PAGES_DB, BENCH_PAGES_PORT) so that two engineers can run it side by side.
DB_NAME = os.environ.get("BENCH_PAGES_DB", "opp_bench_pages")
HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_PAGES_PORT", "8972"))
BASE = f"http://{HOST}:{PORT}"


def database_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        sys.exit("benchmarks/pages.py needs PostgreSQL: set DATABASE_URL=postgres://…")
    return urlunsplit(parts._replace(path=f"/{DB_NAME}"))


def recreate_database(url: str, *, drop_only: bool = False) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def seed_official_tender(n_assets: int):
    """A draft of Transport bundling n_assets assets of the three seeded departments; its lead official."""
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from departments.models import Asset, AssetCategory, Department, Membership
    from procurement.models import Tender, TenderAsset

    official = get_user_model().objects.create_user(
        "bench-official", password="x", first_name="Olga", last_name="Official"
    )
    departments = list(Department.objects.order_by("code"))
    transport = Department.objects.get(code="transport")
    Membership.objects.create(user=official, department=transport, role=Membership.Role.OFFICIAL)
    category = AssetCategory.objects.first()
    assets = Asset.objects.bulk_create(
        [
            Asset(
                department=departments[i % len(departments)],
                category=category,
                external_ref=f"PAGE-{i:06d}",
                name=f"Asset {i}",
                area="Route 7",
                install_year=2005,
                life_years=20,
                replacement_cost=Decimal("1000.00"),
                maintenance_cost=Decimal("50.00"),
                energy_cost=Decimal("25.00"),
            )
            for i in range(n_assets)
        ],
        batch_size=2000,
    )
    tender = Tender.objects.create(
        reference="T-2027-9000", title="Bench: every stop on route 7", lead_department=transport,
        created_by=official,
    )  # fmt: skip
    TenderAsset.objects.bulk_create([TenderAsset(tender=tender, asset=a) for a in assets], batch_size=2000)
    return tender, official


def session_cookie(user) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def queries_of(path: str, cookie: str | None = None, htmx: bool = False) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    if cookie:
        name, value = cookie.split("=", 1)
        client.cookies[name] = value
    headers = {"HX-Request": "true"} if htmx else {}
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, headers=headers)
    assert response.status_code == 200, (path, response.status_code)
    return len(ctx.captured_queries)


def start_gunicorn(url: str, workers: int, *, no_cache: bool = False) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "benchmarks.api_settings",
        "PYTHONPATH": str(ROOT),
        **({"BENCH_NO_CACHE": "1"} if no_cache else {}),
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    proc = subprocess.Popen(
        [gunicorn, "config.wsgi:application", "-b", f"{HOST}:{PORT}", "-w", str(workers),
         "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    import http.client

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


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(
    url: str, duration: int, connections: int, cookie: str | None, htmx: bool
) -> tuple[float, float, int]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    if htmx:
        command[1:1] = ["-H", "HX-Request: true"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+([\d.]+(?:us|ms|s))", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, p99, int(non2xx.group(1)) if non2xx else 0


def run_python(
    url: str, duration: int, connections: int, cookie: str | None, htmx: bool
) -> tuple[float, float, int]:
    """A bounded keep-alive load loop (`connections` threads); p99 from every request's latency."""
    import http.client
    import threading

    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {**({"Cookie": cookie} if cookie else {}), **({"HX-Request": "true"} if htmx else {})}
    deadline = time.monotonic() + duration
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        while time.monotonic() < deadline:
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            latencies[i].append((time.perf_counter() - started) * 1000)
            errors[i] += response.status != 200

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = sorted(x for per in latencies for x in per)
    p99 = every[min(len(every) - 1, int(len(every) * 0.99))] if every else float("nan")
    return len(every) / (time.monotonic() - start), p99, sum(errors)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tenders", type=int, default=100)
    parser.add_argument("--assets", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds of 2 s per URL")
    parser.add_argument("--keep", action="store_true", help=f"keep the {DB_NAME} database")
    args = parser.parse_args()

    url = database_url()
    recreate_database(url)
    api_bench.setup_django(url)
    try:
        started = time.perf_counter()
        api_bench.seed(args.tenders)
        tender, official = seed_official_tender(args.assets)
        # Planner statistics, as autovacuum gathers them within a minute of a bulk load in production: without
        # them the asset table's page of the tender is planned for 17 rows and sorts all 5,000.
        from django.db import connection as seeded

        with seeded.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"seeded {args.tenders} published tenders and a draft of {args.assets:,} assets "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        from procurement.models import Tender

        public_ref = Tender.objects.filter(status="published").order_by("reference").first().reference
        cookie = session_cookie(official)
        pages = [
            # (label, path, cookie, htmx)
            ("/healthz (baseline)", "/healthz", None, False),
            ("trivial JSON view", "/bench/trivial/", None, False),
            ("public tender list", "/tenders/public/", None, False),
            ("public tender page", f"/tenders/public/{public_ref}/", None, False),
            (
                f"official's tender page, {args.assets:,} assets",
                f"/tenders/{tender.reference}/",
                cookie,
                False,
            ),
            ("  its finance panels (htmx)", f"/tenders/{tender.reference}/finance/", cookie, True),
            ("partner API list, page of 100", "/api/v1/tenders/?page_size=100", None, False),
            # The least any signed-in page costs (session, user, memberships, unread count, the layout): the
            # part of the official's page that is not the tender's.
            ("  the official's inbox (signed-in floor)", "/inbox/", cookie, False),
        ]
        for label, path, page_cookie, htmx in pages[2:]:
            first = queries_of(path, page_cookie, htmx)
            again = queries_of(path, page_cookie, htmx)
            print(f"SQL queries per request, {label.strip()}: {first} (again: {again})")

        tool = "wrk" if shutil.which("wrk") else "python"
        load = run_wrk if tool == "wrk" else run_python
        proc = start_gunicorn(url, args.workers)
        try:
            for _, path, page_cookie, htmx in pages:  # warm every worker and cache
                load(BASE + path, 1, args.connections, page_cookie, htmx)
            results: dict[str, list[tuple[float, float, int]]] = {label: [] for label, *_ in pages}
            for _ in range(args.rounds):
                for label, path, page_cookie, htmx in pages:
                    results[label].append(load(BASE + path, 2, args.connections, page_cookie, htmx))
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        # The same public pages from a server without any cache (what every request cost before issue 17),
        # with /healthz again on that server for its own ratio.
        uncached_pages = [pages[0], pages[2], pages[3]]
        proc = start_gunicorn(url, args.workers, no_cache=True)
        try:
            for _, path, page_cookie, htmx in uncached_pages:
                load(BASE + path, 1, args.connections, page_cookie, htmx)
            uncached: dict[str, list[tuple[float, float, int]]] = {label: [] for label, *_ in uncached_pages}
            for _ in range(args.rounds):
                for label, path, page_cookie, htmx in uncached_pages:
                    uncached[label].append(load(BASE + path, 2, args.connections, page_cookie, htmx))
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
    finally:
        from django.db import connection

        connection.close()
        if not args.keep:
            recreate_database(url, drop_only=True)

    load_average = os.getloadavg()
    print(f"load tool: {tool}, {args.connections} connections, {args.rounds} interleaved rounds of 2 s per URL, "
          f"gunicorn {args.workers} sync workers, cache: {'Redis' if os.environ.get('REDIS_URL') else 'local memory'}; "
          f"load average after the run {load_average[0]:.2f} {load_average[1]:.2f} {load_average[2]:.2f} "
          f"on {os.cpu_count()} CPUs")  # fmt: skip
    baseline = statistics.mean(r for r, _, _ in results[pages[0][0]])
    trivial = statistics.mean(r for r, _, _ in results[pages[1][0]])
    targets = {"public tender list": 0.5, "public tender page": 0.5, "partner API list, page of 100": 0.9}
    for label, *_ in pages:
        rps = statistics.mean(r for r, _, _ in results[label])
        p99 = statistics.median(p for _, p, _ in results[label])
        errors = sum(e for _, _, e in results[label])
        line = (
            f"{label:42s} {rps:8.1f} req/s  p99 {p99:7.1f} ms  {rps / baseline:6.1%} of /healthz, "
            f"{rps / trivial:6.1%} of the trivial view"
        )
        target = targets.get(label)
        if label.startswith("official's"):
            met = rps / baseline >= 0.2 and p99 <= 100
            line += f"  (target ≥ 20 %, p99 ≤ 100 ms: {'met' if met else 'NOT met'})"
        elif target is not None:
            line += f"  (target ≥ {target:.0%}: {'met' if rps / baseline >= target else 'NOT met'})"
        if errors:
            line += f"  non-2xx: {errors}"
        print(line)
    uncached_baseline = statistics.mean(r for r, _, _ in uncached[pages[0][0]])
    print("Same-run baseline, a server without any cache (every request renders from the database):")
    for label, *_ in uncached_pages:
        rps = statistics.mean(r for r, _, _ in uncached[label])
        p99 = statistics.median(p for _, p, _ in uncached[label])
        cached_rps = statistics.mean(r for r, _, _ in results[label])
        print(
            f"  {label:40s} {rps:8.1f} req/s  p99 {p99:7.1f} ms  {rps / uncached_baseline:6.1%} of its /healthz"
            + (f"; the cached page serves {cached_rps / rps:.1f}× as many" if label != pages[0][0] else "")
        )


if __name__ == "__main__":
    main()
