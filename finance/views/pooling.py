"""Bulk budget pages: pool a tender's budget in one step, decide many contributions at once, enter a
department's lines for a whole term. Thin: they read through finance.selectors, write through
finance.services.pooling, and show every refusal next to its row."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from config.numbers import money
from finance.exceptions import BatchInvalid, BudgetPermissionDenied, FinanceError
from finance.forms_pooling import BulkDecisionForm, PoolFormSet, TermForm, TermYearFormSet
from finance.models import BudgetLine, BudgetType
from finance.selectors import budgets as sel
from finance.selectors.pooling import pooling_proposal
from finance.services.pooling import (
    OUTCOME_LABELS,
    BatchRow,
    Outcome,
    TermLine,
    budget_lines_create_for_term,
    contributions_decide_batch,
    contributions_request_batch,
)
from finance.views.budgets import _safe_next, _tender_for

BULK_RESULTS_SESSION_KEY = "finance_bulk_decision_results"


# --- Pool the budget in one step -----------------------------------------------------------------------------


def _describe_rows(formset, tender) -> None:
    """Attach each row's budget line and its availability (one query), and name its inputs for screen readers."""
    ids = set()
    for form in formset.forms:
        value = form["budget_line"].value()
        if str(value).isdigit():
            ids.add(int(value))
    lines = {
        line.pk: line
        for line in sel.with_usage(
            BudgetLine.objects.select_related("department").filter(pk__in=ids, currency=tender.currency)
        )
    }
    for form in formset.forms:
        value = form["budget_line"].value()
        line = lines.get(int(value)) if str(value).isdigit() else None
        form.line = line
        form.available = (
            sel.LineUsage(
                amount=line.amount, requested=line.requested_total, approved=line.approved_total
            ).available
            if line
            else None
        )
        if line:
            request_label = _("Request from %(line)s") % {"line": line}
            amount_label = _("Amount from %(line)s") % {"line": line}
        else:
            request_label, amount_label = _("Request from this line"), _("Amount from this line")
        form.fields["include"].widget.attrs["aria-label"] = request_label
        form.fields["amount"].widget.attrs.update(
            {"aria-label": amount_label, "inputmode": "decimal", "class": "num"}
        )
        if form.errors.get("amount"):
            form.fields["amount"].widget.attrs["aria-invalid"] = "true"
            form.fields["amount"].widget.attrs["aria-describedby"] = f"{form.prefix}-errors"


@login_required
def tender_pool(request: HttpRequest, reference: str) -> HttpResponse:
    """The chosen scenario's need per department, year and type, and the contributions proposed to cover it:
    the lead official edits the amounts, unticks rows, and requests them all in one step (all or nothing)."""
    tender = _tender_for(request, reference)
    if not (sel.can_request_for(user=request.user, tender=tender) and sel.tender_is_open(tender=tender)):
        raise PermissionDenied(_("Only officials of the lead department pool the budget of an open tender."))
    proposal = pooling_proposal(tender=tender)
    form_kwargs = {"lines": BudgetLine.objects.filter(currency=tender.currency)}
    batch_error = ""
    status = 200
    if request.method == "POST":
        formset = PoolFormSet(request.POST, form_kwargs=form_kwargs, prefix="pool")
        if formset.is_valid():
            chosen = [
                (i, f.cleaned_data) for i, f in enumerate(formset.forms) if f.cleaned_data.get("include")
            ]
            try:
                created = contributions_request_batch(
                    tender=tender,
                    rows=[BatchRow(budget_line=d["budget_line"], amount=d["amount"]) for _, d in chosen],
                    actor=request.user,
                )
            except BatchInvalid as exc:
                for row, message in exc.errors.items():
                    formset.forms[chosen[row][0]].add_error("amount", message)
                batch_error = str(exc)
            except BudgetPermissionDenied as exc:
                raise PermissionDenied(str(exc)) from None
            except FinanceError as exc:
                batch_error = str(exc)
            else:
                total = sum((c.amount for c in created), sel.ZERO)
                messages.success(
                    request,
                    ngettext(
                        "Requested %(count)d contribution(s), %(total)s %(currency)s in all; finance has been "
                        "told.",
                        "Requested %(count)d contribution(s), %(total)s %(currency)s in all; finance has been "
                        "told.",
                        len(created),
                    )
                    % {"count": len(created), "total": money(total), "currency": tender.currency},
                )
                return redirect("finance:contribution-request", reference=tender.reference)
        else:
            batch_error = _("Some rows are not valid; nothing was requested. Correct the rows marked below.")
        status = 400
    else:
        formset = PoolFormSet(
            initial=[
                {"include": True, "budget_line": row.budget_line.pk, "amount": row.amount}
                for row in proposal.rows
            ],
            form_kwargs=form_kwargs,
            prefix="pool",
        )
    _describe_rows(formset, tender)
    manageable = set(sel.manageable_departments(user=request.user).values_list("pk", flat=True))
    return render(
        request,
        "finance/tender_pool.html",
        {
            "tender": tender,
            "proposal": proposal,
            "formset": formset,
            "batch_error": batch_error,
            "row_errors": [f for f in formset.forms if f.errors],
            "manageable_department_ids": manageable,
        },
        status=status,
    )


# --- Decide many contributions at once -----------------------------------------------------------------------


@login_required
@require_POST
def approval_bulk(request: HttpRequest) -> HttpResponse:
    """Approve or reject the ticked contributions, each through the single-contribution service; the queue
    then shows per row what happened."""
    if not sel.is_finance_user(user=request.user):
        raise PermissionDenied(_("The approval queue is for finance staff."))
    back = _safe_next(request, reverse("finance:approval-queue"))
    form = BulkDecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(back)
    ids = form.cleaned_data["contribution"]
    visible = {c.pk: c for c in sel.contribution_list_for_user(user=request.user).filter(pk__in=ids)}
    try:
        results = contributions_decide_batch(
            contributions=visible.values(),
            decision=form.cleaned_data["decision"],
            actor=request.user,
            comment=form.cleaned_data["comment"],
        )
    except FinanceError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    rows = [
        {
            "reference": r.contribution.tender.reference,
            "line": str(r.contribution.budget_line),
            "amount": f"{money(r.contribution.amount)} {r.contribution.budget_line.currency}",
            "outcome": r.outcome,
            "label": r.label,
            "message": r.message,
        }
        for r in results
    ]
    rows += [
        {
            "reference": "",
            "line": _("Contribution %(number)s") % {"number": pk},
            "amount": "",
            "outcome": Outcome.REFUSED,
            "label": str(OUTCOME_LABELS[Outcome.REFUSED]),
            "message": _("Not found among the contributions you may see."),
        }
        for pk in ids
        if pk not in visible
    ]
    # Shown once by the queue after the redirect (a reload does not decide anything twice).
    request.session[BULK_RESULTS_SESSION_KEY] = rows
    return redirect(back)


def pop_bulk_results(request: HttpRequest) -> dict | None:
    rows = request.session.pop(BULK_RESULTS_SESSION_KEY, None)
    if not rows:
        return None
    for row in rows:
        # Labelled when shown, in the language of the page (the outcome is the code kept in the session).
        row["label"] = str(OUTCOME_LABELS[row["outcome"]])
    counts = {
        outcome: sum(1 for r in rows if r["outcome"] == outcome)
        for outcome in (Outcome.APPROVED, Outcome.FIRST_APPROVAL, Outcome.REJECTED, Outcome.REFUSED)
    }
    return {"rows": rows, "counts": counts}


# --- Budget lines for a whole term ---------------------------------------------------------------------------


def _term_rows(head: TermForm, years_formset) -> list[TermLine]:
    """The lines to create: from the per-year table when it was sent, else the head's amounts every year."""
    if years_formset is not None:
        rows = []
        for form in years_formset.forms:
            for budget_type in BudgetType.values:
                amount = form.cleaned_data.get(budget_type)
                if amount is not None:
                    rows.append(TermLine(form.cleaned_data["fiscal_year"], budget_type, amount))
        return rows
    data = head.cleaned_data
    return [
        TermLine(year, budget_type, data[f"{budget_type}_each_year"])
        for year in head.years()
        for budget_type in BudgetType.values
        if data[f"{budget_type}_each_year"] is not None
    ]


def _existing_lines(department, years) -> dict[tuple[int, str], BudgetLine]:
    return {
        (line.fiscal_year, line.budget_type): line
        for line in BudgetLine.objects.filter(department=department, fiscal_year__in=years).order_by("-id")
    }


@login_required
def budget_line_term(request: HttpRequest) -> HttpResponse:
    """Enter a department's CapEx and OpEx lines for a range of years: one amount repeated, or per year."""
    if not sel.manageable_departments(user=request.user).exists():
        raise PermissionDenied(_("Only finance staff enter budget lines."))
    if request.method == "POST":
        head = TermForm(request.POST, user=request.user)
    else:
        head = TermForm(initial=request.GET.dict(), user=request.user)
    years_formset = None
    existing: dict = {}
    batch_error = ""
    status = 200
    if request.method == "POST" and head.is_valid():
        department = head.cleaned_data["department"]
        existing = _existing_lines(department, head.years())
        sent_years = "years-TOTAL_FORMS" in request.POST and request.POST.get("action") != "preview"
        if sent_years:
            years_formset = TermYearFormSet(request.POST, prefix="years")
        if request.POST.get("action") == "preview" or (sent_years and not years_formset.is_valid()):
            if not sent_years:
                data = head.cleaned_data
                years_formset = TermYearFormSet(
                    initial=[
                        {
                            "fiscal_year": year,
                            "capex": data["capex_each_year"],
                            "opex": data["opex_each_year"],
                        }
                        for year in head.years()
                    ],
                    prefix="years",
                )
            else:
                batch_error = _("Some years are not valid; nothing was saved.")
                status = 400
        else:
            rows = _term_rows(head, years_formset)
            try:
                result = budget_lines_create_for_term(
                    department=department,
                    lines=rows,
                    actor=request.user,
                    name=head.cleaned_data["name"],
                    currency=head.cleaned_data["currency"],
                )
            except BatchInvalid as exc:
                batch_error = str(exc)
                status = 400
                if years_formset is None:
                    for index, message in exc.errors.items():
                        head.add_error(
                            None,
                            f"{rows[index].fiscal_year} {BudgetType(rows[index].budget_type).label}: {message}",
                        )
                else:
                    by_year = {f.cleaned_data["fiscal_year"]: f for f in years_formset.forms}
                    for index, message in exc.errors.items():
                        by_year[rows[index].fiscal_year].add_error(rows[index].budget_type, message)
            except BudgetPermissionDenied as exc:
                raise PermissionDenied(str(exc)) from None
            except FinanceError as exc:
                batch_error = str(exc)
                status = 400
            else:
                text = ngettext(
                    "%(count)d budget line(s) of %(department)s created.",
                    "%(count)d budget line(s) of %(department)s created.",
                    len(result.created),
                ) % {"count": len(result.created), "department": department}
                if result.existing:
                    kept = ", ".join(
                        f"{line.fiscal_year} {line.get_budget_type_display()}" for line in result.existing
                    )
                    text += " " + _("Already there, kept as they were (not duplicated): %(lines)s.") % {
                        "lines": kept
                    }
                messages.success(request, text)
                return redirect(reverse("finance:budget-line-list") + f"?department={department.pk}")
    elif request.method == "POST":
        status = 400
    if years_formset is not None:
        for form in years_formset.forms:
            year = form["fiscal_year"].value()
            form.year = int(year) if str(year).isdigit() else None
            form.existing = {t: existing.get((form.year, t)) for t in BudgetType.values}
            for budget_type in BudgetType.values:
                form.fields[budget_type].widget.attrs.update(
                    {"aria-label": f"{BudgetType(budget_type).label} {form.year}", "inputmode": "decimal"}
                )
    return render(
        request,
        "finance/budgetline_term.html",
        {"form": head, "years_formset": years_formset, "batch_error": batch_error},
        status=status,
    )
