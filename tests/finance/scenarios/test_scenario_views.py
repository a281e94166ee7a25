"""The scenario pages: assumptions form, run, progress, results, comparison, choice, exports, permissions."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse

from finance.models import FinancingChoice, ScenarioAssumptions, ScenarioRun
from finance.services.scenarios import scenario_run_execute, scenario_run_request

pytestmark = pytest.mark.django_db


def assumptions_url(tender):
    return reverse("finance:scenario-assumptions", kwargs={"reference": tender.reference})


def form_data(**changes):
    data = {
        "project_type": "standard_buildings",
        "start_year": "2027",
        "horizon_years": "30",
        # Rates are typed as percentages (3.5 means 3.5 %).
        "discount_rate": "3.5",
        "inflation": "2",
        "energy_escalation": "3",
        "optimism_bias": "24",
        "partner_cost_of_capital": "7",
        "partner_margin": "10",
        "contract_term_years": "10",
        "partner_savings_share": "50",
        "payment_at_risk_share": "20",
        "outcome_achievement": "95",
        "monte_carlo_draws": "300",
        "seed": "7",
    }
    return data | changes


@pytest.fixture
def succeeded_run(bus_stop_tender, small_assumptions, transport_official):
    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    return scenario_run_execute(run.pk)


def test_official_sees_default_assumptions_with_help_texts_and_units(
    client_for, transport_official, bus_stop_tender
):
    response = client_for(transport_official).get(assumptions_url(bus_stop_tender))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Green Book: 3.5." in body
    assert 'name="discount_rate" value="3.5"' in body  # the stored fraction 0.035, shown as a percentage
    assert "Run scenarios" in body


def test_invalid_assumptions_show_every_engine_message_at_once_and_save_nothing(
    client_for, transport_official, bus_stop_tender
):
    data = form_data(horizon_years="80", contract_term_years="90", discount_rate="50")
    response = client_for(transport_official).post(assumptions_url(bus_stop_tender), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "horizon must be between 1 and 60 years (got 80)" in body
    assert "Enter a percentage between 0 % and 20 % (you entered 50 %)." in body
    assert "contract_term (90 years) must not be longer than the horizon (80 years)" in body
    assert not ScenarioAssumptions.objects.exists()


def test_valid_assumptions_are_saved(client_for, transport_official, bus_stop_tender):
    response = client_for(transport_official).post(
        assumptions_url(bus_stop_tender), form_data(inflation="2.5")
    )
    assert response.status_code == 302
    assert ScenarioAssumptions.objects.get(tender=bus_stop_tender).inflation == Decimal("0.0250")


def test_preset_button_fills_the_green_book_upper_bound(client_for, transport_official, bus_stop_tender):
    data = form_data(project_type="standard_civil_engineering", apply_preset="1")
    response = client_for(transport_official).post(assumptions_url(bus_stop_tender), data)
    assert 'name="optimism_bias" value="44"' in response.content.decode()
    assert not ScenarioAssumptions.objects.exists()


def test_running_inline_without_a_broker_shows_the_results(
    client_for, transport_official, bus_stop_tender, small_assumptions, django_capture_on_commit_callbacks
):
    client = client_for(transport_official)
    url = reverse("finance:scenario-run-create", kwargs={"reference": bus_stop_tender.reference})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    run = ScenarioRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/scenario-runs/{run.pk}/")
    assert run.status == ScenarioRun.Status.SUCCEEDED
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="comparison-table"' in page
    assert page.count("<svg") >= 8
    assert "Shared savings" in page


def test_progress_partial_polls_while_queued_and_refreshes_when_done(
    client_for, transport_official, bus_stop_tender, small_assumptions
):
    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    client = client_for(transport_official)
    url = reverse("finance:scenario-run-progress", kwargs={"pk": run.pk})
    queued = client.get(url, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in queued.content.decode() and "HX-Refresh" not in queued
    scenario_run_execute(run.pk)
    done = client.get(url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"


def test_results_page_uses_a_constant_number_of_queries(
    client_for, transport_official, succeeded_run, django_assert_max_num_queries
):
    client = client_for(transport_official)
    url = reverse("finance:scenario-run-detail", kwargs={"pk": succeeded_run.pk})
    with django_assert_max_num_queries(25):
        assert client.get(url).status_code == 200


def test_official_of_unrelated_department_cannot_see_the_runs(client_for, parks_official, succeeded_run):
    client = client_for(parks_official)
    assert (
        client.get(reverse("finance:scenario-run-detail", kwargs={"pk": succeeded_run.pk})).status_code == 404
    )
    assert client.get(assumptions_url(succeeded_run.tender)).status_code == 404


def test_viewer_sees_results_but_may_not_run_or_choose(client_for, transport_viewer, succeeded_run):
    client = client_for(transport_viewer)
    page = client.get(reverse("finance:scenario-run-detail", kwargs={"pk": succeeded_run.pk}))
    assert page.status_code == 200 and "Choose</button>" not in page.content.decode()
    url = reverse("finance:scenario-choose", kwargs={"pk": succeeded_run.pk})
    assert client.post(url, {"scenario": "capex"}).status_code == 403
    run_url = reverse("finance:scenario-run-create", kwargs={"reference": succeeded_run.tender.reference})
    assert client.post(run_url).status_code == 403


def test_finance_officer_chooses_a_scenario_and_sees_the_savings_ledger(
    client_for, finance_officer, succeeded_run, lighting
):
    client = client_for(finance_officer)
    url = reverse("finance:scenario-choose", kwargs={"pk": succeeded_run.pk})
    assert client.post(url, {"scenario": "shared_savings"}).status_code == 302
    choice = FinancingChoice.objects.get(tender=succeeded_run.tender)
    assert choice.scenario == "shared_savings" and choice.chosen_by == finance_officer
    page = client.get(
        reverse("finance:scenario-run-detail", kwargs={"pk": succeeded_run.pk})
    ).content.decode()
    assert 'data-testid="savings-ledger"' in page
    assert "replacement value of the bundled assets" in page


def test_exports_csv_and_xlsx_with_one_sheet_per_table(client_for, transport_official, succeeded_run):
    from openpyxl import load_workbook

    client = client_for(transport_official)
    csv_url = reverse("finance:scenario-run-export-csv", kwargs={"pk": succeeded_run.pk})
    lines = client.get(csv_url).content.decode().splitlines()
    assert lines[0].startswith("scenario,npv_cost,whole_life_cost")
    assert len(lines) == 5
    xlsx = client.get(reverse("finance:scenario-run-export-xlsx", kwargs={"pk": succeeded_run.pk}))
    book = load_workbook(io.BytesIO(xlsx.content))
    assert {"comparison", "cash_flows", "departments", "sensitivity", "monte_carlo"} <= set(book.sheetnames)


def test_comparing_two_runs_shows_the_assumption_diff_and_npv_delta(
    client_for, transport_official, succeeded_run, bus_stop_tender
):
    from finance.services.scenarios import scenario_assumptions_save

    scenario_assumptions_save(
        tender=bus_stop_tender, values={"inflation": Decimal("0.03")}, actor=transport_official
    )
    newer = scenario_run_execute(
        scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False).pk
    )
    url = reverse("finance:scenario-compare", kwargs={"reference": bus_stop_tender.reference})
    page = client_for(transport_official).get(url, {"a": succeeded_run.pk, "b": newer.pk}).content.decode()
    assert '<th scope="row">Inflation</th><td class="num">0.02</td><td class="num">0.03</td>' in page
    assert 'data-testid="npv-delta"' in page


def test_results_page_queries_do_not_grow_with_departments_or_years(
    client_for, finance_officer, succeeded_run, bus_stop_tender, safety, parks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from finance.services.scenarios import scenario_assumptions_save
    from tests.factories import AssetFactory, TenderAssetFactory

    for dept in (safety, parks):
        TenderAssetFactory(
            tender=bus_stop_tender,
            asset=AssetFactory(
                department=dept, category=succeeded_run.tender.bundled_assets.first().asset.category
            ),
        )
    scenario_assumptions_save(tender=bus_stop_tender, values={"horizon_years": 50}, actor=finance_officer)
    bigger = scenario_run_execute(
        scenario_run_request(tender=bus_stop_tender, actor=finance_officer, enqueue=False).pk
    )
    client = client_for(finance_officer)
    counts = []
    for run in (succeeded_run, bigger):
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(reverse("finance:scenario-run-detail", kwargs={"pk": run.pk})).status_code == 200
            )
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_with_approved_contributions_the_page_shows_budget_fit_per_year(
    client_for, bus_stop_tender, small_assumptions, transport_official, finance_officer, transport
):
    from finance.models import Contribution
    from tests.factories import BudgetLineFactory, ContributionFactory

    ContributionFactory(
        tender=bus_stop_tender,
        budget_line=BudgetLineFactory(department=transport, fiscal_year=2027, budget_type="capex"),
        amount=Decimal("5000"),
        requested_by=transport_official,
        status=Contribution.Status.APPROVED,
        decided_by=finance_officer,
    )
    run = scenario_run_execute(
        scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False).pk
    )
    assert run.inputs["budgets"] == [
        {"department": "transport", "fiscal_year": 2027, "budget_type": "capex", "amount_cents": 500000}
    ]
    page = client_for(finance_officer).get(reverse("finance:scenario-run-detail", kwargs={"pk": run.pk}))
    body = page.content.decode()
    assert "Budget fit per year, CapEx purchase: surplus (+) or shortfall (−)" in body
    assert "no pooled budget" not in body


def test_financing_panel_shows_latest_run_and_choice_in_two_queries(
    transport_official, parks_official, succeeded_run, django_assert_num_queries
):
    from django.template import Context, Template

    from finance.services.scenarios import scenario_choose

    scenario_choose(run=succeeded_run, scenario="opex_service", actor=transport_official)
    template = Template("{% load finance_tags %}{% tender_financing_panel tender %}")
    tender = succeeded_run.tender
    # Visibility (procurement's one rule: the roles; the lead's official needs no query of the rule), then the
    # latest run with its choice.
    with django_assert_num_queries(2):
        html = template.render(Context({"tender": tender, "user": transport_official}))
    assert "Chosen: <strong>OpEx service fee</strong>" in html and "Succeeded" in html
    hidden = template.render(Context({"tender": tender, "user": parks_official}))
    assert "OpEx service fee" not in hidden


def test_htmx_validation_on_change_returns_every_error_and_saves_nothing(
    client_for, transport_official, bus_stop_tender
):
    data = form_data(partner_savings_share="150", validate_only="1")
    response = client_for(transport_official).post(
        assumptions_url(bus_stop_tender), data, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<form" not in body  # only the error summary is swapped
    assert "Enter a percentage between 0 % and 100 % (you entered 150 %)." in body
    assert not ScenarioAssumptions.objects.exists()


def test_the_monte_carlo_histogram_is_exported_with_every_draw_counted(
    client_for, transport_official, succeeded_run
):
    from openpyxl import load_workbook

    from finance.models import MonteCarloResult

    xlsx = client_for(transport_official).get(
        reverse("finance:scenario-run-export-xlsx", kwargs={"pk": succeeded_run.pk})
    )
    sheet = load_workbook(io.BytesIO(xlsx.content))["monte_carlo_histogram"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    draws_per_scenario = {r.scenario: sum(r.histogram["counts"]) for r in MonteCarloResult.objects.all()}
    assert len(draws_per_scenario) == 4
    assert sum(row[3] for row in rows) == sum(draws_per_scenario.values())
    assert all(row[1] < row[2] for row in rows)
