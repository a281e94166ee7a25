"""Reads of tenders: who may see which tender, dashboards."""


def dashboard_panels(*, user) -> list[dict]:
    """Panels of the official's dashboard: their drafts, tenders awaiting their action."""
    return []
