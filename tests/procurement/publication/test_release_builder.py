from decimal import Decimal

import pytest

from procurement.models import Release
from procurement.publication.exceptions import ReleaseImmutable
from procurement.publication.ocds import content_hash
from procurement.publication.validation import release_errors
from tests.procurement.publication.factories import approved_tender, publish

pytestmark = pytest.mark.django_db


def test_publishing_writes_a_valid_tender_release_with_its_hash(transport, lighting):
    tender = approved_tender(lead=transport, partners=[lighting])
    release = publish(tender)
    assert release.tag == "tender"
    assert release.data["tag"] == ["tender"]
    assert release.data["ocid"] == f"ocds-demo01-{tender.reference}"
    assert release.content_hash == content_hash(release.data)
    assert release_errors(release.data) == []
    tender.refresh_from_db()
    assert tender.published_at == release.date


def test_pooled_budget_has_one_line_per_department_year_and_type(transport, lighting):
    tender = approved_tender(lead=transport, partners=[lighting])
    data = publish(tender).data
    budget = data["planning"]["budget"]
    ids = sorted(line["id"] for line in budget["budgetBreakdown"])
    assert ids == ["lighting-2027-capex", "lighting-2028-opex", "transport-2027-capex", "transport-2028-opex"]
    assert Decimal(str(budget["amount"]["amount"])) == Decimal("50000") + Decimal("12000.50") + Decimal(
        "50001"
    ) + Decimal("12001.50")
    funders = {p["id"]: p["roles"] for p in data["parties"]}
    assert "funder" in funders["department-lighting"] and "sourceParty" in funders["department-lighting"]
    assert "buyer" in funders["city"]


def test_targeted_indicators_are_metrics_with_baseline_and_target(transport):
    data = publish(approved_tender(lead=transport)).data
    (metric,) = data["tender"]["targets"]
    observations = {o["id"]: o for o in metric["observations"]}
    assert observations["baseline"]["measure"] == 100
    assert observations["target"]["measure"] == 55.5
    assert observations["target"]["unit"] == {"name": "incidents per month"}


def test_items_are_asset_groups_per_category_department_and_action(transport, lighting):
    data = publish(approved_tender(lead=transport, partners=[lighting], assets_per_department=3)).data
    items = {i["id"]: i["quantity"] for i in data["tender"]["items"]}
    assert items == {"bus-shelter-lighting-upgrade": 3, "bus-shelter-transport-upgrade": 3}


def test_internal_states_are_never_published(transport):
    data = publish(approved_tender(lead=transport)).data
    text = str(data)
    assert data["tender"]["status"] == "active"
    for internal in ("draft", "submitted", "approved"):
        assert f"'{internal}'" not in text


def test_a_stored_release_cannot_be_edited_or_deleted(transport):
    release = publish(approved_tender(lead=transport))
    release.data["tender"]["title"] = "changed"
    with pytest.raises(ReleaseImmutable):
        release.save()
    with pytest.raises(ReleaseImmutable):
        release.delete()
    assert Release.objects.get(pk=release.pk).data["tender"]["title"] != "changed"
