"""The single entry point, :func:`run_all`, and its result."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import montecarlo
from .errors import EngineError, problem
from .inputs import Assumptions, EngineInputs, validate_inputs
from .metrics import allocate_cents, irr, npv_at
from .scenarios import (
    COMPONENT_BUDGET_TYPE,
    PARTNER_SCENARIOS,
    SCENARIO_COMPONENTS,
    SCENARIOS,
    Aggregates,
    ScenarioFlows,
    aggregate,
    parameters_from,
    scenario_flows,
)
from .sensitivity import tornado

CASHFLOW_COLUMNS = [
    "scenario",
    "year",
    "fiscal_year",
    "department",
    "budget_type",
    "component",
    "nominal",
    "discounted",
]


@dataclass(frozen=True)
class EngineResult:
    """Everything the engine computes, as plain tables. Money: currency units, nominal unless 'discounted'."""

    assumptions: Assumptions
    cashflows: pd.DataFrame
    summary: pd.DataFrame
    partner: pd.DataFrame
    budget_fit: pd.DataFrame
    tornado: pd.DataFrame
    montecarlo: pd.DataFrame
    probabilities: dict[str, float] = field(default_factory=dict)
    montecarlo_histogram: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=montecarlo.HISTOGRAM_COLUMNS)
    )

    def to_dict(self, *, include_cashflows: bool = True) -> dict[str, Any]:
        """JSON-serialisable: money rounded to cents, rates and probabilities to 6 decimals, NaN → None."""
        out: dict[str, Any] = {
            "assumptions": self.assumptions.to_dict(),
            "summary": _records(self.summary),
            "partner": _records(self.partner),
            "budget_fit": _records(self.budget_fit),
            "tornado": _records(self.tornado),
            "montecarlo": {
                "percentiles": _records(self.montecarlo),
                "probabilities": {k: _clean(k, v) for k, v in self.probabilities.items()},
                "histogram": _records(self.montecarlo_histogram),
            },
        }
        if include_cashflows:
            out["cashflows"] = _records(self.cashflows)
        return out


# How each float field of the JSON is rounded: named one by one (never guessed from the name), so that a new
# field has to be classified here before it can be printed (an unknown float field raises KeyError).
MONEY_FIELDS: frozenset[str] = frozenset(
    {
        # summary
        "npv_cost",
        "savings_vs_status_quo",
        "whole_life_cost",
        "capex_nominal",
        "opex_nominal",
        "year0_capex",
        "peak_yearly_cost",
        "residual_value",
        # partner
        "partner_investment",
        "annuity",
        "partner_npv",
        # cash flows and budget fit
        "nominal",
        "discounted",
        "required",
        "budget",
        "balance",
        "shortfall",
        # tornado
        "npv_low",
        "npv_high",
        "npv_base",
        "swing",
        # Monte Carlo percentiles and histogram
        "p10",
        "p50",
        "p90",
        "mean",
        "bin_start",
        "bin_end",
    }
)
RATE_FIELDS: frozenset[str] = frozenset(
    {
        "partner_irr",
        "break_even_savings_share",
        "break_even_margin",
        "low_value",  # tornado: the assumption's low/high value (a rate, a share or a number of years)
        "high_value",
        "probability_cheapest",
        "probability_status_quo_cheapest",
        "probability_capex_cheapest",
        "probability_opex_service_cheapest",
        "probability_shared_savings_cheapest",
        "probability_opex_service_beats_capex",
        "probability_shared_savings_beats_capex",
    }
)
COUNT_FIELDS: frozenset[str] = frozenset({"draws"})  # a count that travels as a float
MONEY_DECIMALS = 2  # money is always whole cents
RATE_DECIMALS = 6


def _clean(column: str, value: Any) -> Any:
    """A JSON-ready value: money to cents, rates to 6 decimals, counts to whole numbers, NaN/inf → None."""
    if isinstance(value, np.generic):
        value = value.item()
    if not isinstance(value, float):
        return value  # ints (years, counts), bools, text
    if not math.isfinite(value):
        return None
    # + 0.0 turns a rounded −0.0 (from a tiny negative float) into 0.0
    if column in MONEY_FIELDS:
        return round(value, MONEY_DECIMALS) + 0.0
    if column in RATE_FIELDS:
        return round(value, RATE_DECIMALS) + 0.0
    if column in COUNT_FIELDS:
        return int(value)
    raise KeyError(f"{column!r} is not classified as money, rate or count (finance/engine/run.py)")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    columns = list(frame.columns)
    return [
        {c: _clean(c, v) for c, v in zip(columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def _cashflow_table(
    agg: Aggregates, flows: dict[str, dict[str, np.ndarray]], discount: np.ndarray, start_year: int
) -> pd.DataFrame:
    """Long table, one row per (scenario, component, department, year), in whole cents per department such that
    departments add up exactly to each (scenario, component, year) total (largest remainder)."""
    n_dept, horizon = len(agg.departments), agg.horizon
    names, comps, blocks = [], [], []
    for scenario in SCENARIOS:
        for component in SCENARIO_COMPONENTS[scenario]:
            names.append(scenario)
            comps.append(component)
            blocks.append(flows[scenario][component][0])  # (D, H), batch row 0 = base case
    nominal = np.stack(blocks)  # (G, D, H)
    discounted = nominal * discount[0]
    g = len(blocks)
    # group id per (block, year): departments vary fastest inside a group
    group = (np.arange(g)[:, None, None] * horizon + np.arange(horizon)[None, None, :]) + np.zeros(
        (1, n_dept, 1), dtype=np.int64
    )
    nominal_cents = allocate_cents(nominal.ravel(), group.ravel())
    discounted_cents = allocate_cents(discounted.ravel(), group.ravel())
    block_idx = np.repeat(np.arange(g), n_dept * horizon)
    dept_idx = np.tile(np.repeat(np.arange(n_dept), horizon), g)
    year = np.tile(np.arange(horizon), g * n_dept)
    component = np.asarray(comps, dtype=object)[block_idx]
    return pd.DataFrame(
        {
            "scenario": np.asarray(names, dtype=object)[block_idx],
            "year": year,
            "fiscal_year": year + start_year,
            "department": np.asarray(agg.departments, dtype=object)[dept_idx],
            "budget_type": np.vectorize(COMPONENT_BUDGET_TYPE.get, otypes=[object])(component),
            "component": component,
            "nominal": nominal_cents / 100.0,
            "discounted": discounted_cents / 100.0,
        },
        columns=CASHFLOW_COLUMNS,
    )


def _summary(flows: dict[str, dict[str, np.ndarray]], discount: np.ndarray) -> pd.DataFrame:
    """Per-scenario figures of the base case (batch row 0).

    Every figure is one exact sum (math.fsum) of the per (component, department, year) flows: adding up a few
    thousand terms of very different sizes in float64 would otherwise leave errors of a few ulps of the largest
    term, which near the limit of MAX_GROSS_FLOWS would reach a tenth of a cent.
    """
    rows = []
    for scenario in SCENARIOS:
        comps = flows[scenario]
        blocks = {c: f[0] for c, f in comps.items()}  # (D, H) each

        def yearly(components: list[str], blocks: dict[str, np.ndarray] = blocks) -> np.ndarray:
            if not components:
                return np.zeros(discount.shape[1])
            stacked = np.stack([blocks[c] for c in components])  # (C, D, H)
            return np.array([math.fsum(stacked[..., t].ravel()) for t in range(stacked.shape[-1])])

        every = list(blocks)
        budget = yearly([c for c in every if COMPONENT_BUDGET_TYPE[c] != "none"])
        capex = yearly([c for c in every if COMPONENT_BUDGET_TYPE[c] == "capex"])
        opex_terms = [blocks[c] for c in every if COMPONENT_BUDGET_TYPE[c] == "opex"]
        all_terms = np.stack([blocks[c] for c in every])  # (C, D, H)
        rows.append(
            {
                "scenario": scenario,
                "npv_cost": math.fsum((all_terms * discount[0]).ravel()),
                "whole_life_cost": math.fsum(all_terms.ravel()),
                "capex_nominal": math.fsum(capex),
                "opex_nominal": math.fsum(np.concatenate([b.ravel() for b in opex_terms])),
                "year0_capex": float(capex[0]),
                "peak_yearly_cost": float(budget.max()),
                "peak_year": int(np.argmax(budget)),
                "residual_value": -math.fsum(blocks["residual_value"].ravel()),
            }
        )
    table = pd.DataFrame(rows)
    base = table.loc[table["scenario"] == "status_quo", "npv_cost"].iloc[0]
    table.insert(2, "savings_vs_status_quo", base - table["npv_cost"])
    return table


# Largest sum of absolute yearly cash flows (nominal, and discounted) of any scenario, currency units. Below it
# every figure is exact to the cent: the engine's float64 error stays under ~2e-15 of that sum (the randomized
# cross-check against 60-digit decimal arithmetic, tests/finance/engine/test_reference_cross_check.py), i.e.
# under 0.002 — a fifth of a cent — at the limit; 2**53 cents (9.0e13) is where float64 stops holding cents at all.
MAX_GROSS_FLOWS = 1e12


def _gross_flow_problems(inputs: EngineInputs, base: ScenarioFlows) -> list[str]:
    """Refuse inputs whose figures would be too large to be exact to the cent (see MAX_GROSS_FLOWS)."""
    over = []
    over_params: list[list] = []  # [scenario, gross] pairs, for the problem's parameters
    for scenario in SCENARIOS:
        blocks = [f[0] for f in base.flows[scenario].values()]
        nominal = math.fsum(float(np.abs(b).sum()) for b in blocks)
        discounted = math.fsum(float(np.abs(b * base.discount[0]).sum()) for b in blocks)
        if scenario in base.partner_flows:
            nominal += float(np.abs(base.partner_flows[scenario][0]).sum())
        gross = max(nominal, discounted)
        if gross > MAX_GROSS_FLOWS:
            over.append(f"{scenario} {gross:,.0f}")
            over_params.append([scenario, gross])
    if not over:
        return []
    a = inputs.assets
    size = (a["replacement_cost"] + a["maintenance_cost"] + a["energy_cost"]).to_numpy()
    largest = a["asset_id"].to_numpy()[np.argsort(-size, kind="stable")[:5]]
    return [
        problem(
            "flows_too_large",
            f"the yearly cash flows are too large to be computed exactly to the cent: in absolute value over the "
            f"{inputs.assumptions.horizon} years they add up to {'; '.join(over)} (the limit is "
            f"{MAX_GROSS_FLOWS:,.0f} per scenario)",
            horizon=int(inputs.assumptions.horizon),
            totals=over_params,
            maximum=MAX_GROSS_FLOWS,
        ),
        problem(
            "largest_assets",
            f"the largest amounts are on asset {', '.join(map(str, largest))}: check them, or finance the assets "
            "in several tenders",
            items=[str(i) for i in largest],
        ),
    ]


# batch rows used for the base run: base, partner share 0 and 1, partner margin 0 and 1 (NPV is linear in
# both, so two points give the break-even exactly)
_BASE, _S0, _S1, _M0, _M1 = range(5)


def _partner_table(assumptions: Assumptions, result: Any) -> pd.DataFrame:
    w = np.full(5, assumptions.partner_cost_of_capital)
    rows = []
    for scenario in PARTNER_SCENARIOS:
        flows = result.partner_flows[scenario]  # (5, H)
        npv = npv_at(w, flows)
        if scenario == "shared_savings":
            slope = npv[_S1] - npv[_S0]
            break_even_share = float(-npv[_S0] / slope) if slope > 0 else math.nan
            break_even_margin = math.nan
            annuity = math.nan
        else:
            slope = npv[_M1] - npv[_M0]
            break_even_margin = float(-npv[_M0] / slope) if slope > 0 else math.nan
            break_even_share = math.nan
            annuity = float(result.annuity[_BASE])
        rows.append(
            {
                "scenario": scenario,
                "partner_investment": float(result.partner_investment[_BASE]),
                "annuity": annuity,
                "partner_npv": float(npv[_BASE]),
                "partner_irr": float(irr(flows[_BASE : _BASE + 1, : assumptions.contract_term])[0]),
                # cent tolerance: a deal that exactly breaks even (NPV 0 up to float error) is bankable
                "bankable": bool(npv[_BASE] >= -0.005),
                "break_even_savings_share": break_even_share,
                "break_even_margin": break_even_margin,
            }
        )
    return pd.DataFrame(rows)


BUDGET_FIT_COLUMNS = ["scenario", "fiscal_year", "budget_type", "required", "budget", "balance", "shortfall"]


def _budget_fit(cashflows: pd.DataFrame, budgets: pd.DataFrame | None) -> pd.DataFrame:
    """Per scenario, fiscal year and budget type: what the city must pay against the pooled budget.

    balance = budget − required (positive: surplus), shortfall = max(0, −balance). Residual value is not a
    budget flow. Budget rows outside the horizon are ignored; a missing row counts as a budget of 0.
    """
    if budgets is None:
        return pd.DataFrame(columns=BUDGET_FIT_COLUMNS)
    paid = cashflows[cashflows["budget_type"] != "none"].copy()
    paid["cents"] = np.rint(paid["nominal"].to_numpy() * 100).astype(np.int64)
    required = (
        paid.groupby(["scenario", "fiscal_year", "budget_type"], sort=False)["cents"].sum().reset_index()
    )
    pooled = budgets.copy()
    pooled["budget_cents"] = np.rint(pooled["amount"].to_numpy() * 100).astype(np.int64)
    pooled = pooled.groupby(["fiscal_year", "budget_type"])["budget_cents"].sum().reset_index()
    fit = required.merge(pooled, on=["fiscal_year", "budget_type"], how="left")
    budget_cents = fit["budget_cents"].fillna(0).astype(np.int64)
    balance = budget_cents - fit["cents"]
    return pd.DataFrame(
        {
            "scenario": fit["scenario"],
            "fiscal_year": fit["fiscal_year"],
            "budget_type": fit["budget_type"],
            "required": fit["cents"] / 100.0,
            "budget": budget_cents / 100.0,
            "balance": balance / 100.0,
            "shortfall": np.maximum(0, -balance) / 100.0,
        },
        columns=BUDGET_FIT_COLUMNS,
    )


def run_all(
    assets: pd.DataFrame,
    catalogue: pd.DataFrame,
    assumptions: Assumptions | None = None,
    budgets: pd.DataFrame | None = None,
    progress: Callable[[int], None] | None = None,
) -> EngineResult:
    """Validate, then run the four scenarios, partner metrics, budget fit, tornado and Monte Carlo.

    Raises EngineError (listing every problem) on bad input. ``progress`` receives integers 0 … 100.
    """

    def report(pct: float) -> None:
        if progress is not None:
            progress(int(pct))

    report(0)
    assumptions = assumptions if assumptions is not None else Assumptions()
    inputs = validate_inputs(assets, catalogue, assumptions, budgets)
    report(10)
    agg = aggregate(inputs)
    report(30)
    params = parameters_from(assumptions, 5)
    params["partner_savings_share"][_S0], params["partner_savings_share"][_S1] = 0.0, 1.0
    params["partner_margin"][_M0], params["partner_margin"][_M1] = 0.0, 1.0
    base = scenario_flows(agg, params)
    if problems := _gross_flow_problems(inputs, base):
        raise EngineError(problems)
    cashflows = _cashflow_table(agg, base.flows, base.discount, assumptions.start_year)
    summary = _summary(base.flows, base.discount)
    partner = _partner_table(assumptions, base)
    fit = _budget_fit(cashflows, inputs.budgets)
    report(50)
    totals = agg.totals()
    sensitivity = tornado(totals, assumptions)
    report(60)
    npv = montecarlo.simulate(totals, assumptions, progress=lambda share: report(60 + 39 * share))
    percentiles, probabilities = montecarlo.summarise(npv)
    distribution = montecarlo.histogram(npv)
    report(100)
    return EngineResult(
        assumptions=assumptions,
        cashflows=cashflows,
        summary=summary,
        partner=partner,
        budget_fit=fit,
        tornado=sensitivity,
        montecarlo=percentiles,
        probabilities=probabilities,
        montecarlo_histogram=distribution,
    )
