"""The finder's pages: who may see them, the form's errors beside their fields, results, map, starting a tender."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.finder.models import FinderCandidate, FinderRun
from procurement.models import Tender

FINDER = reverse("finder:finder")


def post_form(client, **data):
    values = {"radius_m": "150", "window_years": "3", "outcome": "", "synergy_percent": "10"}
    values.update(data)
    return client.post(FINDER, values)


def test_officials_and_finance_staff_see_the_finder(city, client_for, transport_official, finance_officer):
    assert client_for(transport_official).get(FINDER).status_code == 200
    assert client_for(finance_officer).get(FINDER).status_code == 200


def test_a_viewer_gets_403_everywhere(
    city, client_for, transport_viewer, transport_official, django_capture_on_commit_callbacks
):
    from departments.finder.services import finder_run_request

    with django_capture_on_commit_callbacks(execute=True):
        run = finder_run_request(actor=transport_official)
    candidate = run.candidates.get()
    client = client_for(transport_viewer)
    for url in (
        FINDER,
        reverse("finder:run-detail", args=[run.pk]),
        reverse("finder:run-progress", args=[run.pk]),
        reverse("finder:candidate-detail", args=[candidate.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("finder:candidate-tender", args=[candidate.pk])).status_code == 403
    assert post_form(client).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(anonymous):
    response = anonymous.get(FINDER)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_navigation_offers_the_finder(city, client_for, transport_official):
    assert f'href="{FINDER}"' in client_for(transport_official).get(reverse("home")).content.decode()


def test_running_the_finder_shows_the_ranked_candidates_and_a_map(
    city, client_for, transport_official, django_capture_on_commit_callbacks
):
    client = client_for(transport_official)
    with django_capture_on_commit_callbacks(execute=True):  # no broker: the job runs inline on commit
        response = post_form(client)
    assert response.status_code == 302
    run = FinderRun.objects.get()
    assert response["Location"] == reverse("finder:run-detail", args=[run.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="candidate-table"' in page
    assert "Route 5" in page and "Transport (1), Public safety (1), Street lighting (2)" in page
    assert '<svg class="chart finder-map"' in page and "<polygon" not in page  # rings on the overview map
    assert 'data-testid="map-table"' in page  # the table alternative
    assert "within <strong>150 m</strong>" in page


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"radius_m": "5"}, "radius_m", "The radius must be between 10 and 2,000 metres."),
        ({"window_years": "12"}, "window_years", "The end-of-life window must be between 0 and 10 years."),
        ({"synergy_percent": "80"}, "synergy_percent", "The synergy must be between 0% and 50%."),
        ({"radius_m": "a lot"}, "radius_m", "Enter a whole number."),
    ],
)
def test_each_error_is_shown_next_to_its_field(city, client_for, transport_official, data, field, words):
    response = post_form(client_for(transport_official), **data)
    assert response.status_code == 400
    form = response.context["form"]
    assert words in form.errors[field]
    html = response.content.decode()
    # The message follows the field's input, inside the same paragraph.
    field_at = html.index(f'id="id_{field}"')
    assert html.index(words, field_at) < html.index("</p>", field_at)
    assert not FinderRun.objects.exists()


def test_an_outcome_without_categories_is_refused_beside_the_outcome(
    city, client_for, transport_official, transport
):
    from tests.factories import OutcomeFactory

    outcome = OutcomeFactory(title="Step-free access", owner_department=transport)
    response = post_form(client_for(transport_official), outcome=str(outcome.pk))
    assert response.status_code == 400
    assert "names no asset categories" in response.context["form"].errors["outcome"][0]


def test_a_single_department_is_explained_above_the_form(lone_lights, client_for, transport_official):
    response = post_form(client_for(transport_official))
    assert response.status_code == 400
    assert "at least two departments" in response.context["form"].non_field_errors()[0]


def test_the_progress_partial_polls_while_running_and_reloads_when_done(city, client_for, transport_official):
    from departments.finder.services import finder_run_request

    run = finder_run_request(actor=transport_official, enqueue=False)
    client = client_for(transport_official)
    url = reverse("finder:run-progress", args=[run.pk])
    running = client.get(url, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in running.content.decode() and "HX-Refresh" not in running
    FinderRun.objects.filter(pk=run.pk).update(status=FinderRun.Status.SUCCEEDED, progress=100)
    done = client.get(url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"


def test_a_failed_run_shows_its_reason(city, client_for, transport_official):
    from departments.finder.services import finder_run_mark_failed, finder_run_request

    run = finder_run_request(actor=transport_official, enqueue=False)
    finder_run_mark_failed(run_id=run.pk, message="Only one department (Street lighting) has assets.")
    page = client_for(transport_official).get(reverse("finder:run-detail", args=[run.pk])).content.decode()
    assert "The scan failed" in page and "Only one department (Street lighting) has assets." in page


def test_the_candidate_page_explains_it_and_starts_a_tender(
    city, client_for, transport_official, django_capture_on_commit_callbacks
):
    from departments.finder.services import finder_run_request

    with django_capture_on_commit_callbacks(execute=True):
        run = finder_run_request(actor=transport_official)
    candidate = run.candidates.get()
    client = client_for(transport_official)
    page = client.get(reverse("finder:candidate-detail", args=[candidate.pk])).content.decode()
    assert "4 assets of Transport, Public safety and Street lighting stand within 150 m" in page
    assert "Start a tender from this" in page and "<polygon" in page
    response = client.post(reverse("finder:candidate-tender", args=[candidate.pk]), follow=True)
    tender = Tender.objects.get()
    assert response.redirect_chain[-1][0] == reverse("procurement:tender-detail", args=[tender.reference])
    assert f"Draft tender {tender.reference} started with 4 asset(s) bundled." in response.content.decode()


def test_finance_staff_see_candidates_but_no_tender_button(
    city, client_for, finance_officer, django_capture_on_commit_callbacks
):
    from departments.finder.services import finder_run_request

    with django_capture_on_commit_callbacks(execute=True):
        run = finder_run_request(actor=finance_officer)
    candidate = run.candidates.get()
    client = client_for(finance_officer)
    page = client.get(reverse("finder:candidate-detail", args=[candidate.pk])).content.decode()
    assert "Start a tender from this" not in page
    assert client.post(reverse("finder:candidate-tender", args=[candidate.pk])).status_code == 403


def _run_with_candidates(count: int, *, transport, lighting, make_asset) -> FinderRun:
    """A stored run with `count` candidates of two located assets each (the job is not what is measured here)."""
    run = FinderRun.objects.create(
        params_hash=f"x{count}", status=FinderRun.Status.SUCCEEDED, candidate_count=count
    )
    money = Decimal("1000.00")
    rows = []
    for k in range(count):
        assets = [
            make_asset(transport, "bus-shelter", north_m=300 * k),
            make_asset(lighting, "street-light", north_m=300 * k + 20),
        ]
        rows.append(
            FinderCandidate(
                run=run,
                rank=k + 1,
                kind=FinderCandidate.Kind.NEARBY,
                label=f"Stop {k}",
                asset_ids=[a.pk for a in assets],
                asset_count=2,
                departments=[
                    {"code": "transport", "name": "Transport", "count": 1, "replacement_cost": "9000.00"},
                    {"code": "lighting", "name": "Street lighting", "count": 1, "replacement_cost": "450.00"},
                ],
                department_count=2,
                categories=["Bus shelter", "Street light"],
                end_of_life_first=2027,
                end_of_life_last=2027,
                latitude=50.8,
                longitude=4.3,
                spread_m=10,
                replacement_cost_due=money,
                npv_status_quo=money,
                npv_capex=money,
                npv_opex_service=money,
                npv_shared_savings=money,
                opex_service_bankable=True,
                shared_savings_bankable=False,
                best_scenario="capex",
                best_npv=money,
                savings=Decimal("0.00"),
            )
        )
    FinderCandidate.objects.bulk_create(rows)
    return run


def test_the_result_page_needs_the_same_few_queries_for_5_or_50_candidates(
    client_for, transport_official, transport, lighting, make_asset
):
    client = client_for(transport_official)
    client.get(FINDER)  # warm the session
    counts = []
    for count in (5, 50):
        run = _run_with_candidates(count, transport=transport, lighting=lighting, make_asset=make_asset)
        url = reverse("finder:run-detail", args=[run.pk])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert response.content.decode().count('data-testid="candidate-row"') == min(count, 25)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 20


def test_a_draft_tender_is_named_only_to_those_who_may_see_it(
    city, client_for, transport_official, finance_officer, django_capture_on_commit_callbacks
):
    from departments.finder.services import finder_run_request
    from tests.factories import TenderAssetFactory, TenderFactory

    with django_capture_on_commit_callbacks(execute=True):
        run = finder_run_request(actor=finance_officer)
    candidate = run.candidates.get()
    draft = TenderFactory(lead_department=city["bus_stop"][0].department, status=Tender.Status.DRAFT)
    TenderAssetFactory(tender=draft, asset=city["bus_stop"][0])
    url = reverse("finder:candidate-detail", args=[candidate.pk])
    official_page = client_for(transport_official).get(url).content.decode()
    assert draft.reference in official_page  # a member of the lead department sees the draft
    finance_page = client_for(finance_officer).get(url).content.decode()
    assert draft.reference not in finance_page and "(in another tender)" in finance_page


def test_a_scan_lost_by_its_worker_is_said_to_be_lost_and_a_new_request_starts_afresh(
    city, client_for, transport_official
):
    import datetime

    from departments.finder.services import finder_run_request

    run = finder_run_request(actor=transport_official, enqueue=False)
    FinderRun.objects.filter(pk=run.pk).update(
        status=FinderRun.Status.RUNNING, created_at=run.created_at - datetime.timedelta(hours=1)
    )
    page = client_for(transport_official).get(reverse("finder:run-detail", args=[run.pk])).content.decode()
    assert "its worker was probably lost" in page and 'hx-trigger="every 1s"' not in page
    assert finder_run_request(actor=transport_official, enqueue=False).pk != run.pk
