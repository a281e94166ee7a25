"""Writes of the finance app. Budget rules in budgets.py, scenario runs in scenarios.py."""
