import pytest
from django.urls import reverse

from tests.procurement.publication.factories import approved_tender, published_tender

pytestmark = pytest.mark.django_db


def form_data(tender, **changes):
    data = {
        "title": tender.title,
        "description": tender.description,
        "tender_period_start": tender.tender_period_start.isoformat(),
        "tender_period_end": tender.tender_period_end.isoformat(),
        "comment": "Longer period after questions",
    }
    return {**data, **changes}


def test_lead_official_amends_and_a_tender_amendment_release_is_published(
    client_for, transport_official, transport
):
    tender = published_tender(lead=transport)
    url = reverse("procurement:public-tender-amend", args=[tender.reference])
    response = client_for(transport_official).post(url, form_data(tender, tender_period_end="2027-06-30"))
    assert response.status_code == 302
    latest = tender.releases.order_by("date").last()
    assert latest.tag == "tenderAmendment"
    assert latest.data["tender"]["tenderPeriod"]["endDate"].startswith("2027-06-30")


def test_amendment_without_a_change_or_with_a_bad_period_is_refused(
    client_for, transport_official, transport
):
    tender = published_tender(lead=transport)
    url = reverse("procurement:public-tender-amend", args=[tender.reference])
    client = client_for(transport_official)
    unchanged = client.post(url, form_data(tender))
    assert "Change at least one field" in unchanged.content.decode()
    backwards = client.post(url, form_data(tender, tender_period_end="2027-01-01"))
    assert "cannot end before it starts" in backwards.content.decode()
    assert tender.releases.count() == 1


def test_official_of_other_department_cannot_amend(client_for, parks_official, transport):
    tender = published_tender(lead=transport)
    url = reverse("procurement:public-tender-amend", args=[tender.reference])
    assert client_for(parks_official).post(url, form_data(tender, title="Mine now")).status_code == 403
    assert tender.releases.count() == 1


def test_unpublished_tender_cannot_be_amended_and_is_a_404(client_for, transport_official, transport):
    tender = approved_tender(lead=transport)
    url = reverse("procurement:public-tender-amend", args=[tender.reference])
    assert client_for(transport_official).get(url).status_code == 404
