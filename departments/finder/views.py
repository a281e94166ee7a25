"""Browser views of the opportunity finder. Thin: permission check, form, then a service or selector."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .charts import MapCluster, MapPoint, candidates_map
from .exceptions import FinderInputRejected, FinderNotPermitted, NothingToBundle
from .forms import FinderForm
from .models import FinderCandidate, FinderRun

PAGE_SIZE = 25


def _require_finder_user(user) -> None:
    if not selectors.user_may_use_finder(user=user):
        raise PermissionDenied(_("Only officials and finance staff can use the opportunity finder."))


@login_required
@require_http_methods(["GET", "POST"])
def finder_home(request):
    """The parameter form and the latest runs."""
    _require_finder_user(request.user)
    form = FinderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = services.finder_run_request(
                actor=request.user,
                radius_m=data["radius_m"],
                window_years=data["window_years"],
                outcome=data["outcome"],
                synergy=data["synergy_percent"] / Decimal(100),
            )
        except FinderInputRejected as error:
            form.add_service_errors(error.errors)
        else:
            return redirect("finder:run-detail", pk=run.pk)
    return render(
        request,
        "departments/finder/finder.html",
        {"form": form, "runs": selectors.finder_run_list()},
        status=400 if form.errors else 200,
    )


def _page_map(candidates: list[FinderCandidate], points: dict[int, list[dict]]):
    clusters = [
        MapCluster(
            name=str(c.rank),
            url=reverse("finder:candidate-detail", args=[c.pk]),
            title=_("%(rank)s. %(where)s: saves %(saving)s")
            % {"rank": c.rank, "where": c.label or _("candidate"), "saving": intcomma(round(c.savings))},
            points=[
                MapPoint(
                    p["latitude"], p["longitude"], p["department_name"], f"{p['ref']} {p['name']}".strip()
                )
                for p in points.get(c.pk, [])
            ],
        )
        for c in candidates
    ]
    return clusters


@login_required
@require_GET
def finder_run_detail(request, pk: int):
    """A run: its parameters, progress while it works, then the ranked candidates with a map."""
    _require_finder_user(request.user)
    run = get_object_or_404(FinderRun.objects.select_related("outcome", "requested_by"), pk=pk)
    context = {"run": run, "currency": settings.CITY_CURRENCY, "lost": selectors.finder_run_is_lost(run=run)}
    if run.status == FinderRun.Status.SUCCEEDED:
        page = Paginator(selectors.finder_candidates(run=run), PAGE_SIZE).get_page(request.GET.get("page"))
        candidates = list(page.object_list)
        visible = selectors.visible_tender_references(
            user=request.user, references=[c.tender.reference for c in candidates if c.tender_id]
        )
        points = selectors.candidate_points(candidates=candidates)
        clusters = _page_map(candidates, points)
        context |= {
            "page": page,
            "candidates": candidates,
            "map": candidates_map(
                clusters,
                title=_("Map of candidates %(first)s–%(last)s of this run")
                % {"first": page.start_index(), "last": page.end_index()},
            ),
            "map_points": [(c, p) for c in candidates for p in points.get(c.pk, [])],
            "visible_tenders": visible,
        }
    return render(request, "departments/finder/run_detail.html", context)


@login_required
@require_GET
def finder_run_progress(request, pk: int):
    """htmx partial polled every second while the run works; reloads the page when it is done."""
    _require_finder_user(request.user)
    run = get_object_or_404(FinderRun, pk=pk)
    response = render(
        request,
        "departments/finder/_run_progress.html",
        {"run": run, "lost": selectors.finder_run_is_lost(run=run)},
    )
    if run.is_finished and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def finder_candidate_detail(request, pk: int):
    _require_finder_user(request.user)
    try:
        candidate = selectors.finder_candidate_get(pk=pk)
    except FinderCandidate.DoesNotExist:
        from django.http import Http404

        raise Http404(_("No such candidate.")) from None
    run = candidate.run
    assets = list(selectors.candidate_assets(candidate=candidate))
    points = [
        MapPoint(
            float(a.latitude), float(a.longitude), a.department.name, f"{a.external_ref} {a.name}".strip()
        )
        for a in assets
        if a.latitude is not None and a.longitude is not None
    ]
    scenarios = [
        (
            _("Status quo (like-for-like, department by department)"),
            candidate.npv_status_quo,
            None,
            "status_quo",
        ),
        (FinderCandidate.Scenario.CAPEX.label, candidate.npv_capex, None, "capex"),
        (
            FinderCandidate.Scenario.OPEX_SERVICE.label,
            candidate.npv_opex_service,
            candidate.opex_service_bankable,
            "opex_service",
        ),
        (
            FinderCandidate.Scenario.SHARED_SAVINGS.label,
            candidate.npv_shared_savings,
            candidate.shared_savings_bankable,
            "shared_savings",
        ),
    ]
    return render(
        request,
        "departments/finder/candidate_detail.html",
        {
            "run": run,
            "candidate": candidate,
            "explanation": selectors.candidate_explanation(candidate=candidate, run=run),
            "assets": assets,
            "conflicts": selectors.conflicts_for_user(
                user=request.user, conflicts=selectors.candidate_conflicts(candidate=candidate)
            ),
            "tender_visible": candidate.tender_id is not None
            and bool(
                selectors.visible_tender_references(
                    user=request.user, references=[candidate.tender.reference]
                )
            ),
            "scenarios": scenarios,
            "map": candidates_map(
                [MapCluster(name=str(candidate.rank), points=points)],
                title=_("Map of candidate %(rank)s: its assets and outline") % {"rank": candidate.rank},
                detail=True,
            ),
            "may_start_tender": bool(selectors.official_department_ids(user=request.user)),
        },
    )


@login_required
@require_POST
def finder_candidate_tender(request, pk: int):
    """Start a draft tender bundling the candidate's assets; report the ones already bundled elsewhere."""
    _require_finder_user(request.user)
    candidate = get_object_or_404(FinderCandidate, pk=pk)
    try:
        started = services.finder_candidate_start_tender(candidate=candidate, actor=request.user)
    except FinderNotPermitted as error:
        raise PermissionDenied(str(error)) from None
    except NothingToBundle as error:
        messages.error(request, str(error))
        return redirect("finder:candidate-detail", pk=pk)
    tender = started.tender
    if started.existing:
        messages.info(
            request,
            _("A tender was already started from this candidate: %(reference)s.")
            % {"reference": tender.reference},
        )
    else:
        messages.success(
            request,
            _("Draft tender %(reference)s started with %(count)s asset(s) bundled.")
            % {"reference": tender.reference, "count": started.added},
        )
        if started.already_bundled:
            named = selectors.conflicts_for_user(user=request.user, conflicts=started.already_bundled)
            shown = ", ".join(
                _("%(asset)s (in %(tender)s)") % {"asset": a, "tender": t or _("another tender")}
                for a, t in named[:10]
            )
            more = len(started.already_bundled) - 10
            count = len(started.already_bundled)
            if more > 0:
                text = _(
                    "%(count)s asset(s) were left out because they are already in another active tender: "
                    "%(assets)s and %(more)s more."
                ) % {"count": count, "assets": shown, "more": more}
            else:
                text = _(
                    "%(count)s asset(s) were left out because they are already in another active tender: "
                    "%(assets)s."
                ) % {"count": count, "assets": shown}
            messages.warning(request, text)
        if started.no_longer_in_service:
            messages.warning(
                request,
                _("%(count)s asset(s) were left out: no longer in service.")
                % {"count": started.no_longer_in_service},
            )
    return redirect("procurement:tender-detail", reference=tender.reference)
