"""Writes of department sign-offs: the lead asks, each participating department's official signs off (or
withdraws) the bundle of its assets and its contributions. Each is one transaction with a TenderEvent.

Sign-offs are given and withdrawn on drafts only: submission is where they count (tender_readiness_problems),
and a submitted tender goes back to draft (finance's "return") before anything in it changes.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from departments.models import Department
from procurement.exceptions import SignOffNotPermitted, SignOffRefused
from procurement.models import DepartmentSignOff, Tender, TenderEvent
from procurement.selectors.signoffs import (
    SIGNED,
    DepartmentBundle,
    is_official_of,
    tender_department_bundle,
    tender_sign_off_states,
)
from procurement.selectors.tenders import is_lead_official


def _locked_draft(tender: Tender) -> Tender:
    # Lock the tender row: a submission holds this lock while it checks the sign-offs, so a withdrawal (or a
    # signature) never slips in between that check and the status change.
    locked = Tender.objects.select_for_update().get(pk=tender.pk)
    if locked.status != Tender.Status.DRAFT:
        raise SignOffRefused(
            _("Sign-offs are given on drafts; %(reference)s is %(status)s.")
            % {"reference": locked.reference, "status": str(locked.get_status_display()).lower()}
        )
    return locked


def _event(*, tender: Tender, actor, action: str, comment: str) -> TenderEvent:
    return TenderEvent.objects.create(tender=tender, actor=actor, action=action, comment=comment)


def describe_bundle(bundle: DepartmentBundle, *, currency: str) -> str:
    """What a department signs, in words (kept in the history): assets, their value, money per year and type.

    Always the canonical English sentence (the history is translated when shown: procurement.history)."""
    from finance.models.budgets import BudgetType

    parts = [f"{bundle.asset_count} asset(s), replacement value {bundle.replacement_value:,.2f} {currency}"]
    with translation.override("en"):  # the budget type's label (CapEx, OpEx) as the canonical text has it
        money = [
            f"{row['fiscal_year']} {BudgetType(row['budget_type']).label} {row['amount']:,.2f}"
            for row in bundle.contributions_by_year_and_type()
        ]
    parts.append(f"contributions {', '.join(money)} {currency}" if money else "no contributions")
    return "; ".join(parts)


def signoff_request(*, tender: Tender, actor) -> list[str]:
    """The lead official asks every department whose sign-off is missing or stale; their officials are told.

    Returns the names of the departments asked (none: nothing is written).
    """
    from notifications.rules import on_sign_off_requested

    if not is_lead_official(user=actor, tender=tender):
        raise SignOffNotPermitted(_("Only officials of the lead department ask for sign-offs."))
    with transaction.atomic():
        locked = _locked_draft(tender)
        waiting = [state for state in tender_sign_off_states(tender=locked) if state.status != SIGNED]
        if not waiting:
            return []
        names = [state.department_name for state in waiting]
        event = _event(
            tender=locked,
            actor=actor,
            action="signoff_request",
            comment="Sign-off asked of " + ", ".join(names),
        )
        on_sign_off_requested(
            tender=locked,
            department_ids=[state.department_id for state in waiting],
            actor=actor,
            event_key=f"sign-off-requested:{event.pk}",
        )
    return names


def signoff_give(
    *, tender: Tender, department: Department, actor, expected_hash: str | None = None
) -> DepartmentSignOff:
    """An official of `department` signs off what it puts into `tender` now (assets and contributions).

    `expected_hash` is the snapshot the official was shown: if the bundle changed since, nothing is signed (they
    would sign what they have not seen). Signing again replaces the earlier sign-off; a sign-off that still
    matches is returned as it is.
    """
    if not is_official_of(user=actor, department_id=department.pk):
        raise SignOffNotPermitted(
            _("Only officials of %(department)s sign off for it.") % {"department": department.name}
        )
    with transaction.atomic():
        locked = _locked_draft(tender)
        if department.pk == locked.lead_department_id:
            raise SignOffRefused(
                _("%(department)s leads %(reference)s: its consent is its drafting and its submission.")
                % {"department": department.name, "reference": locked.reference}
            )
        bundle = tender_department_bundle(tender=locked, department=department)
        if bundle.is_empty:
            raise SignOffRefused(
                _(
                    "%(reference)s bundles no asset of %(department)s and draws no money from its budget: "
                    "there is nothing to sign off."
                )
                % {"department": department.name, "reference": locked.reference}
            )
        current_hash = bundle.snapshot_hash
        if expected_hash is not None and expected_hash != current_hash:
            raise SignOffRefused(
                _(
                    "What %(department)s puts into %(reference)s changed while you were reading it. "
                    "Read it again and sign what is there now."
                )
                % {"department": department.name, "reference": locked.reference}
            )
        existing = DepartmentSignOff.objects.filter(tender=locked, department=department).first()
        if existing is not None and existing.snapshot_hash == current_hash:
            return existing
        sign_off = existing or DepartmentSignOff(tender=locked, department=department)
        sign_off.signed_by = actor
        sign_off.signed_at = timezone.now()
        sign_off.snapshot = bundle.snapshot()
        sign_off.snapshot_hash = current_hash
        sign_off.full_clean()
        sign_off.save()
        _event(
            tender=locked,
            actor=actor,
            action="signoff_renew" if existing else "signoff_give",
            comment=(
                f"{department.name} {'renewed its' if existing else 'gave its'} sign-off: "
                f"{describe_bundle(bundle, currency=locked.currency)} (snapshot {current_hash[:12]})"
            ),
        )
    return sign_off


def signoff_withdraw(*, tender: Tender, department: Department, actor, comment: str = "") -> None:
    """An official of `department` takes its sign-off back: the tender cannot be submitted until it signs again."""
    if not is_official_of(user=actor, department_id=department.pk):
        raise SignOffNotPermitted(
            _("Only officials of %(department)s withdraw its sign-off.") % {"department": department.name}
        )
    with transaction.atomic():
        locked = _locked_draft(tender)
        deleted, _details = DepartmentSignOff.objects.filter(tender=locked, department=department).delete()
        if not deleted:
            raise SignOffRefused(
                _("%(department)s has not signed off %(reference)s.")
                % {"department": department.name, "reference": locked.reference}
            )
        reason = f" Reason: {comment.strip()}" if comment.strip() else ""
        _event(
            tender=locked,
            actor=actor,
            action="signoff_withdraw",
            comment=f"{department.name} withdrew its sign-off.{reason}",
        )
