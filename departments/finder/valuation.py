"""What each candidate is worth: the financing engine's status quo vs best scenario, for every candidate at once.

Pure (pandas/numpy and finance.engine only, no Django). The engine sums per-asset amounts per *department*
and every formula after that is linear per department (the partner's annuity is proportional to the financed
investment, so a department's share of it is exactly the annuity of its own investment). Giving every
candidate its own "department" label therefore values all candidates in one engine batch, and each candidate's
figures equal what ``finance.engine.run_all`` returns for that candidate alone (a test checks this). Candidates
are processed in chunks only to bound memory (arrays are candidates × years).

Synergy (docs/decisions.md, "Opportunity finder: the synergy assumption"): assets renewed together share works
(one excavation, one traffic-management set-up, one crane) and maintenance visits, so the upgrade's unit cost
and yearly maintenance are reduced by ``synergy`` (default 10 %) in every upgrade scenario; the status quo
(each department renewing like for like on its own) gets no reduction.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from finance.engine import Assumptions, validate_inputs
from finance.engine.inputs import ASSET_COLUMNS, EngineInputs
from finance.engine.metrics import annuity_due
from finance.engine.scenarios import PARTNER_SCENARIOS, SCENARIOS, aggregate, parameters_from, scenario_flows

DEFAULT_SYNERGY = 0.10
SYNERGY_LIMITS = (0.0, 0.5)
CHUNK = 20_000  # candidates per engine batch: 20,000 × 30 years × 8 bytes ≈ 5 MB per array
UPGRADE_SCENARIOS = ("capex", "opex_service", "shared_savings")
# A partner scenario counts only if the partner would sign it (NPV at its cost of capital ≥ 0, to the cent).
BANKABLE_TOLERANCE = -0.005

VALUE_COLUMNS = [
    "group",
    "replacement_cost_due",
    *(f"npv_{s}" for s in SCENARIOS),
    *(f"partner_npv_{s}" for s in PARTNER_SCENARIOS),
    "best_scenario",
    "best_npv",
    "savings",
]


def synergy_catalogue(catalogue: pd.DataFrame, synergy: float) -> pd.DataFrame:
    """The upgrade catalogue with the synergy reduction on unit cost and maintenance (energy is per unit and
    not shared)."""
    out = catalogue.copy()
    for col in ("unit_cost", "maintenance_cost"):
        out[col] = out[col].astype(float) * (1.0 - synergy)
    return out


def _group_figures(inputs: EngineInputs, assumptions: Assumptions) -> pd.DataFrame:
    """NPV per scenario and partner NPVs for every "department" (= candidate) of ``inputs``."""
    agg = aggregate(inputs)
    params = parameters_from(assumptions, 1)
    result = scenario_flows(agg, params)
    discount = result.discount[0]  # (H,)
    out: dict[str, np.ndarray] = {"group": np.asarray([int(d) for d in agg.departments], dtype=np.int64)}
    for scenario in SCENARIOS:
        yearly = sum(f[0] for f in result.flows[scenario].values())  # (D, H)
        out[f"npv_{scenario}"] = yearly @ discount
    # The partner's side per candidate (the engine reports it for the whole batch only). Same formulas as
    # finance.engine.scenarios.scenario_flows: K = PV at w of the upgrade purchases inside the term.
    a = assumptions
    t = np.arange(agg.horizon, dtype=float)
    price = (1.0 + a.inflation) ** t
    energy_price = (1.0 + a.energy_escalation) ** t
    in_term = t < a.contract_term
    partner_discount = (1.0 + a.partner_cost_of_capital) ** -t
    k = (agg.upgrade_purchase * price * in_term) @ partner_discount  # (D,)
    paid = 1.0 - a.payment_at_risk_share + a.payment_at_risk_share * a.outcome_achievement
    operation = (agg.maintenance_new + agg.maintenance_keep)[:, None] * price + (
        agg.energy_new + agg.energy_keep
    )[:, None] * energy_price  # (D, H) the partner's running cost, start-year amounts indexed
    annuity = annuity_due(a.partner_cost_of_capital, a.contract_term, k)  # (D,)
    opex_partner = (annuity[:, None] * paid + ((1.0 + a.partner_margin) * paid - 1.0) * operation) * in_term
    shared_partner = result.flows["shared_savings"]["savings_payment"][0]
    out["partner_npv_opex_service"] = opex_partner @ partner_discount - k
    out["partner_npv_shared_savings"] = shared_partner @ partner_discount - k
    return pd.DataFrame(out)


def value_groups(
    assets: pd.DataFrame,
    catalogue: pd.DataFrame,
    *,
    assumptions: Assumptions,
    synergy: float = DEFAULT_SYNERGY,
    progress: Callable[[float], None] | None = None,
) -> pd.DataFrame:
    """Value every candidate. ``assets`` has the engine's asset columns (``department`` is the real department
    and is not used here) plus ``group`` (the candidate, an integer ≥ 0); every asset is upgraded. ``catalogue``
    is the engine's upgrade catalogue. Returns one row per group (VALUE_COLUMNS), money in currency units:

    - replacement_cost_due: Σ like-for-like replacement cost (start-year prices) of the candidate's assets;
    - npv_<scenario>: NPV of cost to the city of each of the four scenarios;
    - partner_npv_<scenario>: the partner's NPV at its cost of capital (OpEx service, shared savings);
    - best_scenario / best_npv: the cheapest of CapEx purchase and the *bankable* partner scenarios;
    - savings: npv_status_quo − best_npv (positive: the bundle saves money).

    Raises finance.engine.EngineError (every problem listed) if the engine refuses the inputs.
    """
    if not SYNERGY_LIMITS[0] <= synergy <= SYNERGY_LIMITS[1]:
        raise ValueError(f"synergy must be between {SYNERGY_LIMITS[0]:g} and {SYNERGY_LIMITS[1]:g}")
    if len(assets) == 0:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    group = assets["group"].to_numpy(dtype=np.int64)
    order = np.argsort(group, kind="stable")
    group = group[order]
    frame = assets.iloc[order][[c for c in ASSET_COLUMNS if c not in ("department", "action")]].copy()
    # Validated with a placeholder department (the engine only checks it is not blank; hashing 10⁶ labels as
    # text would be the slowest step), then each row gets its candidate as an integer "department": the engine
    # factorizes it sorted, i.e. in numeric order.
    frame["department"] = "candidate"
    frame["action"] = "upgrade"
    inputs = validate_inputs(frame, synergy_catalogue(catalogue, synergy), assumptions)
    inputs.assets["department"] = group
    replacement_due = np.bincount(group, weights=inputs.assets["replacement_cost"].to_numpy(dtype=float))

    # Chunk boundaries on group edges: rows are sorted by group.
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    bounds = [*starts[::CHUNK].tolist(), group.size]
    tables = []
    for n, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
        chunk = EngineInputs(
            assets=inputs.assets.iloc[lo:hi].reset_index(drop=True),
            catalogue=inputs.catalogue,
            assumptions=assumptions,
        )
        tables.append(_group_figures(chunk, assumptions))
        if progress is not None:
            progress((n + 1) / (len(bounds) - 1))
    table = pd.concat(tables, ignore_index=True)
    table.insert(1, "replacement_cost_due", replacement_due[table["group"].to_numpy()])
    return choose_best(table)


def choose_best(table: pd.DataFrame) -> pd.DataFrame:
    """Add best_scenario, best_npv and savings: the cheapest upgrade scenario a partner would sign."""
    npv = np.column_stack([table[f"npv_{s}"].to_numpy(dtype=float) for s in UPGRADE_SCENARIOS])
    for k, scenario in enumerate(UPGRADE_SCENARIOS):
        if scenario in PARTNER_SCENARIOS:
            unbankable = table[f"partner_npv_{scenario}"].to_numpy(dtype=float) < BANKABLE_TOLERANCE
            npv[unbankable, k] = np.inf
    best = np.argmin(npv, axis=1)  # CapEx is always eligible, so a finite minimum exists
    out = table.copy()
    out["best_scenario"] = np.asarray(UPGRADE_SCENARIOS, dtype=object)[best]
    out["best_npv"] = npv[np.arange(len(out)), best]
    out["savings"] = out["npv_status_quo"] - out["best_npv"]
    return out[VALUE_COLUMNS]
