"""The admin shows tenders for inspection; it never bypasses the lifecycle."""

import pytest

from tests.factories import TenderFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_administrator_sees_tender_with_its_history(admin_client):
    tender = TenderFactory(title="Smart, safe bus stops")
    assert admin_client.get("/admin/procurement/tender/").status_code == 200
    page = admin_client.get(f"/admin/procurement/tender/{tender.pk}/change/")
    assert page.status_code == 200
    assert "Smart, safe bus stops" in page.content.decode()


def test_administrator_cannot_change_a_tender_status_in_the_admin(admin_client):
    tender = TenderFactory(status="draft")
    admin_client.post(f"/admin/procurement/tender/{tender.pk}/change/", {"status": "published"})
    tender.refresh_from_db()
    assert tender.status == "draft"
    assert admin_client.get(f"/admin/procurement/tender/{tender.pk}/delete/").status_code == 403
