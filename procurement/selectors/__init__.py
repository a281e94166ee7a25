"""Reads of the procurement app: tenders (drafting, visibility) and publication (published data)."""

from .tenders import dashboard_panels  # noqa: F401
