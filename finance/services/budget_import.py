"""Import of budget lines from CSV (pandas): every bad cell is reported, and nothing is saved unless all are good.

Columns: department (code), fiscal_year, budget_type (capex/opex), amount; optional name, currency, note.
Rows upsert by (department, fiscal year, type, name). `row` in an error is the spreadsheet row (header = 1).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
from django.db import transaction

from departments.models import Department
from finance.exceptions import BudgetImportInvalid
from finance.models import BudgetEvent, BudgetLine, BudgetType
from finance.selectors.budgets import ZERO, LineUsage, can_manage_lines_of, line_usage, to_money

REQUIRED = ["department", "fiscal_year", "budget_type", "amount"]
OPTIONAL = ["name", "currency", "note"]
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
# A non-negative amount, at most 16 digits before and 2 after the decimal point (numeric(18, 2)).
_MONEY = re.compile(r"^(\d{1,16}(\.\d{0,2})?|\.\d{1,2})$")


@dataclass
class ImportResult:
    created: int
    updated: int


def budget_lines_import(*, data: bytes, actor) -> ImportResult:
    """Validate the whole file, then write it in one transaction. Raises BudgetImportInvalid with every error."""
    if len(data) > MAX_BYTES:
        raise BudgetImportInvalid([{"row": None, "column": None, "message": "The file is larger than 2 MB."}])
    try:
        frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        message = (
            "The file is empty." if isinstance(exc, pd.errors.EmptyDataError) else "Not a readable CSV file."
        )
        raise BudgetImportInvalid([{"row": None, "column": None, "message": message}]) from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise BudgetImportInvalid(
            [{"row": 1, "column": c, "message": f"Column '{c}' is missing."} for c in missing]
        )
    if len(frame) > MAX_ROWS:
        raise BudgetImportInvalid([{"row": None, "column": None, "message": f"More than {MAX_ROWS} rows."}])
    if frame.empty:
        raise BudgetImportInvalid([{"row": None, "column": None, "message": "The file has no rows."}])
    for column in OPTIONAL:
        if column not in frame.columns:
            frame[column] = ""
    frame = frame.apply(lambda s: s.str.strip())
    departments = {d.code: d for d in Department.objects.filter(code__in=set(frame["department"]))}
    errors: list[dict] = []
    rows: list[dict] = []
    seen: dict[tuple, int] = {}
    for index, record in enumerate(frame.to_dict("records")):
        row = index + 2
        bad = len(errors)

        def error(column: str, message: str, row=row) -> None:
            errors.append({"row": row, "column": column, "message": message})

        department = departments.get(record["department"])
        if not record["department"]:
            error("department", "Enter the department code.")
        elif department is None:
            error("department", f"No department with code '{record['department']}'.")
        elif not can_manage_lines_of(user=actor, department_id=department.pk):
            error("department", f"You may not enter the budget of {department.name}.")
        year = record["fiscal_year"]
        if not re.fullmatch(r"\d{4}", year) or not 2000 <= int(year) <= 2100:
            error("fiscal_year", "Enter a year between 2000 and 2100.")
        if record["budget_type"].lower() not in BudgetType.values:
            error("budget_type", "Enter capex or opex.")
        if not _MONEY.match(record["amount"]):
            error("amount", "Enter a non-negative amount with at most two decimals, e.g. 250000.00.")
        currency = (record["currency"] or "EUR").upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            error("currency", "Enter a three-letter ISO 4217 code, e.g. EUR.")
        name = record["name"] or "General"
        if len(name) > 200:
            error("name", "At most 200 characters.")
        if len(errors) > bad:
            continue
        key = (department.pk, int(year), record["budget_type"].lower(), name)
        if key in seen:
            error("name", f"Same department, year, type and name as row {seen[key]}.")
            continue
        seen[key] = row
        rows.append(
            {
                "row": row,
                "department": department,
                "fiscal_year": int(year),
                "budget_type": record["budget_type"].lower(),
                "name": name,
                "amount": to_money(Decimal(record["amount"])),
                "currency": currency,
                "note": record["note"],
            }
        )
    if errors:
        raise BudgetImportInvalid(errors)
    created = updated = 0
    with transaction.atomic():
        for r in rows:
            line = (
                BudgetLine.objects.select_for_update()
                .filter(
                    department=r["department"],
                    fiscal_year=r["fiscal_year"],
                    budget_type=r["budget_type"],
                    name=r["name"],
                )
                .first()
            )
            if line is None:
                line = BudgetLine(created_by=actor, **{k: v for k, v in r.items() if k != "row"})
                line.full_clean()
                line.save()
                created += 1
                before, action = (
                    LineUsage(amount=ZERO, requested=ZERO, approved=ZERO),
                    BudgetEvent.Action.LINE_CREATED,
                )
            else:
                before, action = line_usage(budget_line=line), BudgetEvent.Action.LINE_UPDATED
                if line.currency != r["currency"] and before.committed > 0:
                    errors.append(
                        {
                            "row": r["row"],
                            "column": "currency",
                            "message": "Money is already promised from this line in " + line.currency + ".",
                        }
                    )
                if r["amount"] < before.committed:
                    errors.append(
                        {
                            "row": r["row"],
                            "column": "amount",
                            "message": f"{before.committed:,.2f} is already requested or approved from this line.",
                        }
                    )
                line.amount, line.currency, line.note = r["amount"], r["currency"], r["note"]
                line.full_clean(exclude=["created_by"])  # lines loaded without a creator stay editable
                line.save()
                updated += 1
            BudgetEvent.objects.create(
                action=action,
                actor=actor,
                budget_line=line,
                amount=line.amount,
                available_before=before.available,
                available_after=line_usage(budget_line=line).available,
                comment="CSV import",
            )
        if errors:
            # Rolls back every row written above: nothing half-saved.
            raise BudgetImportInvalid(errors)
    return ImportResult(created=created, updated=updated)
