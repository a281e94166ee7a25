"""Pooling a tender's budget in one step: the proposal of contributions that would cover the chosen financing
scenario's need, per department, fiscal year and budget type, from the budget lines with money available.

Amounts are the tender's currency, nominal, Decimal to the cent. Reads only; the batch request that turns a
(possibly edited) proposal into contributions is finance.services.pooling.contributions_request_batch.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from departments.models import Department
from finance.models import BudgetLine, Contribution, ScenarioCashFlow
from finance.selectors.budgets import HOLDING, ZERO, LineUsage, to_money, with_usage

BUDGET_TYPE_LABELS = {"capex": "CapEx", "opex": "OpEx"}


def _department_name(department: Department | None, code: str) -> str:
    if department is not None:
        return department.name
    # Translators: a department the scenario names by a code that no department has.
    return _("department “%(code)s”") % {"code": code}


def chosen_scenario_need_by_department(*, tender) -> dict[tuple[str, int, str], Decimal] | None:
    """The chosen scenario's yearly cost to the city by (department code, fiscal year, budget type); None when
    no scenario is chosen. The same rows as `chosen_scenario_need` (which sums them over departments)."""
    from finance.selectors.scenarios import financing_choice_for_tender, result_run_id

    choice = financing_choice_for_tender(tender=tender)
    if choice is None:
        return None
    rows = (
        ScenarioCashFlow.objects.filter(run_id=result_run_id(choice.run), scenario=choice.scenario)
        .exclude(budget_type="none")  # the residual value is not a budget flow
        .values("department", "fiscal_year", "budget_type")
        .annotate(total=Sum("nominal"))
        .order_by()
    )
    return {(r["department"], r["fiscal_year"], r["budget_type"]): to_money(r["total"]) for r in rows}


@dataclass(frozen=True)
class ProposedContribution:
    """One editable row of the proposal: ask `amount` of `budget_line` (at most what is available on it)."""

    budget_line: BudgetLine
    available: Decimal
    amount: Decimal


@dataclass
class NeedCell:
    """The need of one department, fiscal year and budget type, what the tender already holds for it, and how
    the proposal covers the rest."""

    department_code: str
    department: Department | None
    fiscal_year: int
    budget_type: str
    need: Decimal
    held: Decimal  # requested + approved contributions of this tender on this department's lines of the cell
    has_lines: bool = False
    proposed: list[ProposedContribution] = field(default_factory=list)

    @property
    def department_name(self) -> str:
        return _department_name(self.department, self.department_code)

    @property
    def label(self) -> str:
        # Translators: e.g. "2027 OpEx of Street lighting".
        return _("%(year)s %(type)s of %(department)s") % {
            "year": self.fiscal_year,
            "type": BUDGET_TYPE_LABELS.get(self.budget_type, self.budget_type),
            "department": self.department_name,
        }

    @property
    def remaining(self) -> Decimal:
        return max(ZERO, self.need - self.held)

    @property
    def proposed_total(self) -> Decimal:
        return sum((p.amount for p in self.proposed), ZERO)

    @property
    def shortfall(self) -> Decimal:
        return max(ZERO, self.remaining - self.proposed_total)


@dataclass(frozen=True)
class MissingLines:
    """Consecutive fiscal years of one department and budget type with a need but no budget line at all
    (typically beyond the city's budget plan): "no budget line for 2032–2038 OpEx of Street lighting"."""

    department_code: str
    department: Department | None
    budget_type: str
    first_year: int
    last_year: int
    need: Decimal

    @property
    def label(self) -> str:
        years = (
            str(self.first_year)
            if self.first_year == self.last_year
            else f"{self.first_year}–{self.last_year}"
        )
        # Translators: e.g. "no budget line for 2032–2038 OpEx of Street lighting" (shown with a capital first).
        return _("no budget line for %(years)s %(type)s of %(department)s") % {
            "years": years,
            "type": BUDGET_TYPE_LABELS.get(self.budget_type, self.budget_type),
            "department": _department_name(self.department, self.department_code),
        }


@dataclass
class PoolingProposal:
    scenario_chosen: bool
    cells: list[NeedCell]
    missing: list[MissingLines]

    @property
    def rows(self) -> list[ProposedContribution]:
        return [p for cell in self.cells for p in cell.proposed]

    @property
    def short_cells(self) -> list[NeedCell]:
        """Cells with budget lines whose available money does not cover the remaining need."""
        return [c for c in self.cells if c.has_lines and c.shortfall > 0]

    @property
    def covered_cells(self) -> list[NeedCell]:
        """Cells the tender's existing requests and approvals already cover."""
        return [c for c in self.cells if c.need > 0 and c.remaining == 0]

    @property
    def total_need(self) -> Decimal:
        return sum((c.need for c in self.cells), ZERO)

    @property
    def total_proposed(self) -> Decimal:
        return sum((p.amount for p in self.rows), ZERO)


def _missing_ranges(cells: list[NeedCell]) -> list[MissingLines]:
    """Group the cells without any budget line into runs of consecutive years per department and type."""
    runs: list[MissingLines] = []
    by_key: dict[tuple[str, str], list[NeedCell]] = defaultdict(list)
    for cell in cells:
        if not cell.has_lines and cell.remaining > 0:
            by_key[(cell.department_code, cell.budget_type)].append(cell)
    for (code, budget_type), group in by_key.items():
        group.sort(key=lambda c: c.fiscal_year)
        start = previous = group[0]
        total = ZERO
        for cell in group:
            if cell is not start and cell.fiscal_year != previous.fiscal_year + 1:
                runs.append(
                    MissingLines(
                        code, start.department, budget_type, start.fiscal_year, previous.fiscal_year, total
                    )
                )
                start, total = cell, ZERO
            total += cell.remaining
            previous = cell
        runs.append(
            MissingLines(code, start.department, budget_type, start.fiscal_year, previous.fiscal_year, total)
        )
    return sorted(runs, key=lambda m: (m.first_year, m.budget_type, m.department_code))


def pooling_proposal(*, tender) -> PoolingProposal:
    """Contributions that would cover the chosen scenario's need, per department, fiscal year and budget type.

    For each cell the remaining need (need − what the tender already requested or was approved on that
    department's lines of that year and type) is asked of the matching lines (same department, year, type and
    currency as the tender) with money available, in line-name order, each up to its availability. A cell whose
    lines cannot cover it keeps a shortfall; a cell without any line is reported in `missing`. Needs of zero or
    less (a year of savings) ask nothing. Five queries, whatever the number of years.
    """
    need = chosen_scenario_need_by_department(tender=tender)
    if need is None:
        return PoolingProposal(scenario_chosen=False, cells=[], missing=[])
    codes = {code for code, _, _ in need}
    departments = {d.code: d for d in Department.objects.filter(code__in=codes)}
    department_ids = [d.pk for d in departments.values()]
    years = {year for _, year, _ in need}
    lines = with_usage(
        BudgetLine.objects.select_related("department").filter(
            department_id__in=department_ids, fiscal_year__in=years, currency=tender.currency
        )
    ).order_by("name", "id")
    lines_by_cell: dict[tuple[int, int, str], list[BudgetLine]] = defaultdict(list)
    for line in lines:
        lines_by_cell[(line.department_id, line.fiscal_year, line.budget_type)].append(line)
    held = {
        (r["budget_line__department_id"], r["budget_line__fiscal_year"], r["budget_line__budget_type"]): r[
            "total"
        ]
        for r in Contribution.objects.filter(tender=tender, status__in=HOLDING)
        .values("budget_line__department_id", "budget_line__fiscal_year", "budget_line__budget_type")
        .annotate(total=Sum("amount"))
        .order_by()
    }

    cells: list[NeedCell] = []
    for (code, year, budget_type), amount in need.items():
        if amount <= 0:
            continue
        department = departments.get(code)
        key = (department.pk if department else None, year, budget_type)
        cell = NeedCell(
            department_code=code,
            department=department,
            fiscal_year=year,
            budget_type=budget_type,
            need=amount,
            held=to_money(held.get(key, ZERO)),
            has_lines=bool(lines_by_cell.get(key)),
        )
        rest = cell.remaining
        for line in lines_by_cell.get(key, []):
            if rest <= 0:
                break
            available = LineUsage(
                amount=line.amount, requested=line.requested_total, approved=line.approved_total
            ).available
            if available <= 0:
                continue
            ask = min(available, rest)
            cell.proposed.append(ProposedContribution(budget_line=line, available=available, amount=ask))
            rest -= ask
        cells.append(cell)
    cells.sort(key=lambda c: (c.fiscal_year, c.budget_type, c.department_name))
    return PoolingProposal(scenario_chosen=True, cells=cells, missing=_missing_ranges(cells))
