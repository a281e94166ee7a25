"""The four financing scenarios (DESIGN §6), computed on per-department aggregates.

Per-asset data is touched exactly once, in :func:`aggregate`, which sums start-year-price amounts per
(department, year). Everything else — indexation, discounting, the partner's financing, tornado and Monte
Carlo — works on those small (department × year) arrays, batched over a leading axis of parameter sets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .inputs import UPGRADE_ACTIONS, Assumptions, EngineInputs
from .metrics import annuity_due, compound

SCENARIOS: tuple[str, ...] = ("status_quo", "capex", "opex_service", "shared_savings")
PARTNER_SCENARIOS: tuple[str, ...] = ("opex_service", "shared_savings")

# component -> budget type ("none": residual value is in NPV and whole-life cost, never in budget flows)
COMPONENT_BUDGET_TYPE: dict[str, str] = {
    "maintenance": "opex",
    "energy": "opex",
    "replacement": "capex",
    "upgrade": "capex",
    "service_fee_financing": "opex",
    "service_fee_operation": "opex",
    "savings_payment": "opex",
    "residual_value": "none",
}
SCENARIO_COMPONENTS: dict[str, tuple[str, ...]] = {
    "status_quo": ("maintenance", "energy", "replacement", "residual_value"),
    "capex": ("maintenance", "energy", "replacement", "upgrade", "residual_value"),
    "opex_service": (
        "maintenance",
        "energy",
        "replacement",
        "upgrade",
        "service_fee_financing",
        "service_fee_operation",
        "residual_value",
    ),
    "shared_savings": (
        "maintenance",
        "energy",
        "replacement",
        "upgrade",
        "savings_payment",
        "residual_value",
    ),
}

# Parameters that may vary across a batch (tornado rows, Monte Carlo draws).
PARAMETER_NAMES: tuple[str, ...] = (
    "discount_rate",
    "inflation",
    "energy_escalation",
    "optimism_bias",
    "partner_cost_of_capital",
    "partner_margin",
    "contract_term",
    "partner_savings_share",
    "payment_at_risk_share",
    "outcome_achievement",
    "savings_realisation",
)


@dataclass(frozen=True)
class Aggregates:
    """Start-year-price amounts per department (axis 0) and year (axis 1, where present).

    Suffixes: ``_old`` = the upgraded assets as they are today (status quo), ``_new`` = the same assets after
    the upgrade (catalogue figures), ``_keep`` = assets marked operate/maintain (same in every scenario).
    Residual values are the depreciated fraction × unit cost, still to be indexed to year H−1 prices.
    """

    departments: tuple[str, ...]
    horizon: int
    maintenance_old: np.ndarray  # (D,) per year
    energy_old: np.ndarray
    maintenance_new: np.ndarray
    energy_new: np.ndarray
    maintenance_keep: np.ndarray
    energy_keep: np.ndarray
    replacement_old: np.ndarray  # (D, H) like-for-like replacements of assets that will be upgraded
    replacement_keep: np.ndarray  # (D, H)
    upgrade_purchase: np.ndarray  # (D, H) purchases and renewals of upgrades, at catalogue unit cost
    residual_old: np.ndarray  # (D,)
    residual_keep: np.ndarray
    residual_new: np.ndarray

    def totals(self) -> Aggregates:
        """The same aggregates summed over departments (one pseudo-department): what a Monte Carlo draw uses."""
        summed = {
            name: getattr(self, name).sum(axis=0, keepdims=True)
            for name in self.__dataclass_fields__
            if name not in ("departments", "horizon")
        }
        return Aggregates(departments=("all",), horizon=self.horizon, **summed)


def _installations(
    dept: np.ndarray, first_t: np.ndarray, life: np.ndarray, cost: np.ndarray, n_dept: int, horizon: int
) -> tuple[np.ndarray, np.ndarray]:
    """Sum ``cost`` into (department, year) for installations at first_t, first_t + life, … < horizon.

    Returns the (D, H) sums and, per asset, the year of its last installation inside the horizon (or −1_000_000
    if none). Fully vectorised: every installation is one element of a flat array built with np.repeat.
    """
    count = np.where(first_t < horizon, (horizon - 1 - first_t) // life + 1, 0)
    owner = np.repeat(np.arange(first_t.size), count)
    k = np.arange(owner.size) - np.repeat(np.cumsum(count) - count, count)
    years = first_t[owner] + k * life[owner]
    cents, rest = _cents_and_rest(cost)  # per asset, before repeating it per installation
    sums = _sum_by(dept[owner] * horizon + years, cost[owner], n_dept * horizon, (cents[owner], rest[owner]))
    last = np.where(count > 0, first_t + (count - 1) * life, -1_000_000)
    return sums.reshape(n_dept, horizon), last


def _cents_and_rest(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Amounts split into whole cents (integer-valued floats) and the sub-cent rest (0 for amounts in cents)."""
    cents = np.rint(values * 100.0)
    return cents, values - cents / 100.0


def _sum_by(
    keys: np.ndarray,
    values: np.ndarray,
    minlength: int,
    split: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """``np.bincount(keys, values)``, exact to the cent for amounts given in cents.

    Why: bincount adds 100,000s of amounts one after the other in float64, each addition rounding to the running
    total's precision (1e-5 after a million amounts of 50,000). Here whole cents are added as integer-valued
    floats — exact while a sum stays below 2**53 cents (9e13 currency units) — and the sub-cent rest apart.
    ``split`` is ``_cents_and_rest(values)`` when the caller has it already.
    """
    cents, rest = split if split is not None else _cents_and_rest(values)
    out = np.bincount(keys, weights=cents, minlength=minlength) / 100.0
    if rest.any():
        out += np.bincount(keys, weights=rest, minlength=minlength)
    return out


def _residual_years(last_t: np.ndarray, life: np.ndarray, horizon: int) -> np.ndarray:
    """Whole years of an installation's life left at the end of year H−1: max(0, L − (H − t_last))."""
    return np.maximum(0, life - (horizon - last_t))


def _residual_by_dept(
    dept: np.ndarray, cost: np.ndarray, last_t: np.ndarray, life: np.ndarray, n_dept: int, horizon: int
) -> np.ndarray:
    """Σ cost × max(0, L − (H − t_last)) / L per department (start-year prices).

    cost × years left is summed exactly per (department, life) as in :func:`_sum_by` and divided by L once per
    group, so a million assets add no rounding beyond one division per distinct life.
    """
    left = _residual_years(last_t, life, horizon)
    longest = int(life.max()) if life.size else 1  # at most MAX_LIFE_YEARS
    if n_dept * longest > 2_000_000:  # absurdly many groups: plain per-asset division
        return np.bincount(dept, weights=cost * left / life, minlength=n_dept)
    sums = _sum_by(dept * longest + (life - 1), cost * left, n_dept * longest)
    return (sums.reshape(n_dept, longest) / np.arange(1, longest + 1)[None, :]).sum(axis=1)


def aggregate(inputs: EngineInputs) -> Aggregates:
    """Sum per-asset amounts (start-year prices) per department and year. The only pass over per-asset data."""
    assets, catalogue, a = inputs.assets, inputs.catalogue, inputs.assumptions
    horizon = a.horizon
    codes, departments = pd.factorize(assets["department"], sort=True)
    dept = codes.astype(np.int64)
    n_dept = len(departments)
    upgrade = assets["action"].isin(UPGRADE_ACTIONS).to_numpy()
    keep = ~upgrade

    life = assets["life_years"].to_numpy(dtype=np.int64)
    repl_cost = assets["replacement_cost"].to_numpy(dtype=float)
    maint = assets["maintenance_cost"].to_numpy(dtype=float)
    energy = assets["energy_cost"].to_numpy(dtype=float)
    install_t = assets["install_year"].to_numpy(dtype=np.int64) - a.start_year  # <= 0
    first_t = np.maximum(0, install_t + life)  # overdue assets are replaced at t = 0

    def per_dept(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return _sum_by(dept[mask], values[mask], n_dept)

    # Status-quo like-for-like replacements, split by whether the asset is upgraded in the other scenarios.
    repl_old, last_old = _installations(
        dept[upgrade], first_t[upgrade], life[upgrade], repl_cost[upgrade], n_dept, horizon
    )
    repl_keep, last_keep = _installations(
        dept[keep], first_t[keep], life[keep], repl_cost[keep], n_dept, horizon
    )
    last_old = np.where(last_old < -999_999, install_t[upgrade], last_old)
    last_keep = np.where(last_keep < -999_999, install_t[keep], last_keep)
    res_old = _residual_by_dept(dept[upgrade], repl_cost[upgrade], last_old, life[upgrade], n_dept, horizon)
    res_keep = _residual_by_dept(dept[keep], repl_cost[keep], last_keep, life[keep], n_dept, horizon)

    # Upgrades: catalogue figures joined by category; installed at t = 0 and renewed every L'c years.
    cat = catalogue.set_index("category")
    up_cat = pd.Index(cat.index).get_indexer(assets["category"][upgrade])
    up_cost = cat["unit_cost"].to_numpy(dtype=float)[up_cat]
    up_life = cat["life_years"].to_numpy(dtype=np.int64)[up_cat]
    up_maint = cat["maintenance_cost"].to_numpy(dtype=float)[up_cat]
    up_energy = cat["energy_cost"].to_numpy(dtype=float)[up_cat]
    purchases, last_new = _installations(
        dept[upgrade], np.zeros(up_cat.size, dtype=np.int64), up_life, up_cost, n_dept, horizon
    )
    res_new = _residual_by_dept(dept[upgrade], up_cost, last_new, up_life, n_dept, horizon)

    return Aggregates(
        departments=tuple(str(d) for d in departments),
        horizon=horizon,
        maintenance_old=per_dept(maint, upgrade),
        energy_old=per_dept(energy, upgrade),
        maintenance_new=_sum_by(dept[upgrade], up_maint, n_dept),
        energy_new=_sum_by(dept[upgrade], up_energy, n_dept),
        maintenance_keep=per_dept(maint, keep),
        energy_keep=per_dept(energy, keep),
        replacement_old=repl_old,
        replacement_keep=repl_keep,
        upgrade_purchase=purchases,
        residual_old=res_old,
        residual_keep=res_keep,
        residual_new=res_new,
    )


def parameters_from(assumptions: Assumptions, n: int = 1) -> dict[str, np.ndarray]:
    """A batch of ``n`` identical parameter sets taken from the assumptions (arrays of shape (n,))."""
    return {name: np.full(n, getattr(assumptions, name), dtype=float) for name in PARAMETER_NAMES}


@dataclass(frozen=True)
class ScenarioFlows:
    """Nominal cash flows to the city, per scenario and component, shape (N, D, H); plus partner figures."""

    flows: dict[str, dict[str, np.ndarray]]
    discount: np.ndarray  # (N, H) city discount factors (1 + rn)^−t
    partner_investment: np.ndarray  # (N,) K
    annuity: np.ndarray  # (N,) A, before the at-risk scaling
    partner_flows: dict[str, np.ndarray]  # scenario -> (N, H) partner cash flows (−K at t = 0), zero from T


def scenario_flows(agg: Aggregates, p: dict[str, np.ndarray]) -> ScenarioFlows:
    """Apply indexation, optimism bias, financing and outcome scaling to the aggregates for a batch of
    parameter sets ``p`` (each an array of shape (N,)). Formulas: docs/finance.md."""
    horizon = agg.horizon
    t = np.arange(horizon, dtype=float)

    def col(name: str) -> np.ndarray:  # (N,) -> (N, 1, 1)
        return np.asarray(p[name], dtype=float)[:, None, None]

    price = compound([p["inflation"]], horizon)[:, None, :]  # (N, 1, H)
    energy_price = compound([p["energy_escalation"]], horizon)[:, None, :]
    in_term = t < col("contract_term")  # (N, 1, H)
    after_term = ~in_term
    bias = 1.0 + col("optimism_bias")
    margin = col("partner_margin")
    share = col("partner_savings_share")
    phi = col("payment_at_risk_share")
    paid = 1.0 - phi + phi * col("outcome_achievement")  # outcome scaling of partner payments
    rho = col("savings_realisation")

    def d(x: np.ndarray) -> np.ndarray:  # (D,) -> (1, D, 1)
        return x[None, :, None]

    last = np.zeros(horizon)
    last[-1] = 1.0
    last_price = price[..., -1:] * last  # (N, 1, H): P_{H-1} in the last year only

    m_old, e_old = d(agg.maintenance_old), d(agg.energy_old)
    m_new, e_new = d(agg.maintenance_new), d(agg.energy_new)
    m_keep, e_keep = d(agg.maintenance_keep), d(agg.energy_keep)
    # Realised running cost of upgraded assets: catalogue savings achieved at the realisation rate ρ.
    m_real = m_old - rho * (m_old - m_new)
    e_real = e_old - rho * (e_old - e_new)

    purchases = agg.upgrade_purchase[None] * price  # (N, D, H) nominal, no optimism bias
    replacement_keep = agg.replacement_keep[None] * price
    residual_new = -d(agg.residual_new + agg.residual_keep) * last_price

    flows: dict[str, dict[str, np.ndarray]] = {}
    flows["status_quo"] = {
        "maintenance": (m_old + m_keep) * price,
        "energy": (e_old + e_keep) * energy_price,
        "replacement": (agg.replacement_old + agg.replacement_keep)[None] * price,
        "residual_value": -d(agg.residual_old + agg.residual_keep) * last_price,
    }
    maintenance_new = (m_real + m_keep) * price
    energy_new = (e_real + e_keep) * energy_price
    flows["capex"] = {
        "maintenance": maintenance_new,
        "energy": energy_new,
        "replacement": replacement_keep,
        "upgrade": purchases * bias,
        "residual_value": residual_new,
    }

    # Partner financing: K = PV at w of the upgrade purchases falling inside the term (no optimism bias).
    partner_discount = compound([p["partner_cost_of_capital"]], horizon, inverse=True)[
        :, None, :
    ]  # (N, 1, H)
    k_dept = np.sum(purchases * in_term * partner_discount, axis=2)  # (N, D)
    k_total = k_dept.sum(axis=1)  # (N,)
    term = np.asarray(p["contract_term"], dtype=float)
    annuity = annuity_due(np.asarray(p["partner_cost_of_capital"], dtype=float), term, k_total)  # (N,)
    with np.errstate(divide="ignore", invalid="ignore"):
        k_share = np.where(k_total[:, None] > 0, k_dept / k_total[:, None], 0.0)  # (N, D)
    operation_expected = (m_new + m_keep) * price + (e_new + e_keep) * energy_price  # (N, D, H)
    flows["opex_service"] = {
        "maintenance": maintenance_new * after_term,
        "energy": energy_new * after_term,
        "replacement": replacement_keep,
        "upgrade": purchases * bias * after_term,
        "service_fee_financing": (annuity[:, None] * k_share)[..., None] * paid * in_term,
        "service_fee_operation": (1.0 + margin) * operation_expected * paid * in_term,
        "residual_value": residual_new,
    }
    realised_savings = rho * ((m_old - m_new) * price + (e_old - e_new) * energy_price)  # (N, D, H)
    savings_payment = share * realised_savings * paid * in_term
    flows["shared_savings"] = {
        "maintenance": maintenance_new,
        "energy": energy_new,
        "replacement": replacement_keep,
        "upgrade": purchases * bias * after_term,
        "savings_payment": savings_payment,
        "residual_value": residual_new,
    }

    # Partner cash flows (its receipts net of its own costs), −K at t = 0, nothing from T on.
    in_term_2d = in_term[:, 0, :]
    paid_2d = paid[:, 0, :]
    operation_total = operation_expected.sum(axis=1)  # (N, H)
    opex_partner = (
        annuity[:, None] * paid_2d + ((1.0 + margin[:, 0, :]) * paid_2d - 1.0) * operation_total
    ) * in_term_2d
    shared_partner = savings_payment.sum(axis=1)
    for partner in (opex_partner, shared_partner):
        partner[:, 0] -= k_total

    return ScenarioFlows(
        flows=flows,
        # (1 + rₙ)^−t with 1 + rₙ = (1 + r)(1 + π)
        discount=compound([p["discount_rate"], p["inflation"]], horizon, inverse=True),
        partner_investment=k_total,
        annuity=annuity,
        partner_flows={"opex_service": opex_partner, "shared_savings": shared_partner},
    )


def scenario_npvs(result: ScenarioFlows) -> np.ndarray:
    """NPV of cost to the city per parameter set and scenario, shape (N, 4) in SCENARIOS order."""
    out = []
    for name in SCENARIOS:
        yearly = sum(f.sum(axis=1) for f in result.flows[name].values())  # (N, H)
        out.append(np.sum(yearly * result.discount, axis=1))
    return np.stack(out, axis=1)
