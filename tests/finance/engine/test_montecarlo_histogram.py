"""The Monte Carlo distribution: one histogram per scenario on bin edges shared by all scenarios."""

import json

import numpy as np
import pandas as pd

from finance.engine import SCENARIOS, run_all
from finance.engine.montecarlo import HISTOGRAM_BINS, histogram

from ._examples import worked_example_assets, worked_example_assumptions, worked_example_catalogue


def _run(**changes):
    return run_all(worked_example_assets(), worked_example_catalogue(), worked_example_assumptions(**changes))


def test_each_scenarios_counts_add_up_to_the_number_of_draws():
    hist = _run(draws=1500).montecarlo_histogram
    assert list(hist.columns) == ["scenario", "bin_start", "bin_end", "count"]
    counts = hist.groupby("scenario", sort=False)["count"].sum()
    assert list(counts.index) == list(SCENARIOS)
    assert (counts == 1500).all()
    assert (hist.groupby("scenario")["count"].size() == HISTOGRAM_BINS).all()


def test_all_scenarios_share_the_same_increasing_edges_spanning_every_draw():
    result = _run(draws=800)
    hist = result.montecarlo_histogram
    edges = {s: tuple(g["bin_start"]) + (g["bin_end"].iloc[-1],) for s, g in hist.groupby("scenario")}
    assert len(set(edges.values())) == 1
    shared = np.array(next(iter(edges.values())))
    assert np.all(np.diff(shared) > 0)
    for _, g in hist.groupby("scenario"):
        assert np.array_equal(g["bin_start"].to_numpy()[1:], g["bin_end"].to_numpy()[:-1])
    # the lowest P10 and highest P90 lie inside the shared range
    assert shared[0] <= result.montecarlo["p10"].min() and result.montecarlo["p90"].max() <= shared[-1]


def test_the_histogram_is_reproducible_with_the_seed_and_changes_with_it():
    first, second = _run(draws=500, seed=11), _run(draws=500, seed=11)
    pd.testing.assert_frame_equal(first.montecarlo_histogram, second.montecarlo_histogram)
    other = _run(draws=500, seed=12)
    assert not first.montecarlo_histogram.equals(other.montecarlo_histogram)


def test_no_draws_give_an_empty_histogram_and_the_dict_carries_it_in_cents():
    assert _run(draws=0).montecarlo_histogram.empty
    data = json.loads(json.dumps(_run(draws=300).to_dict(include_cashflows=False)))
    rows = data["montecarlo"]["histogram"]
    assert len(rows) == HISTOGRAM_BINS * len(SCENARIOS)
    assert all(isinstance(r["count"], int) for r in rows)
    assert all(round(r["bin_start"], 2) == r["bin_start"] for r in rows)


def test_identical_draws_still_fall_into_one_bin():
    hist = histogram(np.full((7, len(SCENARIOS)), 123.0))
    assert (hist.groupby("scenario")["count"].sum() == 7).all()
    assert (hist["bin_end"] > hist["bin_start"]).all()
