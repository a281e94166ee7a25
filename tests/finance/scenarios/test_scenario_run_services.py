"""Run requests, execution, reuse and failure, inline (no worker): the rules of finance/services/scenarios.py."""

from decimal import Decimal

import pytest

from finance.engine import run_all
from finance.models import ScenarioCashFlow, ScenarioRun, ScenarioSummary, SensitivityResult
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
    assert {a["department"] for a in run.inputs["assets"]} == {"transport", "lighting"}
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
