"""The tornado moves each assumption to its documented low/high value, clipped to the range the engine accepts."""

import pytest

from finance.engine import Assumptions, EngineError, run_all
from finance.engine.inputs import RATE_RANGES
from finance.engine.sensitivity import TORNADO_RULES

from ._examples import worked_example_assets, worked_example_catalogue

BASE = Assumptions(horizon=12, contract_term=8, draws=0)


def _tornado(assumptions):
    result = run_all(worked_example_assets(), worked_example_catalogue(), assumptions)
    return result.tornado.set_index(["scenario", "assumption"])


def _npv(assumptions):
    result = run_all(worked_example_assets(), worked_example_catalogue(), assumptions)
    return result.summary.set_index("scenario")["npv_cost"]


def test_a_discount_rate_near_its_upper_bound_is_moved_up_only_to_the_bound():
    a = BASE.with_changes(discount_rate=0.19)
    table = _tornado(a)
    row = table.loc[("capex", "discount_rate")]
    assert row["low_value"] == pytest.approx(0.175)
    assert row["high_value"] == 0.20
    # the high NPV is the NPV at r = 0.20, the highest rate the engine accepts
    assert row["npv_high"] == pytest.approx(_npv(a.with_changes(discount_rate=0.20))["capex"], abs=1e-6)


def test_the_engine_refuses_the_rate_the_tornado_used_to_compute():
    with pytest.raises(EngineError):
        run_all(worked_example_assets(), worked_example_catalogue(), BASE.with_changes(discount_rate=0.205))


@pytest.mark.parametrize("name", sorted(RATE_RANGES))
@pytest.mark.parametrize("end", ["low", "high"])
def test_every_tornado_value_stays_in_the_valid_range_and_its_npv_is_a_real_run(name, end):
    low, high, _ = RATE_RANGES[name]
    base = BASE.with_changes(**{name: low if end == "low" else high})
    assert base.problems() == []
    table = _tornado(base)
    for scenario in ("status_quo", "capex", "opex_service", "shared_savings"):
        row = table.loc[(scenario, name)]
        assert low <= row["low_value"] <= high
        assert low <= row["high_value"] <= high
    # each end of the bar is the NPV of a valid run at that value
    for column, value_column in (("npv_low", "low_value"), ("npv_high", "high_value")):
        value = table.loc[("capex", name), value_column]
        expected = _npv(base.with_changes(**{name: value}))
        for scenario in ("status_quo", "capex", "opex_service", "shared_savings"):
            assert table.loc[(scenario, name), column] == pytest.approx(expected[scenario], abs=1e-6)


@pytest.mark.parametrize("term", [1, 3, 10, 12])
def test_the_contract_term_stays_between_one_year_and_the_horizon(term):
    table = _tornado(BASE.with_changes(contract_term=term))
    row = table.loc[("opex_service", "contract_term")]
    assert row["low_value"] == max(1, term - 5)
    assert row["high_value"] == min(BASE.horizon, term + 5)


def test_every_varied_assumption_has_a_rule():
    assert set(TORNADO_RULES) == set(RATE_RANGES) | {"contract_term"}


def test_tornado_values_are_the_documented_decimals_without_binary_noise():
    table = _tornado(BASE.with_changes(discount_rate=0.035, inflation=0.02))
    row = table.loc[("capex", "discount_rate")]
    assert (row["low_value"], row["high_value"]) == (0.02, 0.05)
    row = table.loc[("capex", "inflation")]
    assert (row["low_value"], row["high_value"]) == (0.01, 0.03)
