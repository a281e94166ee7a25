"""Reads of scenario runs and the chosen financing scenario."""

from decimal import Decimal


def chosen_scenario_need(*, tender) -> dict[tuple[int, str], Decimal] | None:
    """The chosen scenario's yearly cost to the city by (fiscal year, budget type), or None if none is chosen."""
    return None
