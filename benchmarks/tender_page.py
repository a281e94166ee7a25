"""Benchmark of the tender page with 5,000 bundled assets (DESIGN §11: <= 20 queries, <= 300 ms server time).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python benchmarks/tender_page.py [--assets 5000] [--runs 20]

Creates a throw-away test database (Django's test-database machinery: `test_<name>`, dropped at the end), a
tender bundling N assets of three departments (added with the real bulk-add service, itself timed) and two
targeted indicators, then requests its detail page in-process through Django's test client (the whole server
side: middleware, view, selectors, template, the finance and publication panels) and reports the median and
p95 server time and the number of SQL queries. Baseline, measured in the same run: the same page of a tender
bundling 50 assets (one page of the table), to show that the page does not grow with the bundle.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def build(n_assets: int, tag: str):
    import datetime

    from django.contrib.auth import get_user_model

    from departments.models import Asset, AssetCategory, Department, Membership
    from outcomes.models import Indicator, Outcome
    from procurement.services.tenders import (
        OutcomeTarget,
        tender_assets_add,
        tender_create,
        tender_outcomes_set,
    )

    User = get_user_model()
    departments = [
        Department.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in [
            ("transport", "Transport"),
            ("lighting", "Street lighting"),
            ("safety", "Public safety"),
        ]
    ]
    official, _ = User.objects.get_or_create(username="bench-official")
    Membership.objects.get_or_create(user=official, department=departments[0], defaults={"role": "official"})
    category, _ = AssetCategory.objects.get_or_create(code="bench", defaults={"name": "Bench asset"})
    Asset.objects.bulk_create(
        [
            Asset(
                department=departments[i % 3],
                category=category,
                external_ref=f"{tag}-{i:06d}",
                name=f"Asset {i}",
                area=tag,
                install_year=2000 + i % 20,
                life_years=20,
                replacement_cost=Decimal("1000.00") + i % 100,
                maintenance_cost=Decimal("40.00"),
                energy_cost=Decimal("60.00"),
            )
            for i in range(n_assets)
        ],
        batch_size=2000,
    )
    tender = tender_create(actor=official, lead_department=departments[0], title=f"Benchmark {tag}")
    started = time.perf_counter()
    added = tender_assets_add(tender=tender, assets=Asset.objects.filter(area=tag), actor=official)
    add_seconds = time.perf_counter() - started
    assert added == n_assets
    outcome = Outcome.objects.create(
        title=f"Outcome {tag}", theme="public_safety", owner_department=departments[0]
    )
    indicators = [
        Indicator.objects.create(
            outcome=outcome,
            name=f"Indicator {tag} {k}",
            unit="incidents",
            direction="lower",
            baseline_value=100,
            baseline_period=datetime.date(2025, 1, 1),
            target_value=60,
            target_date=datetime.date(2030, 1, 1),
        )
        for k in range(2)
    ]
    tender_outcomes_set(
        tender=tender,
        targets=[OutcomeTarget(i.pk, Decimal("50"), Decimal("50")) for i in indicators],
        actor=official,
    )
    return tender, official, add_seconds


PANEL_TABLES = ("finance_", "procurement_release", "procurement_clarificationquestion")


def _main_table(sql: str) -> str:
    match = re.search(r'\bFROM "(\w+)"', sql)
    return match.group(1) if match else ""


def measure(client, url: str, runs: int) -> tuple[list[float], int, int]:
    """Server times of `runs` requests, their query count, and how many of those the panels of the finance and
    publication apps made (queries on their tables: they own those budgets)."""
    client.get(url)  # warm-up (template loading, first-query caches)
    times = []
    queries = panel_queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        queries = len(captured)
        panel_queries = sum(
            1 for q in captured.captured_queries if _main_table(q["sql"]).startswith(PANEL_TABLES)
        )
    return times, queries, panel_queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from django.test import Client
        from django.urls import reverse

        big, official, add_seconds = build(args.assets, "BIG")
        small, _, _ = build(50, "SMALL")
        client = Client()
        client.force_login(official)
        results = {}
        for label, tender in (("baseline (50 assets)", small), (f"{args.assets:,} assets", big)):
            url = reverse("procurement:tender-detail", args=[tender.reference])
            times, queries, panels = measure(client, url, args.runs)
            p95 = sorted(times)[int(0.95 * (len(times) - 1))]
            results[label] = (statistics.median(times), p95, queries, panels)
        print(f"database: {connection.vendor}; runs: {args.runs}")
        print(f"bulk add of {args.assets:,} assets by filter (one service call): {add_seconds * 1000:.0f} ms")
        for label, (median, p95, queries, panels) in results.items():
            print(
                f"tender page, {label}: median {median * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, {queries} queries "
                f"({queries - panels} drafting page + session/user/nav, {panels} on finance/publication tables)"
            )
        base, big_result = results["baseline (50 assets)"], results[f"{args.assets:,} assets"]
        print(f"ratio {args.assets:,} / 50 assets (median server time): {big_result[0] / base[0]:.2f}x")
        ok_time = big_result[0] <= 0.300
        ok_queries = big_result[2] <= 20
        print(
            f"target <= 300 ms: {'met' if ok_time else 'NOT met'}; target <= 20 queries: {'met' if ok_queries else 'NOT met'}"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
