"""The demo step: two "Smart, safe bus stops" tenders, one draft and one submitted; idempotent and robust."""

from decimal import Decimal

from procurement import demo
from procurement.models import Tender
from tests.factories import (
    AssetCategoryFactory,
    AssetFactory,
    IndicatorFactory,
    MembershipFactory,
    UserFactory,
)


def test_demo_loads_a_draft_and_a_submitted_tender_and_is_idempotent(
    transport_official, lighting_official, transport, lighting, safety, no_seams
):
    sam = UserFactory(username="sam")
    MembershipFactory(user=sam, department=safety, role="official")
    for department, code, area in [
        (transport, "bus-shelter", "Route 12"),
        (lighting, "street-light", "Route 12"),
        (safety, "cctv-camera", "Route 12"),
        (transport, "bus-shelter", "Route 7"),
    ]:
        category = AssetCategoryFactory(code=code)
        AssetFactory.create_batch(2, department=department, category=category, area=area)
    IndicatorFactory(name="Night-time incidents at bus stops", baseline_value=Decimal("240"))
    IndicatorFactory(name="Street-lighting energy cost", baseline_value=Decimal("228000"), target_value=1)
    lines = []
    demo.load(log=lines.append)
    demo.load(log=lines.append)
    tenders = {t.title: t for t in Tender.objects.all()}
    assert len(tenders) == 2
    submitted = tenders["Smart, safe bus stops — Route 12"]
    assert submitted.status == "submitted"
    assert set(submitted.bundled_assets.values_list("asset__department__code", flat=True)) == {
        "transport",
        "lighting",
        "safety",
    }
    assert sorted(submitted.targeted_outcomes.values_list("payment_weight", flat=True)) == [40, 60]
    # The departments whose assets it bundles signed off through the service, by their demo officials.
    assert set(submitted.sign_offs.values_list("department__code", "signed_by__username")) == {
        ("lighting", "luc"),
        ("safety", "sam"),
    }
    assert tenders["Smart, safe bus stops — Route 7"].status == "draft"
    assert sum("exists" in line for line in lines) == 2


def test_demo_without_users_skips_with_a_message(db):
    lines = []
    demo.load(log=lines.append)
    assert not Tender.objects.exists() and "skipped" in lines[0]
