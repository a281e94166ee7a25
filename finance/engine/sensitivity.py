"""One-at-a-time sensitivity (tornado): each assumption at a documented low and high value, all others at base.

The low/high rules (docs/finance.md, "Tornado") are absolute or relative moves around the base value, clipped to
the assumption's valid range. The horizon and start year are not varied: they define the question, not an
uncertainty.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from .inputs import Assumptions
from .scenarios import PARAMETER_NAMES, SCENARIOS, Aggregates, parameters_from, scenario_flows, scenario_npvs

# name -> rule giving the (low, high) move from the base assumptions, BEFORE clipping: tornado() clips every
# value to the assumption's valid range (Assumptions.valid_range, the same limits the input validation uses),
# so no row is ever computed at a value the engine would refuse as an input.
TORNADO_RULES: dict[str, Callable[[Assumptions], tuple[float, float]]] = {
    "discount_rate": lambda a: (a.discount_rate - 0.015, a.discount_rate + 0.015),
    "inflation": lambda a: (a.inflation - 0.01, a.inflation + 0.01),
    "energy_escalation": lambda a: (a.energy_escalation - 0.02, a.energy_escalation + 0.02),
    "optimism_bias": lambda a: (a.optimism_bias * 0.5, a.optimism_bias * 1.5),
    "partner_cost_of_capital": lambda a: (a.partner_cost_of_capital - 0.02, a.partner_cost_of_capital + 0.02),
    "partner_margin": lambda a: (a.partner_margin * 0.5, a.partner_margin * 1.5),
    "contract_term": lambda a: (a.contract_term - 5, a.contract_term + 5),
    "partner_savings_share": lambda a: (a.partner_savings_share - 0.1, a.partner_savings_share + 0.1),
    "payment_at_risk_share": lambda a: (a.payment_at_risk_share - 0.1, a.payment_at_risk_share + 0.1),
    "outcome_achievement": lambda a: (a.outcome_achievement - 0.2, a.outcome_achievement + 0.1),
    "savings_realisation": lambda a: (a.savings_realisation - 0.2, a.savings_realisation + 0.1),
}


def tornado_values(assumptions: Assumptions) -> dict[str, tuple[float, float]]:
    """Each varied assumption's (low, high) tornado value, clipped to its valid range.

    Rounded to 12 decimals: 0.035 − 0.015 is 0.020000000000000004 in binary, and the bar is meant at 0.02.
    """
    return {
        name: (round(assumptions.clip(name, low), 12), round(assumptions.clip(name, high), 12))
        for name, (low, high) in ((n, rule(assumptions)) for n, rule in TORNADO_RULES.items())
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
    values = tornado_values(assumptions)
    for i, name in enumerate(names):
        low, high = values[name]
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
