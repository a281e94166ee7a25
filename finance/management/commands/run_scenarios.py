"""`manage.py run_scenarios <tender reference> [--json]`: run a tender's four scenarios now, in this process."""

import json

from django.core.management.base import BaseCommand, CommandError

from finance.engine import EngineError


class Command(BaseCommand):
    help = "Run the financing scenarios of a tender synchronously (no worker) and print the summary."

    def add_arguments(self, parser):
        parser.add_argument("reference", help="Tender reference, e.g. T-2027-0001.")
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")

    def handle(self, *args, reference: str, json: bool = False, **options):
        from finance.exceptions_scenarios import ScenarioError
        from finance.models import ScenarioRun, ScenarioSummary
        from finance.selectors.scenarios import SCENARIO_LABELS, result_run_id
        from finance.services.scenarios import scenario_run_execute, scenario_run_request
        from procurement.models import Tender

        tender = Tender.objects.filter(reference=reference).first()
        if tender is None:
            raise CommandError(f"No tender with reference {reference!r}.")
        try:
            run = scenario_run_request(tender=tender, actor=None, enqueue=False)
            if run.status != ScenarioRun.Status.SUCCEEDED:
                run = scenario_run_execute(run.pk)
        except (ScenarioError, EngineError) as exc:
            raise CommandError(str(exc)) from exc
        if run.status == ScenarioRun.Status.FAILED:
            raise CommandError(f"Run {run.pk} failed:\n{run.error_message}")
        rows = list(ScenarioSummary.objects.filter(run_id=result_run_id(run)))
        if json:
            self.stdout.write(_json_dump(run, tender, rows))
            return
        reused = f" (same inputs as run {run.reused_from_id})" if run.reused_from_id else ""
        self.stdout.write(f"{tender.reference} {tender.title}: run {run.pk}{reused}, {tender.currency}")
        self.stdout.write(f"{'scenario':<18}{'NPV of cost':>16}{'whole-life':>16}{'savings':>16}  bankable")
        for s in rows:
            bankable = "—" if s.bankable is None else ("yes" if s.bankable else "no")
            self.stdout.write(
                f"{SCENARIO_LABELS[s.scenario]:<18}{s.npv:>16,.2f}{s.whole_life_cost:>16,.2f}"
                f"{s.savings_vs_status_quo:>16,.2f}  {bankable}"
            )


def _json_dump(run, tender, rows) -> str:
    def money(value):
        return None if value is None else str(value)

    return json.dumps(
        {
            "tender": tender.reference,
            "run": run.pk,
            "reused_from": run.reused_from_id,
            "input_hash": run.input_hash,
            "currency": tender.currency,
            "summary": [
                {
                    "scenario": s.scenario,
                    "npv": money(s.npv),
                    "whole_life_cost": money(s.whole_life_cost),
                    "savings_vs_status_quo": money(s.savings_vs_status_quo),
                    "year0_capex": money(s.year0_capex),
                    "peak_yearly_cost": money(s.peak_yearly_cost),
                    "partner_npv": money(s.partner_npv),
                    "partner_irr": money(s.partner_irr),
                    "bankable": s.bankable,
                    "budget_shortfall": money(s.budget_shortfall),
                }
                for s in rows
            ],
            "probabilities": run.summary.get("probabilities", {}),
        },
        indent=2,
    )
