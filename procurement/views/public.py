"""Public pages: published tenders for taxpayers. No login; an unpublished tender is a 404 like a missing one."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from config.charts import Bar, horizontal_bars
from config.numbers import money
from config.pagecache import cached_anonymous_page
from config.uploads import attachment_response
from departments.models import Department
from procurement.api.filters import PublishedTenderFilter
from procurement.models import Release
from procurement.publication import selectors
from procurement.selectors import documents as document_selectors

PAGE_SIZE = 20


def public_tender_list(request):
    # The unfiltered list (any page) is cached for anonymous visitors under the public pages' version; a
    # filtered list reads live tables (funding departments, outcomes) and is always rendered.
    page_number = request.GET.get("page", "")
    if set(request.GET) <= {"page"} and len(page_number) <= 6 and page_number.isdigit() | (page_number == ""):
        return cached_anonymous_page(
            request,
            name="public-tender-list",
            # The page is cached per language: a French visitor must not get the English rendering.
            version=f"{selectors.public_pages_version()} {get_language()}",
            template="procurement/public_tender_list.html",
            context=lambda: _public_tender_list_context(request),
        )
    return render(request, "procurement/public_tender_list.html", _public_tender_list_context(request))


def _public_tender_list_context(request) -> dict:
    filterset = PublishedTenderFilter(
        request.GET or None, queryset=selectors.tender_list_published_with_latest()
    )
    filterset.form.fields["department"].widget.attrs["list"] = "department-codes"
    # A bad filter shows its message and no rows (rather than silently ignoring it).
    if filterset.is_bound and not filterset.is_valid():
        queryset = filterset.queryset.none()
    else:
        queryset = filterset.qs.order_by("-published_at", "-id")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    releases = {
        r.id: r for r in Release.objects.filter(id__in=[t.latest_release_id for t in page]).only("id", "data")
    }
    rows = []
    for tender in page:
        data = releases[tender.latest_release_id].data if tender.latest_release_id in releases else {}
        rows.append({"tender": tender, "release": data.get("tender", {})})
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "filter": filterset,
        "page": page,
        "rows": rows,
        "extra_query": (query.urlencode() + "&") if query else "",
        "departments": Department.objects.filter(kind=Department.Kind.SERVICE).only("code", "name"),
    }


def public_tender_detail(request, reference: str):
    # The version is read before the page's data (see public_pages_version); a cached rendering exists only
    # for a tender that was published when it was rendered, and the version includes the tender row.
    version = f"{selectors.public_pages_version(reference=reference)} {get_language()}"

    def context() -> dict:
        tender = selectors.tender_get_published(reference=reference)
        if tender is None:
            raise Http404(_("No published tender with this reference."))
        releases = selectors.release_list_for_tender(tender=tender)
        latest = releases[-1].data
        budget = selectors.pooled_budget_by_department(release=latest)
        currency = latest["tender"].get("value", {}).get("currency", "")
        chart = horizontal_bars(
            [Bar(entry["name"], entry["total"], f"{money(entry['total'])} {currency}") for entry in budget],
            title=_("Pooled budget by department"),
        )
        return {
            "tender": tender,
            "release": latest,
            "ocds_tender": latest["tender"],
            "budget": budget,
            "budget_total": latest["planning"]["budget"]["amount"],
            "chart": chart,
            "plain": selectors.plain_summary(release=latest),
            "releases": releases,
            "scenario": selectors.chosen_scenario(tender=tender),
            "questions": selectors.questions_published(tender=tender),
            "can_answer": selectors.user_can_answer_questions(user=request.user, tender=tender),
        }

    return cached_anonymous_page(
        request,
        name="public-tender-detail",
        version=version,
        template="procurement/public_tender_detail.html",
        context=context,
    )


def public_tender_document(request, reference: str, pk: int):
    """A document of a published tender, for anyone (a download; 404 for any other tender)."""
    document = document_selectors.tender_document_get_public(reference=reference, pk=pk)
    return attachment_response(
        document.file, filename=document_selectors.document_name(document), content_type=document.content_type
    )
