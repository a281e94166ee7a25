"""Property tests (hypothesis): invariants that must hold for any valid input."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finance.engine import Assumptions, run_all
from finance.engine.inputs import validate_inputs
from finance.engine.metrics import allocate_cents, discount_factors
from finance.engine.montecarlo import draw_parameters, simulate
from finance.engine.scenarios import aggregate, parameters_from, scenario_flows

from ._examples import worked_example_catalogue

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

money = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def asset_tables(draw, max_assets=8):
    n = draw(st.integers(min_value=1, max_value=max_assets))
    return pd.DataFrame(
        {
            "asset_id": [f"a{i}" for i in range(n)],
            "department": draw(
                st.lists(st.sampled_from(["transport", "education", "parks"]), min_size=n, max_size=n)
            ),
            "category": draw(st.lists(st.sampled_from(["streetlight", "boiler"]), min_size=n, max_size=n)),
            "install_year": draw(st.lists(st.integers(1970, 2026), min_size=n, max_size=n)),
            "life_years": draw(st.lists(st.integers(1, 40), min_size=n, max_size=n)),
            "replacement_cost": draw(st.lists(money, min_size=n, max_size=n)),
            "maintenance_cost": draw(st.lists(money, min_size=n, max_size=n)),
            "energy_cost": draw(st.lists(money, min_size=n, max_size=n)),
            "action": draw(
                st.lists(
                    st.sampled_from(["replace", "upgrade", "operate", "maintain"]), min_size=n, max_size=n
                )
            ),
        }
    )


@SETTINGS
@given(
    flows=st.lists(st.floats(min_value=0, max_value=1e7, allow_nan=False), min_size=1, max_size=60),
    low=st.floats(min_value=-0.05, max_value=0.3),
    bump=st.floats(min_value=0, max_value=0.3),
)
def test_higher_discount_rate_never_raises_npv_of_costs(flows, low, bump):
    values = np.array(flows)
    rates = np.array([low, low + bump])
    npv = (values * discount_factors(rates, values.size)).sum(axis=1)
    assert npv[1] <= npv[0] + 1e-9 * max(1.0, abs(npv[0]))


@SETTINGS
@given(assets=asset_tables(), r=st.floats(0, 0.1), bump=st.floats(0.001, 0.1))
def test_higher_discount_rate_never_raises_status_quo_npv(assets, r, bump):
    # residual value is a credit, so compare NPV of the positive budget flows only
    def budget_npv(rate):
        res = run_all(assets, worked_example_catalogue(), Assumptions(discount_rate=rate, draws=0))
        cf = res.cashflows
        return cf[(cf["scenario"] == "status_quo") & (cf["budget_type"] != "none")]["discounted"].sum()

    assert budget_npv(r + bump) <= budget_npv(r) + 0.01 * 30


@SETTINGS
@given(assets=asset_tables(), term=st.integers(1, 30))
def test_with_zero_partner_share_shared_savings_costs_exactly_the_new_running_cost(assets, term):
    a = Assumptions(partner_savings_share=0.0, contract_term=term, draws=0)
    result = run_all(assets, worked_example_catalogue(), a)
    cf = result.cashflows
    shared = cf[cf["scenario"] == "shared_savings"]
    capex = cf[cf["scenario"] == "capex"]
    assert (shared.loc[shared["component"] == "savings_payment", "nominal"] == 0).all()
    for component in ("maintenance", "energy"):
        assert shared.loc[shared["component"] == component, "nominal"].tolist() == (
            capex.loc[capex["component"] == component, "nominal"].tolist()
        )
    partner = result.partner.set_index("scenario").loc["shared_savings"]
    assert partner["partner_npv"] == -partner["partner_investment"]


@SETTINGS
@given(assets=asset_tables())
def test_departments_add_up_exactly_to_the_totals(assets):
    a = Assumptions(horizon=12, contract_term=6, draws=0)
    result = run_all(assets, worked_example_catalogue(), a)
    # the same scenarios computed on undivided totals (one pseudo-department)
    agg = aggregate(validate_inputs(assets, worked_example_catalogue(), a))
    totals = scenario_flows(agg.totals(), parameters_from(a))
    cf = result.cashflows
    for column, factor in (("nominal", np.ones(a.horizon)), ("discounted", totals.discount[0])):
        cents = np.rint(cf[column].to_numpy() * 100).astype(np.int64)
        by_group = cf.assign(cents=cents).groupby(["scenario", "component", "year"])["cents"].sum()
        assert len(by_group) == sum(len(c) for c in totals.flows.values()) * a.horizon
        for (scenario, component, year), group_cents in by_group.items():
            total_cents = totals.flows[scenario][component][0, 0, year] * factor[year] * 100
            # department cents add up to the group total rounded once (float noise aside)
            assert abs(group_cents - total_cents) <= 0.5 + 1e-9 * abs(total_cents) + 1e-6


@SETTINGS
@given(
    values=st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=1, max_size=30),
    groups=st.integers(1, 4),
)
def test_largest_remainder_keeps_every_group_total(values, groups):
    arr = np.array(values)
    gid = np.arange(arr.size) % groups
    cents = allocate_cents(arr, gid)
    for g in range(groups):
        assert cents[gid == g].sum() == np.rint((arr[gid == g] * 100).sum())
        assert np.all(np.abs(cents[gid == g] - arr[gid == g] * 100) < 1 + 1e-6)


@SETTINGS
@given(seed=st.integers(0, 2**31), draws=st.integers(1, 500))
def test_monte_carlo_with_a_fixed_seed_is_reproducible(seed, draws):
    assets = pd.DataFrame(
        {
            "asset_id": ["a", "b"],
            "department": ["transport", "parks"],
            "category": ["streetlight", "boiler"],
            "install_year": [2000, 2010],
            "life_years": [25, 20],
            "replacement_cost": [1000.0, 20000.0],
            "maintenance_cost": [50.0, 700.0],
            "energy_cost": [200.0, 3000.0],
            "action": ["upgrade", "replace"],
        }
    )
    a = Assumptions(seed=seed, draws=draws)
    totals = aggregate(validate_inputs(assets, worked_example_catalogue(), a)).totals()
    first, second = simulate(totals, a), simulate(totals, a)
    assert np.array_equal(first, second)
    p1, p2 = draw_parameters(a, draws), draw_parameters(a, draws)
    assert all(np.array_equal(p1[k], p2[k]) for k in p1)
    other = simulate(totals, a.with_changes(seed=seed + 1))
    assert draws < 2 or not np.array_equal(first, other)
