"""Words for the outcomes app's field names, in the reader's language (forms and the history use them)."""

from django.utils.translation import gettext_lazy as _

# The labels of the model fields these forms show, in the reader's language (the English words are the ones
# Django derives from the field names). Applied by ModelRulesForm where a form did not set a label of its own.
FIELD_LABELS = {
    # Outcome
    "title": _("Title"),
    "description": _("Description"),
    "theme": _("Theme"),
    "owner_department": _("Owner department"),
    "contributing_departments": _("Contributing departments"),
    "status": _("Status"),
    # Indicator
    "name": _("Name"),
    "definition": _("Definition"),
    "unit": _("Unit"),
    "direction": _("Direction"),
    "scale": _("Scale"),
    # Translators: the lowest possible value of an indicator measured on "another measure".
    "valid_min": _("Valid min"),
    # Translators: the highest possible value of an indicator measured on "another measure".
    "valid_max": _("Valid max"),
    "baseline_source": _("Baseline source"),
    "baseline_value": _("Baseline value"),
    "baseline_period": _("Baseline period"),
    "baseline_asset_measure": _("Baseline asset measure"),
    "baseline_departments": _("Baseline departments"),
    "baseline_categories": _("Baseline categories"),
    "target_value": _("Target value"),
    "target_date": _("Target date"),
    "measurement_method": _("Measurement method"),
    "data_source": _("Data source"),
    "frequency": _("Frequency"),
    "verified_by": _("Verified by"),
    # Measurement
    "period": _("Period"),
    "value": _("Value"),
    "source": _("Source"),
    "note": _("Note"),
}

# The progress statuses of outcomes/progress.py (a module without Django), in the reader's language.
TRACK_LABELS = {
    "on-track": _("On track"),
    "at-risk": _("At risk"),
    "off-track": _("Off track"),
    "no-data": _("No measurement yet"),
}


def field_words(names) -> str:
    """Changed field names as a list a person reads: "title, owner department" (unknown names as they are)."""
    words = []
    for name in names:
        label = str(FIELD_LABELS.get(name, name))
        words.append(label[:1].lower() + label[1:])
    return ", ".join(words)
