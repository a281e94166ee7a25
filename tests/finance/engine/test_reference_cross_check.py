"""200 random small cases: the engine's figures equal, to the cent, a plain per-asset implementation of DESIGN §6.

Compared per scenario: NPV of cost, whole-life cost, year-0 CapEx, peak yearly cost, residual value, savings vs the
status quo, partner investment K and partner NPV (to the cent); break-even share/margin and the IRR (as rates);
each department's yearly cash flow (within the cent allocation); every tornado bar and Monte Carlo draw (as the
reference NPV at that bar's or draw's assumptions).

The reference (``_reference.py``) walks asset by asset and year by year in 60-digit decimal arithmetic and shares
no code with the engine. Cases are drawn from a seeded generator, with rates often exactly at the ends of their
valid ranges (r = 0.20, π = −0.05, e = 0.30, w = 0, T = 1 or H, …), horizons up to 60, lives shorter and longer
than the horizon, overdue assets and assets installed in the start year.
"""

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from finance.engine import Assumptions, EngineError, run_all
from finance.engine.inputs import RATE_RANGES

from ._reference import (
    SCENARIOS,
    assets_from_frame,
    catalogue_from_frame,
    cents,
    dec,
    npv_at,
    reference_figures,
)

CASES = 200
NEAR_LIMIT_CASES = 50
CATEGORIES = ["lamp", "boiler", "shelter"]
DEPARTMENTS = ["education", "parks", "transport"]


def _rate(rng, low, high):
    """A rate at either end of its range 30% of the time, otherwise a 4-decimal value inside it."""
    u = rng.random()
    if u < 0.15:
        return low
    if u < 0.30:
        return high
    return round(float(rng.uniform(low, high)), 4)


def _money(rng, n, scale):
    values = np.round(rng.uniform(0, scale, n), 2)
    values[rng.random(n) < 0.1] = 0.0
    return values


def random_case(seed: int, *, near_limit: bool = False) -> tuple[pd.DataFrame, pd.DataFrame, Assumptions]:
    """A small random case; ``near_limit`` makes its amounts as large as the exact-cent limit allows."""
    rng = np.random.default_rng(seed)
    horizon = int(rng.choice([1, 2, 5, 30, 59, 60])) if rng.random() < 0.4 else int(rng.integers(1, 61))
    term = int(rng.choice([1, horizon])) if rng.random() < 0.3 else int(rng.integers(1, horizon + 1))
    start = int(rng.integers(1990, 2100))
    rates = {name: _rate(rng, low, high) for name, (low, high, _) in RATE_RANGES.items()}
    assumptions = Assumptions(start_year=start, horizon=horizon, contract_term=term, draws=0, **rates)
    n = int(rng.integers(1, 8))
    scale = 10 ** rng.uniform(2, 6)  # the largest amount of the case
    # ... kept so that the case stays inside the engine's exact-cent limit (run.MAX_GROSS_FLOWS = 1e12) even at
    # 30% energy escalation over 60 years: a case beyond it is refused, which test_amount_limits checks
    growth = sum(
        max(1.0, (1 + rates["inflation"]) ** t, (1 + rates["energy_escalation"]) ** t) for t in range(horizon)
    )
    scale = min(scale, 1e11 / (n * growth))
    if near_limit:
        scale = float(rng.uniform(2e11, 6e11)) / (n * growth)
    lives = [1, 2, 3, 5, 8, 12, 20, 25, 40, 60, 75]
    assets = pd.DataFrame(
        {
            "asset_id": [f"a{i}" for i in range(n)],
            "department": rng.choice(DEPARTMENTS, n),
            "category": rng.choice(CATEGORIES, n),
            "install_year": start - rng.integers(0, 90, n),
            "life_years": rng.choice(lives, n),
            "replacement_cost": _money(rng, n, scale),
            "maintenance_cost": _money(rng, n, scale / 20),
            "energy_cost": _money(rng, n, scale / 10),
            "action": rng.choice(["replace", "upgrade", "operate", "maintain"], n),
        }
    )
    catalogue = pd.DataFrame(
        {
            "category": CATEGORIES,
            "unit_cost": _money(rng, 3, scale),
            "life_years": rng.choice(lives, 3),
            "maintenance_cost": _money(rng, 3, scale / 20),
            "energy_cost": _money(rng, 3, scale / 10),
        }
    )
    return assets, catalogue, assumptions


FIGURES = {
    # engine summary column -> reference attribute
    "npv_cost": "npv",
    "whole_life_cost": "whole_life_cost",
    "year0_capex": "year0_capex",
    "peak_yearly_cost": "peak_yearly_cost",
    "residual_value": "residual_value",
}


def _same_cents(engine_value: float, exact: Decimal) -> bool:
    """Equal in whole cents — or the exact value lies within float noise (1e-12 relative) of a half cent, where
    no float64 computation can promise which way the cent goes."""
    if cents(float(engine_value)) == cents(exact):
        return True
    half_cents = exact * 200
    return abs(half_cents - half_cents.to_integral_value()) < Decimal("1e-9") * max(1, abs(half_cents)) / 1000


@pytest.mark.parametrize("seed", range(CASES))
def test_engine_figures_equal_the_per_asset_reference_to_the_cent(seed):
    assumptions, mismatches = _compare(seed, near_limit=False)
    assert not mismatches, (assumptions, mismatches)


@pytest.mark.parametrize("seed", range(NEAR_LIMIT_CASES))
def test_figures_of_hundreds_of_billions_are_still_exact_to_the_cent(seed):
    """Amounts as large as the exact-cent limit allows, rates at their extremes: every figure is within the
    documented error bound (2e-15 of the scenario's gross flows, ≤ 0.002 at the limit) of exact arithmetic,
    so its cents are right. Compounding binary rates (0.2673 is not exact in float64) to the 59th power used to
    give errors up to ~1e-14 of the flows — a cent at the limit."""
    assumptions, mismatches = _compare(seed, near_limit=True)
    assert not mismatches, (assumptions, mismatches)
    assets, catalogue, assumptions = random_case(seed, near_limit=True)
    result = run_all(assets, catalogue, assumptions)
    expected = reference_figures(assets_from_frame(assets), catalogue_from_frame(catalogue), assumptions)
    summary = result.summary.set_index("scenario")
    for scenario in SCENARIOS:
        flows = result.cashflows[result.cashflows["scenario"] == scenario]
        gross = max(flows["nominal"].abs().sum(), flows["discounted"].abs().sum())
        bound = Decimal(repr(2e-15 * float(gross) + 1e-9))
        for column, attribute in FIGURES.items():
            error = abs(dec(float(summary.loc[scenario, column])) - getattr(expected[scenario], attribute))
            assert error <= bound, (scenario, column, str(error), str(bound))


def _compare(seed: int, *, near_limit: bool) -> tuple[Assumptions, list]:
    """Every figure of a case that differs from the reference in whole cents: (scenario, figure, engine, exact)."""
    assets, catalogue, assumptions = random_case(seed, near_limit=near_limit)
    try:
        result = run_all(assets, catalogue, assumptions)
    except EngineError as error:  # pragma: no cover - the generator stays within the limits
        pytest.fail(f"valid case {seed} refused: {error.problems}")
    expected = reference_figures(assets_from_frame(assets), catalogue_from_frame(catalogue), assumptions)
    summary = result.summary.set_index("scenario")
    partner = result.partner.set_index("scenario")
    mismatches = []
    for scenario in SCENARIOS:
        ref = expected[scenario]
        for column, attribute in FIGURES.items():
            if not _same_cents(summary.loc[scenario, column], getattr(ref, attribute)):
                mismatches.append(
                    (scenario, column, summary.loc[scenario, column], str(getattr(ref, attribute)))
                )
        savings = expected["status_quo"].npv - ref.npv
        if not _same_cents(summary.loc[scenario, "savings_vs_status_quo"], savings):
            mismatches.append(
                (scenario, "savings", summary.loc[scenario, "savings_vs_status_quo"], str(savings))
            )
        if scenario in partner.index:
            for column in ("partner_investment", "partner_npv"):
                if not _same_cents(partner.loc[scenario, column], getattr(ref, column)):
                    mismatches.append(
                        (scenario, column, partner.loc[scenario, column], str(getattr(ref, column)))
                    )
    mismatches += _partner_mismatches(partner, expected)
    mismatches += _department_mismatches(result.cashflows, expected)
    return assumptions, mismatches


def _department_mismatches(cashflows: pd.DataFrame, expected: dict) -> list:
    """Each department's yearly cash flow (sum of its component rows) against the reference's per-asset flows.

    Each component row is its department's exact share rounded up or down to a cent (largest remainder), so a
    department-year is within one cent per component of the exact value."""
    out = []
    for scenario in SCENARIOS:
        flows = cashflows[cashflows["scenario"] == scenario]
        components = flows["component"].nunique()
        got = flows.groupby(["department", "year"])["nominal"].sum()
        for department, yearly in expected[scenario].by_department.items():
            for year, exact in enumerate(yearly):
                value = float(got[(department, year)])
                if abs(dec(value) - exact) > Decimal("0.01") * components:
                    out.append((scenario, department, year, value, str(exact)))
    return out


def _partner_mismatches(partner: pd.DataFrame, expected: dict) -> list:
    """Break-even share/margin and IRR against the reference (rates: compared to 1e-9, not in cents)."""
    out = []
    for scenario, column in (
        ("shared_savings", "break_even_savings_share"),
        ("opex_service", "break_even_margin"),
    ):
        ref, got = expected[scenario], partner.loc[scenario, column]
        if ref.break_even is None:
            if not np.isnan(got):
                out.append((scenario, column, got, None))
        # the engine finds the break-even from two NPVs (the partner NPV is linear in s and in m)
        elif abs(dec(float(got)) - ref.break_even) > Decimal("1e-9") * max(Decimal(1), abs(ref.break_even)):
            out.append((scenario, column, got, str(ref.break_even)))
        irr = partner.loc[scenario, "partner_irr"]
        if not np.isnan(irr):
            # the engine's IRR is a root of the reference's partner flows
            npv = npv_at(dec(float(irr)), ref.partner_flows)
            if abs(npv) > Decimal("1e-9") * sum(abs(flow) for flow in ref.partner_flows):
                out.append((scenario, "partner_irr", irr, str(npv)))
    return out


def test_the_cases_reach_the_ends_of_every_range():
    """The generator really exercises the bounds the issue is about (not only comfortable middle values)."""
    drawn = [random_case(seed)[2] for seed in range(CASES)]
    for name, (low, high, _) in RATE_RANGES.items():
        values = [getattr(a, name) for a in drawn]
        assert low in values and high in values, name
    assert max(a.horizon for a in drawn) == 60
    assert any(a.contract_term == a.horizon for a in drawn)
    assert any(a.contract_term == 1 for a in drawn)


@pytest.mark.parametrize("seed", range(0, CASES, 10))
def test_every_tornado_bar_is_the_reference_npv_at_its_clipped_value(seed):
    assets, catalogue, assumptions = random_case(seed)
    tornado = run_all(assets, catalogue, assumptions).tornado.set_index(["scenario", "assumption"])
    ref_assets, ref_catalogue = assets_from_frame(assets), catalogue_from_frame(catalogue)
    mismatches = []
    for name in [*RATE_RANGES, "contract_term"]:
        row = tornado.loc[("capex", name)]
        for value_column, npv_column in (("low_value", "npv_low"), ("high_value", "npv_high")):
            value = row[value_column]
            value = int(value) if name == "contract_term" else float(value)
            moved = assumptions.with_changes(**{name: value})
            assert moved.problems() == [], (name, value)
            expected = reference_figures(ref_assets, ref_catalogue, moved)
            for scenario in SCENARIOS:
                got = tornado.loc[(scenario, name), npv_column]
                # the tornado sums department totals with np.sum (not exactly): a tenth of a cent of slack
                if abs(Decimal(repr(float(got))) - expected[scenario].npv) > Decimal("0.001"):
                    mismatches.append((name, value_column, scenario, got, str(expected[scenario].npv)))
    assert not mismatches, mismatches


@pytest.mark.parametrize("seed", range(0, CASES, 25))
def test_monte_carlo_draws_are_the_reference_npv_at_the_drawn_assumptions(seed):
    """A draw is the same model at other assumptions: its NPVs equal the reference's at the drawn values (the
    draws use float64 powers, so to 1e-9 of the flows rather than to the cent)."""
    from finance.engine.inputs import validate_inputs
    from finance.engine.montecarlo import draw_parameters, simulate
    from finance.engine.scenarios import aggregate

    assets, catalogue, assumptions = random_case(seed)
    assumptions = assumptions.with_changes(draws=100)  # above metrics.EXACT_BATCH: the float64 path
    npv = simulate(aggregate(validate_inputs(assets, catalogue, assumptions)).totals(), assumptions)
    drawn = draw_parameters(assumptions, assumptions.draws)
    ref_assets, ref_catalogue = assets_from_frame(assets), catalogue_from_frame(catalogue)
    for draw in (0, 37, 99):
        values = {name: float(drawn[name][draw]) for name in drawn if name != "contract_term"}
        expected = reference_figures(ref_assets, ref_catalogue, assumptions.with_changes(**values))
        for s, scenario in enumerate(SCENARIOS):
            scale = max(Decimal(1), abs(expected[scenario].npv), expected[scenario].whole_life_cost)
            assert abs(dec(float(npv[draw, s])) - expected[scenario].npv) <= Decimal("1e-9") * scale
