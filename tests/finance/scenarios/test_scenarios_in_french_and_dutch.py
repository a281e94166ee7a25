"""The financing scenarios in French and Dutch: pages, refused assumptions, charts, a failed run, exports."""

import csv
import io
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from finance import charts
from finance.models import ScenarioRun
from finance.services.scenarios import scenario_assumptions_save, scenario_run_execute, scenario_run_request

pytestmark = pytest.mark.django_db

FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}
DUTCH = {"HTTP_ACCEPT_LANGUAGE": "nl"}


def page(client, url, language, **params) -> str:
    response = client.get(url, params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return unescape(response.content.decode())


def assumptions_url(tender):
    return reverse("finance:scenario-assumptions", kwargs={"reference": tender.reference})


def run_url(run):
    return reverse("finance:scenario-run-detail", kwargs={"pk": run.pk})


def form_data(**changes):
    data = {
        "project_type": "standard_buildings",
        "start_year": "2027",
        "horizon_years": "30",
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


def run_now(tender, actor):
    return scenario_run_execute(scenario_run_request(tender=tender, actor=actor, enqueue=False).pk)


@pytest.fixture
def succeeded_run(bus_stop_tender, small_assumptions, transport_official):
    return run_now(bus_stop_tender, transport_official)


def test_the_assumptions_page_reads_in_french(client_for, transport_official, bus_stop_tender):
    body = page(client_for(transport_official), assumptions_url(bus_stop_tender), "fr")
    assert "Scénarios de financement de T-2027-0100" in body
    assert "Taux d'actualisation (réel, % par an)" in body
    assert "Pourcentage par an; Green Book: 3,5." in body
    assert "Calculer les scénarios" in body
    assert "Bâtiments standard" in body  # the Green Book preset, named at the boundary of the pure engine
    assert "Run scenarios" not in body and "Save assumptions" not in body


def test_the_assumptions_page_reads_in_dutch(client_for, transport_official, bus_stop_tender):
    body = page(client_for(transport_official), assumptions_url(bus_stop_tender), "nl")
    assert "Financieringsscenario's van T-2027-0100" in body
    assert "Disconteringsvoet (reëel, % per jaar)" in body
    assert "Scenario's berekenen" in body
    assert "Nog geen berekening." in body
    assert "Run scenarios" not in body and "Save assumptions" not in body


REFUSED = form_data(horizon_years="80", contract_term_years="90", discount_rate="50")


def test_refused_assumptions_are_explained_in_french(client_for, transport_official, bus_stop_tender):
    response = client_for(transport_official).post(assumptions_url(bus_stop_tender), REFUSED, **FRENCH)
    assert response.status_code == 400
    body = unescape(response.content.decode())
    assert "L'horizon doit être compris entre 1 et 60 ans (valeur reçue: 80)" in body
    assert "La durée du contrat (90 ans) ne peut pas dépasser l'horizon (80 ans)" in body
    assert "Saisissez un pourcentage entre 0 % et 20 % (vous avez saisi 50 %)." in body
    assert "horizon must be between" not in body and "Enter a percentage" not in body


def test_refused_assumptions_are_explained_in_dutch(client_for, transport_official, bus_stop_tender):
    response = client_for(transport_official).post(assumptions_url(bus_stop_tender), REFUSED, **DUTCH)
    assert response.status_code == 400
    body = unescape(response.content.decode())
    assert "De horizon moet tussen 1 en 60 jaar liggen (ontvangen: 80)" in body
    assert "De looptijd van het contract (90 jaar) mag niet langer zijn dan de horizon (80 jaar)" in body
    assert "Vul een percentage in tussen 0 % en 20 % (u vulde 50 % in)." in body
    assert "horizon must be between" not in body


def test_the_results_page_and_its_charts_read_in_french(client_for, transport_official, succeeded_run):
    body = page(client_for(transport_official), run_url(succeeded_run), "fr")
    assert "Scénarios de financement de T-2027-0100: calcul n° " in body
    assert "<h2>Comparaison</h2>" in body
    assert "Achat CapEx" in body and "Redevance de service OpEx" in body and "Économies partagées" in body
    # chart titles, axis names, legends and bar labels
    assert 'aria-label="Coût annuel pour la ville, Achat CapEx (CapEx et OpEx, nominal)"' in body
    assert "<title>Coût cumulé pour la ville par scénario (nominal)</title>" in body
    assert "Sensibilité de la VAN du scénario « Statu quo » à chaque hypothèse" in body
    assert ">Taux d'actualisation</text>" in body  # a tornado bar, named in words, not discount_rate
    assert "<title>Monte Carlo: distribution de la VAN du coût par scénario</title>" in body
    assert "VAN du coût (ligne pointillée: P50)</text>" in body
    assert "Yearly cost to the city" not in body and "Sensitivity of the NPV" not in body


def test_the_results_page_reads_in_dutch(client_for, transport_official, succeeded_run):
    body = page(client_for(transport_official), run_url(succeeded_run), "nl")
    assert "<h2>Vergelijking</h2>" in body
    assert "Aanbeveling" in body
    assert "CapEx-aankoop" in body and "Gedeelde besparingen" in body
    assert "Gevoeligheid van de NCW van Status quo voor elke aanname" in body
    assert "Recommendation" not in body


def test_budget_fit_chart_legend_and_bars_are_french():
    with translation.override("fr"):
        svg = str(charts.diverging_bars("Adéquation", [2027, 2028], [1200, -300]))
    assert ">Excédent</text>" in svg and ">Déficit</text>" in svg
    assert "<title>2028 déficit 300.00</title>" in svg or "<title>2028 déficit 300,00</title>" in svg
    assert "surplus" not in svg.lower().replace("excédent", "")


def test_a_failed_run_shows_its_engine_problem_in_dutch(
    client_for, transport_official, bus_stop_tender, small_assumptions
):
    from departments.models import Asset

    Asset.objects.filter(external_ref="S-0").update(install_year=2031)  # installed after the start year 2027
    run = run_now(bus_stop_tender, transport_official)
    assert run.status == ScenarioRun.Status.FAILED
    client = client_for(transport_official)
    dutch = page(client, run_url(run), "nl")
    assert "De berekening is mislukt:" in dutch
    assert "Het installatiejaar valt na het eerste jaar 2027 voor asset transport:S-0" in dutch
    assert "install_year is after" not in dutch
    # The record stays in English, and an English reader sees the engine's own words.
    assert "install_year is after the start year 2027 for asset transport:S-0" in run.error_message
    assert "install_year is after the start year 2027 for asset transport:S-0" in page(
        client, run_url(run), "en"
    )


def test_a_worker_failure_is_told_in_the_language_of_the_reader(
    client_for, transport_official, bus_stop_tender, small_assumptions
):
    from finance.tasks import ScenarioRunTask

    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    ScenarioRunTask().on_failure(RuntimeError("disk full"), "task-1", (run.pk,), {}, None)
    body = page(client_for(transport_official), run_url(run), "fr")
    assert "Le calcul s'est arrêté sur une erreur: disk full" in body
    run.refresh_from_db()
    assert run.error_message == "The computation stopped with an error: disk full"


def test_exports_have_french_headers_and_keep_numbers_as_numbers(
    client_for, transport_official, succeeded_run
):
    from openpyxl import load_workbook

    client = client_for(transport_official)
    url = reverse("finance:scenario-run-export-csv", kwargs={"pk": succeeded_run.pk})
    rows = list(csv.reader(io.StringIO(client.get(url, **FRENCH).content.decode())))
    assert rows[0][:3] == ["scénario", "VAN du coût", "coût sur le cycle de vie"]
    assert rows[1][0] == "Statu quo"
    assert float(rows[1][1]) > 0  # a machine number, no thousands separator
    xlsx = client.get(reverse("finance:scenario-run-export-xlsx", kwargs={"pk": succeeded_run.pk}), **DUTCH)
    book = load_workbook(io.BytesIO(xlsx.content))
    assert "vergelijking" in book.sheetnames and "Monte Carlo-histogram" in book.sheetnames
    assert (
        book["vergelijking"]["A1"].value == "scenario"
        and book["vergelijking"]["B1"].value == "NCW van de kosten"
    )


def test_comparing_two_runs_reads_in_french(client_for, transport_official, bus_stop_tender, succeeded_run):
    from decimal import Decimal

    scenario_assumptions_save(
        tender=bus_stop_tender, values={"discount_rate": Decimal("0.04")}, actor=transport_official
    )
    newer = run_now(bus_stop_tender, transport_official)
    url = reverse("finance:scenario-compare", kwargs={"reference": bus_stop_tender.reference})
    body = page(client_for(transport_official), url, "fr", a=succeeded_run.pk, b=newer.pk)
    assert f"Ce qui a changé entre les calculs n° {succeeded_run.pk} et n° {newer.pk} de T-2027-0100" in body
    assert '<th scope="row">Taux d\'actualisation</th>' in body
    assert "What changed between runs" not in body


def test_the_financing_panel_of_a_tender_reads_in_dutch(client_for, transport_official, succeeded_run):
    # the panel the tender page loads after itself (htmx), also a page of its own
    url = reverse("procurement:tender-finance-panels", kwargs={"reference": succeeded_run.tender.reference})
    body = page(client_for(transport_official), url, "nl")
    assert "<h2>Financieringsscenario's</h2>" in body
    assert "Er is nog geen financieringsscenario gekozen." in body
    assert f'Laatste berekening <a href="{run_url(succeeded_run)}">nr. {succeeded_run.pk}</a>:' in body
