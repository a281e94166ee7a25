"""Demo city step (see finance/demo.py): budget lines for five fiscal years, contributions on the demo tenders.

Idempotent (lines are found by department, year, type and name; a tender that already has contributions is
left alone) and robust: missing users, departments or tenders are logged and skipped.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_noop

from departments.models import Department
from finance.exceptions import FinanceError
from finance.models import BudgetLine, Contribution
from finance.services.budgets import (
    budget_line_create,
    contribution_approve,
    contribution_request,
    tender_need_set,
)

# Stored in English on the demo decisions and their audit events; translated when shown (finance_tags).
DEMO_APPROVAL_COMMENT = gettext_noop("Demo approval")
FIRST_YEAR = 2027
YEARS = range(FIRST_YEAR, FIRST_YEAR + 5)
# department code -> (CapEx, OpEx) appropriation per year, EUR
APPROPRIATIONS = {
    "transport": (Decimal("1200000.00"), Decimal("850000.00")),
    "lighting": (Decimal("900000.00"), Decimal("1400000.00")),
    "safety": (Decimal("400000.00"), Decimal("600000.00")),
    "parks": (Decimal("300000.00"), Decimal("450000.00")),
}
# (department code, budget type, amount, who approves: username or None for pending) per demo tender
CONTRIBUTIONS = [
    ("transport", "opex", Decimal("60000.00"), "theo"),
    ("lighting", "opex", Decimal("45000.00"), "fiona"),
    ("safety", "opex", Decimal("25000.00"), None),
    ("transport", "capex", Decimal("150000.00"), None),  # over the two-approver threshold: awaits two
]


def load(*, log) -> None:
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=["fiona", "theo", "tina"])}
    fiona = users.get("fiona")
    if fiona is None:
        log("skipped: demo user 'fiona' missing (run departments.demo first)")
        return
    departments = {d.code: d for d in Department.objects.filter(code__in=APPROPRIATIONS)}
    created = 0
    for code, (capex, opex) in APPROPRIATIONS.items():
        department = departments.get(code)
        if department is None:
            log(f"department '{code}' missing: no budget lines for it")
            continue
        for year in YEARS:
            for budget_type, amount in (("capex", capex), ("opex", opex)):
                if BudgetLine.objects.filter(
                    department=department, fiscal_year=year, budget_type=budget_type, name="General"
                ).exists():
                    continue
                budget_line_create(
                    department=department,
                    fiscal_year=year,
                    budget_type=budget_type,
                    amount=amount,
                    actor=fiona,
                    note=f"Demo appropriation {year}",
                )
                created += 1
    log(f"{created} budget line(s) created ({len(YEARS)} fiscal years from {FIRST_YEAR})")
    _contributions(log=log, users=users, departments=departments)


def _contributions(*, log, users, departments) -> None:
    from procurement.models import Tender

    tina = users.get("tina")
    if tina is None:
        log("skipped contributions: demo user 'tina' missing")
        return
    tenders = list(
        Tender.objects.filter(
            lead_department__code="transport",
            status__in=["draft", "submitted"],
            title__startswith="Smart, safe",
        ).order_by("pk")
    )
    if not tenders:
        log("no demo tender: no contributions")
        return
    for tender in tenders:
        if Contribution.objects.filter(tender=tender).exists():
            log(f"{tender.reference} already has contributions")
            continue
        try:
            tender_need_set(
                tender=tender,
                fiscal_year=FIRST_YEAR,
                budget_type="opex",
                amount=Decimal("130000.00"),
                actor=tina,
            )
            for code, budget_type, amount, approver in CONTRIBUTIONS:
                if code not in departments:
                    continue
                line = BudgetLine.objects.get(
                    department=departments[code],
                    fiscal_year=FIRST_YEAR,
                    budget_type=budget_type,
                    name="General",
                )
                contribution = contribution_request(
                    tender=tender, budget_line=line, amount=amount, actor=tina
                )
                if approver and approver in users:
                    contribution_approve(
                        contribution=contribution, actor=users[approver], comment=DEMO_APPROVAL_COMMENT
                    )
        except (FinanceError, BudgetLine.DoesNotExist) as error:
            log(f"{tender.reference}: contributions incomplete ({error})")
            continue
        log(f"{tender.reference}: contributions requested (2 approved, 2 pending)")
