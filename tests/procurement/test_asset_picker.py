"""The picker's "add all matching": what is free is bundled, what another active tender holds is skipped and
reported (naming that tender only to a user who may see it), instead of refusing the whole batch."""

import threading

import pytest
from django.db import connection

from departments.models import Asset
from procurement.models import TenderAsset, TenderEvent
from procurement.services.tenders import tender_assets_add, tender_assets_add_free, tender_create


def test_the_free_assets_are_bundled_and_the_busy_one_is_reported_with_its_tender(
    transport_official, transport, draft, transport_assets
):
    other = tender_create(actor=transport_official, lead_department=transport, title="Shelters only")
    tender_assets_add(
        tender=other, assets=Asset.objects.filter(pk=transport_assets[0].pk), actor=transport_official
    )
    result = tender_assets_add_free(
        tender=draft, assets=Asset.objects.filter(area="Route 12"), actor=transport_official
    )
    assert result.added == 2
    assert result.skipped == [("SH-0", other.reference)]
    assert set(TenderAsset.objects.filter(tender=draft).values_list("asset__external_ref", flat=True)) == {
        "SH-1",
        "SH-2",
    }
    # The asset stays where it was.
    assert TenderAsset.objects.get(asset=transport_assets[0], active=True).tender == other


def test_a_tender_the_user_may_not_see_is_not_named_among_the_skipped(
    transport_official, lighting_official, lighting, draft, lighting_assets
):
    hidden = tender_create(actor=lighting_official, lead_department=lighting, title="Lamps, quietly")
    tender_assets_add(
        tender=hidden, assets=Asset.objects.filter(pk=lighting_assets[0].pk), actor=lighting_official
    )
    result = tender_assets_add_free(
        tender=draft,
        assets=Asset.objects.filter(pk__in=[a.pk for a in lighting_assets]),
        actor=transport_official,
    )
    assert result.added == 1
    assert result.skipped == [(lighting_assets[0].external_ref, "")]


def test_when_nothing_is_free_nothing_is_added_and_no_history_is_written(
    transport_official, transport, draft, transport_assets
):
    other = tender_create(actor=transport_official, lead_department=transport, title="All shelters")
    everything = Asset.objects.filter(pk__in=[a.pk for a in transport_assets])
    tender_assets_add(tender=other, assets=everything, actor=transport_official)
    result = tender_assets_add_free(tender=draft, assets=everything, actor=transport_official)
    assert result.added == 0 and len(result.skipped) == 3
    assert not TenderEvent.objects.filter(tender=draft, action="assets_add").exists()


def test_assets_already_in_this_tender_are_neither_added_twice_nor_skipped(
    transport_official, draft, transport_assets
):
    everything = Asset.objects.filter(pk__in=[a.pk for a in transport_assets])
    tender_assets_add(
        tender=draft, assets=everything.filter(pk=transport_assets[0].pk), actor=transport_official
    )
    result = tender_assets_add_free(tender=draft, assets=everything, actor=transport_official)
    assert (result.added, result.skipped) == (2, [])
    assert TenderAsset.objects.filter(tender=draft).count() == 3


def test_the_whole_batch_is_bundled_with_one_history_row_in_a_fixed_number_of_queries(
    transport_official, draft, transport_assets, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        result = tender_assets_add_free(
            tender=draft, assets=Asset.objects.filter(area="Route 12"), actor=transport_official
        )
    assert result.added == 3
    assert TenderEvent.objects.filter(tender=draft, action="assets_add").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_drafts_adding_overlapping_batches_at_once_share_them_without_an_error(
    transport_official, transport, transport_assets, lighting_assets
):
    drafts = [
        tender_create(actor=transport_official, lead_department=transport, title=f"Draft {i}")
        for i in range(2)
    ]
    everything = Asset.objects.filter(area="Route 12")
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def bundle(tender):
        try:
            barrier.wait(timeout=10)
            outcomes[tender.reference] = tender_assets_add_free(
                tender=tender, assets=everything, actor=transport_official
            )
        except Exception as error:  # noqa: BLE001 — the test inspects what each thread got
            outcomes[tender.reference] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=bundle, args=(tender,)) for tender in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    results = list(outcomes.values())
    assert all(not isinstance(result, Exception) for result in results), outcomes
    assert sum(result.added for result in results) == 5
    assert TenderAsset.objects.filter(active=True).count() == 5
