"""Engine inputs: frozen dataclasses and validation that collects every problem before raising.

Money is in currency units (e.g. EUR) at start-year prices unless said otherwise; rates are fractions per year
(0.035 = 3.5%).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import numpy as np
import pandas as pd

from .errors import EngineError, Problem, problem
from .presets import DEFAULT_PROJECT_TYPE, optimism_bias_for

ASSET_COLUMNS: tuple[str, ...] = (
    "asset_id",
    "department",
    "category",
    "install_year",
    "life_years",
    "replacement_cost",
    "maintenance_cost",
    "energy_cost",
    "action",
)
CATALOGUE_COLUMNS: tuple[str, ...] = (
    "category",
    "unit_cost",
    "life_years",
    "maintenance_cost",
    "energy_cost",
)
BUDGET_COLUMNS: tuple[str, ...] = ("fiscal_year", "budget_type", "amount")
UPGRADE_ACTIONS: frozenset[str] = frozenset({"replace", "upgrade"})
KEEP_ACTIONS: frozenset[str] = frozenset({"operate", "maintain"})
BUDGET_TYPES: frozenset[str] = frozenset({"capex", "opex"})
MAX_HORIZON = 60
MAX_DRAWS = 100_000
MIN_CONTRACT_TERM = 1  # years; the longest is the horizon

# Largest amount one cell may hold (currency units): an asset's replacement, maintenance or energy cost, a
# catalogue unit/maintenance/energy cost, a pooled-budget row. Far above any single city asset, far below where
# float64 stops holding cents (2**53 cents ≈ 9.0e13). Totals have their own limit (run.MAX_GROSS_FLOWS).
MAX_AMOUNT = 1e12
MAX_LIFE_YEARS = 1_000  # an asset or upgrade life longer than this is a typing error, not a plan
MAX_FISCAL_YEAR = 9_999

# Sane ranges (inclusive) for every rate-like assumption: (low, high, what it is).
RATE_RANGES: dict[str, tuple[float, float, str]] = {
    "discount_rate": (0.0, 0.20, "real discount rate"),
    "inflation": (-0.05, 0.20, "inflation"),
    "energy_escalation": (-0.10, 0.30, "energy price escalation"),
    "optimism_bias": (0.0, 2.0, "optimism-bias uplift"),
    "partner_cost_of_capital": (0.0, 0.30, "partner cost of capital"),
    "partner_margin": (0.0, 1.0, "partner margin"),
    "partner_savings_share": (0.0, 1.0, "partner share of savings"),
    "payment_at_risk_share": (0.0, 1.0, "share of partner payments at risk"),
    "outcome_achievement": (0.0, 1.0, "expected outcome achievement"),
    "savings_realisation": (0.0, 2.0, "savings realisation"),
}


@dataclass(frozen=True)
class Assumptions:
    """Scenario assumptions (DESIGN §6). Years are calendar years; t = 0 … horizon−1 is year start_year + t.

    - discount_rate r: real, Green Book 3.5%; nominal rate rn = (1 + r)(1 + inflation) − 1.
    - optimism_bias b: CapEx uplift on city-paid upgrades; default = Green Book upper bound for standard
      buildings (see presets.py).
    - partner_cost_of_capital w: nominal, the partner's discount rate and annuity rate.
    - savings_realisation: share of catalogue running-cost savings actually achieved (1 = as catalogued).
    - draws, seed: Monte Carlo draws (0 = skip) and random seed.
    """

    start_year: int = 2026
    horizon: int = 30
    discount_rate: float = 0.035
    inflation: float = 0.02
    energy_escalation: float = 0.03
    optimism_bias: float = optimism_bias_for(DEFAULT_PROJECT_TYPE)
    partner_cost_of_capital: float = 0.07
    partner_margin: float = 0.10
    contract_term: int = 15
    partner_savings_share: float = 0.5
    payment_at_risk_share: float = 0.2
    outcome_achievement: float = 0.95
    savings_realisation: float = 1.0
    draws: int = 10_000
    seed: int = 7

    def problems(self) -> list[Problem]:
        """Every problem with these assumptions, in plain words (empty list = valid). Each problem's
        ``params["field"]`` names the assumption it is about."""
        out: list[Problem] = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.type in ("int", int):
                if isinstance(value, bool) or not isinstance(value, int | np.integer):
                    text = f"{f.name} must be a whole number (got {value!r})"
                    out.append(problem("not_whole_number", text, field=f.name, value=repr(value)))
            elif isinstance(value, bool) or not isinstance(value, int | float | np.number):
                text = f"{f.name} must be a number (got {value!r})"
                out.append(problem("not_a_number", text, field=f.name, value=repr(value)))
            elif not math.isfinite(float(value)):
                text = f"{f.name} must be a finite number (got {value!r})"
                out.append(problem("not_finite", text, field=f.name, value=repr(value)))
        if out:
            return out
        if not 1 <= self.horizon <= MAX_HORIZON:
            text = f"horizon must be between 1 and {MAX_HORIZON} years (got {self.horizon})"
            out.append(
                problem(
                    "horizon_out_of_range",
                    text,
                    field="horizon",
                    maximum=MAX_HORIZON,
                    value=int(self.horizon),
                )
            )
        if not 1900 <= self.start_year <= 2200:
            text = f"start_year must be between 1900 and 2200 (got {self.start_year})"
            out.append(
                problem(
                    "start_year_out_of_range",
                    text,
                    field="start_year",
                    low=1900,
                    high=2200,
                    value=int(self.start_year),
                )
            )
        if self.contract_term < MIN_CONTRACT_TERM:
            text = f"contract_term must be at least {MIN_CONTRACT_TERM} year (got {self.contract_term})"
            out.append(
                problem(
                    "contract_term_too_short",
                    text,
                    field="contract_term",
                    minimum=MIN_CONTRACT_TERM,
                    value=int(self.contract_term),
                )
            )
        elif self.contract_term > self.horizon:
            text = (
                f"contract_term ({self.contract_term} years) must not be longer than the horizon "
                f"({self.horizon} years)"
            )
            out.append(
                problem(
                    "contract_term_longer_than_horizon",
                    text,
                    field="contract_term",
                    term=int(self.contract_term),
                    horizon=int(self.horizon),
                )
            )
        for name, (low, high, label) in RATE_RANGES.items():
            value = float(getattr(self, name))
            if not low <= value <= high:
                text = f"{name} ({label}) must be between {low:g} and {high:g} (got {value:g})"
                out.append(problem("rate_out_of_range", text, field=name, low=low, high=high, value=value))
        if not 0 <= self.draws <= MAX_DRAWS:
            text = f"draws must be between 0 and {MAX_DRAWS:,} (got {self.draws})"
            out.append(
                problem("draws_out_of_range", text, field="draws", maximum=MAX_DRAWS, value=int(self.draws))
            )
        if self.seed < 0:
            text = f"seed must not be negative (got {self.seed})"
            out.append(problem("seed_negative", text, field="seed", value=int(self.seed)))
        return out

    def valid_range(self, name: str) -> tuple[float, float]:
        """The inclusive range :meth:`problems` accepts for a varied assumption (the tornado clips to it)."""
        if name == "contract_term":
            return float(MIN_CONTRACT_TERM), float(self.horizon)
        low, high, _ = RATE_RANGES[name]
        return low, high

    def clip(self, name: str, value: float) -> float:
        """``value`` moved into the valid range of assumption ``name``."""
        low, high = self.valid_range(name)
        return float(min(max(value, low), high))

    def with_changes(self, **changes: Any) -> Assumptions:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Assumptions:
        """Build from a JSON-like mapping; unknown keys and uncoercible values are all reported at once."""
        known = {f.name: f for f in fields(cls)}
        problems = [
            problem("unknown_assumption", f"unknown assumption {key!r}", key=str(key))
            for key in data
            if key not in known
        ]
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                continue
            try:
                if known[key].type in ("int", int):
                    if isinstance(value, float) and not value.is_integer():
                        raise ValueError
                    kwargs[key] = int(value)
                else:
                    kwargs[key] = float(value)
            except (TypeError, ValueError):
                text = f"{key} must be a number (got {value!r})"
                problems.append(problem("not_a_number", text, field=key, value=repr(value)))
        if problems:
            raise EngineError(problems)
        return cls(**kwargs)


@dataclass(frozen=True)
class EngineInputs:
    """Validated, normalised inputs (what the scenario functions accept)."""

    assets: pd.DataFrame
    catalogue: pd.DataFrame
    assumptions: Assumptions
    budgets: pd.DataFrame | None = None


def _text(series: pd.Series, *, lower: bool = False) -> pd.Series:
    """Strings with surrounding blanks removed (missing -> ""). Works on the distinct values only: an asset
    table has 100,000 rows but a few dozen departments, categories and actions. Factorised as plain Python
    objects: pandas' own string dtype checks every value again on the way (17 ms against 10 ms at 50,000 rows)."""
    codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
    clean = pd.Series(uniques, dtype=object).astype(str).str.strip()
    if lower:
        clean = clean.str.lower()
    values = np.append(clean.to_numpy(dtype=object), "")  # code −1 (missing) -> ""
    return pd.Series(values[codes], index=series.index, dtype=object)


def _sample(ids: pd.Series, mask: np.ndarray, limit: int = 5) -> str:
    bad = ids[mask].astype(str).tolist()
    shown = ", ".join(bad[:limit]) + (f" and {len(bad) - limit} more" if len(bad) > limit else "")
    return shown


def _sample_params(ids: pd.Series, mask: np.ndarray, limit: int = 5) -> dict[str, Any]:
    """What :func:`_sample` writes, as parameters of a :class:`Problem`: the ids shown and how many more."""
    bad = ids[mask].astype(str).tolist()
    return {"items": bad[:limit], "more": max(len(bad) - limit, 0)}


def _row_ids(count: int) -> tuple[pd.Series, pd.Series]:
    """Rows of a table as the English sentences name them ("row 2") and as plain numbers ("2")."""
    numbers = pd.Series([str(i + 1) for i in range(count)], dtype=object)
    return "row " + numbers, numbers


def _check_numbers(
    frame: pd.DataFrame,
    ids: pd.Series,
    what: str,
    columns: tuple[str, ...],
    *,
    integer: bool,
    minimum: float,
    problems: list[str],
    maximum: float | None = None,
    plain_ids: pd.Series | None = None,
) -> dict[str, np.ndarray]:
    """``what`` is asset | category | budget (the thing each id names); ``plain_ids``: the ids without the
    words of the English sentence (row numbers of a budget table), for the problems' parameters."""
    out: dict[str, np.ndarray] = {}
    subject = "budget_row" if what == "budget" else what
    plain = ids if plain_ids is None else plain_ids

    def add(code: str, text: str, mask: np.ndarray, **params: Any) -> None:
        params |= {"column": col, "subject": subject} | _sample_params(plain, mask)
        problems.append(problem(code, text, **params))

    for col in columns:
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
        missing = ~np.isfinite(values)
        if missing.any():
            add(
                "value_missing",
                f"{col} is missing or not a number for {what} {_sample(ids, missing)}",
                missing,
            )
        if integer:
            fractional = ~missing & (values != np.round(values))
            if fractional.any():
                text = f"{col} must be a whole number of years for {what} {_sample(ids, fractional)}"
                add("not_whole_years", text, fractional)
        low = ~missing & (values < minimum)
        if low.any():
            rule = "at least 1 year" if minimum == 1 else "negative"
            verb = "must be" if minimum == 1 else "is"
            code = "below_one_year" if minimum == 1 else "negative"
            add(code, f"{col} {verb} {rule} for {what} {_sample(ids, low)}", low)
        if maximum is not None:
            high = ~missing & (values > maximum)
            if high.any():
                text = f"{col} is above the limit of {maximum:,.0f} for {what} {_sample(ids, high)}"
                add("above_limit", text, high, maximum=maximum)
        out[col] = values
    return out


def _missing_columns(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> list[str]:
    missing = [c for c in columns if c not in frame.columns]
    return [
        problem("missing_column", f"the {name} table has no column {c!r}", table=name, column=c)
        for c in missing
    ]


def _with_columns(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """An empty table read from ``[]`` (JSON) has no columns at all: give it the expected ones, so that "no rows"
    is judged as such (an empty catalogue or budget may be valid) instead of as a missing column."""
    if len(frame) == 0:
        return frame.reindex(columns=list(dict.fromkeys([*frame.columns, *columns])))
    return frame


def validate_inputs(
    assets: pd.DataFrame,
    catalogue: pd.DataFrame,
    assumptions: Assumptions,
    budgets: pd.DataFrame | None = None,
) -> EngineInputs:
    """Check everything, raise one EngineError listing every problem, or return normalised inputs."""
    problems: list[str] = list(assumptions.problems())
    assets = _with_columns(assets, ASSET_COLUMNS)
    catalogue = _with_columns(catalogue, CATALOGUE_COLUMNS)
    if budgets is not None:
        budgets = _with_columns(budgets, BUDGET_COLUMNS)

    # --- catalogue --------------------------------------------------------------------------------------
    cat_problems = _missing_columns(catalogue, CATALOGUE_COLUMNS, "catalogue")
    problems += cat_problems
    clean_catalogue = pd.DataFrame(columns=list(CATALOGUE_COLUMNS))
    if not cat_problems:
        # stripped like the assets' categories, so that " lamp" in the catalogue serves the assets of "lamp"
        cat_ids = _text(catalogue["category"])
        blank = (cat_ids == "").to_numpy()
        if blank.any():
            rows, numbers = _row_ids(len(catalogue))
            text = f"category is empty in catalogue {_sample(rows, blank)}"
            problems.append(problem("catalogue_category_empty", text, **_sample_params(numbers, blank)))
        dup = cat_ids.duplicated().to_numpy()
        if dup.any():
            text = f"the catalogue lists category {_sample(cat_ids, dup)} more than once"
            problems.append(problem("catalogue_duplicate_category", text, **_sample_params(cat_ids, dup)))
        nums = _check_numbers(
            catalogue,
            cat_ids,
            "category",
            ("life_years",),
            integer=True,
            minimum=1,
            maximum=MAX_LIFE_YEARS,
            problems=problems,
        )
        nums |= _check_numbers(
            catalogue,
            cat_ids,
            "category",
            ("unit_cost", "maintenance_cost", "energy_cost"),
            integer=False,
            minimum=0,
            maximum=MAX_AMOUNT,
            problems=problems,
        )
        clean_catalogue = pd.DataFrame({"category": cat_ids.to_numpy(dtype=object), **nums})

    # --- assets -------------------------------------------------------------------------------------------
    asset_problems = _missing_columns(assets, ASSET_COLUMNS, "asset")
    problems += asset_problems
    clean_assets = pd.DataFrame(columns=list(ASSET_COLUMNS))
    if not asset_problems:
        if len(assets) == 0:
            problems.append(problem("no_assets", "the asset table is empty: there is nothing to finance"))
        ids = assets["asset_id"].astype(str)
        dup = ids.duplicated().to_numpy()
        if dup.any():
            sentence = f"asset_id {_sample(ids, dup)} appears more than once"
            problems.append(problem("duplicate_asset", sentence, **_sample_params(ids, dup)))
        text = {col: _text(assets[col]) for col in ("department", "category")}
        for col, values in text.items():
            blank = (values == "").to_numpy()
            if blank.any():
                sentence = f"{col} is empty for asset {_sample(ids, blank)}"
                problems.append(
                    problem("asset_text_empty", sentence, column=col, **_sample_params(ids, blank))
                )
        nums = _check_numbers(
            assets, ids, "asset", ("install_year",), integer=True, minimum=1, problems=problems
        )
        nums |= _check_numbers(
            assets,
            ids,
            "asset",
            ("life_years",),
            integer=True,
            minimum=1,
            maximum=MAX_LIFE_YEARS,
            problems=problems,
        )
        nums |= _check_numbers(
            assets,
            ids,
            "asset",
            ("replacement_cost", "maintenance_cost", "energy_cost"),
            integer=False,
            minimum=0,
            maximum=MAX_AMOUNT,
            problems=problems,
        )
        start_year = (
            assumptions.start_year if isinstance(assumptions.start_year, int | np.integer) else np.inf
        )
        future = np.isfinite(nums["install_year"]) & (nums["install_year"] > start_year)
        if future.any():
            sentence = f"install_year is after the start year {assumptions.start_year} for asset {_sample(ids, future)}"
            params = {"start_year": int(start_year)} | _sample_params(ids, future)
            problems.append(problem("installed_after_start", sentence, **params))
        action = _text(assets["action"], lower=True)
        bad_action = ~action.isin(UPGRADE_ACTIONS | KEEP_ACTIONS).to_numpy()
        if bad_action.any():
            sentence = f"action must be one of replace, upgrade, operate, maintain for asset {_sample(ids, bad_action)}"
            problems.append(problem("unknown_action", sentence, **_sample_params(ids, bad_action)))
        category = text["category"]
        if not cat_problems:
            unknown = (
                action.isin(UPGRADE_ACTIONS).to_numpy()
                & ~category.isin(set(clean_catalogue["category"])).to_numpy()
            )
            if unknown.any():
                cats = sorted(set(category[unknown]))
                named = ", ".join(map(repr, cats[:5])) + (
                    f" and {len(cats) - 5} more" if len(cats) > 5 else ""
                )
                params = {
                    "categories": ", ".join(map(repr, cats[:5])),
                    "more_categories": max(len(cats) - 5, 0),
                } | _sample_params(ids, unknown)
                if len(clean_catalogue) == 0:
                    sentence = (
                        f"the upgrade catalogue is empty, but assets marked replace or upgrade need category "
                        f"{named} (asset {_sample(ids, unknown)})"
                    )
                    problems.append(problem("catalogue_empty_for_upgrades", sentence, **params))
                else:
                    sentence = (
                        f"category {named} is not in the upgrade catalogue (asset {_sample(ids, unknown)})"
                    )
                    problems.append(problem("category_not_in_catalogue", sentence, **params))
        clean_assets = pd.DataFrame(
            {
                "asset_id": ids.to_numpy(dtype=object),
                "department": text["department"].to_numpy(dtype=object),
                "category": category.to_numpy(dtype=object),
                "action": action.to_numpy(dtype=object),
                **nums,
            }
        )

    # --- budgets ------------------------------------------------------------------------------------------
    clean_budgets: pd.DataFrame | None = None
    if budgets is not None:
        bud_problems = _missing_columns(budgets, BUDGET_COLUMNS, "budget")
        problems += bud_problems
        if not bud_problems:
            rows, numbers = _row_ids(len(budgets))
            btype = budgets["budget_type"].astype(str).str.strip().str.lower()
            bad = ~btype.isin(BUDGET_TYPES).to_numpy()
            if bad.any():
                sentence = f"budget_type must be capex or opex in budget {_sample(rows, bad)}"
                problems.append(problem("unknown_budget_type", sentence, **_sample_params(numbers, bad)))
            nums = _check_numbers(
                budgets,
                rows,
                "budget",
                ("fiscal_year",),
                integer=True,
                minimum=1,
                maximum=MAX_FISCAL_YEAR,
                problems=problems,
                plain_ids=numbers,
            )
            nums |= _check_numbers(
                budgets,
                rows,
                "budget",
                ("amount",),
                integer=False,
                minimum=0,
                maximum=MAX_AMOUNT,
                problems=problems,
                plain_ids=numbers,
            )
            clean_budgets = pd.DataFrame(
                {
                    "fiscal_year": nums["fiscal_year"],
                    "budget_type": btype.to_numpy(dtype=object),
                    "amount": nums["amount"],
                }
            )

    if problems:
        raise EngineError(problems)
    for col in ("install_year", "life_years"):
        clean_assets[col] = clean_assets[col].astype(np.int64)
    clean_catalogue["life_years"] = clean_catalogue["life_years"].astype(np.int64)
    if clean_budgets is not None:
        clean_budgets["fiscal_year"] = clean_budgets["fiscal_year"].astype(np.int64)
    return EngineInputs(clean_assets, clean_catalogue, assumptions, clean_budgets)
