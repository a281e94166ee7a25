"""Browser views of departments and assets. Thin: permission checks, forms, then a service or selector."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.charts import Bar, horizontal_bars
from config.forms import add_service_errors
from config.numbers import money
from config.uploads import attachment_response

from . import exports, imports, selectors, services
from .exceptions import DepartmentsError, NotAnOfficial
from .filters import AssetFilter
from .forms import AssetForm, AssetImportForm
from .models import Asset, AssetImport, AuditEvent, Department, Membership

PAGE_SIZE = 50
# ?sort= value -> ORDER BY. The default uses the (department_id, external_ref) unique index, so the first
# page of 100,000 assets is read from the index instead of sorting the whole table.
SORTS = {
    "department": ["department_id", "external_ref"],
    "ref": ["external_ref", "id"],
    "category": ["category__name", "id"],
    "area": ["area", "id"],
    "install_year": ["install_year", "id"],
    "end_of_life": ["end_of_life", "id"],
    "replacement_cost": ["replacement_cost", "id"],
    "condition": ["condition", "id"],
}


# ?sort= key and column heading of the asset list.
ASSET_LIST_COLUMNS = [
    ("ref", gettext_lazy("Reference")),
    ("department", gettext_lazy("Department")),
    ("category", gettext_lazy("Category")),
    ("area", gettext_lazy("Area")),
    ("install_year", gettext_lazy("Installed")),
    ("end_of_life", gettext_lazy("End of life")),
    ("replacement_cost", gettext_lazy("Replacement cost")),
    ("condition", gettext_lazy("Condition")),
]


def _require_reader(user) -> None:
    """Officials, viewers and finance staff of any department read every asset; others get 403."""
    if not selectors.user_may_read_assets(user=user):
        raise PermissionDenied(_("Only members of a city department can see the asset inventory."))


def _money(value) -> str:
    return money(value or 0)


@login_required
@require_GET
def department_list(request):
    _require_reader(request.user)
    departments = selectors.department_list_with_totals()
    return render(request, "departments/department_list.html", {"departments": departments})


@login_required
@require_GET
def department_detail(request, code: str):
    _require_reader(request.user)
    department = get_object_or_404(Department, code=code)
    year = timezone.localdate().year
    summary = selectors.department_summary(department=department, current_year=year)
    running_chart = horizontal_bars(
        [
            Bar(r["category__name"], r["running_cost"], _money(r["running_cost"]))
            for r in summary["by_category"]
        ],
        title=_("Yearly running cost by category, %(department)s") % {"department": department.name},
    )
    end_of_life_chart = horizontal_bars(
        [Bar(str(r["year"]), r["count"], intcomma(r["count"])) for r in summary["end_of_life_by_year"]],
        title=_("Assets reaching end of life per year, %(department)s") % {"department": department.name},
    )
    members = Membership.objects.filter(department=department).select_related("user")
    return render(
        request,
        "departments/department_detail.html",
        {
            "department": department,
            "summary": summary,
            "running_chart": running_chart,
            "end_of_life_chart": end_of_life_chart,
            "members": members,
            "year": year,
            "last_year": year + 4,
            "is_official": selectors.user_is_official_of(user=request.user, department=department),
        },
    )


def _filtered_assets(request):
    asset_filter = AssetFilter(request.GET, queryset=selectors.asset_queryset_with_end_of_life())
    sort = request.GET.get("sort", "department")
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    if key not in SORTS:
        key, descending = "department", False
    order = [f"-{f}" if descending else f for f in SORTS[key]]
    queryset = asset_filter.qs.order_by(*order) if asset_filter.is_valid() else asset_filter.queryset.none()
    return asset_filter, queryset, ("-" if descending else "") + key


@login_required
@require_GET
def asset_list(request):
    _require_reader(request.user)
    asset_filter, queryset, sort = _filtered_assets(request)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query_without_sort = query.copy()
    query_without_sort.pop("sort", None)
    official_departments = selectors.departments_where_user_is(
        user=request.user, role=Membership.Role.OFFICIAL
    )
    can_register = official_departments.exists()
    return render(
        request,
        "departments/asset_list.html",
        {
            "filter": asset_filter,
            "page": page,
            "sort": sort,
            "query": query.urlencode(),
            "query_without_sort": query_without_sort.urlencode(),
            "can_register": can_register,
            "columns": ASSET_LIST_COLUMNS,
        },
    )


@login_required
@require_GET
def asset_export(request, fmt: str):
    _require_reader(request.user)
    _filter, queryset, _sort = _filtered_assets(request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    # ?labels=1: headings in the reader's language, for reading; without it the import's column names, so that
    # the file can be edited and imported back (docs/decisions.md, "Asset exports and import columns").
    headers = exports.export_headers() if request.GET.get("labels") else None
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.csv_lines(queryset, headers=headers),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="assets-{stamp}.csv"'
        return response
    response = HttpResponse(
        exports.xlsx_bytes(queryset, headers=headers),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="assets-{stamp}.xlsx"'
    return response


@login_required
@require_GET
def asset_detail(request, pk: int):
    _require_reader(request.user)
    asset = get_object_or_404(selectors.asset_queryset_with_end_of_life(), pk=pk)
    history = AuditEvent.objects.filter(entity="Asset", entity_id=str(asset.pk)).select_related("actor")[:50]
    return render(
        request,
        "departments/asset_detail.html",
        {
            "asset": asset,
            "history": history,
            "can_change": selectors.user_is_official_of(user=request.user, department=asset.department_id),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def asset_create(request):
    _require_reader(request.user)
    departments = selectors.departments_where_user_is(user=request.user, role=Membership.Role.OFFICIAL)
    if not departments.exists():
        raise PermissionDenied(_("Only officials of a department can register assets."))
    form = AssetForm(request.POST or None, departments=departments)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            asset = services.asset_create(
                department=data.pop("department"), category=data.pop("category"), actor=request.user, **data
            )
        except NotAnOfficial as error:
            raise PermissionDenied(str(error)) from error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Asset %(asset)s registered.") % {"asset": asset})
            return redirect("departments:asset-detail", pk=asset.pk)
    return render(request, "departments/asset_form.html", {"form": form, "asset": None})


@login_required
@require_http_methods(["GET", "POST"])
def asset_edit(request, pk: int):
    _require_reader(request.user)
    asset = get_object_or_404(Asset.objects.select_related("department", "category"), pk=pk)
    if not selectors.user_is_official_of(user=request.user, department=asset.department_id):
        raise PermissionDenied(
            _("Only officials of %(department)s can change this asset.") % {"department": asset.department}
        )
    form = AssetForm(request.POST or None, instance=asset)
    if request.method == "POST" and form.is_valid():
        try:
            # The form wrote its values onto `asset`; the service compares them with the stored row.
            services.asset_update(
                asset=Asset.objects.get(pk=pk), actor=request.user, **dict(form.cleaned_data)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Asset %(asset)s saved.") % {"asset": asset})
            return redirect("departments:asset-detail", pk=pk)
    return render(request, "departments/asset_form.html", {"form": form, "asset": asset})


@login_required
@require_POST
def asset_retire(request, pk: int):
    _require_reader(request.user)
    asset = get_object_or_404(Asset.objects.select_related("department"), pk=pk)
    try:
        services.asset_retire(asset=asset, actor=request.user)
    except NotAnOfficial as error:
        raise PermissionDenied(str(error)) from error
    messages.success(request, _("Asset %(asset)s retired.") % {"asset": asset})
    return redirect("departments:asset-detail", pk=pk)


# --- Import --------------------------------------------------------------------------------------------------


def _require_importer(user) -> None:
    if not selectors.user_may_import_assets(user=user):
        raise PermissionDenied(_("Only officials of a department can import assets."))


@login_required
@require_http_methods(["GET", "POST"])
def asset_import(request):
    _require_reader(request.user)
    _require_importer(request.user)
    form = AssetImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.asset_import_start(
                file=form.cleaned_data["file"],
                actor=request.user,
                decimal=form.cleaned_data["decimal_separator"],
            )
        except NotAnOfficial as error:
            raise PermissionDenied(str(error)) from error
        except DepartmentsError as error:
            form.add_error("file", str(error))
        else:
            return redirect("departments:asset-import-detail", pk=job.pk)
    recent = AssetImport.objects.filter(uploaded_by=request.user)[:10]
    return render(
        request,
        "departments/asset_import_form.html",
        {
            "form": form,
            "recent": recent,
            "columns": imports.ALL_COLUMNS,
            "required": imports.REQUIRED_COLUMNS,
            "max_size": imports.human_size(imports.max_bytes()),
            "max_rows": imports.max_rows(),
            "departments": selectors.departments_where_user_is(
                user=request.user, role=Membership.Role.OFFICIAL
            ),
        },
    )


@login_required
@require_GET
def asset_import_template(request):
    response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="asset-import-template.csv"'
    return response


def _import_context(request, pk: int) -> dict:
    try:
        job = selectors.asset_import_get(pk=pk, user=request.user)
    except AssetImport.DoesNotExist:
        from django.http import Http404

        raise Http404(_("No such import.")) from None
    return {
        "job": job,
        "finished": job.status in (AssetImport.Status.SUCCEEDED, AssetImport.Status.FAILED),
        "more_errors": max(0, job.error_count - len(job.errors)),
        "stuck": selectors.asset_import_is_stuck(asset_import=job),
        "list_url": reverse("departments:asset-list"),
    }


@login_required
@require_GET
def asset_import_detail(request, pk: int):
    context = _import_context(request, pk)
    template = (
        "departments/_asset_import_status.html" if request.htmx else "departments/asset_import_detail.html"
    )
    return render(request, template, context)


@login_required
@require_POST
def asset_import_retry(request, pk: int):
    job = _import_context(request, pk)["job"]
    try:
        services.asset_import_requeue(asset_import=job, actor=request.user)
    except DepartmentsError as error:
        messages.warning(request, str(error))
    else:
        messages.success(
            request, _("The import of %(name)s was started again.") % {"name": job.original_name}
        )
    return redirect("departments:asset-import-detail", pk=pk)


@login_required
@require_GET
def asset_import_file(request, pk: int):
    """The uploaded file of an import, for whoever may see the import (its uploader); 404 for anyone else."""
    job = _import_context(request, pk)["job"]
    return attachment_response(job.file, filename=job.original_name)
