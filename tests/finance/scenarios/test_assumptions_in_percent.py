"""Rates of the financing assumptions are typed and shown as percentages and stored as fractions."""

from decimal import Decimal

from django.urls import reverse

from finance.forms_scenarios import RATE_FIELDS, ScenarioAssumptionsForm
from finance.models import ScenarioAssumptions
from finance.services.scenarios import scenario_assumptions_for
from tests.finance.scenarios.test_scenario_views import form_data

TYPED = {
    "discount_rate": ("3.5", Decimal("0.0350")),
    "inflation": ("2.25", Decimal("0.0225")),
    "energy_escalation": ("-1.5", Decimal("-0.0150")),
    "optimism_bias": ("44", Decimal("0.4400")),
    "partner_cost_of_capital": ("7", Decimal("0.0700")),
    "partner_margin": ("10", Decimal("0.1000")),
    "partner_savings_share": ("50", Decimal("0.5000")),
    "payment_at_risk_share": ("20", Decimal("0.2000")),
    "outcome_achievement": ("95", Decimal("0.9500")),
}


def test_every_rate_of_the_form_is_a_percentage():
    assert set(TYPED) == set(RATE_FIELDS)


def test_rates_typed_as_percentages_are_stored_as_fractions(client_for, transport_official, bus_stop_tender):
    url = reverse("finance:scenario-assumptions", kwargs={"reference": bus_stop_tender.reference})
    response = client_for(transport_official).post(url, form_data(**{k: v[0] for k, v in TYPED.items()}))
    assert response.status_code == 302
    stored = ScenarioAssumptions.objects.get(tender=bus_stop_tender)
    for name, (_typed, fraction) in TYPED.items():
        assert getattr(stored, name) == fraction, name


def test_stored_fractions_are_shown_as_percentages(bus_stop_tender):
    instance = scenario_assumptions_for(tender=bus_stop_tender)
    instance.discount_rate = Decimal("0.0350")
    instance.partner_savings_share = Decimal("0.5000")
    form = ScenarioAssumptionsForm(instance=instance)
    assert form["discount_rate"].value() == "3.5"
    assert form["partner_savings_share"].value() == "50"
    assert 'name="discount_rate" value="3.5"' in str(form["discount_rate"])


def test_a_percentage_with_more_than_two_decimals_is_refused_in_plain_words(bus_stop_tender):
    instance = scenario_assumptions_for(tender=bus_stop_tender)
    data = form_data(discount_rate="3.555")
    form = ScenarioAssumptionsForm(data, instance=instance)
    assert not form.is_valid()
    assert form.errors["discount_rate"] == ["Ensure that there are no more than 2 decimal places."]


def test_a_percentage_out_of_range_is_refused_in_percentages(bus_stop_tender):
    form = ScenarioAssumptionsForm(
        form_data(outcome_achievement="120"), instance=scenario_assumptions_for(tender=bus_stop_tender)
    )
    assert not form.is_valid()
    assert form.errors["outcome_achievement"] == [
        "Enter a percentage between 0 % and 100 % (you entered 120 %)."
    ]
