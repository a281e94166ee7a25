"""Run requests, execution, reuse and failure, inline (no worker): the rules of finance/services/scenarios.py."""

from decimal import Decimal

import pytest

from finance.engine import run_all
from finance.models import ScenarioCashFlow, ScenarioRun, ScenarioSummary, SensitivityResult
from finance.selectors.scenarios import snapshot_assets
from finance.services.scenarios import (
    engine_frames,
    scenario_run_execute,
    scenario_run_request,
)

pytestmark = pytest.mark.django_db


def test_a_requested_run_is_queued_with_a_snapshot_and_its_hash(
    bus_stop_tender, small_assumptions, transport_official
):
    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    assert run.status == ScenarioRun.Status.QUEUED
    assert len(run.inputs["assets"]) == 5
    assert {a["department"] for a in snapshot_assets(run.inputs)} == {"transport", "lighting"}
    assert run.inputs["assumptions"]["draws"] == 500
    assert len(run.input_hash) == 64


def test_executing_a_run_stores_results_matching_the_engine(
    bus_stop_tender, small_assumptions, transport_official
):
    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    run = scenario_run_execute(run.pk)
    assert run.status == ScenarioRun.Status.SUCCEEDED and run.progress == 100
    direct = run_all(**engine_frames(run.inputs))
    stored = dict(ScenarioSummary.objects.filter(run=run).values_list("scenario", "npv"))
    for row in direct.summary.itertuples():
        assert stored[row.scenario] == Decimal(str(round(row.npv_cost, 2)))
    total = sum(ScenarioCashFlow.objects.filter(run=run, scenario="capex").values_list("nominal", flat=True))
    assert abs(float(total) - direct.summary.set_index("scenario").loc["capex", "whole_life_cost"]) < 0.05
    assert SensitivityResult.objects.filter(run=run).exists()


def test_the_same_inputs_reuse_the_stored_result(bus_stop_tender, small_assumptions, transport_official):
    first = scenario_run_execute(
        scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False).pk
    )
    second = scenario_run_request(tender=bus_stop_tender, actor=transport_official)
    assert second.pk != first.pk
    assert second.reused_from_id == first.pk
    assert second.status == ScenarioRun.Status.SUCCEEDED
    assert ScenarioSummary.objects.filter(run=second).count() == 0  # nothing recomputed nor copied


def test_a_second_request_while_queued_returns_the_queued_run(
    bus_stop_tender, small_assumptions, transport_official
):
    first = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    again = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    assert again.pk == first.pk
    assert ScenarioRun.objects.count() == 1


def test_a_run_with_invalid_inputs_fails_with_the_engine_message_and_stores_nothing(
    bus_stop_tender, small_assumptions, transport_official
):
    from departments.models import Asset

    Asset.objects.filter(external_ref="S-0").update(install_year=2031)  # installed after the start year 2027
    run = scenario_run_execute(
        scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False).pk
    )
    assert run.status == ScenarioRun.Status.FAILED
    assert "install_year is after the start year 2027 for asset transport:S-0" in run.error_message
    assert not ScenarioSummary.objects.filter(run=run).exists()
    assert not ScenarioCashFlow.objects.filter(run=run).exists()


def test_executing_a_finished_run_again_changes_nothing(
    bus_stop_tender, small_assumptions, transport_official
):
    run = scenario_run_execute(
        scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False).pk
    )
    rows = ScenarioCashFlow.objects.filter(run=run).count()
    again = scenario_run_execute(run.pk)
    assert again.attempts == 1
    assert ScenarioCashFlow.objects.filter(run=run).count() == rows


def test_run_scenarios_command_prints_the_summary_and_json(bus_stop_tender, small_assumptions):
    import json
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("run_scenarios", bus_stop_tender.reference, stdout=out)
    assert "Shared savings" in out.getvalue() and "NPV of cost" in out.getvalue()
    out = StringIO()
    call_command("run_scenarios", bus_stop_tender.reference, "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["reused_from"] is not None  # second time: the stored result
    assert [s["scenario"] for s in data["summary"]] == [
        "status_quo",
        "capex",
        "opex_service",
        "shared_savings",
    ]


def test_run_scenarios_command_reports_an_unknown_tender():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="No tender with reference 'T-404'"):
        call_command("run_scenarios", "T-404")


def test_demo_step_runs_and_chooses_on_the_demo_tender_and_is_idempotent(bus_stop_tender):
    from finance import demo_scenarios
    from finance.models import FinancingChoice

    lines = []
    demo_scenarios.load(log=lines.append)
    demo_scenarios.load(log=lines.append)
    choice = FinancingChoice.objects.get(tender=bus_stop_tender)
    assert choice.run.status == "succeeded" and choice.scenario != "status_quo"
    assert ScenarioRun.objects.count() == 1
    assert "already has a chosen financing scenario" in lines[-1]


def test_demo_step_without_a_tender_does_nothing():
    from finance import demo_scenarios

    lines = []
    demo_scenarios.load(log=lines.append)
    assert lines == ["no tender with bundled assets: no scenario run"]


def test_chosen_scenario_need_sums_the_budget_flows_by_year_and_type(
    bus_stop_tender, small_assumptions, transport_official
):
    from finance.selectors.scenarios import chosen_scenario_need
    from finance.services.scenarios import scenario_choose

    assert chosen_scenario_need(tender=bus_stop_tender) is None
    run = scenario_run_execute(
        scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False).pk
    )
    scenario_choose(run=run, scenario="capex", actor=transport_official)
    need = chosen_scenario_need(tender=bus_stop_tender)
    assert need[(2027, "capex")] == ScenarioSummary.objects.get(run=run, scenario="capex").year0_capex
    assert {t for _, t in need} == {"capex", "opex"}
    assert min(y for y, _ in need) == 2027 and max(y for y, _ in need) == 2027 + 29


def test_savings_ledger_allocates_to_departments_by_approved_contributions(
    bus_stop_tender,
    small_assumptions,
    transport_official,
    lighting_official,
    finance_officer,
    transport,
    lighting,
):
    from finance.models import Contribution
    from finance.selectors.scenarios import savings_ledger
    from finance.services.scenarios import scenario_choose
    from tests.factories import BudgetLineFactory, ContributionFactory

    for dept, amount, who in (
        (transport, "30000", transport_official),
        (lighting, "10000", lighting_official),
    ):
        ContributionFactory(
            tender=bus_stop_tender,
            budget_line=BudgetLineFactory(department=dept, amount=Decimal("100000")),
            amount=Decimal(amount),
            requested_by=who,
            status=Contribution.Status.APPROVED,
            decided_by=finance_officer,
        )
    run = scenario_run_execute(
        scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False).pk
    )
    scenario_choose(run=run, scenario="opex_service", actor=finance_officer)
    ledger = savings_ledger(tender=bus_stop_tender, run=run)
    assert ledger["basis"] == "approved contributions"
    assert [d["code"] for d in ledger["departments"]] == ["lighting", "transport"]
    for row in ledger["rows"]:
        assert sum(row["cells"]) == row["saving"]  # cents add up exactly
    lighting_total, transport_total = ledger["totals"]
    assert abs(transport_total - 3 * lighting_total) <= Decimal("0.01") * len(ledger["rows"])


def test_reaper_requeues_a_run_stuck_in_queued_past_its_deadline(
    bus_stop_tender, small_assumptions, transport_official
):
    from datetime import timedelta

    from django.utils import timezone

    from finance.services.scenarios import scenario_runs_requeue_stuck

    stuck = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    ScenarioRun.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(hours=1))
    fresh_tender_run = ScenarioRun.objects.create(
        tender=bus_stop_tender, input_hash="0" * 64, inputs=stuck.inputs, requested_by=transport_official
    )
    assert scenario_runs_requeue_stuck() == [stuck.pk]  # the task runs inline here (no broker)
    stuck.refresh_from_db()
    assert stuck.status == ScenarioRun.Status.SUCCEEDED
    fresh_tender_run.refresh_from_db()
    assert fresh_tender_run.status == ScenarioRun.Status.QUEUED  # not past its deadline: left alone


def test_choosing_on_a_reused_run_records_the_run_that_holds_the_results(
    bus_stop_tender, small_assumptions, transport_official
):
    from finance.services.scenarios import scenario_choose

    computed = scenario_run_execute(
        scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False).pk
    )
    reused = scenario_run_request(tender=bus_stop_tender, actor=transport_official)
    choice = scenario_choose(run=reused, scenario="capex", actor=transport_official)
    assert choice.run_id == computed.pk
    assert ScenarioSummary.objects.filter(run=choice.run, scenario="capex").exists()


@pytest.mark.postgres
def test_a_second_delivery_does_not_compute_a_run_another_live_process_is_computing(
    bus_stop_tender, small_assumptions, transport_official, monkeypatch
):
    import psycopg
    from django.db import connection

    from finance.services import scenarios

    monkeypatch.setattr(scenarios, "LOCK_WAIT", 0.2)
    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    s = connection.settings_dict
    other = psycopg.connect(
        host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"], password=s["PASSWORD"] or None,
        dbname=s["NAME"], autocommit=True,
    )  # fmt: skip
    try:  # another process holds the run's lock, as a live worker computing it would
        other.execute("SELECT pg_advisory_lock(%s, %s)", [scenarios._LOCK_NAMESPACE, run.pk])
        assert scenarios.run_is_being_computed(run.pk)
        assert scenario_run_execute(run.pk).status == ScenarioRun.Status.QUEUED
        assert not ScenarioSummary.objects.filter(run=run).exists()
    finally:
        other.close()  # the "process" dies: its lock goes with its connection
    assert scenario_run_execute(run.pk).status == ScenarioRun.Status.SUCCEEDED


def test_a_failed_run_page_shows_the_engine_message(
    client_for, bus_stop_tender, small_assumptions, transport_official
):
    from django.urls import reverse

    from departments.models import Asset

    Asset.objects.filter(external_ref="S-1").update(install_year=2035)
    run = scenario_run_execute(
        scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False).pk
    )
    page = client_for(transport_official).get(reverse("finance:scenario-run-detail", kwargs={"pk": run.pk}))
    assert "The run failed" in page.content.decode()
    assert "install_year is after the start year 2027 for asset transport:S-1" in page.content.decode()


def test_stored_assumption_defaults_are_the_engines_defaults(bus_stop_tender):
    from decimal import Decimal

    from finance.engine import Assumptions
    from finance.models import ScenarioAssumptions

    stored = ScenarioAssumptions(tender=bus_stop_tender, start_year=2027)
    engine = Assumptions()
    assert stored.discount_rate == Decimal(str(engine.discount_rate)).quantize(Decimal("0.0001"))
    assert stored.partner_cost_of_capital == Decimal(str(engine.partner_cost_of_capital)).quantize(
        Decimal("0.0001")
    )
    assert stored.contract_term_years == engine.contract_term
    assert stored.seed == engine.seed


def test_amounts_the_engine_cannot_compute_to_the_cent_fail_the_run_with_every_row_named(
    client_for, bus_stop_tender, small_assumptions, transport_official
):
    """The database holds larger amounts than the engine takes (at most 1e12 per amount). A run over
    such assets ends failed with the engine's words, naming each asset and category, and stores nothing."""
    from django.urls import reverse

    from departments.models import Asset, AssetCategory

    Asset.objects.filter(external_ref="S-0").update(replacement_cost=Decimal("5000000000000.00"))
    Asset.objects.filter(external_ref="L-1").update(energy_cost=Decimal("2000000000000.00"))
    AssetCategory.objects.filter(code="shelter").update(upgrade_unit_cost=Decimal("1000000000000.01"))
    run = scenario_run_execute(
        scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False).pk
    )
    assert run.status == ScenarioRun.Status.FAILED
    assert run.error_message.splitlines() == [
        "unit_cost is above the limit of 1,000,000,000,000 for category shelter",
        "replacement_cost is above the limit of 1,000,000,000,000 for asset transport:S-0",
        "energy_cost is above the limit of 1,000,000,000,000 for asset lighting:L-1",
    ]
    assert not ScenarioSummary.objects.filter(run=run).exists()
    page = client_for(transport_official).get(reverse("finance:scenario-run-detail", kwargs={"pk": run.pk}))
    assert "replacement_cost is above the limit of 1,000,000,000,000 for asset transport:S-0" in (
        page.content.decode()
    )


def test_totals_too_large_for_exact_cents_fail_the_run_and_name_the_largest_assets(
    bus_stop_tender, small_assumptions, transport_official
):
    from departments.models import Asset

    # each amount is within the per-asset limit, but 30 years of it are not within the exact-cent limit
    Asset.objects.filter(external_ref="S-2").update(maintenance_cost=Decimal("900000000000.00"))
    run = scenario_run_execute(
        scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False).pk
    )
    assert run.status == ScenarioRun.Status.FAILED
    first, second = run.error_message.splitlines()
    assert first.startswith("the yearly cash flows are too large to be computed exactly to the cent")
    assert "(the limit is 1,000,000,000,000 per scenario)" in first
    assert second.startswith("the largest amounts are on asset transport:S-2, ")
    assert not ScenarioSummary.objects.filter(run=run).exists()
