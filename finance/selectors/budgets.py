"""Reads of budget lines, contributions and pooled budgets."""


def dashboard_panels(*, user) -> list[dict]:
    """Panels of the finance dashboard (submissions awaiting approval, contributions to decide)."""
    return []


def tender_funding_problems(*, tender, stage: str) -> list[str]:
    """Why the tender's funding does not allow the transition `stage` ("submit" or "approve"); [] when it does.

    Called by the tender lifecycle (procurement.services.tenders) as a guard.
    """
    return []
