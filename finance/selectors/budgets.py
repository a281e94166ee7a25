"""Reads of budget lines, contributions and pooled budgets, and every budget visibility/permission rule.

Amounts are EUR (the line's currency), nominal, Decimal to the cent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import (
    BooleanField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config.numbers import money
from departments.models import Department, Membership
from finance.models import BudgetEvent, BudgetLine, Contribution, FundingOverride, TenderNeed

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
Status = Contribution.Status
# Requests hold money just like approvals: two tenders can never both be promised the same euro.
HOLDING = (Status.REQUESTED, Status.APPROVED)
# A tender's budget may change (requests, decisions, need, override) only while it is being prepared.
OPEN_TENDER_STATUSES = ("draft", "submitted")


def to_money(value) -> Decimal:
    """Quantize to the cent, half up (the rounding a finance officer does by hand)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def two_approver_threshold() -> Decimal:
    """Contributions strictly above this amount need two different finance approvers (setting, EUR)."""
    return to_money(str(getattr(settings, "FINANCE_TWO_APPROVER_THRESHOLD", "100000.00")))


def tender_draw_from_department(*, tender, department_id: int) -> Decimal:
    """What `tender` draws from one department's lines: its requested + approved contributions there (EUR).

    The two-approver rule applies to this total, not to each request: two 60,000 requests on one line are a
    120,000 draw and need two approvers, like one 120,000 request would.
    """
    total = Contribution.objects.filter(
        tender_id=tender.pk, budget_line__department_id=department_id, status__in=HOLDING
    ).aggregate(total=Sum("amount"))["total"]
    return to_money(total or ZERO)


def needs_two_approvers(*, tender, department_id: int) -> bool:
    """True when the tender's draw from the department is strictly above the two-approver threshold."""
    return tender_draw_from_department(tender=tender, department_id=department_id) > two_approver_threshold()


# --- Roles ---------------------------------------------------------------------------------------------------


def _roles(user):
    # One membership query per request, shared with the procurement app (its cache on the user object).
    from procurement.selectors.tenders import user_roles

    return user_roles(user=user)


def is_central_finance(*, user) -> bool:
    return _roles(user).central_finance


def finance_department_ids(*, user) -> set[int]:
    return _roles(user).departments_with(Membership.Role.FINANCE)


def member_department_ids(*, user) -> set[int]:
    return set(_roles(user).by_department)


def is_finance_user(*, user) -> bool:
    return bool(finance_department_ids(user=user)) or getattr(user, "is_superuser", False)


def can_manage_lines_of(*, user, department_id: int) -> bool:
    """Finance staff enter budget lines for their own department; central finance for every department."""
    return is_central_finance(user=user) or department_id in finance_department_ids(user=user)


def manageable_departments(*, user) -> QuerySet[Department]:
    if is_central_finance(user=user):
        return Department.objects.filter(kind=Department.Kind.SERVICE)
    return Department.objects.filter(pk__in=finance_department_ids(user=user), kind=Department.Kind.SERVICE)


def can_decide(*, user, budget_line: BudgetLine) -> bool:
    """Finance staff of the line's department or of the central finance office (four-eyes checked apart)."""
    return can_manage_lines_of(user=user, department_id=budget_line.department_id)


def can_request_for(*, user, tender) -> bool:
    """Officials of the tender's lead department ask for contributions."""
    return _roles(user).by_department.get(tender.lead_department_id) == Membership.Role.OFFICIAL


def can_override(*, user, tender) -> bool:
    """Central finance staff who did not prepare the tender may record a funding override: it lets the tender
    be approved despite a shortfall, so the four-eyes rule of approvals (`approval_conflict`) applies."""
    return is_central_finance(user=user) and approval_conflict(user=user, tender=tender) is None


def can_set_need(*, user, tender) -> bool:
    return can_request_for(user=user, tender=tender) or is_central_finance(user=user)


def tender_is_open(*, tender) -> bool:
    return tender.status in OPEN_TENDER_STATUSES


# --- Four-eyes (DESIGN §2): THE rule of who never approves ----------------------------------------------------
# Whoever prepared a tender — drafted it, submitted it, or requested any of its contributions — never approves
# its contributions nor the tender itself, whatever roles they hold in other departments (an official of
# Transport who is also finance staff of Lighting or of central finance). Roles are not consulted here on
# purpose: this rule only removes people; who may approve at all is `can_decide` / the lifecycle's role table.
# Used by contribution approval (service and queue), tender approval (procurement's lifecycle) and the pages
# that offer an Approve button, so that the service, the queue and the buttons cannot disagree.


def tender_preparer_ids(*, tender) -> set[int]:
    """Ids of the people who prepared `tender`: drafter, submitter, requesters of any of its contributions."""
    ids = {tender.created_by_id, tender.submitted_by_id}
    ids |= set(
        Contribution.objects.filter(tender_id=tender.pk).values_list("requested_by_id", flat=True).order_by()
    )
    ids.discard(None)
    return ids


def approval_conflict(*, user, tender, contribution: Contribution | None = None) -> str | None:
    """Why four-eyes forbids `user` to approve `contribution` of `tender` (or, without a contribution, the
    tender itself); None when it does not. The sentence is shown to the user as it is."""
    words = {"reference": tender.reference}
    if contribution is not None and contribution.requested_by_id == user.pk:
        return _("You requested this contribution; another finance user must decide it.")
    # Whole sentences for the tender and for its contributions (no translated fragment put into a sentence).
    if tender.created_by_id == user.pk:
        if contribution is not None:
            return (
                _("Four-eyes: the person who drafted %(reference)s cannot approve its contributions.") % words
            )
        return _("Four-eyes: the person who drafted %(reference)s cannot approve it.") % words
    if tender.submitted_by_id == user.pk:
        if contribution is not None:
            return (
                _("Four-eyes: the person who submitted %(reference)s cannot approve its contributions.")
                % words
            )
        return _("Four-eyes: the person who submitted %(reference)s cannot approve it.") % words
    if user.pk in tender_preparer_ids(tender=tender):
        if contribution is not None:
            return (
                _(
                    "Four-eyes: you requested contributions for %(reference)s; another finance user must "
                    "approve its contributions."
                )
                % words
            )
        return (
            _(
                "Four-eyes: you requested contributions for %(reference)s; another finance user must approve it."
            )
            % words
        )
    if contribution is not None and contribution.first_approved_by_id == user.pk:
        return _("You gave the first approval; a second, different finance user must approve.")
    return None


def prepared_by_q(*, user, tender_path: str = "") -> Q:
    """The same rule as a filter: rows whose tender (reached through `tender_path`, e.g. "tender"; "" when the
    rows are tenders) `user` prepared. `qs.exclude(prepared_by_q(...))` keeps what the user may approve."""
    prefix = f"{tender_path}__" if tender_path else ""
    requested = Contribution.objects.filter(tender_id=OuterRef(f"{prefix}pk"), requested_by_id=user.pk)
    return (
        Q(**{f"{prefix}created_by_id": user.pk})
        | Q(**{f"{prefix}submitted_by_id": user.pk})
        | Q(Exists(requested))
    )


# --- Visibility ----------------------------------------------------------------------------------------------


def budget_line_list_for_user(*, user) -> QuerySet[BudgetLine]:
    """THE rule for budget lines: members (any role) of the line's department see it; central finance sees all."""
    qs = BudgetLine.objects.select_related("department")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.is_superuser or is_central_finance(user=user):
        return qs
    return qs.filter(department_id__in=member_department_ids(user=user))


def tender_list_for_user(*, user):
    """Tenders the user may see: the procurement app's single rule."""
    from procurement.selectors.tenders import tender_list_for_user as procurement_rule

    return procurement_rule(user=user)


def contribution_list_for_user(*, user) -> QuerySet[Contribution]:
    """Contributions a user may see: those on lines they see, and those of tenders their department leads."""
    qs = Contribution.objects.select_related(
        "tender", "budget_line", "budget_line__department", "requested_by", "decided_by", "first_approved_by"
    )
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.is_superuser or is_central_finance(user=user):
        return qs
    departments = member_department_ids(user=user)
    return qs.filter(
        Q(budget_line__department_id__in=departments) | Q(tender__lead_department_id__in=departments)
    )


# --- Availability --------------------------------------------------------------------------------------------


def _sum(status_q: Q) -> Coalesce:
    return Coalesce(
        Sum("contributions__amount", filter=status_q),
        Value(ZERO),
        output_field=DecimalField(max_digits=18, decimal_places=2),
    )


def with_usage(qs: QuerySet[BudgetLine]) -> QuerySet[BudgetLine]:
    """Annotate requested, approved (EUR) on each line; `available` is computed by `line_available`."""
    return qs.annotate(
        requested_total=_sum(Q(contributions__status=Status.REQUESTED)),
        approved_total=_sum(Q(contributions__status=Status.APPROVED)),
    )


@dataclass(frozen=True)
class LineUsage:
    amount: Decimal
    requested: Decimal
    approved: Decimal

    @property
    def committed(self) -> Decimal:
        return self.requested + self.approved

    @property
    def available(self) -> Decimal:
        """amount − approved − requested, never below zero (to the cent)."""
        return max(ZERO, to_money(self.amount - self.approved - self.requested))


def line_usage(*, budget_line: BudgetLine) -> LineUsage:
    """Current usage of one line, read from the contributions (call under the line's lock when writing)."""
    totals = {
        row["status"]: row["total"]
        for row in Contribution.objects.filter(budget_line_id=budget_line.pk, status__in=HOLDING)
        .values("status")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    return LineUsage(
        amount=to_money(budget_line.amount),
        requested=to_money(totals.get(Status.REQUESTED, ZERO)),
        approved=to_money(totals.get(Status.APPROVED, ZERO)),
    )


def budget_utilisation(
    *, user, fiscal_year: int | None = None, department_id: int | None = None
) -> list[dict]:
    """Per department and fiscal year: amount, requested, approved, available (EUR), over the visible lines."""
    lines = budget_line_list_for_user(user=user)
    if fiscal_year:
        lines = lines.filter(fiscal_year=fiscal_year)
    if department_id:
        lines = lines.filter(department_id=department_id)
    amounts = {
        (r["department_id"], r["fiscal_year"]): r
        for r in lines.values("department_id", "department__name", "fiscal_year")
        .annotate(amount=Sum("amount"))
        .order_by()
    }
    used = defaultdict(lambda: {Status.REQUESTED: ZERO, Status.APPROVED: ZERO})
    for r in (
        Contribution.objects.filter(budget_line__in=lines, status__in=HOLDING)
        .values("budget_line__department_id", "budget_line__fiscal_year", "status")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        used[(r["budget_line__department_id"], r["budget_line__fiscal_year"])][r["status"]] = r["total"]
    rows = []
    for key, r in amounts.items():
        usage = LineUsage(
            amount=to_money(r["amount"]),
            requested=to_money(used[key][Status.REQUESTED]),
            approved=to_money(used[key][Status.APPROVED]),
        )
        rows.append(
            {
                "department": r["department__name"],
                "department_id": r["department_id"],
                "fiscal_year": r["fiscal_year"],
                "amount": usage.amount,
                "requested": usage.requested,
                "approved": usage.approved,
                "available": usage.available,
                "used_percent": int(usage.committed * 100 / usage.amount) if usage.amount else 0,
            }
        )
    return sorted(rows, key=lambda row: (row["department"], row["fiscal_year"]))


def lines_available_for_tender(*, tender) -> list[tuple[BudgetLine, LineUsage]]:
    """Lines an official may ask money from for this tender (same currency), with their availability."""
    lines = with_usage(BudgetLine.objects.select_related("department").filter(currency=tender.currency))
    return [
        (line, LineUsage(amount=line.amount, requested=line.requested_total, approved=line.approved_total))
        for line in lines
    ]


# --- Pooled budget and need ----------------------------------------------------------------------------------


def pooled_budget(*, tender, contributions: list[Contribution] | None = None) -> dict:
    """Approved contributions by fiscal year × type × department, with each department's share of the total.

    Returns {"rows": [{fiscal_year, budget_type, department, amount, share}], "by_department":
    [{department, amount, share}], "by_year": {year: amount}, "total": Decimal}. Shares are percent to 0.1.
    `contributions`: the tender's contributions with their lines and departments, if already loaded.
    """
    if contributions is None:
        contributions = list(
            Contribution.objects.filter(tender=tender, status=Status.APPROVED).select_related(
                "budget_line__department"
            )
        )
    cells: dict[tuple[int, str, str], Decimal] = defaultdict(lambda: ZERO)
    for c in contributions:
        if c.status == Status.APPROVED:
            line = c.budget_line
            cells[(line.fiscal_year, line.budget_type, line.department.name)] += c.amount
    total = sum(cells.values(), ZERO)
    by_department: dict[str, Decimal] = defaultdict(lambda: ZERO)
    by_year: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for (year, _type, department), amount in cells.items():
        by_department[department] += amount
        by_year[year] += amount

    def share(amount: Decimal) -> Decimal:
        return (amount * 100 / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if total else ZERO

    return {
        "rows": [
            {
                "fiscal_year": year,
                "budget_type": budget_type,
                "department": department,
                "amount": to_money(amount),
                "share": share(amount),
            }
            for (year, budget_type, department), amount in sorted(cells.items())
        ],
        "by_department": [
            {"department": name, "amount": to_money(amount), "share": share(amount)}
            for name, amount in sorted(by_department.items())
        ],
        "by_year": dict(sorted(by_year.items())),
        "total": to_money(total),
    }


def budget_plan_last_year() -> int | None:
    """The last fiscal year of the city's budget plan: the latest year any department has a budget line for."""
    return BudgetLine.objects.aggregate(last=Max("fiscal_year"))["last"]


def tender_need_with_source(*, tender) -> tuple[dict[tuple[int, str], Decimal], str]:
    """The tender's need by (fiscal year, budget type) and where it comes from ("scenario" or "entered").

    The chosen financing scenario's need wins; without a chosen scenario, the need entered on the tender.
    """
    from finance.selectors.scenarios import chosen_scenario_need

    need = chosen_scenario_need(tender=tender)
    if need is not None:
        # A scenario runs over the whole horizon (often 30 years), but money can only be pledged from budget
        # lines that exist: the need to cover ends with the city's budget plan (its latest fiscal year with
        # any budget line). Later years are commitments for future budgets, shown on the results page.
        plan_end = budget_plan_last_year()
        return {
            key: to_money(amount) for key, amount in need.items() if plan_end is None or key[0] <= plan_end
        }, "scenario"
    entered = {
        (n.fiscal_year, n.budget_type): to_money(n.amount) for n in TenderNeed.objects.filter(tender=tender)
    }
    return entered, "entered"


def tender_need(*, tender) -> dict[tuple[int, str], Decimal]:
    return tender_need_with_source(tender=tender)[0]


def _covered(*, tender, statuses) -> dict[tuple[int, str], Decimal]:
    covered: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for r in (
        Contribution.objects.filter(tender=tender, status__in=statuses)
        .values("budget_line__fiscal_year", "budget_line__budget_type")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        covered[(r["budget_line__fiscal_year"], r["budget_line__budget_type"])] = r["total"]
    return covered


def funding_gaps(
    *, tender, statuses, need: dict | None = None, contributions: list[Contribution] | None = None
) -> list[dict]:
    """Per (year, type) of the need: need, covered by contributions in `statuses`, and the shortfall (EUR).

    `need` and `contributions` (the tender's, with their lines) may be passed when already loaded.
    """
    if need is None:
        need = tender_need(tender=tender)
    if contributions is None:
        covered = _covered(tender=tender, statuses=statuses)
    else:
        covered = defaultdict(lambda: ZERO)
        for c in contributions:
            if c.status in statuses:
                covered[(c.budget_line.fiscal_year, c.budget_line.budget_type)] += c.amount
    gaps = []
    for (year, budget_type), amount in sorted(need.items()):
        have = to_money(covered[(year, budget_type)])
        gaps.append(
            {
                "fiscal_year": year,
                "budget_type": budget_type,
                "need": amount,
                "covered": have,
                "shortfall": max(ZERO, amount - have),
            }
        )
    return gaps


def tender_override(*, tender) -> FundingOverride | None:
    return FundingOverride.objects.filter(tender=tender).select_related("decided_by").first()


def _label(budget_type: str) -> str:
    return str(dict(BudgetLine._meta.get_field("budget_type").choices).get(budget_type, budget_type))


MAX_LISTED_SHORTFALLS = 5


def _shortened(problems: list[str]) -> list[str]:
    """A 30-year need can be short in every year: list the first few and count the rest."""
    if len(problems) <= MAX_LISTED_SHORTFALLS:
        return problems
    rest = len(problems) - MAX_LISTED_SHORTFALLS
    return [
        *problems[:MAX_LISTED_SHORTFALLS],
        ngettext(
            "… and %(count)d more fiscal year(s) and type(s) short of money.",
            "… and %(count)d more fiscal year(s) and type(s) short of money.",
            rest,
        )
        % {"count": rest},
    ]


def tender_financing_problems(*, tender) -> list[str]:
    """Submission and approval need a chosen financing scenario (its need is what the contributions must
    cover), or a reasoned funding override recorded by finance. Called by the tender lifecycle as a guard."""
    from finance.selectors.scenarios import financing_choice_for_tender

    if financing_choice_for_tender(tender=tender) is None and tender_override(tender=tender) is None:
        return [
            _(
                "Choose a financing scenario (run the scenarios and choose one), or have finance record a "
                "reasoned funding override."
            )
        ]
    return []


def _gap_words(gap: dict) -> dict:
    """The placeholders of a shortfall sentence: year, type label, and the amounts as money."""
    return {
        "year": gap["fiscal_year"],
        "type": _label(gap["budget_type"]),
        "covered": money(gap["covered"]),
        "need": money(gap["need"]),
        "shortfall": money(gap["shortfall"]),
    }


def tender_funding_problems(*, tender, stage: str) -> list[str]:
    """Why the tender's funding does not allow the transition `stage` ("submit" or "approve"); [] when it does.

    Called by the tender lifecycle (procurement.services.tenders) as a guard.
    - submit: contributions requested (or already approved) cover the need per fiscal year and budget type;
    - approve: no contribution is still awaiting a decision, and approved money covers the need per year and
      type — or a finance user recorded a reasoned override (which excuses a shortfall, never a pending
      request). A tender with no need (none entered, no scenario chosen) has nothing to cover.
    """
    if stage == "submit":
        return _shortened(
            [
                _(
                    "Contributions requested for %(year)s %(type)s cover %(covered)s of the %(need)s needed "
                    "(short by %(shortfall)s)."
                )
                % _gap_words(g)
                for g in funding_gaps(tender=tender, statuses=HOLDING)
                if g["shortfall"] > 0
            ]
        )
    if stage == "approve":
        problems = []
        pending = Contribution.objects.filter(tender=tender, status=Status.REQUESTED).count()
        if pending:
            problems.append(
                ngettext(
                    "%(count)d contribution(s) still await a finance decision.",
                    "%(count)d contribution(s) still await a finance decision.",
                    pending,
                )
                % {"count": pending}
            )
        if tender_override(tender=tender) is None:
            problems += _shortened(
                [
                    _(
                        "Approved contributions for %(year)s %(type)s cover %(covered)s of the %(need)s needed "
                        "(short by %(shortfall)s); get more approved or record a funding override."
                    )
                    % _gap_words(g)
                    for g in funding_gaps(tender=tender, statuses=(Status.APPROVED,))
                    if g["shortfall"] > 0
                ]
            )
        return problems
    return []


# --- Queues, events, dashboard -------------------------------------------------------------------------------


def approval_queue(
    *, user, department_id: int | None = None, fiscal_year: int | None = None, tender_id: int | None = None
) -> QuerySet[Contribution]:
    """Requested contributions the user may decide (their lines' departments, or all for central finance)."""
    qs = Contribution.objects.filter(status=Status.REQUESTED).select_related(
        "tender", "budget_line", "budget_line__department", "requested_by", "first_approved_by"
    )
    if not (user.is_superuser or is_central_finance(user=user)):
        qs = qs.filter(budget_line__department_id__in=finance_department_ids(user=user))
    if department_id:
        qs = qs.filter(budget_line__department_id=department_id)
    if fiscal_year:
        qs = qs.filter(budget_line__fiscal_year=fiscal_year)
    if tender_id:
        qs = qs.filter(tender_id=tender_id)
    # What the tender draws from the line's department, in the same query: the row tells the first approver
    # that a second one will be needed (`needs_two_approvers`, the rule the service applies).
    draw = (
        Contribution.objects.filter(
            tender_id=OuterRef("tender_id"),
            budget_line__department_id=OuterRef("budget_line__department_id"),
            status__in=HOLDING,
        )
        .order_by()
        .values("tender_id")
        .annotate(total=Sum("amount"))
        .values("total")[:1]
    )
    qs = qs.annotate(
        department_draw=Subquery(draw, output_field=DecimalField(max_digits=18, decimal_places=2))
    ).annotate(
        needs_two=ExpressionWrapper(
            Q(department_draw__gt=two_approver_threshold()), output_field=BooleanField()
        )
    )
    return qs.order_by("requested_at", "id")


def awaiting_decision_by(*, user, **filters) -> QuerySet[Contribution]:
    """The queue minus what four-eyes forbids this user (`approval_conflict`): contributions of tenders they
    prepared (drafted, submitted, requested any contribution of), and those they gave the first approval of.

    `filters`: department_id, fiscal_year, tender_id as in `approval_queue`.
    """
    return (
        approval_queue(user=user, **filters)
        .exclude(prepared_by_q(user=user, tender_path="tender"))
        .exclude(first_approved_by=user)
    )


def budget_events(*, budget_line: BudgetLine | None = None, tender=None) -> QuerySet[BudgetEvent]:
    qs = BudgetEvent.objects.select_related("actor", "budget_line", "budget_line__department", "tender")
    if budget_line is not None:
        qs = qs.filter(budget_line=budget_line)
    if tender is not None:
        qs = qs.filter(tender=tender)
    return qs


def dashboard_panels(*, user) -> list[dict]:
    """Panels of the finance dashboard: for finance users, the contributions awaiting their decision."""
    if not is_finance_user(user=user):
        return []
    awaiting = awaiting_decision_by(user=user)
    return [
        {
            "template": "finance/_dashboard_contributions.html",
            "title": _("Contributions awaiting your decision"),
            "count": awaiting.count(),
            "contributions": list(awaiting[:10]),
        }
    ]


PANEL_EVENTS = 50


def tender_contributions(*, tender) -> list[Contribution]:
    """Every contribution of a tender (for whoever may see the tender: its pooled budget is not a secret)."""
    return list(
        Contribution.objects.filter(tender=tender)
        .select_related("budget_line__department", "requested_by", "decided_by", "first_approved_by")
        .order_by("id")
    )
