"""Benchmark of the proposals' price job through a real Celery worker on Redis (DESIGN §11, §12, issue 14).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/9 \
        .venv/bin/python benchmarks/proposals.py [--assets 10000] [--proposals 50] [--repeat 3] [--keep]

Creates its own database `opp_bench_proposals` (dropped at the end unless --keep), a tender of --assets assets
(the same builder as benchmarks/scenario_job.py), publishes it, takes --proposals sealed proposals (a third
per financing model) through `proposal_submit`, lets the deadline pass, opens the box with two city users and
times, --repeat times, the wall time from `evaluation_start` (the "Start the evaluation" button) to the priced
evaluation being committed by a real `celery worker` (queue `scenarios`): unsealing, compliance, the engine's
NPVs of every proposal in ONE batched call, price and outcome scores, stored. Target: ≤ 2 s.

Baseline, same run, same inputs: the engine called once per proposal (each call aggregating the 10,000 assets
again), against the one batched call; the ratio is printed.
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

scenario_job.BENCH_DB = "opp_bench_proposals"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--proposals", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")) or not os.environ.get("REDIS_URL"):
        sys.exit("Set DATABASE_URL (PostgreSQL server) and REDIS_URL (redis://127.0.0.1:6379/<n>).")
    scenario_job.recreate_database(server_url)
    database_url = scenario_job.admin_url(server_url, scenario_job.BENCH_DB)
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    # The benchmark tender has no outcomes or documents: publishing it is not what is measured.
    os.environ["OCDS_VALIDATE_ON_PUBLISH"] = "false"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")

    import django

    django.setup()
    import pandas as pd
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from departments.models import Department, Membership
    from finance.engine.proposals import OFFER_COLUMNS, price_proposals
    from finance.services.scenarios import engine_frames, scenario_inputs_snapshot
    from procurement.models import PartnerOrganisation, Tender
    from procurement.proposals.evaluation import _offers_frame, evaluation_start
    from procurement.proposals.models import Evaluation, TenderRequirements
    from procurement.proposals.selectors import proposal_contents_for_evaluation
    from procurement.proposals.services import proposal_submit, proposals_open
    from procurement.publication.services import release_create

    worker = None
    try:
        call_command("migrate", verbosity=0)
        t = time.perf_counter()
        tender, official = scenario_job.build_tender(args.assets)
        finance_dept = Department.objects.create(
            code="finance", name="Finance", kind=Department.Kind.CENTRAL_FINANCE
        )
        fiona = get_user_model().objects.create_user("bench-fiona", password="x")
        Membership.objects.create(user=fiona, department=finance_dept, role="finance")
        with transaction.atomic():
            Tender.objects.filter(pk=tender.pk).update(status=Tender.Status.PUBLISHED)
            tender.refresh_from_db()
            release_create(tender=tender, action="publish")
        TenderRequirements.objects.create(
            tender=tender,
            proposal_deadline=timezone.now() + datetime.timedelta(days=1),
            clarification_deadline=timezone.now(),
            accepted_models=["capex", "opex_service", "shared_savings"],
            minimum_at_risk_share=Decimal("0.1"),
            price_weight=Decimal("70"),
            outcome_weight=Decimal("30"),
        )
        models = ["capex", "opex_service", "shared_savings"]
        for i in range(args.proposals):
            model = models[i % 3]
            figures = {
                "capex": {
                    "purchase_price": f"{9_000_000 + 50_000 * i}.00",
                    "running_cost": f"{400_000 + 1000 * i}.00",
                },
                "opex_service": {
                    "financing_charge": f"{1_100_000 + 9000 * i}.00",
                    "operation_fee": f"{600_000 + 2000 * i}.00",
                },
                "shared_savings": {
                    "savings_share": f"{0.4 + 0.005 * i:.3f}",
                    "guaranteed_savings": "10000.00",
                },
            }[model]
            organisation = PartnerOrganisation.objects.create(name=f"Bench partner {i:03d}")
            proposal_submit(
                tender=tender,
                organisation=organisation,
                content={
                    "financing_model": model,
                    "figures": figures,
                    "at_risk_share": "0.2",
                    "targets": [],
                    "summary": f"offer {i}",
                },
            )
        past = timezone.now() - datetime.timedelta(seconds=1)
        TenderRequirements.objects.filter(tender=tender).update(
            proposal_deadline=past, clarification_deadline=past
        )
        proposals_open(tender=tender, actor=official)
        proposals_open(tender=tender, actor=fiona)
        print(
            f"setup: {args.assets:,} assets, {args.proposals} sealed proposals, opened, in {time.perf_counter() - t:.1f} s"
        )

        worker = scenario_job.start_worker(database_url)
        timings = []
        for _ in range(args.repeat):
            Evaluation.objects.filter(tender=tender).delete()
            start = time.perf_counter()
            evaluation = evaluation_start(tender=tender, actor=official)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                status = Evaluation.objects.filter(pk=evaluation.pk).values_list("status", flat=True).first()
                if status in ("scoring", "failed"):
                    break
                time.sleep(0.005)
            if status != "scoring":
                sys.exit(
                    f"the price job ended {status}: {Evaluation.objects.get(pk=evaluation.pk).error_message}"
                )
            timings.append(time.perf_counter() - start)
        priced = Evaluation.objects.get(tender=tender).scores.filter(npv__isnull=False).count()
        median = statistics.median(timings)
        print(
            f"evaluation through the job ({priced} proposals priced and scored): median {median:.2f} s "
            f"(runs: {', '.join(f'{x:.2f}' for x in timings)}) — target ≤ 2 s: {'OK' if median <= 2 else 'MISSED'}"
        )

        # Engine: one batched call vs one call per proposal, on the same inputs.
        frames = engine_frames(scenario_inputs_snapshot(tender=tender))
        contents = proposal_contents_for_evaluation(tender=tender)
        offers = _offers_frame(contents, set(contents))
        t = time.perf_counter()
        batched = price_proposals(frames["assets"], frames["catalogue"], frames["assumptions"], offers)
        batched_s = time.perf_counter() - t
        t = time.perf_counter()
        single = [
            price_proposals(frames["assets"], frames["catalogue"], frames["assumptions"], offers.iloc[[i]])
            .prices["npv_cost"]
            .iloc[0]
            for i in range(len(offers))
        ]
        single_s = time.perf_counter() - t
        assert pd.Series(single).round(2).tolist() == batched.prices["npv_cost"].round(2).tolist()
        assert list(offers.columns) == list(OFFER_COLUMNS)
        print(
            f"engine: {len(offers)} proposals in one batched call {batched_s * 1000:.0f} ms; one by one "
            f"{single_s * 1000:.0f} ms; ratio {single_s / batched_s:.1f}x (same NPVs to the cent)"
        )
    finally:
        if worker is not None:
            import signal

            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=20)
        from django.db import connections

        connections.close_all()
        if not args.keep:
            scenario_job.recreate_database(server_url, drop_only=True)


if __name__ == "__main__":
    main()
