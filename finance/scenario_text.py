"""The engine's words in the user's language: labels of assumptions, columns and presets, and every engine problem.

The engine (finance/engine/) is pure and speaks English only: each problem it raises is a sentence carrying a
stable code and the parameters it was made from (finance.engine.errors.Problem). This module is the boundary
that says them again in the active language: a code maps to a translatable sentence with the same English
words, filled from the parameters with the site's number formats. In English, or for a code without a
sentence here, the engine's own sentence is shown unchanged, so a user never meets two wordings
(docs/decisions.md, "Engine problems are translated at the boundary").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext, gettext_lazy, gettext_noop, ngettext, pgettext_lazy

from config.numbers import measure, money

# The assumptions by their engine names (the tornado's rows, the comparison of two runs, the engine's problems).
ASSUMPTION_LABELS = {
    "start_year": gettext_lazy("First year"),
    "horizon": gettext_lazy("Horizon"),
    "discount_rate": gettext_lazy("Discount rate"),
    "inflation": gettext_lazy("Inflation"),
    "energy_escalation": gettext_lazy("Energy price escalation"),
    "optimism_bias": gettext_lazy("Optimism bias"),
    "partner_cost_of_capital": gettext_lazy("Partner cost of capital"),
    "partner_margin": gettext_lazy("Partner margin"),
    "contract_term": gettext_lazy("Contract term"),
    "partner_savings_share": gettext_lazy("Partner share of savings"),
    "payment_at_risk_share": gettext_lazy("Payment at risk"),
    "outcome_achievement": gettext_lazy("Expected outcome achievement"),
    "savings_realisation": gettext_lazy("Savings realisation"),
    "draws": gettext_lazy("Monte Carlo draws"),
    "seed": gettext_lazy("Random seed"),
}

# Columns of the engine's tables (assets, upgrade catalogue, pooled budget, offers), named in its problems.
COLUMN_LABELS = {
    "asset_id": pgettext_lazy("engine column", "asset reference"),
    "department": pgettext_lazy("engine column", "department"),
    "category": pgettext_lazy("engine column", "category"),
    "install_year": pgettext_lazy("engine column", "installation year"),
    "life_years": pgettext_lazy("engine column", "life in years"),
    "replacement_cost": pgettext_lazy("engine column", "replacement cost"),
    "maintenance_cost": pgettext_lazy("engine column", "maintenance cost"),
    "energy_cost": pgettext_lazy("engine column", "energy cost"),
    "action": pgettext_lazy("engine column", "action"),
    "unit_cost": pgettext_lazy("engine column", "upgrade unit cost"),
    "fiscal_year": pgettext_lazy("engine column", "fiscal year"),
    "budget_type": pgettext_lazy("engine column", "budget type"),
    "amount": pgettext_lazy("engine column", "amount"),
    "proposal_id": pgettext_lazy("engine column", "proposal"),
    "financing_model": pgettext_lazy("engine column", "financing model"),
    "purchase_price": pgettext_lazy("engine column", "purchase price"),
    "running_cost": pgettext_lazy("engine column", "running cost"),
    "financing_charge": pgettext_lazy("engine column", "financing charge"),
    "operation_fee": pgettext_lazy("engine column", "operation fee"),
    "savings_share": pgettext_lazy("engine column", "savings share"),
    "guaranteed_savings": pgettext_lazy("engine column", "guaranteed savings"),
    "at_risk_share": pgettext_lazy("engine column", "share at risk"),
}

TABLE_LABELS = {  # "the %(table)s table"
    "asset": pgettext_lazy("engine table", "asset"),
    "catalogue": pgettext_lazy("engine table", "upgrade catalogue"),
    "budget": pgettext_lazy("engine table", "pooled budget"),
    "offer": pgettext_lazy("engine table", "offer"),
}

# The Green Book project types of finance/engine/presets.py.
PRESET_LABELS = {
    "standard_buildings": gettext_lazy("Standard buildings"),
    "non_standard_buildings": gettext_lazy("Non-standard buildings"),
    "standard_civil_engineering": gettext_lazy("Standard civil engineering"),
    "non_standard_civil_engineering": gettext_lazy("Non-standard civil engineering"),
    "equipment_development": gettext_lazy("Equipment / development"),
    "outsourcing": gettext_lazy("Outsourcing (OPEX uplift)"),
}

# What a problem is about, with the ids it lists (%(items)s: "A1, A2 and 3 more").
SUBJECTS = {
    "asset": gettext_noop("asset %(items)s"),
    "category": gettext_noop("category %(items)s"),
    "budget_row": gettext_noop("budget row %(items)s"),
}

# Every problem code of the engine -> its sentence. The English is the engine's own wording; the placeholders
# are filled by engine_problem_text below (labels, lists and numbers already in the user's language).
ENGINE_MESSAGES = {
    "not_whole_number": gettext_noop("%(field)s must be a whole number (got %(value)s)"),
    "not_a_number": gettext_noop("%(field)s must be a number (got %(value)s)"),
    "not_finite": gettext_noop("%(field)s must be a finite number (got %(value)s)"),
    "horizon_out_of_range": gettext_noop("horizon must be between 1 and %(maximum)s years (got %(value)s)"),
    "start_year_out_of_range": gettext_noop(
        "start_year must be between %(low)s and %(high)s (got %(value)s)"
    ),
    "contract_term_too_short": gettext_noop(
        "contract_term must be at least %(minimum)s year (got %(value)s)"
    ),
    "contract_term_longer_than_horizon": gettext_noop(
        "contract_term (%(term)s years) must not be longer than the horizon (%(horizon)s years)"
    ),
    "rate_out_of_range": gettext_noop("%(field)s must be between %(low)s and %(high)s (got %(value)s)"),
    "draws_out_of_range": gettext_noop("draws must be between 0 and %(maximum)s (got %(value)s)"),
    "seed_negative": gettext_noop("seed must not be negative (got %(value)s)"),
    "unknown_assumption": gettext_noop("unknown assumption %(key)s"),
    "value_missing": gettext_noop("%(column)s is missing or not a number for %(subject)s"),
    "not_whole_years": gettext_noop("%(column)s must be a whole number of years for %(subject)s"),
    "below_one_year": gettext_noop("%(column)s must be at least 1 year for %(subject)s"),
    "negative": gettext_noop("%(column)s is negative for %(subject)s"),
    "above_limit": gettext_noop("%(column)s is above the limit of %(maximum)s for %(subject)s"),
    "missing_column": gettext_noop("the %(table)s table has no column %(column)s"),
    "catalogue_category_empty": gettext_noop("category is empty in catalogue row %(items)s"),
    "catalogue_duplicate_category": gettext_noop("the catalogue lists category %(items)s more than once"),
    "no_assets": gettext_noop("the asset table is empty: there is nothing to finance"),
    "duplicate_asset": gettext_noop("asset_id %(items)s appears more than once"),
    "asset_text_empty": gettext_noop("%(column)s is empty for asset %(items)s"),
    "installed_after_start": gettext_noop(
        "install_year is after the start year %(start_year)s for asset %(items)s"
    ),
    "unknown_action": gettext_noop(
        "action must be one of replace, upgrade, operate, maintain for asset %(items)s"
    ),
    "catalogue_empty_for_upgrades": gettext_noop(
        "the upgrade catalogue is empty, but assets marked replace or upgrade need category %(categories)s "
        "(asset %(items)s)"
    ),
    "category_not_in_catalogue": gettext_noop(
        "category %(categories)s is not in the upgrade catalogue (asset %(items)s)"
    ),
    "unknown_budget_type": gettext_noop("budget_type must be capex or opex in budget row %(items)s"),
    "flows_too_large": gettext_noop(
        "the yearly cash flows are too large to be computed exactly to the cent: in absolute value over the "
        "%(horizon)s years they add up to %(totals)s (the limit is %(maximum)s per scenario)"
    ),
    "largest_assets": gettext_noop(
        "the largest amounts are on asset %(items)s: check them, or finance the assets in several tenders"
    ),
    "unknown_financing_model": gettext_noop(
        "financing_model must be capex, opex_service or shared_savings (rows %(items)s)"
    ),
    "offer_not_finite": gettext_noop("%(column)s must be a finite, non-negative number"),
    "at_risk_share_out_of_range": gettext_noop("at_risk_share must be between 0 and 1"),
    "duplicate_proposal": gettext_noop("proposal_id appears more than once"),
}


def _listing(items: Iterable[str], more: int) -> str:
    shown = ", ".join(items)
    if not more:
        return shown
    # Translators: a list of ids that goes on, e.g. "A1, A2, A3, A4, A5 and 7 more".
    return ngettext("%(list)s and %(count)s more", "%(list)s and %(count)s more", more) % {
        "list": shown,
        "count": more,
    }


def _label(labels: Mapping[str, Any], key: Any) -> str:
    return str(labels.get(key, key))


def _number(value: Any) -> str:
    return measure(value)


def _params(code: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The problem's parameters written for a person in the active language."""
    out: dict[str, Any] = dict(params)
    items = _listing([str(i) for i in params.get("items", [])], int(params.get("more", 0) or 0))
    out["items"] = items
    if "field" in params:
        out["field"] = _label(ASSUMPTION_LABELS, params["field"])
    if "column" in params:
        out["column"] = _label(COLUMN_LABELS, params["column"])
    if "table" in params:
        out["table"] = _label(TABLE_LABELS, params["table"])
    if "subject" in params:
        out["subject"] = gettext(SUBJECTS.get(params["subject"], SUBJECTS["asset"])) % {"items": items}
    if "categories" in params:
        out["categories"] = _listing([params["categories"]], int(params.get("more_categories", 0) or 0))
    if code != "start_year_out_of_range":  # years are written as they are (2027, never 2,027)
        for name in ("low", "high", "maximum", "minimum", "value"):
            if isinstance(params.get(name), int | float) and not isinstance(params.get(name), bool):
                out[name] = _number(params[name])
    if "totals" in params:
        from finance.models.scenarios import Scenario

        labels = dict(Scenario.choices)
        out["totals"] = "; ".join(f"{_label(labels, s)} {money(gross)}" for s, gross in params["totals"])
    return out


def engine_problem_text(
    problem: str, code: str | None = None, params: Mapping[str, Any] | None = None
) -> str:
    """One engine problem in the active language (the engine's English sentence when there is no translation).

    ``problem`` is a finance.engine.errors.Problem (its code and params are used) or, for a stored problem, its
    English sentence with ``code`` and ``params`` given."""
    code = code if code is not None else getattr(problem, "code", "")
    params = params if params is not None else getattr(problem, "params", {})
    message = ENGINE_MESSAGES.get(code) or RUN_FAILURE_MESSAGES.get(code)
    if message is None:
        return str(problem)
    translated = gettext(message)
    if translated == message:
        return str(problem)  # English (or not translated): the engine's own words, exactly
    try:
        return translated % _params(code, params)
    except (KeyError, TypeError, ValueError):  # a stored problem of an older shape: its English sentence
        return str(problem)


def engine_problem_texts(problems: Iterable[str]) -> list[str]:
    return [engine_problem_text(p) for p in problems]


# Why a run failed when the engine did not refuse its inputs (stored as codes with the run, see the services).
RUN_FAILURE_MESSAGES = {
    "gave_up": gettext_noop(
        "Gave up after %(attempts)s attempts: the worker stopped each time it ran this job."
    ),
    "computation_error": gettext_noop("The computation stopped with an error: %(error)s"),
}


def run_failure_lines(*, error_message: str, summary: Mapping[str, Any] | None) -> list[str]:
    """The lines of a failed run's message in the active language.

    A failed run stores its English message (``error_message``, one problem per line) and, in ``summary
    ["problems"]``, each problem's code and parameters in the same order; a run stored before codes were kept
    shows its English lines."""
    lines = error_message.splitlines()
    coded = (summary or {}).get("problems") or []
    if len(coded) != len(lines):
        return lines
    return [
        engine_problem_text(line, code=item.get("code", ""), params=item.get("params") or {})
        for line, item in zip(lines, coded, strict=True)
    ]
