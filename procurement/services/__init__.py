"""Writes of the procurement app. Tender drafting and lifecycle in tenders.py."""
