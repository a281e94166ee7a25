"""The tender history (TenderEvent) in the reader's language, without rewriting a row.

History rows are append-only and keep what was written then: an action code and, for the actions of drafting
and sign-offs, a short canonical English sentence ("3 asset(s), upgrade", "Street lighting gave its sign-off:
..."). They are translated when shown: the action code by a fixed table of labels, the known sentences by
matching their fixed shapes and translating the words around the values (names, counts, amounts) they carry.
Anything else (a reason or comment a person typed, a sentence this table does not know) is shown as stored.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils import translation
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from config.numbers import money
from procurement.proposals.display import tender_event_comment_display

# Labels of the actions written into a tender's history (by drafting, the lifecycle, sign-offs, publication,
# proposals and financing). An unknown code is shown as it is.
ACTION_LABELS = {
    "create": gettext_lazy("Created"),
    "edit": gettext_lazy("Basics changed"),
    "assets_add": gettext_lazy("Assets added"),
    "assets_remove": gettext_lazy("Assets removed"),
    "outcomes_set": gettext_lazy("Targeted outcomes set"),
    "document_add": gettext_lazy("Document attached"),
    "submit": gettext_lazy("Submitted for approval"),
    "approve": gettext_lazy("Approved"),
    "return": gettext_lazy("Returned to draft"),
    "publish": gettext_lazy("Published"),
    "award": gettext_lazy("Awarded"),
    "sign": gettext_lazy("Contract signed"),
    "cancel": gettext_lazy("Cancelled"),
    "signoff_request": gettext_lazy("Sign-offs asked"),
    "signoff_give": gettext_lazy("Signed off"),
    "signoff_renew": gettext_lazy("Sign-off renewed"),
    "signoff_withdraw": gettext_lazy("Sign-off withdrawn"),
    "amend": gettext_lazy("Amended"),
    "answer": gettext_lazy("Question answered"),
    "requirements": gettext_lazy("Requirements set"),
    "proposals_open": gettext_lazy("Proposals opened"),
    "proposal_received": gettext_lazy("Proposal received"),
    "proposal_replaced": gettext_lazy("Proposal replaced"),
    "proposal_withdrawn": gettext_lazy("Proposal withdrawn"),
    "evaluation_start": gettext_lazy("Evaluation started"),
    "evaluator_named": gettext_lazy("Evaluator named"),
    "evaluation_priced": gettext_lazy("Proposals priced"),
    "no_conflict_declared": gettext_lazy("No conflict of interest declared"),
    "quality_scored": gettext_lazy("Quality scored"),
    "evaluation_final": gettext_lazy("Evaluation completed"),
    "award_recommend": gettext_lazy("Award recommended"),
    "assumptions": gettext_lazy("Financing assumptions changed"),
    "scenario_run": gettext_lazy("Scenario calculation"),
    "scenario_run_requeued": gettext_lazy("Scenario calculation queued again"),
    "financing_chosen": gettext_lazy("Financing chosen"),
}


def action_label(code: str) -> str:
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def status_label(code: str) -> str:
    """A tender status code in words ("draft" → "Draft"); an unknown or empty code as it is."""
    from procurement.models import Tender

    return str(Tender.Status(code).label) if code in Tender.Status.values else code


def _field_label(name: str) -> str:
    from procurement.forms import TenderBasicsForm

    label = TenderBasicsForm.Meta.labels.get(name)
    return str(label) if label is not None else name


def _amount(text: str) -> str:
    """An amount as the canonical sentence wrote it ("1,234.50") in the reader's number format."""
    try:
        return money(Decimal(text.replace(",", "")))
    except InvalidOperation:
        return text


def _asset_action(code: str) -> str:
    from procurement.models import TenderAsset

    return str(TenderAsset.Action(code).label) if code in TenderAsset.Action.values else code


def _document_kind(label: str) -> str:
    from procurement.models import TenderDocument

    with translation.override("en"):
        english = {str(kind.label): kind for kind in TenderDocument.Kind}
    kind = english.get(label)
    return str(kind.label) if kind is not None else label


_BUNDLE = re.compile(
    r"^(?P<count>\d+) asset\(s\), replacement value (?P<value>[\d,.-]+) (?P<currency>\w+); "
    r"(?:no contributions|contributions (?P<amounts>.+) (?P<currency2>\w+))$"
)
_CONTRIBUTION = re.compile(r"^(?P<year>\d{4}) (?P<type>CapEx|OpEx) (?P<amount>[\d,.-]+)$")


def _bundle(text: str) -> str:
    """What a department signed ("2 asset(s), replacement value 1,000.00 EUR; contributions 2027 OpEx 50.00 EUR")."""
    found = _BUNDLE.match(text)
    if found is None:
        return text
    count = int(found["count"])
    assets = ngettext(
        "%(count)s asset, replacement value %(value)s %(currency)s",
        "%(count)s assets, replacement value %(value)s %(currency)s",
        count,
    ) % {"count": count, "value": _amount(found["value"]), "currency": found["currency"]}
    if not found["amounts"]:
        return _("%(assets)s; no contributions") % {"assets": assets}
    amounts = []
    for part in found["amounts"].split(", "):
        contribution = _CONTRIBUTION.match(part)
        if contribution is None:
            return text
        amounts.append(f"{contribution['year']} {contribution['type']} {_amount(contribution['amount'])}")
    return _("%(assets)s; contributions %(amounts)s %(currency)s") % {
        "assets": assets,
        "amounts": ", ".join(amounts),
        "currency": found["currency2"],
    }


def _counted(pattern: str, comment: str) -> int | None:
    found = re.fullmatch(pattern, comment)
    return int(found[1]) if found else None


def event_comment(event) -> str:
    """The comment of a history row in the reader's language (see the module's docstring)."""
    comment = event.comment or ""
    if not comment or (get_language() or "en").startswith("en"):
        return comment
    action = event.action
    if action == "edit" and comment.startswith("Changed: "):
        fields = ", ".join(_field_label(name) for name in comment.removeprefix("Changed: ").split(", "))
        return _("Changed: %(fields)s") % {"fields": fields}
    if action == "assets_add":
        found = re.fullmatch(r"(\d+) asset\(s\), (\w+)", comment)
        if found:
            count = int(found[1])
            return ngettext("%(count)s asset, %(action)s", "%(count)s assets, %(action)s", count) % {
                "count": count,
                "action": _asset_action(found[2]).lower(),
            }
    if action == "assets_remove" and (count := _counted(r"(\d+) asset\(s\)", comment)) is not None:
        return ngettext("%(count)s asset", "%(count)s assets", count) % {"count": count}
    if action == "outcomes_set" and (count := _counted(r"(\d+) indicator\(s\)", comment)) is not None:
        return ngettext("%(count)s indicator", "%(count)s indicators", count) % {"count": count}
    if action == "document_add" and ": " in comment:
        kind, title = comment.split(": ", 1)
        # Translators: a document's kind, then its title.
        return _("%(kind)s: %(title)s") % {"kind": _document_kind(kind), "title": title}
    if action == "signoff_request" and comment.startswith("Sign-off asked of "):
        return _("Sign-off asked of %(departments)s") % {
            "departments": comment.removeprefix("Sign-off asked of ")
        }
    if action in ("signoff_give", "signoff_renew"):
        found = re.fullmatch(
            r"(?P<department>.+) (?P<verb>gave|renewed) its sign-off: (?P<bundle>.+) \(snapshot (?P<hash>\w+)\)",
            comment,
        )
        if found:
            values = {
                "department": found["department"],
                "bundle": _bundle(found["bundle"]),
                "hash": found["hash"],
            }
            if found["verb"] == "gave":
                return _("%(department)s gave its sign-off: %(bundle)s (snapshot %(hash)s)") % values
            return _("%(department)s renewed its sign-off: %(bundle)s (snapshot %(hash)s)") % values
    if action == "signoff_withdraw":
        found = re.fullmatch(
            r"(?P<department>.+?) withdrew its sign-off\.(?: Reason: (?P<reason>.*))?", comment, re.S
        )
        if found and found["reason"]:
            return _("%(department)s withdrew its sign-off. Reason: %(reason)s") % {
                "department": found["department"],
                "reason": found["reason"],
            }
        if found:
            return _("%(department)s withdrew its sign-off.") % {"department": found["department"]}
    if action == "answer" and (number := _counted(r"Answered question (\d+)", comment)) is not None:
        return _("Answered question %(number)s") % {"number": number}
    # The proposal, evaluation and award services' own comments ("Opening 1 of 2", "Award to …", "Contract
    # signed") are known where those services live; anything else is shown as it was typed.
    return tender_event_comment_display(action, comment)
