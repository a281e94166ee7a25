"""English sentences stored in rows (asset history, finder run notes and failures), shown in the reader's language.

History rows are append-only and a finder run is read by everyone in the city, so these sentences are written
once, in English (the source language), and never rewritten. They are translated when shown: each stored
sentence is matched against the fixed set of sentences the code writes (the English msgids below, with their
%(name)s placeholders) and shown through gettext with the values it carried. A sentence that matches none (an
older wording, an unexpected error) is shown as it was stored. docs/decisions.md, "Stored English prose".
"""

from __future__ import annotations

import re

from django.utils.translation import gettext, gettext_noop

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")

# --- Asset history (AuditEvent.summary) -----------------------------------------------------------------------
# Translators: a line of an asset's history; the asset is its reference and name.
ASSET_REGISTERED = gettext_noop("Registered %(asset)s in %(department)s")
# Translators: a line of an asset's history; "fields" lists the changed fields.
ASSET_CHANGED = gettext_noop("Changed %(fields)s of %(asset)s")
ASSET_RETIRED = gettext_noop("Retired %(asset)s")
IMPORT_UPLOADED = gettext_noop("Uploaded %(name)s for import")
IMPORT_SUCCEEDED = gettext_noop("Imported %(name)s: %(created)s created, %(updated)s updated")
IMPORT_REJECTED = gettext_noop("Rejected %(name)s: %(count)s problem(s)")
IMPORT_REQUEUED = gettext_noop("Started %(name)s again")
FINDER_RUN_QUEUED = gettext_noop("Opportunity finder run %(number)s queued")
FINDER_TENDER_STARTED = gettext_noop(
    "Tender %(reference)s started from finder run %(run)s, candidate %(rank)s"
)

# --- Finder run notes (FinderRun.notes) -----------------------------------------------------------------------
NOTE_ONLY_CATEGORIES = gettext_noop("Only the categories serving “%(outcome)s” were scanned: %(categories)s.")
NOTE_AREA_ONLY = gettext_noop(
    "None of the %(count)s assets has coordinates: candidates were formed by area only."
)
NOTE_AREA_ONLY_OF_CATEGORIES = gettext_noop(
    "None of the %(count)s assets of those categories has coordinates: candidates were formed by area only."
)
NOTE_BUNDLED_LEFT_OUT = gettext_noop(
    "Assets already bundled in an active tender were left out: they have been noticed."
)
NOTE_DEFAULT_VALUES = gettext_noop("Values: the engine's default assumptions, first year %(year)s.")
NOTE_WITHOUT_COORDINATES = gettext_noop(
    "%(without)s of the %(total)s assets have no coordinates: they were grouped by area."
)
NOTE_STORED_BEST = gettext_noop("%(found)s candidates were found; the best %(stored)s are stored.")
NOTE_NO_CANDIDATE = gettext_noop(
    "No candidate: no assets of two departments stand close enough together and wear out within the "
    "window. Try a larger radius or window."
)

# --- Finder run failures (FinderRun.error_message, one sentence a line) --------------------------------------
# The request checks of departments/finder/services.py, written in English when a run is executed.
FINDER_RADIUS_RANGE = gettext_noop("The radius must be between %(low)s and %(high)s metres.")
FINDER_WINDOW_RANGE = gettext_noop("The end-of-life window must be between %(low)s and %(high)s years.")
FINDER_SYNERGY_RANGE = gettext_noop("The synergy must be between %(low)s and %(high)s.")
FINDER_OUTCOME_NO_CATEGORIES = gettext_noop(
    "The outcome “%(outcome)s” names no asset categories: none of its indicators computes its "
    "baseline from asset categories and no tender targeting it bundles assets, so no asset can be "
    "said to serve it. Choose another outcome, or scan all categories."
)
FINDER_NOTHING_TO_SCAN = gettext_noop(
    "No asset is in service and free of an active tender: there is nothing to scan."
)
FINDER_NOTHING_TO_SCAN_OF_CATEGORIES = gettext_noop(
    "No asset of those categories is in service and free of an active tender: there is nothing to scan."
)
FINDER_ONE_DEPARTMENT = gettext_noop(
    "Only one department (%(department)s) has assets in service and free of an active "
    "tender: a candidate needs assets of at least two departments."
)
FINDER_ONE_DEPARTMENT_OF_CATEGORIES = gettext_noop(
    "Only one department (%(department)s) has assets of those categories in service and free of an active "
    "tender: a candidate needs assets of at least two departments."
)
FINDER_NOT_PLACEABLE = gettext_noop(
    "None of the %(count)s assets has coordinates or an area, so none can be placed "
    "near another: add latitude/longitude (or at least an area) to the assets."
)
FINDER_NOT_PLACEABLE_OF_CATEGORIES = gettext_noop(
    "None of the %(count)s assets of those categories has coordinates or an area, so none can be placed "
    "near another: add latitude/longitude (or at least an area) to the assets."
)
FINDER_GAVE_UP = gettext_noop(
    "Gave up after %(attempts)s attempts: the worker stopped each time it ran this scan."
)
FINDER_NOT_QUEUED = gettext_noop("The job could not be queued: %(error)s")
FINDER_STOPPED = gettext_noop("The scan stopped with an error: %(error)s")


def _pattern(msgid: str) -> re.Pattern:
    parts = _PLACEHOLDER.split(msgid.replace("%%", "%"))
    # split() alternates literal text and placeholder names: literal, name, literal, name, …
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+)" for i, part in enumerate(parts))
    return re.compile(regex, re.DOTALL)


_KNOWN = [
    (msgid, _pattern(msgid))
    for name, msgid in sorted(globals().items())
    if name.isupper() and isinstance(msgid, str) and name != "_PLACEHOLDER"
]


def translate_stored(text: str, **replace: str) -> str:
    """`text` (a sentence written from one of the msgids above) in the active language; as stored if unknown.

    `replace` gives better values for some placeholders (e.g. translated field names) than the stored ones.
    """
    if not isinstance(text, str) or not text:
        return text
    for msgid, pattern in _KNOWN:
        match = pattern.fullmatch(text)
        if match:
            return gettext(msgid) % (match.groupdict() | replace)
    return text


def audit_text(event) -> str:
    """An AuditEvent's summary in the reader's language (the row itself stays as written)."""
    replace = {}
    changes = (event.data or {}).get("changes") if event.action == "asset.update" else None
    if isinstance(changes, dict) and changes:
        from .models import Asset

        names = []
        for field in changes:
            try:
                names.append(str(Asset._meta.get_field(field).verbose_name))
            except Exception:  # noqa: BLE001 — a field renamed since the row was written keeps its stored name
                names.append(field)
        replace["fields"] = ", ".join(names)
    return translate_stored(event.summary, **replace)
