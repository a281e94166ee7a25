"""The tender lifecycle calls the publication seam: publish, award and cancel append the right releases."""

import datetime
from decimal import Decimal

import pytest

from procurement.models import Tender
from procurement.publication.selectors import record_package
from procurement.publication.validation import record_package_errors
from tests.procurement.publication.factories import approved_tender

pytestmark = pytest.mark.django_db


def test_lifecycle_publish_then_award_appends_tender_and_award_releases(
    transport, transport_official, finance_officer
):
    from procurement.services.tenders import tender_transition

    tender = approved_tender(lead=transport, created_by=transport_official)
    tender_transition(tender=tender, action="publish", actor=finance_officer)
    tender_transition(
        tender=tender,
        action="award",
        actor=finance_officer,
        award_supplier_name="Bright Streets Ltd",
        award_value=Decimal("500000.00"),
        award_date=datetime.date(2027, 7, 1),
    )
    tender.refresh_from_db()
    assert tender.status == Tender.Status.AWARDED
    assert [r.tag for r in tender.releases.order_by("date")] == ["tender", "award"]
    package = record_package(tender=tender, uri="http://testserver/")
    assert record_package_errors(package) == []
    compiled = package["records"][0]["compiledRelease"]
    assert compiled["tender"]["status"] == "complete"
    assert compiled["awards"][0]["suppliers"][0]["name"] == "Bright Streets Ltd"


def test_lifecycle_cancel_of_published_tender_appends_a_cancelled_update(
    transport, transport_official, finance_officer
):
    from procurement.services.tenders import tender_transition

    tender = approved_tender(lead=transport, created_by=transport_official)
    tender_transition(tender=tender, action="publish", actor=finance_officer)
    tender_transition(tender=tender, action="cancel", actor=finance_officer, comment="Budget withdrawn")
    cancelled = tender.releases.order_by("date").last()
    assert cancelled.tag == "tenderUpdate"
    assert cancelled.data["tender"]["status"] == "cancelled"
    # The cancelled release still shows what had been pooled (contributions are released on cancel).
    assert cancelled.data["planning"]["budget"]["amount"]["amount"] > 0
