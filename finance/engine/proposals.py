"""Pricing partner proposals like scenarios (DESIGN §12): the proposal's figures replace the scenario's.

Pure (pandas/numpy, no Django). The per-asset data is aggregated once (the same :func:`aggregate` as the
scenarios); every proposal is then priced on the small (proposal × year) arrays, all proposals at once.

Offers (one row each, money in currency units):

- ``capex``: ``purchase_price`` replaces Σ Cc × (1 + b) at t = 0 (renewals inside the horizon stay at catalogue
  cost × (1 + b)); ``running_cost`` (start-year prices, indexed by inflation) replaces the upgraded assets'
  M′ + E′ for the whole horizon. Assets kept as they are keep their status-quo running costs.
- ``opex_service``: for t < T the city pays ``financing_charge`` A′ (flat nominal, replaces the annuity A) plus
  ``operation_fee`` O′ × (1 + π)^t (replaces (1 + m) × operation of upgraded and kept assets), both scaled by
  the outcome factor (1 − φ + φ·a); from T on the city runs, renews and owns the assets as in the scenario.
- ``shared_savings``: the city pays the upgraded running cost plus ``savings_share`` s × realised savings ×
  (1 − φ + φ·a) for t < T; ``guaranteed_savings`` G (start-year prices, indexed) is credited back when the
  realised savings fall short of it: credit = max(0, G × (1 + π)^t − savings_t) for t < T.

φ is each offer's ``at_risk_share``; a (expected achievement), r, π, e, b, T, horizon come from the tender's
assumptions. NPV is the city's cost discounted at the nominal rate, as for the scenarios; residual value is in
the NPV, not in the budget flows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import EngineError, problem
from .inputs import Assumptions, validate_inputs
from .scenarios import aggregate, parameters_from, scenario_flows

OFFER_COLUMNS: tuple[str, ...] = (
    "proposal_id",
    "financing_model",
    "purchase_price",
    "running_cost",
    "financing_charge",
    "operation_fee",
    "savings_share",
    "guaranteed_savings",
    "at_risk_share",
)
MODELS: frozenset[str] = frozenset({"capex", "opex_service", "shared_savings"})
YEARLY_COLUMNS = ["proposal_id", "fiscal_year", "budget_type", "amount"]


@dataclass(frozen=True)
class ProposalPrices:
    """``prices``: proposal_id, financing_model, npv_cost, whole_life_cost, partner_payments (nominal sum paid to
    the partner). ``yearly``: proposal_id, fiscal_year, budget_type (capex | opex), amount the city pays."""

    prices: pd.DataFrame
    yearly: pd.DataFrame


def _offer_problems(offers: pd.DataFrame) -> list[str]:
    problems = [
        problem("missing_column", f"the offer table has no column {c!r}", table="offer", column=c)
        for c in OFFER_COLUMNS
        if c not in offers.columns
    ]
    if problems:
        return problems
    bad = ~offers["financing_model"].isin(MODELS)
    if bad.any():
        rows = list(np.flatnonzero(bad))
        problems.append(
            problem(
                "unknown_financing_model",
                f"financing_model must be capex, opex_service or shared_savings (rows {rows})",
                items=[str(int(r)) for r in rows],
            )
        )
    for col in OFFER_COLUMNS[2:]:
        values = pd.to_numeric(offers[col], errors="coerce").fillna(0.0).to_numpy(dtype=float)
        if (values < 0).any() or not np.isfinite(values).all():
            problems.append(
                problem("offer_not_finite", f"{col} must be a finite, non-negative number", column=col)
            )
    phi = pd.to_numeric(offers["at_risk_share"], errors="coerce").fillna(0.0)
    if ((phi < 0) | (phi > 1)).any():
        problems.append(problem("at_risk_share_out_of_range", "at_risk_share must be between 0 and 1"))
    if offers["proposal_id"].duplicated().any():
        problems.append(problem("duplicate_proposal", "proposal_id appears more than once"))
    return problems


def price_proposals(
    assets: pd.DataFrame, catalogue: pd.DataFrame, assumptions: Assumptions, offers: pd.DataFrame
) -> ProposalPrices:
    """NPV of cost to the city (and yearly budget flows) of every offer, in one pass. Raises EngineError."""
    problems = _offer_problems(offers)
    inputs = None
    try:
        inputs = validate_inputs(assets, catalogue, assumptions)
    except EngineError as exc:
        problems = list(exc.problems) + problems
    if problems:
        raise EngineError(problems)
    a = inputs.assumptions
    agg = aggregate(inputs).totals()
    base = scenario_flows(agg, parameters_from(a, 1))
    horizon = a.horizon
    t = np.arange(horizon, dtype=float)
    price = (1.0 + a.inflation) ** t  # (H,)
    energy_price = (1.0 + a.energy_escalation) ** t
    in_term = (t < a.contract_term).astype(float)
    after_term = 1.0 - in_term
    discount = base.discount[0]  # (H,)

    def flow(scenario: str, component: str) -> np.ndarray:
        return base.flows[scenario][component][0].sum(axis=0)  # (H,)

    replacement_keep = flow("capex", "replacement")
    residual = flow("capex", "residual_value")
    upgrades = flow("capex", "upgrade")  # purchases and renewals × (1 + b)
    running_new = flow("capex", "maintenance") + flow("capex", "energy")  # upgraded (realised) + kept assets
    keep_running = agg.maintenance_keep.sum() * price + agg.energy_keep.sum() * energy_price
    rho = a.savings_realisation
    savings = rho * (
        (agg.maintenance_old.sum() - agg.maintenance_new.sum()) * price
        + (agg.energy_old.sum() - agg.energy_new.sum()) * energy_price
    )

    n = len(offers)
    model = offers["financing_model"].to_numpy(dtype=object)

    def col(name: str) -> np.ndarray:
        return (
            pd.to_numeric(offers[name], errors="coerce").fillna(0.0).to_numpy(dtype=float)[:, None]
        )  # (N, 1)

    phi = col("at_risk_share")
    paid = 1.0 - phi + phi * a.outcome_achievement  # (N, 1)
    is_capex = (model == "capex")[:, None]
    is_opex = (model == "opex_service")[:, None]

    # CapEx: the price at t = 0 instead of the catalogue purchase × (1 + b); renewals (t > 0) as catalogued.
    first = np.zeros(horizon)
    first[0] = 1.0
    capex_capex = col("purchase_price") * first + upgrades * (1.0 - first) + replacement_keep
    capex_opex = col("running_cost") * price + keep_running
    capex_partner = col("purchase_price")[:, 0] + (col("running_cost") * price * in_term).sum(axis=1)

    # OpEx service: A′ + O′ during the term (scaled by the outcome factor); the city's own costs afterwards.
    fee = (col("financing_charge") + col("operation_fee") * price) * paid * in_term
    opex_capex = upgrades * after_term + replacement_keep
    opex_opex = fee + running_new * after_term
    opex_partner = fee.sum(axis=1)

    # Shared savings: the upgraded running cost, plus s × savings × outcome factor, less the guarantee credit.
    payment = col("savings_share") * savings * paid * in_term
    credit = np.maximum(0.0, col("guaranteed_savings") * price - savings) * in_term
    shared_capex = upgrades * after_term + replacement_keep
    shared_opex = running_new + payment - credit
    shared_partner = (payment - credit).sum(axis=1)

    capex_flow = np.where(is_capex, capex_capex, np.where(is_opex, opex_capex, shared_capex))  # (N, H)
    opex_flow = np.where(is_capex, capex_opex, np.where(is_opex, opex_opex, shared_opex))
    total = capex_flow + opex_flow + residual
    partner = np.where(is_capex[:, 0], capex_partner, np.where(is_opex[:, 0], opex_partner, shared_partner))

    ids = offers["proposal_id"].to_numpy()
    prices = pd.DataFrame(
        {
            "proposal_id": ids,
            "financing_model": model,
            "npv_cost": (total * discount).sum(axis=1),
            "whole_life_cost": total.sum(axis=1),
            "partner_payments": partner,
        }
    )
    years = a.start_year + np.arange(horizon)
    yearly = pd.DataFrame(
        {
            "proposal_id": np.concatenate([np.repeat(ids, horizon)] * 2),
            "fiscal_year": np.tile(years, 2 * n),
            "budget_type": np.repeat(np.array(["capex", "opex"], dtype=object), n * horizon),
            "amount": np.concatenate([capex_flow.ravel(), opex_flow.ravel()]),
        },
        columns=YEARLY_COLUMNS,
    )
    return ProposalPrices(prices=prices, yearly=yearly)


def price_scores(npv: np.ndarray) -> np.ndarray:
    """100 × lowest NPV / NPV (DESIGN §12). NPVs are costs, normally positive; a non-positive NPV (the city is
    paid overall) scores 100, and the others are scored against the lowest positive NPV."""
    npv = np.asarray(npv, dtype=float)
    positive = npv[npv > 0]
    if positive.size == 0:
        return np.full(npv.shape, 100.0)
    lowest = positive.min()
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(npv > 0, 100.0 * lowest / npv, 100.0)


def outcome_stretch(
    committed: np.ndarray, target: np.ndarray, baseline: np.ndarray, higher_is_better: np.ndarray
) -> np.ndarray:
    """stretch = d × (committed − target) / |target − baseline|, clipped to [0, 1] (d = +1 higher is better, −1
    lower is better). A target equal to its baseline gives 1 if the commitment beats it at all, else 0."""
    d = np.where(np.asarray(higher_is_better, dtype=bool), 1.0, -1.0)
    gap = np.abs(np.asarray(target, dtype=float) - np.asarray(baseline, dtype=float))
    better = d * (np.asarray(committed, dtype=float) - np.asarray(target, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        stretch = np.where(gap > 0, better / gap, np.where(better > 0, 1.0, 0.0))
    return np.clip(stretch, 0.0, 1.0)


def budget_shortfall(yearly: pd.DataFrame, budgets: pd.DataFrame) -> pd.DataFrame:
    """Per fiscal year and budget type of the pooled budget's plan (its first to last year): required, budget,
    shortfall = max(0, required − budget). Years outside the budget plan are not judged (no budget exists yet)."""
    columns = ["fiscal_year", "budget_type", "required", "budget", "shortfall"]
    if budgets is None or budgets.empty:
        return pd.DataFrame(columns=columns)
    low, high = int(budgets["fiscal_year"].min()), int(budgets["fiscal_year"].max())
    need = yearly[(yearly["fiscal_year"] >= low) & (yearly["fiscal_year"] <= high)]
    need = need.groupby(["fiscal_year", "budget_type"], as_index=False)["amount"].sum()
    pooled = budgets.groupby(["fiscal_year", "budget_type"], as_index=False)["amount"].sum()
    fit = need.merge(pooled, on=["fiscal_year", "budget_type"], how="left", suffixes=("_required", "_budget"))
    required = np.round(fit["amount_required"].to_numpy(dtype=float), 2)
    budget = fit["amount_budget"].fillna(0.0).to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "fiscal_year": fit["fiscal_year"].astype(int),
            "budget_type": fit["budget_type"],
            "required": required,
            "budget": budget,
            "shortfall": np.maximum(0.0, np.round(required - budget, 2)),
        },
        columns=columns,
    )
