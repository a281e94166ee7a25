"""Demo city step (see finance/demo.py): assumptions, one succeeded run and a chosen scenario on the demo tender.

Runs after the budgets step, so the run sees the approved contributions (the pooled budget). Idempotent: the
same inputs reuse the stored run; a tender that already has a chosen scenario is left as it is.
"""


def load(*, log) -> None:
    from departments.models import Membership
    from finance.models import FinancingChoice, ScenarioRun, ScenarioSummary
    from finance.models.scenarios import Scenario
    from finance.selectors.scenarios import FINANCING_OPEN_STATUSES
    from finance.services.scenarios import (
        scenario_assumptions_defaults,
        scenario_assumptions_save,
        scenario_choose,
        scenario_run_execute,
        scenario_run_request,
    )
    from procurement.models import Tender

    tender = (
        # Only a tender whose financing may still change (draft, submitted): from approval on it is frozen.
        Tender.objects.filter(bundled_assets__isnull=False, status__in=FINANCING_OPEN_STATUSES)
        .distinct()
        .order_by("reference")
        .first()
    )
    if tender is None:
        log("no tender with bundled assets: no scenario run")
        return
    if FinancingChoice.objects.filter(tender=tender).exists():
        log(f"{tender.reference} already has a chosen financing scenario")
        return
    membership = (
        Membership.objects.filter(department=tender.lead_department, role=Membership.Role.OFFICIAL)
        .select_related("user")
        .first()
    )
    actor = membership.user if membership else None
    values = scenario_assumptions_defaults(tender=tender) | {"monte_carlo_draws": 2_000}
    scenario_assumptions_save(tender=tender, values=values, actor=actor)
    run = scenario_run_request(tender=tender, actor=actor, enqueue=False)
    if run.status != ScenarioRun.Status.SUCCEEDED:
        run = scenario_run_execute(run.pk)
    if run.status != ScenarioRun.Status.SUCCEEDED:
        log(f"{tender.reference}: the scenario run failed: {run.error_message}")
        return
    source = run.reused_from_id or run.pk
    # The cheapest way to change anything that a partner would also sign (bankable; CapEx needs no partner).
    cheapest = (
        ScenarioSummary.objects.filter(run_id=source)
        .exclude(scenario=Scenario.STATUS_QUO)
        .exclude(bankable=False)
        .order_by("npv")
        .values_list("scenario", flat=True)
        .first()
    )
    scenario_choose(run=run, scenario=cheapest, actor=actor)
    log(f"{tender.reference}: run {run.pk} succeeded, chose {Scenario(cheapest).label}")
