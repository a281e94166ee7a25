"""Benchmark of a scenario run through a real Celery worker on Redis (DESIGN §11, issue 8).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/8 \
        .venv/bin/python benchmarks/scenario_job.py [--assets 10000] [--repeat 3] [--keep] [--database NAME]

Creates its own database (`opp_bench_scenarios` unless --database names another) on the server of DATABASE_URL (dropped at the end unless
--keep), migrates it, creates a tender bundling --assets assets of 4 departments (5 categories, mixed actions)
with approved contributions, starts a real `celery worker` subprocess (prefork, concurrency 1, queue
`scenarios`) and times, --repeat times with a different seed (so that nothing is reused), the wall time from
`scenario_run_request` (the service the "Run" button calls) to the run's results being committed, observed by
polling the database every 5 ms. Target: ≤ 3 s. The baseline, in the same run on the same inputs, is the same
job executed inline in this process (no broker, no worker): the difference is the cost of the queue. It also
times a request whose inputs did not change (reuse of the stored result) and the results page (Django test
client, median of 7) with its number of SQL queries (target ≤ 300 ms).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BENCH_DB = "opp_bench_scenarios"


def admin_url(url: str, database: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{database}"))


def recreate_database(server_url: str, *, drop_only: bool = False) -> None:
    """Drop BENCH_DB (and create it again unless drop_only)."""
    import psycopg

    parts = urlparse(server_url)
    with psycopg.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password,
        dbname="postgres", autocommit=True,
    ) as conn:  # fmt: skip
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {BENCH_DB}")


def build_tender(n_assets: int):
    """A tender bundling n_assets assets of 4 departments, with approved contributions (the pooled budget)."""
    from django.contrib.auth import get_user_model

    from departments.models import Asset, AssetCategory, Department, Membership
    from finance.models import BudgetLine, Contribution
    from procurement.models import Tender, TenderAsset

    rng = np.random.default_rng(8)
    users = get_user_model().objects
    official = users.create_user("bench-official", password="x", first_name="Bench", last_name="Official")
    approver = users.create_user("bench-finance", password="x")
    departments = [
        Department.objects.create(code=code, name=code.title())
        for code in ("transport", "lighting", "safety", "parks")
    ]
    Membership.objects.create(user=official, department=departments[0], role="official")
    categories = [
        AssetCategory.objects.create(
            code=f"cat-{i}", name=f"Category {i}", upgrade_unit_cost=Decimal(800 + 900 * i),
            upgrade_life_years=15 + 3 * i, upgrade_maintenance_cost=Decimal(20 + 5 * i),
            upgrade_energy_cost=Decimal(10 + 8 * i),
        )
        for i in range(5)
    ]  # fmt: skip
    which = rng.integers(0, 5, n_assets)
    assets = Asset.objects.bulk_create(
        [
            Asset(
                department=departments[int(which[i]) % 4],
                category=categories[int(which[i])],
                external_ref=f"B-{i:06d}",
                install_year=int(2026 - rng.integers(0, 35)),
                life_years=int(rng.integers(10, 40)),
                replacement_cost=Decimal(f"{rng.uniform(300, 9000):.2f}"),
                maintenance_cost=Decimal(f"{rng.uniform(10, 400):.2f}"),
                energy_cost=Decimal(f"{rng.uniform(0, 500):.2f}"),
            )
            for i in range(n_assets)
        ],
        batch_size=5000,
    )
    tender = Tender.objects.create(
        reference="T-2027-9001",  # the tender_ref converter needs T-YYYY-NNNN
        title="Benchmark tender",
        lead_department=departments[0],
        created_by=official,
    )
    actions = np.array(["upgrade", "replace", "operate", "maintain"])[rng.integers(0, 4, n_assets)]
    TenderAsset.objects.bulk_create(
        [TenderAsset(tender=tender, asset=a, action=str(actions[i])) for i, a in enumerate(assets)],
        batch_size=5000,
    )
    for dept in departments:
        for year in range(2027, 2032):
            for btype in ("capex", "opex"):
                line = BudgetLine.objects.create(
                    department=dept, fiscal_year=year, budget_type=btype, amount=Decimal("5000000")
                )
                Contribution.objects.create(
                    tender=tender, budget_line=line, amount=Decimal("400000"), status="approved",
                    requested_by=official, decided_by=approver,
                )  # fmt: skip
    return tender, official


def start_worker(database_url: str) -> subprocess.Popen:
    from config.celery_app import app

    env = {**os.environ, "DATABASE_URL": database_url, "CELERY_TASK_ALWAYS_EAGER": "false"}
    env.pop("SCENARIO_PROGRESS_DELAY", None)
    app.control.purge()
    log = open(ROOT / "var" / "bench-worker.log", "w")  # noqa: SIM115 — lives as long as the worker
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config.celery_app", "worker", "-Q", "scenarios",
         "--concurrency", "1", "--pool", "prefork", "--loglevel", "WARNING", "--without-gossip",
         "--without-mingle", "-n", f"bench-worker-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit("the worker exited; see var/bench-worker.log")
        if app.control.ping(timeout=0.5):
            return proc
    proc.kill()
    sys.exit("the worker did not answer a ping within 60 s")


def wait_until_finished(run_id: int, timeout: float = 120.0) -> float:
    from finance.models import ScenarioRun

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = ScenarioRun.objects.filter(pk=run_id).values_list("status", flat=True).first()
        if status in ("succeeded", "failed"):
            if status == "failed":
                sys.exit(f"run {run_id} failed: {ScenarioRun.objects.get(pk=run_id).error_message}")
            return time.perf_counter()
        time.sleep(0.005)
    sys.exit(f"run {run_id} did not finish within {timeout} s")


def main() -> None:
    global BENCH_DB
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help=f"keep the {BENCH_DB} database")
    parser.add_argument(
        "--database",
        default=BENCH_DB,
        help="name of the benchmark's own database (several engineers at once)",
    )
    args = parser.parse_args()
    BENCH_DB = args.database

    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")) or not os.environ.get("REDIS_URL"):
        sys.exit("Set DATABASE_URL (PostgreSQL server) and REDIS_URL (redis://127.0.0.1:6379/<n>).")
    recreate_database(server_url)
    database_url = admin_url(server_url, BENCH_DB)
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    os.environ.pop("SCENARIO_PROGRESS_DELAY", None)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from finance.models import ScenarioRun
    from finance.services.scenarios import (
        scenario_assumptions_defaults,
        scenario_assumptions_save,
        scenario_run_execute,
        scenario_run_request,
    )

    worker = None
    try:
        call_command("migrate", verbosity=0)
        t = time.perf_counter()
        tender, official = build_tender(args.assets)
        print(
            f"setup: {args.assets:,} assets bundled into {tender.reference} in {time.perf_counter() - t:.1f} s"
        )
        base = scenario_assumptions_defaults(tender=tender) | {"start_year": 2027}

        def with_seed(seed: int) -> None:
            scenario_assumptions_save(tender=tender, values=base | {"seed": seed}, actor=official)

        worker = start_worker(database_url)
        # Warm-up (imports in the worker's pool process, first connection): not timed.
        with_seed(1)
        wait_until_finished(scenario_run_request(tender=tender, actor=official).pk)

        through_worker, queue_waits, computes = [], [], []
        for i in range(args.repeat):
            with_seed(100 + i)
            start = time.perf_counter()
            run = scenario_run_request(tender=tender, actor=official)  # commits, then enqueues (on_commit)
            end = wait_until_finished(run.pk)
            run.refresh_from_db()
            through_worker.append(end - start)
            queue_waits.append((run.started_at - run.created_at).total_seconds())
            computes.append((run.finished_at - run.started_at).total_seconds())

        inline = []
        for i in range(args.repeat):
            with_seed(200 + i)
            start = time.perf_counter()
            run = scenario_run_request(tender=tender, actor=official, enqueue=False)
            scenario_run_execute(run.pk)
            inline.append(time.perf_counter() - start)

        # Baselines in the same run, on the same inputs: the engine alone (what the job cannot avoid), and the
        # json module's encoding of the snapshot, which the job did three times before issue 17.
        import json

        from finance.engine import run_all
        from finance.services.scenarios import canonical_json, engine_frames, scenario_inputs_snapshot

        snapshot = scenario_inputs_snapshot(tender=tender)
        frames = engine_frames(snapshot)
        engine_times, json_times, orjson_times = [], [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            run_all(**frames)
            engine_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            json_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            canonical_json(snapshot)
            orjson_times.append(time.perf_counter() - start)

        start = time.perf_counter()
        reused = scenario_run_request(tender=tender, actor=official)
        reuse_time = time.perf_counter() - start
        assert reused.reused_from_id is not None

        client = Client()
        client.force_login(official)
        url = reverse("finance:scenario-run-detail", kwargs={"pk": reused.reused_from_id})
        client.get(url)
        page_times = []
        for _ in range(7):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                page_times.append(time.perf_counter() - start)
            assert response.status_code == 200
        rows = ScenarioRun.objects.get(pk=reused.reused_from_id).cash_flows.count()

        med = statistics.median(through_worker)
        print(f"request → result stored, through the worker (median of {args.repeat}): {med:.3f} s "
              f"(runs {', '.join(f'{x:.3f}' for x in through_worker)}); target ≤ 3 s: "
              f"{'met' if med <= 3 else 'NOT met'}")  # fmt: skip
        print(f"  of which waiting in the queue (created → started): {statistics.median(queue_waits):.3f} s, "
              f"computing and storing (started → finished): {statistics.median(computes):.3f} s")  # fmt: skip
        inline_med = statistics.median(inline)
        print(f"baseline, same job inline in this process (no broker): {inline_med:.3f} s "
              f"→ the queue costs {med - inline_med:+.3f} s ({med / inline_med:.2f}× the inline time)")  # fmt: skip
        engine_med = statistics.median(engine_times)
        print(f"the job inline (request + execute) {inline_med:.3f} s vs the engine alone on the same inputs "
              f"{engine_med:.3f} s → {inline_med / engine_med:.1f}× the engine; target ≤ 0.6 s at 50,000 assets: "
              f"{'met' if inline_med <= 0.6 else 'NOT met'} ({args.assets:,} assets)")  # fmt: skip
        print(f"snapshot encoding ({len(canonical_json(snapshot)) / 1e6:.1f} MB): json module "
              f"{statistics.median(json_times) * 1000:.0f} ms (the job did it 3×), orjson once "
              f"{statistics.median(orjson_times) * 1000:.0f} ms")  # fmt: skip
        print(f"same inputs again (reuse of the stored result): {reuse_time * 1000:.0f} ms")
        print(f"results page ({rows:,} stored cash-flow rows): median {statistics.median(page_times) * 1000:.0f} ms, "
              f"{len(queries.captured_queries)} SQL queries; target ≤ 300 ms")  # fmt: skip
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        connection.close()
        if not args.keep:
            recreate_database(server_url, drop_only=True)


if __name__ == "__main__":
    main()
