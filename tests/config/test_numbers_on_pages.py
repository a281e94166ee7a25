"""No page shows a raw decimal (-10.0000, 138526.270000000): money has separators and two decimals, rates are
percentages, measures carry no padding zeros — checked on the key pages of the demo city, and in the CSV."""

from __future__ import annotations

import csv
import io
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from finance.models import ScenarioRun
from outcomes.models import Indicator
from procurement.publication.selectors import tender_list_published

pytestmark = pytest.mark.django_db

RAW_DECIMAL = re.compile(r"\d\.\d{4,}")
MONEY_ON_A_PAGE = re.compile(r"-?\d{1,3}(,\d{3})*\.\d{2}")
CSV_MONEY = re.compile(r"-?\d+\.\d{2}")


def _visible_text(html: str) -> str:
    """The page without its <script>/<style> and tags' attributes (a CSRF token is not a number)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]*>", " ", html)


@pytest.fixture
def demo_city():
    call_command("load_demo_city", stdout=StringIO())
    # A measure stored with padding zeros and a value that Decimal.normalize() would write as 1E+2.
    indicator = Indicator.objects.filter(outcome__owner_department__code="transport").order_by("pk").first()
    indicator.target_value = "100.0000"
    indicator.save(update_fields=["target_value"])


def test_key_pages_show_no_raw_decimal(client, demo_city):
    tender = tender_list_published()[0]
    run = ScenarioRun.objects.filter(tender=tender, status=ScenarioRun.Status.SUCCEEDED).latest("pk")
    indicator = Indicator.objects.filter(outcome__owner_department__code="transport").order_by("pk").first()
    pages = {
        "tender detail": reverse("procurement:tender-detail", args=[tender.reference]),
        "scenario results": reverse("finance:scenario-run-detail", args=[run.pk]),
        "scenario assumptions": reverse("finance:scenario-assumptions", args=[tender.reference]),
        "budget line list": reverse("finance:budget-line-list"),
        "outcome detail": reverse("outcomes:outcome-detail", args=[indicator.outcome_id]),
        "public tender page": reverse("procurement:public-tender-detail", args=[tender.reference]),
    }
    client.force_login(get_user_model().objects.get(username="fiona"))
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        text = _visible_text(response.content.decode())
        assert not RAW_DECIMAL.findall(text), f"{name} shows raw decimals: {RAW_DECIMAL.findall(text)[:5]}"
        assert "E+" not in text, name
        if name == "budget line list":
            assert MONEY_ON_A_PAGE.search(text), "the budget lines show no money in the 1,234.56 form"
    outcome_page = _visible_text(client.get(pages["outcome detail"]).content.decode())
    assert re.search(r"\b100\b", outcome_page)


def test_scenario_csv_writes_every_money_cell_with_two_decimals_and_no_separator(client, demo_city):
    tender = tender_list_published()[0]
    run = ScenarioRun.objects.filter(tender=tender, status=ScenarioRun.Status.SUCCEEDED).latest("pk")
    client.force_login(get_user_model().objects.get(username="fiona"))
    url = reverse("finance:scenario-run-export-csv", args=[run.pk])
    for table, money in [
        ("comparison", ["npv_cost", "whole_life_cost", "savings_vs_status_quo", "budget_shortfall"]),
        ("cash_flows", ["capex", "opex", "total", "cumulative"]),
        ("monte_carlo_histogram", ["npv_from", "npv_to"]),
    ]:
        response = client.get(url, {"table": table})
        assert response.status_code == 200
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        for row in rows:
            for column in money:
                assert CSV_MONEY.fullmatch(row[column]), f"{table}.{column}: {row[column]!r}"
        if table == "monte_carlo_histogram" and not rows:
            pytest.skip("the demo run has no Monte Carlo draws")
