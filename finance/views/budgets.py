"""Budget pages: budget lines, CSV import, the approval queue, utilisation, and a tender's budget page.

Thin: they read through finance.selectors.budgets, write through finance.services, and show FinanceError
messages. 404 when the user may not see the object, 403 for a forbidden action on a visible one.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from config.forms import add_service_errors, stash_refused_form, take_refused_form
from config.numbers import money
from departments.models import Department
from finance.exceptions import BudgetImportInvalid, BudgetOvercommitted, BudgetPermissionDenied, FinanceError
from finance.forms_budgets import (
    BudgetLineAmountForm,
    BudgetLineForm,
    BudgetLineImportForm,
    ContributionRequestForm,
    DecisionForm,
    FundingOverrideForm,
    LineFilterForm,
    QueueFilterForm,
    TenderNeedForm,
)
from finance.selectors import budgets as sel
from finance.services import budgets as services
from finance.services.budget_import import budget_lines_import

PAGE_SIZE = 25


def _page(request: HttpRequest, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# --- Budget lines --------------------------------------------------------------------------------------------


@login_required
def budget_line_list(request: HttpRequest) -> HttpResponse:
    lines = sel.budget_line_list_for_user(user=request.user)
    departments = Department.objects.filter(pk__in=lines.values("department_id"))
    form = LineFilterForm(request.GET or None, departments=departments)
    if form.is_valid():
        if form.cleaned_data["department"]:
            lines = lines.filter(department=form.cleaned_data["department"])
        if form.cleaned_data["fiscal_year"]:
            lines = lines.filter(fiscal_year=form.cleaned_data["fiscal_year"])
        if form.cleaned_data["budget_type"]:
            lines = lines.filter(budget_type=form.cleaned_data["budget_type"])
    page = _page(
        request, sel.with_usage(lines).order_by("department__name", "fiscal_year", "budget_type", "name")
    )
    for line in page:
        line.usage = sel.LineUsage(
            amount=line.amount, requested=line.requested_total, approved=line.approved_total
        )
    return render(
        request,
        "finance/budgetline_list.html",
        {
            "page": page,
            "filter_form": form,
            "querystring": _querystring(request),
            "can_enter": sel.manageable_departments(user=request.user).exists(),
        },
    )


@login_required
def budget_line_detail(request: HttpRequest, pk: int) -> HttpResponse:
    line = get_object_or_404(sel.budget_line_list_for_user(user=request.user), pk=pk)
    contributions = line.contributions.select_related(
        "tender", "requested_by", "decided_by", "first_approved_by"
    )
    return render(
        request,
        "finance/budgetline_detail.html",
        {
            "line": line,
            "usage": sel.line_usage(budget_line=line),
            "contributions": contributions,
            "events": sel.budget_events(budget_line=line)[:100],
            "can_edit": sel.can_manage_lines_of(user=request.user, department_id=line.department_id),
        },
    )


@login_required
def budget_line_create(request: HttpRequest) -> HttpResponse:
    if not sel.manageable_departments(user=request.user).exists():
        raise PermissionDenied(_("Only finance staff enter budget lines."))
    form = BudgetLineForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            line = services.budget_line_create(actor=request.user, **form.cleaned_data)
        except BudgetPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Budget line %(line)s saved.") % {"line": line})
            return redirect("finance:budget-line-detail", pk=line.pk)
    return render(request, "finance/budgetline_form.html", {"form": form})


@login_required
def budget_line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a line's amount or note; never below what is already requested or approved from it."""
    line = get_object_or_404(sel.budget_line_list_for_user(user=request.user), pk=pk)
    if not sel.can_manage_lines_of(user=request.user, department_id=line.department_id):
        raise PermissionDenied(
            _("Only finance staff of this department or central finance change its budget.")
        )
    form = BudgetLineAmountForm(request.POST or None, initial={"amount": line.amount, "note": line.note})
    if request.method == "POST" and form.is_valid():
        try:
            services.budget_line_set_amount(
                budget_line=line,
                amount=form.cleaned_data["amount"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except FinanceError as exc:
            form.add_error("amount", str(exc))
        else:
            messages.success(request, _("Budget line updated."))
            return redirect("finance:budget-line-detail", pk=line.pk)
    return render(request, "finance/budgetline_edit.html", {"form": form, "line": line})


@login_required
def budget_line_import(request: HttpRequest) -> HttpResponse:
    if not sel.manageable_departments(user=request.user).exists():
        raise PermissionDenied(_("Only finance staff import budget lines."))
    form = BudgetLineImportForm(request.POST or None, request.FILES or None)
    errors: list[dict] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = budget_lines_import(
                data=form.cleaned_data["file"].read(),
                actor=request.user,
                decimal=form.cleaned_data["decimal_separator"],
            )
        except BudgetImportInvalid as exc:
            errors = exc.errors
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                ngettext(
                    "Imported: %(created)d line(s) created, %(updated)d updated.",
                    "Imported: %(created)d line(s) created, %(updated)d updated.",
                    result.created,
                )
                % {"created": result.created, "updated": result.updated},
            )
            return redirect("finance:budget-line-list")
    return render(request, "finance/budgetline_import.html", {"form": form, "errors": errors})


@login_required
def budget_utilisation(request: HttpRequest) -> HttpResponse:
    lines = sel.budget_line_list_for_user(user=request.user)
    departments = Department.objects.filter(pk__in=lines.values("department_id"))
    form = QueueFilterForm(request.GET or None, departments=departments)
    year = department_id = None
    if form.is_valid():
        year = form.cleaned_data["fiscal_year"]
        department_id = form.cleaned_data["department"].pk if form.cleaned_data["department"] else None
    rows = sel.budget_utilisation(user=request.user, fiscal_year=year, department_id=department_id)
    return render(request, "finance/budget_utilisation.html", {"rows": rows, "filter_form": form})


# --- Approval queue ------------------------------------------------------------------------------------------


@login_required
def approval_queue(request: HttpRequest) -> HttpResponse:
    if not sel.is_finance_user(user=request.user):
        raise PermissionDenied(_("The approval queue is for finance staff."))
    departments = (
        Department.objects.all()
        if sel.is_central_finance(user=request.user)
        else Department.objects.filter(pk__in=sel.finance_department_ids(user=request.user))
    )
    form = QueueFilterForm(request.GET or None, departments=departments)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters["department_id"] = data["department"].pk if data["department"] else None
        filters["fiscal_year"] = data["fiscal_year"]
    # Only what this user may decide: four-eyes exclusions are not offered (DESIGN §10).
    queue = sel.awaiting_decision_by(user=request.user, **filters)
    if form.is_valid() and form.cleaned_data["tender"]:
        queue = queue.filter(Q(tender__reference__icontains=form.cleaned_data["tender"]))
    page = _page(request, queue)
    from finance.views.pooling import pop_bulk_results

    return render(
        request,
        "finance/contribution_queue.html",
        {
            "page": page,
            "filter_form": form,
            "querystring": _querystring(request),
            "bulk_results": pop_bulk_results(request),
        },
    )


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
@require_POST
def contribution_decide(request: HttpRequest, pk: int) -> HttpResponse:
    contribution = get_object_or_404(sel.contribution_list_for_user(user=request.user), pk=pk)
    if not sel.can_decide(user=request.user, budget_line=contribution.budget_line):
        raise PermissionDenied(_("Only finance staff of the line's department or central finance decide it."))
    form = DecisionForm(request.POST)
    error = ""
    if not form.is_valid():
        error = _("Choose approve or reject.")
    else:
        try:
            contribution = services.contribution_decide(
                contribution=contribution,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
                actor=request.user,
            )
        except FinanceError as exc:
            error = str(exc)
    contribution.refresh_from_db()
    if request.htmx:
        # The row offers Approve only to someone four-eyes allows (the same rule the service applies).
        conflict = None
        if contribution.status == contribution.Status.REQUESTED:
            conflict = sel.approval_conflict(
                user=request.user, tender=contribution.tender, contribution=contribution
            )
            contribution.department_draw = sel.tender_draw_from_department(
                tender=contribution.tender, department_id=contribution.budget_line.department_id
            )
            contribution.needs_two = contribution.department_draw > sel.two_approver_threshold()
        return render(
            request,
            "finance/_contribution_row.html",
            {
                "c": contribution,
                "error": error,
                "typed_comment": request.POST.get("comment", "") if error else "",
                "done": not error,
                "conflict": conflict,
                "next": request.POST.get("next", ""),
            },
            status=200,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            # Translators: e.g. "Contribution 12,500.00 is now approved."
            _("Contribution %(amount)s is now %(status)s.")
            % {
                "amount": money(contribution.amount),
                "status": str(contribution.get_status_display()).lower(),
            },
        )
    return redirect(_safe_next(request, reverse("finance:approval-queue")))


@login_required
@require_POST
def contribution_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead department's official takes back a request still waiting; back to the tender's budget page."""
    contribution = get_object_or_404(sel.contribution_list_for_user(user=request.user), pk=pk)
    try:
        services.contribution_withdraw(contribution=contribution, actor=request.user)
    except BudgetPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except FinanceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Request of %(amount)s from %(line)s withdrawn: the money is available on the line again.")
            % {"amount": money(contribution.amount), "line": contribution.budget_line},
        )
    return redirect("finance:contribution-request", reference=contribution.tender.reference)


# --- A tender's budget ---------------------------------------------------------------------------------------


def _tender_for(request: HttpRequest, reference: str):
    tender = sel.tender_list_for_user(user=request.user).filter(reference=reference).first()
    if tender is None:
        raise Http404(_("No such tender."))
    return tender


@login_required
def tender_budget(request: HttpRequest, reference: str) -> HttpResponse:
    """The tender's pooled budget, and the form with which the lead official requests contributions."""
    tender = _tender_for(request, reference)
    can_request = sel.can_request_for(user=request.user, tender=tender) and sel.tender_is_open(tender=tender)
    lines = sel.lines_available_for_tender(tender=tender) if can_request else []
    form = ContributionRequestForm(request.POST or None, lines=lines)
    if request.method == "POST":
        if not can_request:
            raise PermissionDenied(
                _("Only officials of the lead department request contributions for an open tender.")
            )
        if form.is_valid():
            try:
                contribution = services.contribution_request(
                    tender=tender,
                    budget_line=form.cleaned_data["budget_line"],
                    amount=form.cleaned_data["amount"],
                    comment=form.cleaned_data["comment"],
                    actor=request.user,
                )
            except FinanceError as exc:
                form.add_error("amount" if isinstance(exc, BudgetOvercommitted) else None, str(exc))
            else:
                messages.success(
                    request,
                    _("Requested %(amount)s from %(line)s.")
                    % {"amount": money(contribution.amount), "line": contribution.budget_line},
                )
                return redirect("finance:contribution-request", reference=tender.reference)
    return render(
        request,
        "finance/tender_budget.html",
        {
            "tender": tender,
            "on_budget_page": True,
            "form": form if can_request else None,
            "need_form": (
                take_refused_form(request, f"need:{tender.reference}", TenderNeedForm) or TenderNeedForm()
            )
            if sel.can_set_need(user=request.user, tender=tender)
            else None,
            "override_form": (
                take_refused_form(request, f"override:{tender.reference}", FundingOverrideForm)
                or FundingOverrideForm()
            )
            if sel.can_override(user=request.user, tender=tender) and sel.tender_is_open(tender=tender)
            else None,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def tender_need(request: HttpRequest, reference: str) -> HttpResponse:
    tender = _tender_for(request, reference)
    if not sel.can_set_need(user=request.user, tender=tender):
        raise PermissionDenied(_("Only officials of the lead department or central finance enter the need."))
    form = TenderNeedForm(request.POST)
    key = f"need:{tender.reference}"
    if not form.is_valid():
        # Shown on the budget page bound to what was typed, each error at its field (post/redirect/get).
        stash_refused_form(request, key, data=request.POST.dict(), errors={})
    else:
        try:
            services.tender_need_set(tender=tender, actor=request.user, **form.cleaned_data)
        except FinanceError as exc:
            stash_refused_form(request, key, data=request.POST.dict(), errors={NON_FIELD_ERRORS: [str(exc)]})
        else:
            messages.success(request, _("Need saved."))
    return redirect("finance:contribution-request", reference=tender.reference)


@login_required
@require_POST
def tender_override(request: HttpRequest, reference: str) -> HttpResponse:
    tender = _tender_for(request, reference)
    if not sel.can_override(user=request.user, tender=tender):
        raise PermissionDenied(_("Only central finance staff who did not prepare the tender may override."))
    form = FundingOverrideForm(request.POST)
    key = f"override:{tender.reference}"
    if not form.is_valid():
        stash_refused_form(request, key, data=request.POST.dict(), errors={})
    else:
        try:
            services.tender_funding_override(
                tender=tender, reason=form.cleaned_data["reason"], actor=request.user
            )
        except (FinanceError, ValidationError) as exc:
            stash_refused_form(
                request,
                key,
                data=request.POST.dict(),
                errors={"reason": list(getattr(exc, "messages", [str(exc)]))},
            )
        else:
            messages.success(request, _("Funding override recorded."))
    return redirect("finance:contribution-request", reference=tender.reference)
