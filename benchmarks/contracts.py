"""Benchmark of payment certificates on a large contract (DESIGN §11, §13, issue 15).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/contracts.py \
        [--assets 10000] [--years 20] [--repeat 20] [--keep]

Creates its own database `opp_bench_contracts` (dropped at the end unless --keep), a tender of --assets assets
(benchmarks/scenario_job.py's builder) with three targeted indicators, a contract of --years yearly periods
created by `contract_create` (the savings baseline aggregated from the assets and frozen), inflation for every
year, and the LAST period reported and verified. Times, --repeat times, `certificate_compute` of that period
(rows → the pure Decimal calculation with t = years − 1 indexation factors → the stored certificate), each in a
transaction rolled back so that every repetition computes the same certificate. Target ≤ 100 ms.

Baseline, same run: the same certificate with the savings baseline re-aggregated from the --assets assets each
time (what a design without the frozen baseline would do); the ratio is printed. Also prints the number of
queries of the contract page with --years × 4 quarterly periods and with 4 (target ≤ 20, constant).
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks import scenario_job  # noqa: E402

scenario_job.BENCH_DB = "opp_bench_contracts"


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server.")
    scenario_job.recreate_database(server_url)
    os.environ["DATABASE_URL"] = scenario_job.admin_url(server_url, scenario_job.BENCH_DB)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["OCDS_VALIDATE_ON_PUBLISH"] = "false"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from departments.models import Membership
    from outcomes.models import Indicator, Outcome
    from procurement.contracts import certificate as calc
    from procurement.contracts import services
    from procurement.contracts.models import Contract, InflationRate, PerformancePeriod
    from procurement.models import PartnerOrganisation, TenderOutcome

    try:
        call_command("migrate", verbosity=0)
        tender, official = scenario_job.build_tender(args.assets)
        tender.contract_term_years = args.years
        tender.reference = "T-2099-0001"  # the public page's URL takes city references only
        tender.save(update_fields=["contract_term_years", "reference"])
        department = tender.lead_department
        outcome = Outcome.objects.create(title="Bench outcome", theme="safety", owner_department=department)
        indicators = [
            Indicator.objects.create(
                outcome=outcome, name=f"Bench indicator {i}", unit="incidents per month", direction="lower",
                baseline_value=Decimal("100"), baseline_period=datetime.date(2025, 1, 1),
                target_value=Decimal("60"), target_date=datetime.date(2040, 1, 1),
            )
            for i in range(3)
        ]  # fmt: skip
        for indicator, weight in zip(indicators, ("50", "30", "20"), strict=True):
            TenderOutcome.objects.create(
                tender=tender, indicator=indicator, target_value=Decimal("60"), payment_weight=Decimal(weight)
            )
        partner = PartnerOrganisation.objects.create(name="Bench Partner")
        from django.contrib.auth import get_user_model

        finance = get_user_model().objects.create_user("bench-fin", password="x")
        Membership.objects.create(user=finance, department=department, role="finance")
        start = datetime.date(2027, 1, 1)
        for year in range(start.year + 1, start.year + args.years):
            InflationRate.objects.create(
                year=year, inflation=Decimal("0.021"), energy_change=Decimal("0.034"), entered_by=finance
            )
        terms = services.ContractTerms(
            financing_model="shared_savings", financing_charge=Decimal("0"), operation_fee=Decimal("0"),
            savings_share=Decimal("0.4"), at_risk_share=Decimal("0.25"),
            committed={i.pk: Decimal("55") for i in indicators},
        )  # fmt: skip
        contract = services.contract_create(
            tender=tender, organisation=partner, terms=terms, actor=official, start_date=start
        )
        last = contract.periods.order_by("-number").first()
        PerformancePeriod.objects.filter(pk=last.pk).update(status="open")
        last.refresh_from_db()
        report = services.report_submit(
            period=last, organisation=partner, measurements={i.pk: "70" for i in indicators},
            actual_maintenance=f"{contract.baseline_maintenance * Decimal('0.9'):.2f}",
            actual_energy=f"{contract.baseline_energy * Decimal('0.8'):.2f}",
            today=last.end_date,
        )  # fmt: skip
        # The verifier must not be the reporter; the reporter here is the token-less service call.
        report.measurements.update(status="verified")
        report.__class__.objects.filter(pk=report.pk).update(cost_status="verified")

        def certify(rebuild_baseline: bool) -> float:
            t0 = time.perf_counter()
            try:
                with transaction.atomic():
                    if rebuild_baseline:
                        maintenance, energy, _ = services.baseline_of(tender=tender)
                        Contract.objects.filter(pk=contract.pk).update(
                            baseline_maintenance=maintenance, baseline_energy=energy
                        )
                    certificate = services.certificate_compute(period=last, actor=None)
                    assert certificate.total_payable >= 0
                    raise Rollback
            except Rollback:
                pass
            return (time.perf_counter() - t0) * 1000

        certify(False)  # warm-up (schema cache, imports)
        frozen = [certify(False) for _ in range(args.repeat)]
        rebuilt = [certify(True) for _ in range(args.repeat)]
        pure_input = services.certificate_input(period=last)
        t0 = time.perf_counter()
        for _ in range(args.repeat):
            calc.compute_certificate(pure_input)
        pure = (time.perf_counter() - t0) * 1000 / args.repeat

        client = Client()
        client.force_login(official)
        quarterly = services.contract_create(
            tender=scenario_job_tender_copy(tender, official),
            organisation=partner, terms=terms, actor=official, start_date=start,
            period_length=Contract.PeriodLength.QUARTERLY,
        )  # fmt: skip
        queries = {}
        for c in (contract, quarterly):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(f"/contracts/{c.pk}/").status_code == 200
            queries[c.periods.count()] = len(ctx.captured_queries)

        median = statistics.median(frozen)
        print(
            f"contract: {args.assets:,} assets, {args.years} yearly periods; certificate of period {last.number}"
        )
        print(
            f"certificate_compute (frozen baseline): median {median:.1f} ms over {args.repeat} "
            f"(min {min(frozen):.1f}, max {max(frozen):.1f}); target ≤ 100 ms: {'met' if median <= 100 else 'MISSED'}"
        )
        print(f"pure calculation alone: {pure:.2f} ms")
        print(
            f"baseline (re-aggregating {args.assets:,} assets each time): median "
            f"{statistics.median(rebuilt):.1f} ms → ratio {statistics.median(rebuilt) / median:.1f}×"
        )
        print(
            "contract page queries by number of periods: "
            + ", ".join(f"{n}: {q}" for n, q in sorted(queries.items()))
        )
    finally:
        connection_close()
        if not args.keep:
            scenario_job.recreate_database(server_url, drop_only=True)


def scenario_job_tender_copy(tender, official):
    """A second tender of the same department (one contract per tender) for the quarterly page count."""
    from procurement.models import Tender

    return Tender.objects.create(
        reference="T-2099-0002", title="Benchmark tender 2", lead_department=tender.lead_department,
        created_by=official, contract_term_years=tender.contract_term_years,
    )  # fmt: skip


def connection_close() -> None:
    from django.db import connections

    connections.close_all()


if __name__ == "__main__":
    main()
