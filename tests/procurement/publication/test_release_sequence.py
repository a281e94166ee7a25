import datetime

import pytest

from procurement.models import Tender, TenderEvent
from procurement.publication.exceptions import PublicationError
from procurement.publication.selectors import record_package, release_package, tender_list_published
from procurement.publication.services import release_on_transition, tender_amend
from procurement.publication.validation import record_package_errors, release_package_errors
from tests.procurement.publication.factories import approved_tender, publish, transition

pytestmark = pytest.mark.django_db


def test_publish_amend_cancel_writes_the_right_release_sequence(transport, lighting, transport_official):
    tender = approved_tender(lead=transport, partners=[lighting])
    publish(tender, transport_official)
    tender_amend(
        tender=tender,
        actor=transport_official,
        title="Smart, safe and lit bus stops",
        tender_period_end=datetime.date(2027, 6, 30),
    )
    transition(tender, "cancel", Tender.Status.CANCELLED, transport_official)

    releases = list(tender.releases.order_by("date"))
    assert [r.tag for r in releases] == ["tender", "tenderAmendment", "tenderUpdate"]
    assert [r.data["tender"]["status"] for r in releases] == ["active", "active", "cancelled"]
    assert len({r.release_id for r in releases}) == 3
    assert releases[0].date < releases[1].date < releases[2].date
    assert TenderEvent.objects.filter(tender=tender, action="amend").exists()

    package = record_package(tender=tender, uri="http://testserver/record")
    assert record_package_errors(package) == []
    compiled = package["records"][0]["compiledRelease"]
    assert compiled["tender"]["title"] == "Smart, safe and lit bus stops"
    assert compiled["tender"]["status"] == "cancelled"
    assert compiled["tender"]["tenderPeriod"]["endDate"].startswith("2027-06-30")
    assert compiled["tag"] == ["compiled"]
    # The original release keeps its original title: published data is never edited.
    assert releases[0].data["tender"]["title"] != compiled["tender"]["title"]
    assert release_package_errors(release_package(releases=[r.data for r in releases], uri="http://x/")) == []


def test_award_writes_an_award_release(transport):
    tender = approved_tender(lead=transport)
    publish(tender)
    tender.award_supplier_name = "Bright Streets Ltd"
    tender.award_value = "123456.78"
    tender.award_date = datetime.date(2027, 7, 1)
    tender.save()
    release = transition(tender, "award", Tender.Status.AWARDED)
    assert release.tag == "award"
    (award,) = release.data["awards"]
    assert award["value"]["amount"] == 123456.78
    assert award["suppliers"][0]["name"] == "Bright Streets Ltd"
    assert release_package_errors(release_package(releases=[release.data], uri="http://x/")) == []


def test_cancelling_an_unpublished_tender_publishes_nothing(transport):
    tender = approved_tender(lead=transport)
    assert transition(tender, "cancel", Tender.Status.CANCELLED) is None
    assert tender.releases.count() == 0
    assert not tender_list_published().filter(pk=tender.pk).exists()


def test_a_tender_cannot_be_published_twice(transport):
    tender = approved_tender(lead=transport)
    publish(tender)
    with pytest.raises(PublicationError):
        release_on_transition(tender=tender, action="publish", actor=None)


def test_only_a_published_tender_can_be_amended(transport, transport_official):
    tender = approved_tender(lead=transport)
    with pytest.raises(PublicationError):
        tender_amend(tender=tender, actor=transport_official, title="Nope")
    publish(tender)
    with pytest.raises(PublicationError, match="cannot be amended"):
        tender_amend(tender=tender, actor=transport_official, currency="USD")


def test_published_means_released_and_in_a_public_status(transport):
    approved_tender(lead=transport)
    approved_tender(lead=transport, status=Tender.Status.DRAFT)
    published = approved_tender(lead=transport)
    publish(published)
    assert set(tender_list_published().values_list("pk", flat=True)) == {published.pk}
