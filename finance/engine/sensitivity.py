"""One-at-a-time sensitivity (tornado): each assumption at a documented low and high value, all others at base.

The low/high rules (docs/finance.md, "Tornado") are absolute or relative moves around the base value, clipped to
the assumption's valid range. The horizon and start year are not varied: they define the question, not an
uncertainty.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from .inputs import RATE_RANGES, Assumptions
from .scenarios import PARAMETER_NAMES, SCENARIOS, Aggregates, parameters_from, scenario_flows, scenario_npvs


def _clip(name: str, value: float) -> float:
    low, high, _ = RATE_RANGES[name]
    return float(min(max(value, low), high))


# name -> rule giving (low, high) from the base assumptions
TORNADO_RULES: dict[str, Callable[[Assumptions], tuple[float, float]]] = {
    "discount_rate": lambda a: (_clip("discount_rate", a.discount_rate - 0.015), a.discount_rate + 0.015),
    "inflation": lambda a: (_clip("inflation", a.inflation - 0.01), _clip("inflation", a.inflation + 0.01)),
    "energy_escalation": lambda a: (
        _clip("energy_escalation", a.energy_escalation - 0.02),
        _clip("energy_escalation", a.energy_escalation + 0.02),
    ),
    "optimism_bias": lambda a: (a.optimism_bias * 0.5, _clip("optimism_bias", a.optimism_bias * 1.5)),
    "partner_cost_of_capital": lambda a: (
        _clip("partner_cost_of_capital", a.partner_cost_of_capital - 0.02),
        _clip("partner_cost_of_capital", a.partner_cost_of_capital + 0.02),
    ),
    "partner_margin": lambda a: (a.partner_margin * 0.5, _clip("partner_margin", a.partner_margin * 1.5)),
    "contract_term": lambda a: (
        float(max(1, a.contract_term - 5)),
        float(min(a.horizon, a.contract_term + 5)),
    ),
    "partner_savings_share": lambda a: (
        _clip("partner_savings_share", a.partner_savings_share - 0.1),
        _clip("partner_savings_share", a.partner_savings_share + 0.1),
    ),
    "payment_at_risk_share": lambda a: (
        _clip("payment_at_risk_share", a.payment_at_risk_share - 0.1),
        _clip("payment_at_risk_share", a.payment_at_risk_share + 0.1),
    ),
    "outcome_achievement": lambda a: (
        _clip("outcome_achievement", a.outcome_achievement - 0.2),
        _clip("outcome_achievement", a.outcome_achievement + 0.1),
    ),
    "savings_realisation": lambda a: (
        _clip("savings_realisation", a.savings_realisation - 0.2),
        _clip("savings_realisation", a.savings_realisation + 0.1),
    ),
}
assert tuple(TORNADO_RULES) == PARAMETER_NAMES


def tornado(totals: Aggregates, assumptions: Assumptions) -> pd.DataFrame:
    """NPV of cost per scenario with each assumption at its low and high value (one batch of 2 × 11 + 1 sets).

    Columns: scenario, assumption, low_value, high_value, npv_low, npv_high, npv_base, swing (|high − low|),
    sorted per scenario by swing, largest first (the order of the tornado bars).
    """
    names = list(TORNADO_RULES)
    n = 2 * len(names) + 1
    params = parameters_from(assumptions, n)
    lows, highs = [], []
    for i, name in enumerate(names):
        low, high = TORNADO_RULES[name](assumptions)
        params[name][2 * i] = low
        params[name][2 * i + 1] = high
        lows.append(low)
        highs.append(high)
    npv = scenario_npvs(scenario_flows(totals, params))  # (n, 4); last row is the base case
    rows = []
    for s, scenario in enumerate(SCENARIOS):
        base = npv[-1, s]
        for i, name in enumerate(names):
            lo, hi = npv[2 * i, s], npv[2 * i + 1, s]
            rows.append((scenario, name, lows[i], highs[i], lo, hi, base, abs(hi - lo)))
    table = pd.DataFrame(
        rows,
        columns=[
            "scenario",
            "assumption",
            "low_value",
            "high_value",
            "npv_low",
            "npv_high",
            "npv_base",
            "swing",
        ],
    )
    order = {name: i for i, name in enumerate(SCENARIOS)}
    table["_s"] = table["scenario"].map(order)
    table = table.sort_values(["_s", "swing"], ascending=[True, False], kind="stable").drop(columns="_s")
    return table.reset_index(drop=True)
