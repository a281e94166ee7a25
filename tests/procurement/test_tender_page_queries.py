"""The tender page stays cheap with 5,000 bundled assets: paginated table, aggregate summary."""

from decimal import Decimal

import pytest
from django.urls import reverse

from departments.models import Asset
from procurement.services.tenders import tender_assets_add


@pytest.fixture
def big_tender(ready_draft, transport, shelters, transport_official):
    Asset.objects.bulk_create(
        [
            Asset(
                department=transport,
                category=shelters,
                external_ref=f"BULK-{i:05d}",
                name="Shelter",
                area="Route 7",
                install_year=2005,
                life_years=20,
                replacement_cost=Decimal("1000.00"),
                maintenance_cost=Decimal("50.00"),
                energy_cost=Decimal("25.00"),
            )
            for i in range(5000)
        ],
        batch_size=1000,
    )
    added = tender_assets_add(
        tender=ready_draft, assets=Asset.objects.filter(area="Route 7"), actor=transport_official
    )
    assert added == 5000
    return ready_draft


@pytest.mark.parametrize("viewer", ["transport_official", "finance_officer"])
def test_detail_of_a_tender_with_5000_assets_takes_at_most_22_queries(
    request, big_tender, client_for, django_assert_max_num_queries, viewer, no_seams
):
    from procurement.services.tenders import tender_transition

    if viewer == "finance_officer":
        tender_transition(
            tender=big_tender, action="submit", actor=request.getfixturevalue("transport_official")
        )
    client = client_for(request.getfixturevalue(viewer))
    # 20 before the department sign-offs panel, which adds two whatever the number of assets: the other
    # departments' bundles (one UNION of their assets and contributions, without the lead's 5,000 shelters)
    # and the sign-offs.
    with django_assert_max_num_queries(22):
        response = client.get(reverse("procurement:tender-detail", args=[big_tender.reference]))
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary["asset_count"] == 5005
    assert len(response.context["bundled"].object_list) == 50


@pytest.mark.postgres  # SQLite caps the variables per statement, so its insert batches are smaller
def test_bulk_add_of_5000_assets_uses_a_fixed_number_of_queries(
    ready_draft, transport, shelters, transport_official, django_assert_max_num_queries
):
    Asset.objects.bulk_create(
        [
            Asset(
                department=transport,
                category=shelters,
                external_ref=f"Q-{i:05d}",
                area="Route 9",
                install_year=2005,
                life_years=20,
                replacement_cost=1,
                maintenance_cost=1,
                energy_cost=1,
            )
            for i in range(5000)
        ]
    )
    with django_assert_max_num_queries(15):
        added = tender_assets_add(
            tender=ready_draft, assets=Asset.objects.filter(area="Route 9"), actor=transport_official
        )
    assert added == 5000


def test_the_finance_panels_load_after_the_page_and_open_as_a_page_without_javascript(
    big_tender, client_for, transport_official, django_assert_max_num_queries
):
    client = client_for(transport_official)
    page = client.get(reverse("procurement:tender-detail", args=[big_tender.reference])).content.decode()
    panels_url = reverse("procurement:tender-finance-panels", args=[big_tender.reference])
    # The page holds an htmx container that loads the panels, and a plain link for a browser without JS.
    assert f'hx-get="{panels_url}" hx-trigger="load"' in page and f'href="{panels_url}"' in page
    assert 'id="financing"' not in page
    with django_assert_max_num_queries(20):
        partial = client.get(panels_url, headers={"HX-Request": "true"})
    assert 'id="financing"' in partial.content.decode() and "<html" not in partial.content.decode()
    whole = client.get(panels_url).content.decode()
    assert 'id="financing"' in whole and "<html" in whole


def test_the_finance_panels_are_as_private_as_the_tender(big_tender, client_for, parks_official):
    panels_url = reverse("procurement:tender-finance-panels", args=[big_tender.reference])
    response = client_for(parks_official).get(panels_url, headers={"HX-Request": "true"})
    assert response.status_code == 404
