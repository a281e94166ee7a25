"""Import of budget lines from CSV (pandas): every bad cell is reported, and nothing is saved unless all are good.

Columns: department (code), fiscal_year, budget_type (capex/opex), amount; optional name, currency, note.
Rows upsert by (department, fiscal year, type, name). `row` in an error is the spreadsheet row (header = 1).
Reading, limits, the header check and error collection are the shared rules of config/tabular.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from config.numbers import money
from config.tabular import (
    DECIMAL_POINT,
    CellError,
    ErrorCollector,
    ImportRejected,
    Limits,
    add_missing_columns,
    check_columns,
    check_rows,
    integer_column,
    money_column,
    read_table,
)
from departments.models import Department
from finance.exceptions import BudgetImportInvalid
from finance.models import BudgetEvent, BudgetLine, BudgetType
from finance.selectors.budgets import ZERO, LineUsage, can_manage_lines_of, line_usage, to_money

REQUIRED = ["department", "fiscal_year", "budget_type", "amount"]
OPTIONAL = ["name", "currency", "note"]
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
# The comment of the audit event an import writes; stored in English, translated when shown
# (finance.templatetags.finance_tags.event_comment).
IMPORT_COMMENT = gettext_noop("CSV import")


def _limits() -> Limits:
    """The import's limits, worded in the language of the request (messages are str.format templates)."""
    return Limits(
        max_bytes=MAX_BYTES,
        max_rows=MAX_ROWS,
        too_large=_("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // 1024 // 1024},
        too_many_rows=_("More than %(count)d rows.") % {"count": MAX_ROWS},
        # Translators: {error} is the CSV reader's own words; keep it as it is.
        unreadable=_("Not a readable CSV file: {error}"),
        empty=_("The file is empty."),
        no_rows=_("The file has no rows."),
    )


@dataclass
class ImportResult:
    created: int
    updated: int


def _rejected(errors: list[CellError]) -> BudgetImportInvalid:
    return BudgetImportInvalid([e.as_dict() for e in errors])


def _validate(frame: pd.DataFrame, *, actor, decimal: str) -> tuple[list[dict], ErrorCollector]:
    """Check every cell of the file (pandas, column by column); return the clean rows and every error."""
    frame = add_missing_columns(frame.reset_index(drop=True), OPTIONAL).apply(lambda s: s.str.strip())
    errors = ErrorCollector()
    year_message = _("Enter a year between 2000 and 2100.")
    amount_message = _("Enter a non-negative amount with at most two decimals, e.g. 250000.00.")
    code = frame["department"]
    departments = {d.code: d for d in Department.objects.filter(code__in=set(code))}
    department = code.map(departments)
    # Asked once per department named in the file, not once per row.
    refused = {c for c, d in departments.items() if not can_manage_lines_of(user=actor, department_id=d.pk)}
    errors.add_mask(code == "", "department", _("Enter the department code."))
    errors.add_mask(
        (code != "") & department.isna(),
        "department",
        lambda i: _("No department with code '%(code)s'.") % {"code": code.iat[i]},
    )
    errors.add_mask(
        code.isin(refused),
        "department",
        lambda i: (
            _("You may not enter the budget of %(department)s.") % {"department": department.iat[i].name}
        ),
    )
    year = integer_column(
        frame["fiscal_year"],
        "fiscal_year",
        errors,
        label=_("Fiscal year"),
        minimum=2000,
        maximum=2100,
        pattern=r"[0-9]{4}",  # ASCII digits: a Unicode "٢٠٢٧" is no year a database stores
        missing=year_message,
        not_whole=year_message,
        too_small=year_message,
        too_large=year_message,
    )
    budget_type = frame["budget_type"].str.lower()
    errors.add_mask(
        ~budget_type.isin(BudgetType.values),
        "budget_type",
        # Translators: capex and opex are the codes the file must contain: keep them as they are.
        _("Enter capex or opex."),
    )
    amount = money_column(
        frame["amount"],
        "amount",
        errors,
        label=_("Amount"),
        decimal=decimal,
        missing=amount_message,
        negative=amount_message,
        invalid=amount_message,
    )
    currency = frame["currency"].where(frame["currency"] != "", "EUR").str.upper()
    errors.add_mask(
        ~currency.str.fullmatch(r"[A-Z]{3}"), "currency", _("Enter a three-letter ISO 4217 code, e.g. EUR.")
    )
    name = frame["name"].where(frame["name"] != "", "General")
    errors.add_mask(name.str.len() > 200, "name", _("At most 200 characters."))

    # Two rows for the same line would overwrite each other: the second (of rows otherwise good) is refused.
    rows: list[dict] = []
    seen: dict[tuple, int] = {}
    for position in range(len(frame)):
        if errors.has_errors_at(position):
            continue
        row = position + 2
        key = (
            department.iat[position].pk,
            int(year.iat[position]),
            budget_type.iat[position],
            name.iat[position],
        )
        if key in seen:
            errors.add(
                CellError(
                    row,
                    "name",
                    _("Same department, year, type and name as row %(row)d.") % {"row": seen[key]},
                )
            )
            continue
        seen[key] = row
        rows.append(
            {
                "row": row,
                "department": department.iat[position],
                "fiscal_year": int(year.iat[position]),
                "budget_type": budget_type.iat[position],
                "name": name.iat[position],
                "amount": to_money(Decimal(amount.iat[position])),
                "currency": currency.iat[position],
                "note": frame["note"].iat[position],
            }
        )
    errors.sort()  # by row; within a row in the order the checks ran (the column order of the file format)
    return rows, errors


def budget_lines_import(*, data: bytes, actor, decimal: str = DECIMAL_POINT) -> ImportResult:
    """Validate the whole file, then write it in one transaction. Raises BudgetImportInvalid with every error.

    `decimal` is the file's decimal separator ("." or ","); see config/tabular.py for the number rule.
    """
    limits = _limits()
    try:
        frame = read_table(data, limits=limits)
    except ImportRejected as rejected:
        raise _rejected(rejected.errors) from None
    problems = check_columns(
        list(frame.columns),
        required=REQUIRED,
        # Translators: {column} is the column's name in the file (e.g. fiscal_year): keep it as it is.
        missing=_("Column '{column}' is missing."),
    )
    problems = problems or check_rows(frame, limits=limits)
    if problems:
        raise _rejected(problems)
    rows, errors = _validate(frame, actor=actor, decimal=decimal)
    if errors:
        raise _rejected(errors.errors)
    created = updated = 0
    late: list[CellError] = []  # what only the stored lines can tell (money already promised from them)
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
                    late.append(
                        CellError(
                            r["row"],
                            "currency",
                            _("Money is already promised from this line in %(currency)s.")
                            % {"currency": line.currency},
                        )
                    )
                if r["amount"] < before.committed:
                    late.append(
                        CellError(
                            r["row"],
                            "amount",
                            _("%(amount)s is already requested or approved from this line.")
                            % {"amount": money(before.committed)},
                        )
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
                comment=IMPORT_COMMENT,
            )
        if late:
            # Rolls back every row written above: nothing half-saved.
            raise _rejected(late)
    return ImportResult(created=created, updated=updated)
