"""Bulk budget work (issue 13): request a tender's contributions in one step, decide many in one step, enter a
department's budget lines for a whole contract term.

Each builds on the single-item services of finance.services.budgets, so that one rule stays one rule: the
batch request calls `contribution_request` per row (availability, currency, audit row, notification), the bulk
decision calls `contribution_approve` / `contribution_reject` per row (four-eyes, two approvers, locks), the
term entry calls `budget_line_create` per row (permission, validation, audit row).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy

from departments.models import Department
from finance.exceptions import (
    BatchInvalid,
    BudgetPermissionDenied,
    FinanceError,
    InvalidAmount,
    InvalidContributionTransition,
    TenderNotOpenForBudget,
)
from finance.models import BudgetLine, BudgetType, Contribution
from finance.selectors.budgets import can_manage_lines_of, can_request_for, tender_is_open, to_money
from finance.services.budgets import (
    _lock_line,
    _lock_tender,
    budget_line_create,
    contribution_approve,
    contribution_reject,
    contribution_request,
    not_open_for_requests,
)

Status = Contribution.Status


def _sentence(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


# --- Request a tender's contributions in one step ------------------------------------------------------------


@dataclass(frozen=True)
class BatchRow:
    """One contribution of a batch: `amount` (text or Decimal, validated by the service) of `budget_line`."""

    budget_line: BudgetLine
    amount: Any


# The comment of every contribution requested in one step; stored in English on the audit events, translated
# when shown (finance.templatetags.finance_tags.event_comment).
POOLED_COMMENT = gettext_noop("Pooled in one step.")


def contributions_request_batch(
    *, tender, rows: Sequence[BatchRow], actor, comment: str = POOLED_COMMENT
) -> list[Contribution]:
    """Request every row as a contribution of `tender`, all or nothing, in one transaction.

    Every row is tried — by `contribution_request` itself, so each one is checked, audited and notified like a
    single request — each in a savepoint, and its refusal is kept; if any row is refused, `BatchInvalid` carries
    every refusal by row index and the whole transaction is rolled back (no contribution, event or
    notification stays). Rows may share a line: a later row sees the money the earlier ones hold.
    Whole-batch refusals (permission, tender no longer open, no row) are raised before any row is tried.
    """
    if not rows:
        raise InvalidAmount(_("Choose at least one contribution to request."))
    if not can_request_for(user=actor, tender=tender):
        raise BudgetPermissionDenied(
            _("Only officials of the tender's lead department request contributions.")
        )
    errors: dict[int, str] = {}
    created: list[Contribution] = []
    with transaction.atomic():
        tender = _lock_tender(tender)
        if not tender_is_open(tender=tender):
            raise TenderNotOpenForBudget(not_open_for_requests(tender))
        # Lock every line of the batch now, in id order (after the tender, as everywhere): two batches sharing
        # lines then take them in the same order and cannot deadlock each other.
        for line_id in sorted({row.budget_line.pk for row in rows}):
            _lock_line(line_id)
        for index, row in enumerate(rows):
            try:
                # A savepoint per row: a refused row leaves the transaction usable for trying the next ones.
                with transaction.atomic():
                    created.append(
                        contribution_request(
                            tender=tender,
                            budget_line=row.budget_line,
                            amount=row.amount,
                            actor=actor,
                            comment=comment,
                        )
                    )
            except (FinanceError, ValidationError) as exc:
                errors[index] = _sentence(exc)
        if errors:
            raise BatchInvalid(errors, total=len(rows), what="contribution")
    return created


# --- Decide many contributions in one step -------------------------------------------------------------------


class Outcome:
    APPROVED = "approved"
    FIRST_APPROVAL = "first_approval"
    REJECTED = "rejected"
    REFUSED = "refused"


OUTCOME_LABELS = {
    Outcome.APPROVED: pgettext_lazy("contribution status", "Approved"),
    Outcome.FIRST_APPROVAL: gettext_lazy("First approval recorded: waits for a second approver"),
    Outcome.REJECTED: pgettext_lazy("contribution status", "Rejected"),
    # Translators: a contribution the rules did not let you decide (four-eyes, already decided, …).
    Outcome.REFUSED: pgettext_lazy("decision outcome", "Refused"),
}

MAX_BULK_DECISIONS = 100


@dataclass(frozen=True)
class DecisionResult:
    contribution: Contribution
    outcome: str
    message: str = ""

    @property
    def label(self) -> str:
        return str(OUTCOME_LABELS[self.outcome])


def contributions_decide_batch(
    *, contributions: Iterable[Contribution], decision: str, actor, comment: str = ""
) -> list[DecisionResult]:
    """Approve or reject each contribution through `contribution_approve` / `contribution_reject`, each in
    its own transaction under its own locks, and say per row what happened: approved, first approval recorded
    (it waits for a second approver), rejected, or refused with the rule's sentence (four-eyes, already
    decided, not your department, tender no longer open …).

    Per row on purpose, not all-or-nothing: each row is an independent decision on its own line and
    department, and one refusal (e.g. a colleague decided that row a second earlier) must not undo or block
    the others. Call it outside a transaction, so that each decision commits on its own.
    """
    if decision not in ("approve", "reject"):
        raise InvalidContributionTransition(_("Choose approve or reject."))
    comment = (comment or "").strip()
    if decision == "reject" and not comment:
        raise InvalidContributionTransition(_("Say why the selected contributions are rejected (reason)."))
    chosen = list(contributions)
    if not chosen:
        raise InvalidContributionTransition(_("Select at least one contribution."))
    if len(chosen) > MAX_BULK_DECISIONS:
        raise InvalidContributionTransition(
            _("Decide at most %(limit)d contributions at once (selected %(count)d).")
            % {"limit": MAX_BULK_DECISIONS, "count": len(chosen)}
        )
    results: list[DecisionResult] = []
    # One order for every bulk decision (tender, line, id): the same locks as single decisions, taken the
    # same way, one contribution at a time.
    for contribution in sorted(chosen, key=lambda c: (c.tender_id, c.budget_line_id, c.pk)):
        try:
            if decision == "approve":
                decided = contribution_approve(contribution=contribution, actor=actor, comment=comment)
            else:
                decided = contribution_reject(contribution=contribution, actor=actor, comment=comment)
        except (FinanceError, ValidationError) as exc:
            results.append(DecisionResult(contribution, Outcome.REFUSED, _sentence(exc)))
            continue
        if decided.status == Status.APPROVED:
            outcome = Outcome.APPROVED
        elif decided.status == Status.REJECTED:
            outcome = Outcome.REJECTED
        else:
            outcome = Outcome.FIRST_APPROVAL
        results.append(DecisionResult(decided, outcome))
    return results


# --- Budget lines for a whole contract term ------------------------------------------------------------------

FIRST_FISCAL_YEAR = 2000
LAST_FISCAL_YEAR = 2100
MAX_TERM_YEARS = 40


@dataclass(frozen=True)
class TermLine:
    """The amount of one fiscal year and budget type (text or Decimal, validated by the service)."""

    fiscal_year: int
    budget_type: str
    amount: Any


@dataclass
class TermResult:
    created: list[BudgetLine] = field(default_factory=list)
    existing: list[BudgetLine] = field(
        default_factory=list
    )  # already there: kept as they are, not duplicated


def _line_amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidAmount(_("Enter the amount as a number, e.g. 120000.00.")) from None
    if not amount.is_finite():
        raise InvalidAmount(_("Enter the amount as a number, e.g. 120000.00."))
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidAmount(_("Amounts have at most two decimals (cents)."))
    if amount < 0:
        raise InvalidAmount(_("The amount cannot be negative."))
    return to_money(amount)


def budget_lines_create_for_term(
    *,
    department: Department,
    lines: Sequence[TermLine],
    actor,
    name: str = "General",
    currency: str = "EUR",
    note: str = "",
) -> TermResult:
    """Create `department`'s budget lines for many fiscal years and types at once, all or nothing.

    Every row is checked (year within 2000–2100, CapEx or OpEx, an amount ≥ 0 in cents, no year and type twice,
    the whole range at most 40 years) and every refusal is kept; any refusal raises `BatchInvalid` by row index
    and nothing is saved. A year and type for which the department already has a line (of any name) is not
    duplicated: it is reported in `existing` and kept as it is. Created lines go through `budget_line_create`
    (permission, full_clean, audit event).
    """
    if not can_manage_lines_of(user=actor, department_id=department.pk):
        raise BudgetPermissionDenied(
            _("Only finance staff of this department or central finance enter its budget.")
        )
    if not lines:
        raise InvalidAmount(_("Enter at least one amount."))
    errors: dict[int, str] = {}
    seen: dict[tuple[int, str], int] = {}
    amounts: dict[int, Decimal] = {}
    for index, row in enumerate(lines):
        key = (row.fiscal_year, row.budget_type)
        if (
            not isinstance(row.fiscal_year, int)
            or not FIRST_FISCAL_YEAR <= row.fiscal_year <= LAST_FISCAL_YEAR
        ):
            errors[index] = _("Enter a fiscal year between %(first)d and %(last)d.") % {
                "first": FIRST_FISCAL_YEAR,
                "last": LAST_FISCAL_YEAR,
            }
        elif row.budget_type not in BudgetType.values:
            errors[index] = _("Choose CapEx or OpEx.")
        elif key in seen:
            # Translators: e.g. "2027 OpEx is entered twice."
            errors[index] = _("%(year)s %(type)s is entered twice.") % {
                "year": row.fiscal_year,
                "type": BudgetType(row.budget_type).label,
            }
        else:
            seen[key] = index
            try:
                amounts[index] = _line_amount(row.amount)
            except InvalidAmount as exc:
                errors[index] = str(exc)
    years = [row.fiscal_year for row in lines if isinstance(row.fiscal_year, int)]
    if years and max(years) - min(years) + 1 > MAX_TERM_YEARS and not errors:
        raise InvalidAmount(
            _("Enter at most %(count)d years at once (%(first)s–%(last)s).")
            % {"count": MAX_TERM_YEARS, "first": min(years), "last": max(years)}
        )
    if errors:
        raise BatchInvalid(errors, total=len(lines), what="budget line")
    result = TermResult()
    with transaction.atomic():
        # Lock the department row: two finance users entering the same term at once are serialised, so the
        # second one finds the first one's lines and reports them instead of duplicating them.
        Department.objects.select_for_update().get(pk=department.pk)
        existing = {
            (line.fiscal_year, line.budget_type): line
            for line in BudgetLine.objects.filter(
                department=department, fiscal_year__in=years, budget_type__in=BudgetType.values
            ).order_by("id")
        }
        for index, row in enumerate(lines):
            key = (row.fiscal_year, row.budget_type)
            if key in existing:
                result.existing.append(existing[key])
                continue
            try:
                with transaction.atomic():
                    result.created.append(
                        budget_line_create(
                            department=department,
                            fiscal_year=row.fiscal_year,
                            budget_type=row.budget_type,
                            amount=amounts[index],
                            actor=actor,
                            name=name,
                            currency=currency,
                            note=note,
                        )
                    )
            except (FinanceError, ValidationError) as exc:
                errors[index] = _sentence(exc)
        if errors:
            raise BatchInvalid(errors, total=len(lines), what="budget line")
    return result
