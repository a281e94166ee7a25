"""Browser views of the outcomes app: thin; selectors read, services write, forms validate."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .charts import indicator_chart
from .exceptions import MeasurementImportInvalid, NotAllowed
from .forms import (
    IndicatorForm,
    MeasurementForm,
    MeasurementImportForm,
    OutcomeFilterForm,
    OutcomeForm,
    add_service_errors,
)
from .history import event_summary
from .labels import TRACK_LABELS
from .models import Indicator, Measurement, Outcome
from .progress import trajectory_value

PAGE_SIZE = 20
# The trajectory figure in the data table is shown to two decimals (it is a line, not a measured value).
CENT = Decimal("0.01")


def _outcome_or_404(pk: int) -> Outcome:
    try:
        return selectors.outcome_get(pk=pk)
    except Outcome.DoesNotExist as exc:
        raise Http404(gettext("No such outcome.")) from exc


def _indicator_or_404(pk: int) -> Indicator:
    try:
        return selectors.indicator_get(pk=pk)
    except Indicator.DoesNotExist as exc:
        raise Http404(gettext("No such indicator.")) from exc


@login_required
def outcome_list(request: HttpRequest) -> HttpResponse:
    filters = OutcomeFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    outcomes = selectors.outcome_list(
        user=request.user,
        theme=criteria.get("theme") or "",
        department=criteria.get("department"),
        status=criteria.get("status") or "",
    )
    page = Paginator(outcomes, PAGE_SIZE).get_page(request.GET.get("page"))
    summaries = selectors.progress_summaries(outcomes=page.object_list)
    rows = [(outcome, summaries.get(outcome.pk, [])) for outcome in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "outcomes/outcome_list.html",
        {
            "filters": filters,
            "page_obj": page,
            "rows": rows,
            "filter_query": query.urlencode(),
            "is_filtered": any(criteria.values()) if criteria else False,
            "can_create": selectors.can_create_outcome(user=request.user),
        },
    )


def _indicator_panel(view: selectors.IndicatorView) -> dict:
    indicator = view.indicator
    rows = [
        {
            "label": gettext("Baseline"),
            "period": indicator.baseline_period,
            "value": indicator.baseline_value,
            "trajectory": indicator.baseline_value,
        }
    ]
    for m in view.measurements:
        rows.append(
            {
                "label": gettext("Measurement"),
                "period": m.period,
                "value": m.value,
                "trajectory": trajectory_value(
                    baseline=indicator.baseline_value,
                    baseline_period=indicator.baseline_period,
                    target=indicator.target_value,
                    target_date=indicator.target_date,
                    at=m.period,
                ).quantize(CENT),
                "measurement": m,
            }
        )
    rows.append(
        {
            "label": gettext("Target"),
            "period": indicator.target_date,
            "value": indicator.target_value,
            "trajectory": indicator.target_value,
        }
    )
    chart = indicator_chart(
        chart_id=f"indicator-{indicator.pk}-chart",
        title=f"{indicator.name} ({indicator.unit})",
        unit=indicator.unit,
        baseline=(indicator.baseline_period, indicator.baseline_value),
        target=(indicator.target_date, indicator.target_value),
        measurements=[(m.period, m.value) for m in view.measurements],
    )
    return {
        "indicator": indicator,
        "progress": view.progress,
        "status_label": TRACK_LABELS[view.progress.status.value],
        "baseline_note": selectors.asset_baseline_note_shown(indicator),
        "rows": rows,
        "chart": chart,
    }


@login_required
def outcome_detail(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = _outcome_or_404(pk)
    panels = [_indicator_panel(v) for v in selectors.indicators_with_progress(outcome=outcome)]
    return render(
        request,
        "outcomes/outcome_detail.html",
        {
            "outcome": outcome,
            "panels": panels,
            "events": [(event, event_summary(event)) for event in selectors.outcome_events(outcome=outcome)],
            "can_edit": selectors.can_edit_outcome(user=request.user, outcome=outcome),
            "can_record": selectors.can_record_measurements(user=request.user, outcome=outcome),
            "accepts_measurements": outcome.status != Outcome.Status.RETIRED,
        },
    )


def _outcome_form_fields(form: OutcomeForm) -> dict:
    data = dict(form.cleaned_data)
    return {"contributing_departments": list(data.pop("contributing_departments", [])), **data}


@login_required
@require_http_methods(["GET", "POST"])
def outcome_create(request: HttpRequest) -> HttpResponse:
    if not selectors.can_create_outcome(user=request.user):
        raise PermissionDenied(gettext("Only officials of a department may create outcomes."))
    form = OutcomeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.outcome_create(actor=request.user, **_outcome_form_fields(form))
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                gettext("Outcome “%(title)s” created. Now add its indicators.") % {"title": outcome.title},
            )
            return redirect("outcomes:outcome-detail", pk=outcome.pk)
    return render(request, "outcomes/outcome_form.html", {"form": form, "outcome": None})


@login_required
@require_http_methods(["GET", "POST"])
def outcome_edit(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = _outcome_or_404(pk)
    if not selectors.can_edit_outcome(user=request.user, outcome=outcome):
        raise PermissionDenied(gettext("Only officials of the owner department may edit this outcome."))
    form = OutcomeForm(request.POST or None, instance=outcome, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.outcome_update(
                outcome=outcome, actor=request.user, **_outcome_form_fields(form)
            )
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("Outcome saved."))
            return redirect("outcomes:outcome-detail", pk=outcome.pk)
    return render(request, "outcomes/outcome_form.html", {"form": form, "outcome": outcome})


def _indicator_form_submit(request: HttpRequest, form: IndicatorForm, save) -> Indicator | None:
    try:
        return save(
            baseline_departments=list(form.cleaned_data.get("baseline_departments") or []),
            baseline_categories=list(form.cleaned_data.get("baseline_categories") or []),
            **form.service_fields(),
        )
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def indicator_create(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = _outcome_or_404(pk)
    if not selectors.can_edit_outcome(user=request.user, outcome=outcome):
        raise PermissionDenied(gettext("Only officials of the owner department may add indicators."))
    form = IndicatorForm(request.POST or None, instance=Indicator(outcome=outcome))
    if request.method == "POST" and form.is_valid():
        indicator = _indicator_form_submit(
            request,
            form,
            lambda **fields: services.indicator_create(outcome=outcome, actor=request.user, **fields),
        )
        if indicator is not None:
            messages.success(request, gettext("Indicator “%(name)s” added.") % {"name": indicator.name})
            return redirect("outcomes:outcome-detail", pk=outcome.pk)
    return render(
        request, "outcomes/indicator_form.html", {"form": form, "outcome": outcome, "indicator": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = _indicator_or_404(pk)
    outcome = indicator.outcome
    if not selectors.can_edit_outcome(user=request.user, outcome=outcome):
        raise PermissionDenied(gettext("Only officials of the owner department may edit indicators."))
    form = IndicatorForm(request.POST or None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        saved = _indicator_form_submit(
            request,
            form,
            lambda **fields: services.indicator_update(indicator=indicator, actor=request.user, **fields),
        )
        if saved is not None:
            messages.success(request, gettext("Indicator “%(name)s” saved.") % {"name": saved.name})
            return redirect("outcomes:outcome-detail", pk=outcome.pk)
    return render(
        request,
        "outcomes/indicator_form.html",
        {
            "form": form,
            "outcome": outcome,
            "indicator": indicator,
            "baseline_note": selectors.asset_baseline_note_shown(indicator),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def measurement_create(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = _indicator_or_404(pk)
    outcome = indicator.outcome
    if not selectors.can_record_measurements(user=request.user, outcome=outcome):
        raise PermissionDenied(
            gettext("Only officials of the owner or a contributing department may add measurements.")
        )
    form = MeasurementForm(request.POST or None, instance=Measurement(indicator=indicator))
    if request.method == "POST" and form.is_valid():
        try:
            services.measurement_create(indicator=indicator, actor=request.user, **form.cleaned_data)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, gettext("Measurement for “%(name)s” recorded.") % {"name": indicator.name}
            )
            return redirect("outcomes:outcome-detail", pk=outcome.pk)
    return render(
        request,
        "outcomes/measurement_form.html",
        {"form": form, "outcome": outcome, "indicator": indicator},
    )


@login_required
@require_http_methods(["GET", "POST"])
def measurement_import(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = _outcome_or_404(pk)
    if not selectors.can_record_measurements(user=request.user, outcome=outcome):
        raise PermissionDenied(
            gettext("Only officials of the owner or a contributing department may import measurements.")
        )
    form = MeasurementImportForm(request.POST or None, request.FILES or None)
    import_errors: list[dict] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > services.IMPORT_MAX_BYTES:
            form.add_error(
                "file",
                gettext("The file is larger than %(megabytes)s MB.")
                % {"megabytes": services.IMPORT_MAX_BYTES // 1024 // 1024},
            )
        else:
            try:
                result = services.measurement_import(
                    outcome=outcome,
                    actor=request.user,
                    content=upload.read(),
                    decimal=form.cleaned_data["decimal_separator"],
                )
            except NotAllowed as exc:
                raise PermissionDenied(str(exc)) from exc
            except MeasurementImportInvalid as exc:
                import_errors = exc.errors
                status = 400
            else:
                messages.success(
                    request,
                    gettext("Imported %(created)s new and %(updated)s corrected measurements.")
                    % {"created": result.created, "updated": result.updated},
                )
                return redirect("outcomes:outcome-detail", pk=outcome.pk)
    if request.method == "POST" and not form.is_valid():
        status = 400
    return render(
        request,
        "outcomes/measurement_import.html",
        {
            "form": form,
            "outcome": outcome,
            "import_errors": import_errors,
            "indicators": outcome.indicators.order_by("name"),
        },
        status=status,
    )
