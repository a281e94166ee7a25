import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from procurement.models import Tender
from tests.procurement.publication.factories import approved_tender, publish, published_tender

pytestmark = pytest.mark.django_db

LIST = "/api/v1/tenders/"


def test_anonymous_visitor_lists_published_tenders_only(api, transport):
    shown = published_tender(lead=transport, title="Published stops")
    approved_tender(lead=transport, title="Approved, not yet published")
    response = api.get(LIST)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [t["id"] for t in results] == [shown.reference]
    assert results[0]["title"] == "Published stops"
    assert results[0]["status"] == "active"
    assert results[0]["value"]["amount"] == "62000.50"
    assert results[0]["lead_department"] == {"code": "transport", "name": "Transport"}


@pytest.mark.parametrize("status", ["draft", "submitted", "approved"])
def test_unpublished_tender_is_a_404_on_every_route_like_a_missing_one(api, partner_api, transport, status):
    hidden = approved_tender(lead=transport, status=status)
    for suffix in ["", "releases/", "record/", "questions/"]:
        for client in (api, partner_api):
            hidden_response = client.get(f"{LIST}{hidden.reference}/{suffix}")
            missing_response = client.get(f"{LIST}T-0000-MISSING/{suffix}")
            assert hidden_response.status_code == missing_response.status_code == 404
            assert hidden_response.json() == missing_response.json()
    for suffix in ["assets/", "scenario/"]:
        assert partner_api.get(f"{LIST}{hidden.reference}/{suffix}").status_code == 404
    assert partner_api.post(f"{LIST}{hidden.reference}/questions/", {"question": "?"}).status_code == 404
    assert api.get("/api/v1/releases/").json()["results"] == []


def test_filters_by_status_department_theme_category_and_date(api, transport, lighting, parks):
    both = published_tender(lead=transport, partners=[lighting])
    parks_tender = published_tender(lead=parks)
    parks_tender.status = Tender.Status.CANCELLED
    parks_tender.save()

    def ids(**params):
        response = api.get(LIST, params)
        assert response.status_code == 200, response.json()
        return {t["id"] for t in response.json()["results"]}

    assert ids(department="lighting") == {both.reference}
    assert ids(department="parks") == {parks_tender.reference}
    assert ids(status="cancelled") == {parks_tender.reference}
    assert ids(status="active") == {both.reference}
    assert ids(theme="public_safety") == {both.reference, parks_tender.reference}
    assert ids(theme="mobility") == set()
    assert ids(category="bus-shelter") == {both.reference, parks_tender.reference}
    assert ids(category="lamp") == set()
    assert ids(published_since="2000-01-01") == {both.reference, parks_tender.reference}
    assert ids(published_since="2999-01-01T00:00:00Z") == set()


@pytest.mark.parametrize(
    "params, field",
    [
        ({"status": "draft"}, "status"),
        ({"theme": "nonsense"}, "theme"),
        ({"published_since": "yesterday"}, "published_since"),
        ({"published_since": "2027-13-45"}, "published_since"),
        ({"published_since": "0001-01-01T00:00:00+23:59"}, "published_since"),
    ],
)
def test_malformed_filter_is_a_400_with_a_message(api, params, field):
    response = api.get(LIST, params)
    assert response.status_code == 400
    assert response.json()[field][0]


@pytest.mark.parametrize("params", [{"since": "last week"}, {"tag": "planning"}])
def test_malformed_feed_filter_is_a_400_with_a_message(api, params):
    response = api.get("/api/v1/releases/", params)
    assert response.status_code == 400
    assert response.json()[next(iter(params))][0]


@pytest.mark.parametrize("url", [LIST, "/api/v1/releases/"])
def test_malformed_cursor_is_a_400_with_a_message(api, url):
    response = api.get(url, {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_cursor_pages_through_every_tender_once(api, transport):
    references = {published_tender(lead=transport, assets_per_department=1).reference for _ in range(5)}
    seen, url = [], f"{LIST}?page_size=2"
    while url:
        body = api.get(url).json()
        seen += [t["id"] for t in body["results"]]
        url = body["next"]
    assert sorted(seen) == sorted(references)


@pytest.mark.parametrize("page_size", [10, 100])
def test_list_needs_a_constant_number_of_queries(api, transport, page_size, django_assert_max_num_queries):
    for _ in range(12):
        published_tender(lead=transport, assets_per_department=1)
    with django_assert_max_num_queries(4):
        response = api.get(LIST, {"page_size": page_size})
    assert len(response.json()["results"]) == min(12, page_size)


def test_query_count_does_not_grow_with_the_page(api, transport):
    for _ in range(6):
        published_tender(lead=transport, assets_per_department=1)
    from django.core.cache import cache

    from procurement.publication.selectors import forget_published_version

    counts = []
    for size in (1, 6):
        cache.clear()  # measure the uncached path each time
        forget_published_version()
        with CaptureQueriesContext(connection) as ctx:
            api.get(LIST, {"page_size": size})
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_detail_carries_the_latest_release_and_an_etag(api, transport):
    tender = published_tender(lead=transport)
    response = api.get(f"{LIST}{tender.reference}/")
    assert response.status_code == 200
    release = tender.releases.get()
    assert response["ETag"] == f'"{release.content_hash}"'
    assert response.json()["latest_release"] == release.data


def test_conditional_get_returns_304_without_rendering(api, transport, django_assert_max_num_queries):
    tender = published_tender(lead=transport)
    for suffix in ["", "releases/", "record/"]:
        url = f"{LIST}{tender.reference}/{suffix}"
        etag = api.get(url)["ETag"]
        with django_assert_max_num_queries(2):
            response = api.get(url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 304
        assert response.content == b""
        assert response["ETag"] == etag
        assert api.get(url, HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_release_package_and_record_validate(api, transport):
    from procurement.publication.validation import record_package_errors, release_package_errors

    tender = published_tender(lead=transport)
    assert release_package_errors(api.get(f"{LIST}{tender.reference}/releases/").json()) == []
    assert record_package_errors(api.get(f"{LIST}{tender.reference}/record/").json()) == []


def test_change_feed_lists_releases_in_date_order(api, transport, transport_official):
    from procurement.publication.services import tender_amend

    first = published_tender(lead=transport)
    second = published_tender(lead=transport)
    tender_amend(tender=first, actor=transport_official, title="Amended")
    body = api.get("/api/v1/releases/").json()
    assert [(r["tender_id"], r["tag"]) for r in body["results"]] == [
        (first.reference, "tender"),
        (second.reference, "tender"),
        (first.reference, "tenderAmendment"),
    ]
    later = api.get("/api/v1/releases/", {"tag": "tenderAmendment"}).json()["results"]
    assert [r["release"]["tender"]["title"] for r in later] == ["Amended"]


def test_published_tender_stays_visible_once_cancelled(api, transport):
    tender = approved_tender(lead=transport)
    publish(tender)
    from tests.procurement.publication.factories import transition

    transition(tender, "cancel", Tender.Status.CANCELLED)
    body = api.get(f"{LIST}{tender.reference}/").json()
    assert body["status"] == "cancelled"
    assert body["last_release_tag"] == "tenderUpdate"


def test_list_page_cache_follows_every_new_release(api, transport, transport_official):
    from procurement.publication.services import tender_amend

    first = published_tender(lead=transport)
    assert [t["id"] for t in api.get(LIST).json()["results"]] == [first.reference]
    second = published_tender(lead=transport)
    assert {t["id"] for t in api.get(LIST).json()["results"]} == {first.reference, second.reference}
    tender_amend(tender=first, actor=transport_official, title="Renamed")
    titles = {t["id"]: t["title"] for t in api.get(LIST).json()["results"]}
    assert titles[first.reference] == "Renamed"


@pytest.fixture
def shared_cache_reads(monkeypatch):
    """The list pages the API view reads from the shared cache, in order."""
    from django.core.cache import cache

    from procurement.api import views

    reads = []

    class Counting:
        def __getattr__(self, name):
            return getattr(cache, name)

        def get(self, key, *args, **kwargs):
            reads.append(key)
            return cache.get(key, *args, **kwargs)

    monkeypatch.setattr(views, "cache", Counting())
    return reads


def test_a_list_page_served_again_comes_from_this_process_without_the_shared_cache(
    api, transport, shared_cache_reads, django_assert_max_num_queries
):
    published_tender(lead=transport)
    first = api.get(LIST, {"page_size": 5})
    with django_assert_max_num_queries(0):
        again = api.get(LIST, {"page_size": 5})
    assert again.content == first.content
    assert len(shared_cache_reads) == 1  # the first request's (a miss, then rendered)


def test_the_process_copy_goes_with_the_published_version_memo(
    api, transport, shared_cache_reads, monkeypatch
):
    from procurement.publication import selectors

    published_tender(lead=transport)
    monkeypatch.setattr(selectors, "VERSION_MEMO_SECONDS", 0.0)  # every request reads the version again
    pages = [api.get(LIST).content for _ in range(3)]
    assert len(shared_cache_reads) == 3  # each new reading of the version dropped the copies
    assert pages[0] == pages[1] == pages[2]


def test_the_process_keeps_a_bounded_number_of_copies(api, transport, shared_cache_reads, monkeypatch):
    from procurement.publication import selectors

    monkeypatch.setattr(selectors, "PAGE_COPIES", 2)
    published_tender(lead=transport)
    for size in (1, 2, 3, 1, 2, 3):
        api.get(LIST, {"page_size": size})
    first_size_1, first_size_2, first_size_3, again_size_3 = (
        shared_cache_reads  # the pages of 1 and 2 were kept
    )
    assert again_size_3 == first_size_3 != first_size_2 != first_size_1  # the page beyond the bound was not


def test_list_supports_conditional_get(api, transport, django_assert_max_num_queries):
    published_tender(lead=transport)
    etag = api.get(LIST)["ETag"]
    with django_assert_max_num_queries(1):
        response = api.get(LIST, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    published_tender(lead=transport)
    assert api.get(LIST, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_change_feed_supports_conditional_get_until_a_release_is_appended(
    api, transport, django_assert_max_num_queries
):
    published_tender(lead=transport)
    feed = "/api/v1/releases/"
    etag = api.get(feed)["ETag"]
    with django_assert_max_num_queries(1):
        response = api.get(feed, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    published_tender(lead=transport)
    fresh = api.get(feed, HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200
    assert len(fresh.json()["results"]) == 2
