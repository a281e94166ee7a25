"""Reads of the finance app."""


def dashboard_panels(*, user) -> list[dict]:
    """Panels of the finance dashboard (filled by the pooled-budget work)."""
    return []
