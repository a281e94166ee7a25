"""Charging payments to a tender's approved contributions (DESIGN §13). The only writer of ContributionPayment.

Procurement (payment certificates) calls `contributions_charge`; it never writes finance tables itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from config.numbers import money
from finance.exceptions import InvalidAmount, PaymentExceedsApproved
from finance.models import BudgetType, Contribution, ContributionPayment

CENT = Decimal("0.01")


@dataclass(frozen=True)
class DepartmentCharge:
    department_id: int
    department_name: str
    amount: Decimal


def split_by_largest_remainder(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """`total` (cents) in proportion to `weights`, adding to the cent: floors first, the cents left over to the
    largest remainders (ties: the earlier weight)."""
    whole = sum(weights, Decimal("0"))
    if not weights or whole <= 0:
        raise InvalidAmount(_("There is nothing to split the amount over."))
    cents = int((total / CENT).to_integral_value())
    exact = [Decimal(cents) * w / whole for w in weights]
    floors = [int(x.to_integral_value(rounding=ROUND_DOWN)) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[: cents - sum(floors)]:
        floors[i] += 1
    return [Decimal(c) * CENT for c in floors]


def contributions_charge(
    *,
    tender,
    fiscal_year: int,
    budget_type: str,
    amount: Decimal,
    reference: str,
    payee: str,
    actor,
) -> list[DepartmentCharge]:
    """Charge `amount` to the tender's approved contributions of `fiscal_year` and `budget_type`.

    Each contribution pays in proportion to its approved amount (cents by largest remainder). Refused, with
    nothing written, when any contribution would be paid beyond what was approved. Runs in the caller's
    transaction (or its own).
    """
    if budget_type not in BudgetType.values:
        raise InvalidAmount(_("Unknown budget type %(type)r.") % {"type": budget_type})
    if amount < 0 or amount != amount.quantize(CENT):
        raise InvalidAmount(_("A payment is zero or more, in cents."))
    with transaction.atomic():
        # Lock the contributions in id order: two certificates charged at once would otherwise both read the
        # same "already paid" and together pay more than was approved. Id order keeps two lockers deadlock-free.
        contributions = list(
            Contribution.objects.select_for_update(of=("self",))
            .filter(
                tender=tender,
                status=Contribution.Status.APPROVED,
                budget_line__fiscal_year=fiscal_year,
                budget_line__budget_type=budget_type,
            )
            .select_related("budget_line__department")
            .order_by("id")
        )
        if not contributions:
            raise PaymentExceedsApproved(
                # Translators: e.g. "T-2027-0001 has no approved OpEx contributions for 2028: …"
                _(
                    "%(reference)s has no approved %(type)s contributions for %(year)s: nothing can be paid "
                    "from them."
                )
                % {"reference": tender.reference, "type": BudgetType(budget_type).label, "year": fiscal_year}
            )
        if amount == 0:
            return []
        paid = dict(
            ContributionPayment.objects.filter(contribution__in=contributions)
            .values_list("contribution_id")
            .annotate(total=Sum("amount"))
        )
        parts = split_by_largest_remainder(amount, [c.amount for c in contributions])
        problems = []
        for contribution, part in zip(contributions, parts, strict=True):
            left = contribution.amount - paid.get(contribution.pk, Decimal("0"))
            if part > left:
                problems.append(
                    _(
                        "%(department)s would pay %(part)s but has %(left)s left of its approved %(year)s "
                        "%(type)s contribution (%(approved)s)"
                    )
                    % {
                        "department": contribution.budget_line.department.name,
                        "part": money(part),
                        "left": money(left),
                        "year": fiscal_year,
                        "type": BudgetType(budget_type).label,
                        "approved": money(contribution.amount),
                    }
                )
        if problems:
            raise PaymentExceedsApproved(
                # Translators: %(problems)s lists each department's problem, separated by semicolons.
                _("The payment exceeds what finance approved: %(problems)s.")
                % {"problems": "; ".join(problems)}
            )
        by_department: dict[int, DepartmentCharge] = {}
        for contribution, part in zip(contributions, parts, strict=True):
            if part == 0:
                continue
            payment = ContributionPayment(
                contribution=contribution, amount=part, reference=reference, payee=payee, charged_by=actor
            )
            payment.full_clean()
            payment.save()
            department = contribution.budget_line.department
            before = by_department.get(department.pk)
            by_department[department.pk] = DepartmentCharge(
                department.pk, department.name, (before.amount if before else Decimal("0")) + part
            )
        return list(by_department.values())
