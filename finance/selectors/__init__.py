"""Reads of the finance app: budgets (pooled budgets, availability) and scenarios (runs, chosen need)."""

from .budgets import dashboard_panels, tender_financing_problems, tender_funding_problems  # noqa: F401
from .scenarios import chosen_scenario_need  # noqa: F401
