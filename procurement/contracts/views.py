"""Pages of contracts: city (/contracts/), partner portal (/partner/contracts/), public. Thin: services decide."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from config.charts import Bar, horizontal_bars
from config.numbers import money
from config.spreadsheets import safe_cell
from config.uploads import attachment_response
from procurement.contracts import selectors, services
from procurement.contracts.display import baseline_source_display, certificate_lines_display
from procurement.contracts.exceptions import ContractError
from procurement.contracts.models import (
    Contract,
    PaymentCertificate,
    PerformancePeriod,
    PeriodReport,
    ReportDocument,
    ReportMeasurement,
)
from procurement.proposals.views import model_labels, partner_required


def _contract_for(request, pk: int) -> Contract:
    contract = selectors.contracts_for_user(user=request.user).filter(pk=pk).first()
    if contract is None:
        raise Http404(_("No such contract."))
    return contract


def _period(contract: Contract, number: int) -> PerformancePeriod:
    return get_object_or_404(PerformancePeriod, contract=contract, number=number)


def _show_error(request, error: ContractError) -> None:
    messages.error(request, str(error))


# --- City ---------------------------------------------------------------------------------------------------


@login_required
def contract_list(request):
    from finance.selectors.budgets import is_finance_user

    return render(
        request,
        "contracts/contract_list.html",
        {
            "contracts": selectors.contracts_for_user(user=request.user),
            "reports_waiting": selectors.reports_waiting(user=request.user),
            "certificates_waiting": selectors.certificates_waiting(user=request.user),
            "is_finance": is_finance_user(user=request.user),
        },
    )


@login_required
def contract_detail(request, pk: int):
    contract = _contract_for(request, pk)
    context = selectors.contract_page(contract=contract)
    context["baseline_source"] = baseline_source_display(contract.baseline_source)
    context["financing_model"] = model_labels([contract.financing_model])[0]
    context["may_review"] = services.may_review(user=request.user, contract=contract)
    context["portal"] = False
    return render(request, "contracts/contract_detail.html", context)


@login_required
@require_POST
def measurement_review(request, pk: int, line_pk: int):
    contract = _contract_for(request, pk)
    line = get_object_or_404(ReportMeasurement, pk=line_pk, report__period__contract=contract)
    verified = request.POST.get("decision") == "verify"
    try:
        services.measurement_review(
            line=line, actor=request.user, verified=verified, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("Measurement verified.") if verified else _("Measurement rejected."))
    except ContractError as error:
        _show_error(request, error)
    return redirect("contracts:detail", pk=contract.pk)


@login_required
@require_POST
def costs_review(request, pk: int, report_pk: int):
    contract = _contract_for(request, pk)
    report = get_object_or_404(PeriodReport, pk=report_pk, period__contract=contract)
    verified = request.POST.get("decision") == "verify"
    try:
        services.costs_review(
            report=report, actor=request.user, verified=verified, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("Costs verified.") if verified else _("Costs rejected."))
    except ContractError as error:
        _show_error(request, error)
    return redirect("contracts:detail", pk=contract.pk)


def _certificate_context(contract: Contract, period: PerformancePeriod) -> dict:
    certificate = get_object_or_404(PaymentCertificate.objects.select_related("period"), period=period)
    shown = certificate_lines_display(certificate.lines)
    lines = [line for line in shown if line["kind"] == "line"]
    deductions = [line for line in shown if line["kind"] == "deduction"]
    achievements = [line for line in shown if line["kind"] == "achievement"]
    return {
        "contract": contract,
        "period": period,
        "certificate": certificate,
        "lines": lines,
        "deductions": deductions,
        "achievements": achievements,
    }


@login_required
def certificate_detail(request, pk: int, number: int):
    from finance.selectors.budgets import is_finance_user

    contract = _contract_for(request, pk)
    context = _certificate_context(contract, _period(contract, number))
    context["is_finance"] = is_finance_user(user=request.user)
    context["today"] = timezone.localdate()
    return render(request, "contracts/certificate_detail.html", context)


@login_required
@require_POST
def certificate_approve(request, pk: int, number: int):
    contract = _contract_for(request, pk)
    certificate = get_object_or_404(PaymentCertificate, period=_period(contract, number))
    try:
        done = services.certificate_approve(certificate=certificate, actor=request.user)
        messages.success(
            request,
            _("Approved and charged to the departments' contributions.")
            if done.status == PaymentCertificate.Status.APPROVED
            else _("First approval recorded; a second finance user must approve."),
        )
    except ContractError as error:
        _show_error(request, error)
    return redirect("contracts:certificate", pk=contract.pk, number=number)


@login_required
@require_POST
def certificate_paid(request, pk: int, number: int):
    contract = _contract_for(request, pk)
    certificate = get_object_or_404(PaymentCertificate, period=_period(contract, number))
    try:
        paid_on = datetime.date.fromisoformat(request.POST.get("paid_on", ""))
    except ValueError:
        messages.error(request, _("Enter the payment date as YYYY-MM-DD."))
        return redirect("contracts:certificate", pk=contract.pk, number=number)
    try:
        services.certificate_mark_paid(certificate=certificate, actor=request.user, paid_on=paid_on)
        messages.success(request, _("Marked paid on %(date)s.") % {"date": f"{paid_on:%Y-%m-%d}"})
    except ContractError as error:
        _show_error(request, error)
    return redirect("contracts:certificate", pk=contract.pk, number=number)


@login_required
def evidence_document(request, pk: int, document_pk: int):
    contract = _contract_for(request, pk)
    document = get_object_or_404(ReportDocument, pk=document_pk, report__period__contract=contract)
    return attachment_response(
        document.file, filename=document.original_name, content_type=document.content_type
    )


class InflationForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    inflation = forms.CharField(
        label=gettext_lazy("Inflation"), help_text=gettext_lazy("e.g. 0.021 for 2.1 %")
    )
    energy_change = forms.CharField(
        label=gettext_lazy("Energy change"), help_text=gettext_lazy("e.g. 0.05 for +5 %")
    )
    source = forms.CharField(label=gettext_lazy("Source"), required=False, max_length=200)


@login_required
def inflation(request):
    from finance.selectors.budgets import is_finance_user

    if not is_finance_user(user=request.user):
        raise PermissionDenied(_("Inflation is entered by finance."))
    form = InflationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rate = services.inflation_enter(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Inflation of %(year)s entered.") % {"year": rate.year})
            return redirect("contracts:inflation")
        except ContractError as error:
            for field, problems in error.errors.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
    return render(request, "contracts/inflation.html", {"form": form, "rates": selectors.inflation_history()})


def _ledger_chart(ledger: dict) -> str:
    bars = []
    for row in ledger["rows"]:
        if row["planned"] is not None:
            bars.append(
                Bar(
                    _("%(year)s %(department)s planned") % row,
                    max(row["planned"], 0),
                    money(row["planned"]),
                )
            )
        if row["actual"] is not None:
            bars.append(
                Bar(
                    _("%(year)s %(department)s actual") % row,
                    max(row["actual"], 0),
                    money(row["actual"]),
                )
            )
    return horizontal_bars(
        bars, title=_("City's savings per department and year: planned and actual"), width=720
    )


@login_required
def savings_ledger(request, pk: int):
    contract = _contract_for(request, pk)
    ledger = selectors.actual_savings_ledger(contract=contract)
    return render(
        request,
        "contracts/savings_ledger.html",
        {"contract": contract, "ledger": ledger, "chart": _ledger_chart(ledger) if ledger["rows"] else ""},
    )


LEDGER_COLUMNS = ["year", "department", "planned", "actual"]


def ledger_headers() -> list[str]:
    """The ledger export is read by people, never imported: its headers are in the reader's language (the
    English ones are LEDGER_COLUMNS; docs/decisions.md)."""
    return [
        pgettext("savings ledger column", "year"),
        pgettext("savings ledger column", "department"),
        pgettext("savings ledger column", "planned"),
        pgettext("savings ledger column", "actual"),
    ]


def _ledger_rows(contract: Contract) -> list[list]:
    ledger = selectors.actual_savings_ledger(contract=contract)
    return [[r["year"], r["department"], r["planned"], r["actual"]] for r in ledger["rows"]]


@login_required
def savings_ledger_csv(request, pk: int):
    contract = _contract_for(request, pk)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ledger_headers())
    for row in _ledger_rows(contract):
        writer.writerow([safe_cell("" if v is None else v) for v in row])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{contract.reference}-savings.csv"'
    return response


@login_required
def savings_ledger_xlsx(request, pk: int):
    from openpyxl import Workbook

    contract = _contract_for(request, pk)
    book = Workbook()
    sheet = book.active
    sheet.title = pgettext("spreadsheet sheet name", "Savings")
    sheet.append(ledger_headers())
    for row in _ledger_rows(contract):
        sheet.append([float(v) if isinstance(v, Decimal) else safe_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{contract.reference}-savings.xlsx"'
    return response


# --- Public -------------------------------------------------------------------------------------------------


def public_contract(request, reference: str):
    contract = selectors.public_contract(reference=reference)
    if contract is None:
        raise Http404(_("No such published contract."))
    context = selectors.contract_page(contract=contract)
    certified = [
        r
        for r in context["rows"]
        if r["certificate"] is not None and r["certificate"].status in ("approved", "paid")
    ]
    bars = []
    for r in certified:
        certificate = r["certificate"]
        # Planned: what full achievement would have paid; paid: after the deductions.
        planned = certificate.total_payable + certificate.deductions_total
        r["full"] = planned
        bars.append(
            Bar(_("Period %(number)s planned") % {"number": r["period"].number}, planned, money(planned))
        )
        bars.append(
            Bar(
                _("Period %(number)s paid") % {"number": r["period"].number},
                certificate.total_payable,
                money(certificate.total_payable),
            )
        )
        certificate.lines = certificate_lines_display(certificate.lines)
    context["certified"] = certified
    context["chart"] = (
        horizontal_bars(bars, title=_("Planned and paid per period"), width=640) if bars else ""
    )
    return render(request, "contracts/public_contract.html", context)


# --- Partner portal -----------------------------------------------------------------------------------------


def _partner_contract(request, pk: int) -> Contract:
    contract = (
        Contract.objects.select_related("tender", "organisation")
        .filter(pk=pk, organisation=request.organisation)
        .first()
    )
    if contract is None:
        raise Http404(_("No such contract."))
    return contract


@partner_required
def partner_contracts(request):
    return render(
        request,
        "contracts/partner_contracts.html",
        {
            "contracts": Contract.objects.filter(organisation=request.organisation).select_related("tender"),
            "periods_due": selectors.periods_due(organisation=request.organisation),
            "organisation": request.organisation,
        },
    )


@partner_required
def partner_contract(request, pk: int):
    contract = _partner_contract(request, pk)
    context = selectors.contract_page(contract=contract)
    context["baseline_source"] = baseline_source_display(contract.baseline_source)
    context["financing_model"] = model_labels([contract.financing_model])[0]
    context["portal"] = True
    context["may_review"] = False
    return render(request, "contracts/contract_detail.html", context)


class ReportForm(forms.Form):
    actual_maintenance = forms.CharField(label=gettext_lazy("Actual maintenance cost of the period"))
    actual_energy = forms.CharField(label=gettext_lazy("Actual energy cost of the period"))
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = forms.FileField(required=False, label=gettext_lazy("Evidence document (PDF, CSV, …)"))

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        for line in indicators:
            indicator = line.indicator
            self.fields[f"measurement_{indicator.pk}"] = forms.CharField(
                label=f"{indicator.name} ({indicator.unit})",
                help_text=_("Committed target %(target)s; %(range)s.")
                % {"target": f"{line.committed_value.normalize():f}", "range": indicator.range_words()},
            )


@partner_required
def partner_report(request, pk: int, number: int):
    contract = _partner_contract(request, pk)
    period = _period(contract, number)
    indicators = list(contract.indicators.select_related("indicator"))
    form = ReportForm(request.POST or None, request.FILES or None, indicators=indicators)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        uploads = []
        if data.get("evidence"):
            upload = data["evidence"]
            uploads.append(services.EvidenceUpload(upload.name, upload.read(), upload.name))
        try:
            services.report_submit(
                period=period,
                organisation=request.organisation,
                measurements={
                    line.indicator_id: data.get(f"measurement_{line.indicator_id}") for line in indicators
                },
                actual_maintenance=data["actual_maintenance"],
                actual_energy=data["actual_energy"],
                documents=uploads,
                note=data.get("note", ""),
                user=request.user,
            )
            messages.success(
                request,
                _("Period %(number)s reported; the city will verify each line.") % {"number": period.number},
            )
            return redirect("partner_contracts:detail", pk=contract.pk)
        except ContractError as error:
            for field, problems in error.errors.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
            if not error.errors:
                form.add_error(None, error.message)
    return render(
        request, "contracts/partner_report.html", {"contract": contract, "period": period, "form": form}
    )


@partner_required
def partner_certificate(request, pk: int, number: int):
    contract = _partner_contract(request, pk)
    context = _certificate_context(contract, _period(contract, number))
    context["is_finance"] = False
    context["portal"] = True
    return render(request, "contracts/certificate_detail.html", context)
