"""The Monte Carlo distribution of a run: stored histograms and the results page's chart with its table."""

import re

import pytest
from django.urls import reverse

from finance.engine.montecarlo import HISTOGRAM_BINS
from finance.models import MonteCarloResult, ScenarioRun
from finance.services.scenarios import scenario_run_execute, scenario_run_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def succeeded_run(bus_stop_tender, small_assumptions, transport_official):
    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    return scenario_run_execute(run.pk)


def test_an_executed_run_stores_a_histogram_per_scenario_whose_counts_sum_to_the_draws(succeeded_run):
    assert succeeded_run.status == ScenarioRun.Status.SUCCEEDED
    rows = list(MonteCarloResult.objects.filter(run=succeeded_run))
    assert len(rows) == 4
    edges = rows[0].histogram["edges"]
    assert len(edges) == HISTOGRAM_BINS + 1
    assert all(a < b for a, b in zip(edges, edges[1:], strict=False))
    assert all(round(e, 2) == e for e in edges)  # money in cents
    for row in rows:
        assert row.histogram["edges"] == edges  # shared by every scenario
        assert len(row.histogram["counts"]) == HISTOGRAM_BINS
        assert sum(row.histogram["counts"]) == 500  # small_assumptions: 500 draws
        assert edges[0] <= float(row.p50) <= edges[-1]


def test_results_page_draws_the_distribution_with_p50_marks_and_a_table_of_counts(
    client_for, transport_official, succeeded_run
):
    url = reverse("finance:scenario-run-detail", kwargs={"pk": succeeded_run.pk})
    page = client_for(transport_official).get(url).content.decode()
    svg = re.search(r'<svg[^>]*data-chart="montecarlo-histogram".*?</svg>', page, re.S).group(0)
    assert 'role="img"' in svg and "<title>Monte Carlo: distribution" in svg and "<desc>" in svg
    assert svg.count("data-scenario=") == 4
    assert svg.count(" P50 ") == 4
    table = re.search(r'<table data-testid="montecarlo-histogram">.*?</table>', page, re.S).group(0)
    assert table.count("<tr>") == 1 + HISTOGRAM_BINS
    counts = [int(c) for c in re.findall(r'<td class="num">(\d+)</td>', table)]
    assert sum(counts) == 4 * 500
    assert 'data-testid="montecarlo-percentiles"' in page  # the percentiles stay


def test_a_run_stored_before_histograms_falls_back_to_the_percentile_chart(
    client_for, transport_official, succeeded_run
):
    MonteCarloResult.objects.filter(run=succeeded_run).update(histogram={"mean": 1.0})
    url = reverse("finance:scenario-run-detail", kwargs={"pk": succeeded_run.pk})
    page = client_for(transport_official).get(url).content.decode()
    assert 'data-chart="montecarlo-histogram"' not in page
    assert "Monte Carlo: NPV of cost from P10 to P90" in page
    assert 'data-testid="montecarlo-percentiles"' in page
