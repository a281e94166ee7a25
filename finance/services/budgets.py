"""Budget lines and contributions: every write is one transaction with an audit event (finance.BudgetEvent).

Locking order, everywhere: tender → budget line(s) → contribution. The tender lifecycle locks the tender first
and then calls `contributions_release_for_cancelled_tender`, so following the same order cannot deadlock.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from config.numbers import money
from finance.exceptions import (
    BudgetOvercommitted,
    BudgetPermissionDenied,
    CurrencyMismatch,
    FourEyesViolation,
    InvalidAmount,
    InvalidContributionTransition,
    TenderNotOpenForBudget,
)
from finance.models import BudgetEvent, BudgetLine, Contribution, FundingOverride, TenderNeed
from finance.selectors.budgets import (
    ZERO,
    LineUsage,
    approval_conflict,
    can_decide,
    can_manage_lines_of,
    can_override,
    can_request_for,
    can_set_need,
    line_usage,
    needs_two_approvers,
    tender_is_open,
    to_money,
)

Status = Contribution.Status
Action = BudgetEvent.Action

# The comment of the events written when a tender is cancelled; stored in English, translated when shown
# (finance.templatetags.finance_tags.event_comment).
CANCELLED_COMMENT = gettext_noop("Tender cancelled.")


def _positive_amount(amount) -> Decimal:
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidAmount(_("Enter the amount as a number, e.g. 12500.00.")) from None
    if not value.is_finite():
        raise InvalidAmount(_("Enter the amount as a number, e.g. 12500.00."))
    if value != value.quantize(Decimal("0.01")):
        raise InvalidAmount(_("Amounts have at most two decimals (cents)."))
    if value <= 0:
        raise InvalidAmount(_("The amount must be more than zero."))
    return to_money(value)


def _event(
    *,
    action: str,
    actor,
    budget_line: BudgetLine | None = None,
    contribution: Contribution | None = None,
    tender=None,
    amount: Decimal | None = None,
    before: LineUsage | None = None,
    after: LineUsage | None = None,
    status_before: str = "",
    status_after: str = "",
    comment: str = "",
) -> BudgetEvent:
    event = BudgetEvent(
        action=action,
        actor=actor,
        budget_line=budget_line,
        contribution=contribution,
        tender=tender,
        amount=amount,
        available_before=before.available if before else None,
        available_after=after.available if after else None,
        status_before=status_before,
        status_after=status_after,
        comment=comment,
    )
    event.full_clean()
    event.save()
    return event


def _lock_tender(tender):
    from procurement.models import Tender

    return Tender.objects.select_for_update().get(pk=tender.pk)


def _lock_line(budget_line_id: int) -> BudgetLine:
    # The row lock serialises every request, decision and release on one line: without it two requests
    # could both read "10,000 available" and both insert 10,000, promising the same euro twice.
    return BudgetLine.objects.select_for_update().get(pk=budget_line_id)


def not_open_for_requests(tender) -> str:
    """Why no contribution can be requested for `tender` now (its status no longer allows it)."""
    # Translators: %(status)s is the tender's status in lower case (approved, cancelled, …).
    return _(
        "Tender %(reference)s is %(status)s: contributions can only be requested while it is a draft or "
        "submitted."
    ) % {"reference": tender.reference, "status": str(tender.get_status_display()).lower()}


# --- Budget lines --------------------------------------------------------------------------------------------


def budget_line_create(
    *,
    department,
    fiscal_year: int,
    budget_type: str,
    amount: Decimal,
    actor,
    name: str = "General",
    currency: str = "EUR",
    note: str = "",
) -> BudgetLine:
    if not can_manage_lines_of(user=actor, department_id=department.pk):
        raise BudgetPermissionDenied(
            _("Only finance staff of this department or central finance enter its budget.")
        )
    with transaction.atomic():
        line = BudgetLine(
            department=department,
            fiscal_year=fiscal_year,
            budget_type=budget_type,
            name=name,
            amount=amount,
            currency=currency.upper(),
            note=note,
            created_by=actor,
        )
        line.full_clean()
        line.save()
        _event(
            action=Action.LINE_CREATED,
            actor=actor,
            budget_line=line,
            amount=line.amount,
            after=LineUsage(amount=line.amount, requested=ZERO, approved=ZERO),
        )
    return line


def budget_line_set_amount(
    *, budget_line: BudgetLine, amount: Decimal, actor, note: str | None = None
) -> BudgetLine:
    """Change a line's amount; never below what is already requested or approved from it."""
    if not can_manage_lines_of(user=actor, department_id=budget_line.department_id):
        raise BudgetPermissionDenied(
            _("Only finance staff of this department or central finance change its budget.")
        )
    with transaction.atomic():
        line = _lock_line(budget_line.pk)
        before = line_usage(budget_line=line)
        if amount < before.committed:
            raise BudgetOvercommitted(
                _(
                    "%(line)s: %(committed)s is already requested or approved; "
                    "the amount cannot go below that (asked %(asked)s)."
                )
                % {"line": line, "committed": money(before.committed), "asked": money(amount)}
            )
        line.amount = amount
        if note is not None:
            line.note = note
        line.full_clean(exclude=["created_by"])  # lines loaded without a creator stay editable
        line.save()
        _event(
            action=Action.LINE_UPDATED,
            actor=actor,
            budget_line=line,
            amount=line.amount,
            before=before,
            after=line_usage(budget_line=line),
        )
    return line


# --- Contributions -------------------------------------------------------------------------------------------


def contribution_request(
    *, tender, budget_line: BudgetLine, amount, actor, comment: str = ""
) -> Contribution:
    """An official of the lead department asks `amount` of `budget_line` for `tender` (it holds money now)."""
    amount = _positive_amount(amount)
    if not can_request_for(user=actor, tender=tender):
        raise BudgetPermissionDenied(
            _("Only officials of the tender's lead department request contributions.")
        )
    with transaction.atomic():
        tender = _lock_tender(tender)
        if not tender_is_open(tender=tender):
            raise TenderNotOpenForBudget(not_open_for_requests(tender))
        line = _lock_line(budget_line.pk)
        if line.currency != tender.currency:
            raise CurrencyMismatch(
                _("The budget line is in %(line_currency)s but the tender is in %(tender_currency)s.")
                % {"line_currency": line.currency, "tender_currency": tender.currency}
            )
        before = line_usage(budget_line=line)
        if amount > before.available:
            raise BudgetOvercommitted(
                _("Only %(available)s %(currency)s is available on %(line)s (asked %(asked)s).")
                % {
                    "available": money(before.available),
                    "currency": line.currency,
                    "line": line,
                    "asked": money(amount),
                }
            )
        contribution = Contribution(tender=tender, budget_line=line, amount=amount, requested_by=actor)
        contribution.full_clean()
        contribution.save()
        _event(
            action=Action.REQUESTED,
            actor=actor,
            budget_line=line,
            contribution=contribution,
            tender=tender,
            amount=amount,
            before=before,
            after=line_usage(budget_line=line),
            status_after=Status.REQUESTED,
            comment=comment,
        )
        from notifications.rules import on_contribution_requested

        on_contribution_requested(contribution=contribution, actor=actor)
    return contribution


def _lock_for_decision(contribution: Contribution, actor) -> tuple:
    tender = _lock_tender(contribution.tender)
    line = _lock_line(contribution.budget_line_id)
    # Locking the contribution too means two finance users clicking at once decide it once: the second one
    # waits, then sees it decided and gets "already decided".
    locked = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if locked.status != Status.REQUESTED:
        raise InvalidContributionTransition(
            # Translators: %(status)s is the contribution's status in lower case (approved, rejected, …).
            _("This contribution is already %(status)s; it cannot be decided again.")
            % {"status": str(locked.get_status_display()).lower()}
        )
    if not can_decide(user=actor, budget_line=line):
        raise BudgetPermissionDenied(
            _("Only finance staff of the budget line's department or of central finance decide it.")
        )
    if locked.requested_by_id == actor.pk:
        raise FourEyesViolation(_("You requested this contribution; another finance user must decide it."))
    if not tender_is_open(tender=tender):
        raise TenderNotOpenForBudget(
            # Translators: %(status)s is the tender's status in lower case (approved, cancelled, …).
            _("Tender %(reference)s is %(status)s: its contributions can no longer be decided.")
            % {"reference": tender.reference, "status": str(tender.get_status_display()).lower()}
        )
    return tender, line, locked


def contribution_approve(*, contribution: Contribution, actor, comment: str = "") -> Contribution:
    """Approve; when the tender draws more than the two-approver threshold from the line's department (this
    contribution included), the first approval is recorded and a second, different approver is needed."""
    with transaction.atomic():
        tender, line, locked = _lock_for_decision(contribution, actor)
        # Checked under the tender's lock: a contribution requested meanwhile by this actor counts too.
        conflict = approval_conflict(user=actor, tender=tender, contribution=locked)
        if conflict:
            raise FourEyesViolation(conflict)
        before = line_usage(budget_line=line)
        now = timezone.now()
        # The threshold applies to what the tender draws from this department in all (this contribution
        # included), so splitting a large contribution into small requests does not avoid a second approver.
        # Read under the tender's lock: no request of this tender can be added meanwhile.
        needs_two = needs_two_approvers(tender=tender, department_id=line.department_id)
        if needs_two and locked.first_approved_by_id is None:
            locked.first_approved_by = actor
            locked.first_approved_at = now
            locked.first_approval_comment = comment
            action = Action.FIRST_APPROVAL
        else:
            locked.status = Status.APPROVED
            locked.decided_by = actor
            locked.decided_at = now
            locked.decision_comment = comment
            action = Action.APPROVED
        locked.full_clean()
        locked.save()
        _event(
            action=action,
            actor=actor,
            budget_line=line,
            contribution=locked,
            tender=tender,
            amount=locked.amount,
            before=before,
            after=line_usage(budget_line=line),
            status_before=Status.REQUESTED,
            status_after=locked.status,
            comment=comment,
        )
    return locked


def contribution_reject(*, contribution: Contribution, actor, comment: str) -> Contribution:
    """Reject with a reason: the requested money is free again."""
    if not (comment or "").strip():
        raise InvalidContributionTransition(_("Say why the contribution is rejected (comment)."))
    with transaction.atomic():
        tender, line, locked = _lock_for_decision(contribution, actor)
        before = line_usage(budget_line=line)
        locked.status = Status.REJECTED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_comment = comment
        locked.full_clean()
        locked.save()
        _event(
            action=Action.REJECTED,
            actor=actor,
            budget_line=line,
            contribution=locked,
            tender=tender,
            amount=locked.amount,
            before=before,
            after=line_usage(budget_line=line),
            status_before=Status.REQUESTED,
            status_after=Status.REJECTED,
            comment=comment,
        )
    return locked


def contribution_decide(
    *, contribution: Contribution, decision: str, actor, comment: str = ""
) -> Contribution:
    if decision == "approve":
        return contribution_approve(contribution=contribution, actor=actor, comment=comment)
    if decision == "reject":
        return contribution_reject(contribution=contribution, actor=actor, comment=comment)
    raise InvalidContributionTransition(_("Choose approve or reject."))


def contribution_withdraw(*, contribution: Contribution, actor, comment: str = "") -> Contribution:
    """An official of the lead department takes back a request finance has not decided yet (also one with the
    first of two approvals): the requested money is available on the line again, and its finance staff are told.
    """
    if not can_request_for(user=actor, tender=contribution.tender):
        raise BudgetPermissionDenied(
            _("Only officials of the tender's lead department withdraw its contribution requests.")
        )
    with transaction.atomic():
        tender = _lock_tender(contribution.tender)
        line = _lock_line(contribution.budget_line_id)
        locked = Contribution.objects.select_for_update().get(pk=contribution.pk)
        if locked.status != Status.REQUESTED:
            raise InvalidContributionTransition(
                # Translators: %(status)s is the contribution's status in lower case (approved, rejected, …).
                _("This contribution is already %(status)s; only a request still waiting can be withdrawn.")
                % {"status": str(locked.get_status_display()).lower()}
            )
        if not tender_is_open(tender=tender):
            raise TenderNotOpenForBudget(
                # Translators: %(status)s is the tender's status in lower case (approved, cancelled, …).
                _("Tender %(reference)s is %(status)s: its contributions can no longer be changed.")
                % {"reference": tender.reference, "status": str(tender.get_status_display()).lower()}
            )
        before = line_usage(budget_line=line)
        locked.status = Status.WITHDRAWN
        locked.full_clean()
        locked.save(update_fields=["status"])
        _event(
            action=Action.WITHDRAWN,
            actor=actor,
            budget_line=line,
            contribution=locked,
            tender=tender,
            amount=locked.amount,
            before=before,
            after=line_usage(budget_line=line),
            status_before=Status.REQUESTED,
            status_after=Status.WITHDRAWN,
            comment=comment,
        )
        from notifications.rules import on_contribution_withdrawn

        on_contribution_withdrawn(contribution=locked, actor=actor)
    return locked


def contributions_release_for_cancelled_tender(*, tender, actor) -> None:
    """Called by the tender lifecycle, inside its transaction (tender already locked), when a tender is cancelled.

    Approved → released, requested → withdrawn; the money is available on the lines again. One event each.
    """
    with transaction.atomic():
        line_ids = sorted(
            set(
                Contribution.objects.filter(tender=tender, status__in=(Status.REQUESTED, Status.APPROVED))
                .values_list("budget_line_id", flat=True)
                .order_by()
            )
        )
        now = timezone.now()
        for line_id in line_ids:  # sorted: two cancellations lock shared lines in the same order
            line = _lock_line(line_id)
            for contribution in Contribution.objects.select_for_update().filter(
                tender=tender, budget_line=line, status__in=(Status.REQUESTED, Status.APPROVED)
            ):
                before = line_usage(budget_line=line)
                status_before = contribution.status
                if status_before == Status.APPROVED:
                    contribution.status = Status.RELEASED
                    contribution.released_at = now
                    action = Action.RELEASED
                else:
                    contribution.status = Status.WITHDRAWN
                    action = Action.WITHDRAWN
                contribution.save(update_fields=["status", "released_at"])
                _event(
                    action=action,
                    actor=actor,
                    budget_line=line,
                    contribution=contribution,
                    tender=tender,
                    amount=contribution.amount,
                    before=before,
                    after=line_usage(budget_line=line),
                    status_before=status_before,
                    status_after=contribution.status,
                    comment=CANCELLED_COMMENT,
                )


# --- Need and override ---------------------------------------------------------------------------------------


def tender_need_set(*, tender, fiscal_year: int, budget_type: str, amount, actor) -> TenderNeed | None:
    """Enter the need of one (year, type); zero removes it."""
    if not can_set_need(user=actor, tender=tender):
        raise BudgetPermissionDenied(
            _("Only officials of the lead department or central finance enter the need.")
        )
    try:
        value = to_money(Decimal(str(amount)))
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidAmount(_("Enter the amount as a number, e.g. 12500.00.")) from None
    if value < 0:
        raise InvalidAmount(_("The need cannot be negative."))
    with transaction.atomic():
        tender = _lock_tender(tender)
        if not tender_is_open(tender=tender):
            raise TenderNotOpenForBudget(
                _("Tender %(reference)s can no longer change its need.") % {"reference": tender.reference}
            )
        need = None
        if value == 0:
            TenderNeed.objects.filter(
                tender=tender, fiscal_year=fiscal_year, budget_type=budget_type
            ).delete()
        else:
            need = TenderNeed.objects.filter(
                tender=tender, fiscal_year=fiscal_year, budget_type=budget_type
            ).first()
            need = need or TenderNeed(tender=tender, fiscal_year=fiscal_year, budget_type=budget_type)
            need.amount = value
            need.entered_by = actor
            need.full_clean()
            need.save()
        _event(
            action=Action.NEED_SET,
            actor=actor,
            tender=tender,
            amount=value,
            comment=f"{fiscal_year} {budget_type}",
        )
    return need


def tender_funding_override(*, tender, reason: str, actor) -> FundingOverride:
    """A central finance user records why the tender may be approved despite a funding shortfall."""
    if not can_override(user=actor, tender=tender):
        raise BudgetPermissionDenied(
            _(
                "Only central finance staff who did not prepare the tender (draft, submit, request money) may "
                "record a funding override."
            )
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the override.")})
    with transaction.atomic():
        tender = _lock_tender(tender)
        if not tender_is_open(tender=tender):
            raise TenderNotOpenForBudget(
                _("Tender %(reference)s is no longer awaiting approval.") % {"reference": tender.reference}
            )
        override = FundingOverride(tender=tender, reason=reason, decided_by=actor)
        override.full_clean()
        override.save()
        _event(action=Action.OVERRIDE, actor=actor, tender=tender, comment=reason)
    return override
