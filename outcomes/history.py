"""The history of an outcome in the reader's language.

A history row (OutcomeEvent) is append-only and keeps the English sentence it was written with (`summary`).
Rows written since issue 18 also keep what the sentence says as parameters (`data["summary_params"]`), so that
the sentence is rendered again, at display time, in the language of whoever reads it. Older rows have no
parameters and are shown as they were written.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext

from config.numbers import measure

from .labels import field_words
from .models import Outcome


def _status(code: str) -> str:
    try:
        return str(Outcome.Status(code).label)
    except ValueError:
        return code


def summary_text(action: str, params: dict) -> str:
    """The sentence of a history row of `action`, in the active language. Raises KeyError for an unknown one."""
    if action == "outcome_created":
        return gettext("Created outcome “%(title)s” (%(status)s)") % {
            "title": params["title"],
            "status": _status(params["status"]),
        }
    if action == "outcome_status_changed":
        return gettext("Status %(old)s → %(new)s; changed %(fields)s") % {
            "old": _status(params["old"]),
            "new": _status(params["new"]),
            "fields": field_words(params["fields"]),
        }
    if action == "outcome_updated":
        return gettext("Changed %(fields)s") % {"fields": field_words(params["fields"])}
    if action == "indicator_created":
        return gettext(
            "Added indicator “%(name)s”: baseline %(baseline)s, target %(target)s %(unit)s by %(date)s"
        ) % {
            "name": params["name"],
            "baseline": measure(params["baseline"]),
            "target": measure(params["target"]),
            "unit": params["unit"],
            "date": params["date"],
        }
    if action in ("indicator_updated", "indicator_retired"):
        return gettext("Indicator “%(name)s”: changed %(fields)s") % {
            "name": params["name"],
            "fields": field_words(params["fields"]),
        }
    if action == "measurement_recorded":
        return gettext("%(indicator)s: %(value)s %(unit)s for %(period)s") % {
            "indicator": params["indicator"],
            "value": measure(params["value"]),
            "unit": params["unit"],
            "period": params["period"],
        }
    if action == "measurements_imported":
        return gettext("Imported %(created)s new and %(updated)s corrected measurements from CSV") % {
            "created": params["created"],
            "updated": params["updated"],
        }
    raise KeyError(action)


def english_summary(action: str, params: dict) -> str:
    """The sentence stored with the row (English, the source language: what admins and searches see)."""
    with translation.override("en"):
        return summary_text(action, params)


def event_summary(event) -> str:
    """What a history row says, in the reader's language where the row has its parameters."""
    params = event.data.get("summary_params") if isinstance(event.data, dict) else None
    if not isinstance(params, dict):
        return event.summary
    try:
        return summary_text(event.action, params)
    except (KeyError, TypeError, ValueError):
        return event.summary
