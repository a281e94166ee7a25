"""The menu offers only what a user may do; errors are pages in the site's layout, in plain words."""

import pytest
from django.test import Client, override_settings
from django.urls import path

from config import urls as site_urls


def _menu(client) -> str:
    html = client.get("/").content.decode()
    return html.split('<nav aria-label="Main">')[1].split("</nav>")[0]


def test_an_official_is_not_offered_the_approval_queue(client_for, transport_official):
    menu = _menu(client_for(transport_official))
    assert "Tenders" in menu and "Budgets" in menu
    assert "Approvals" not in menu


def test_finance_staff_are_offered_the_approval_queue(client_for, finance_officer):
    assert "Approvals" in _menu(client_for(finance_officer))


def test_a_user_without_any_membership_is_offered_no_area(client_for, db):
    from tests.factories import UserFactory

    menu = _menu(client_for(UserFactory(username="nobody")))
    for area in ("Departments", "Assets", "Tenders", "Budgets", "Approvals"):
        assert area not in menu


def test_a_missing_page_is_a_styled_404_in_the_layout(client_for, transport_official):
    response = client_for(transport_official).get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find this page" in html
    assert 'class="site-header"' in html


def test_a_forbidden_page_is_a_styled_403_that_says_why(client_for, transport_official):
    response = client_for(transport_official).get("/finance/approvals/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "You may not do this" in html
    assert "The approval queue is for finance staff." in html


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom), *site_urls.urlpatterns]


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_is_a_styled_500_that_promises_nothing_was_half_saved(db):
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "half-saved" in html


@pytest.mark.django_db
def test_the_api_root_lists_its_endpoints(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    body = response.json()
    assert body["endpoints"]["tenders"].endswith("/api/v1/tenders/")
    assert body["endpoints"]["releases"].endswith("/api/v1/releases/")
    assert body["schema"].endswith("/api/schema/") and body["docs"].endswith("/api/docs/")
