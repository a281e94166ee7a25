"""Financing scenario engine — pure (pandas/numpy only, no Django), vectorised.

Method and conventions: DESIGN §6 and docs/finance.md (every formula, a worked example).

Public API
----------
``run_all(assets, catalogue, assumptions=None, budgets=None, progress=None) -> EngineResult``

- ``assets``: DataFrame, one row per asset, columns ``asset_id, department, category, install_year,
  life_years, replacement_cost, maintenance_cost, energy_cost, action`` (costs in currency units at start-year
  prices, maintenance/energy per year; action is replace | upgrade | operate | maintain).
- ``catalogue``: DataFrame, one row per category, columns ``category, unit_cost, life_years,
  maintenance_cost, energy_cost`` (the upgrade each replace/upgrade asset receives).
- ``assumptions``: :class:`Assumptions` (frozen dataclass, defaults documented there).
- ``budgets``: optional DataFrame of pooled budgets ``fiscal_year, budget_type (capex|opex), amount``; several
  rows for the same (year, type), e.g. one per department, are added up. An empty table means "no pooled budget
  yet" (the budget fit shows every need as shortfall); ``None`` means no budget fit at all. An empty catalogue is
  fine when no asset is marked replace/upgrade.

Amounts are at most 1e12 each and each scenario's yearly flows at most 1e12 in absolute value over the horizon,
so that every figure is exact to the cent (docs/finance.md, "Amount limits"); beyond, EngineError.
- ``progress``: optional callable receiving integers 0 … 100.

Bad input raises :class:`EngineError` once, with ``.problems`` listing every problem in plain words.

:class:`EngineResult` (frozen) holds plain DataFrames:

- ``cashflows``: scenario, year (t), fiscal_year, department, budget_type (capex | opex | none), component,
  nominal, discounted — whole cents; departments add up exactly to each (scenario, component, year) total.
- ``summary``: per scenario npv_cost, savings_vs_status_quo, whole_life_cost, capex_nominal, opex_nominal,
  year0_capex, peak_yearly_cost, peak_year, residual_value.
- ``partner``: for opex_service and shared_savings: partner_investment (K), annuity, partner_npv (at w),
  partner_irr, bankable, break_even_savings_share (shared savings), break_even_margin (OpEx service).
- ``budget_fit``: scenario, fiscal_year, budget_type, required, budget, balance (+ surplus), shortfall.
- ``tornado``: scenario, assumption, low_value, high_value, npv_low, npv_high, npv_base, swing.
- ``montecarlo``: per scenario p10, p50, p90, mean, probability_cheapest; ``probabilities``: a dict with
  probability_<scenario>_cheapest, probability_opex_service_beats_capex,
  probability_shared_savings_beats_capex, draws.
- ``montecarlo_histogram``: scenario, bin_start, bin_end, count — the distribution of the drawn NPVs, 30 bins
  per scenario on edges shared by all scenarios (lowest to highest draw of any scenario); each scenario's
  counts add up to the number of draws (empty with 0 draws).

``EngineResult.to_dict()`` is JSON-serialisable (money rounded to cents); the Monte Carlo part is
``{"percentiles": [...], "probabilities": {...}, "histogram": [...]}``. Command line:
``python -m finance.engine assets.csv assumptions.json`` (see ``__main__``).
"""

from .errors import EngineError
from .inputs import Assumptions, EngineInputs, validate_inputs
from .presets import OPTIMISM_BIAS_PRESETS, optimism_bias_for
from .run import EngineResult, run_all
from .scenarios import SCENARIOS

__all__ = [
    "OPTIMISM_BIAS_PRESETS",
    "SCENARIOS",
    "Assumptions",
    "EngineError",
    "EngineInputs",
    "EngineResult",
    "optimism_bias_for",
    "run_all",
    "validate_inputs",
]
