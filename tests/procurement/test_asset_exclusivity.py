"""An asset is in at most one active tender, also when two drafts bundle it at the same moment."""

import threading

import pytest
from django.db import connection

from departments.models import Asset
from procurement.exceptions import AssetsInAnotherTender
from procurement.models import TenderAsset
from procurement.services.tenders import tender_assets_add, tender_create


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_drafts_bundling_the_same_asset_exactly_one_wins(
    transport_official, transport, transport_assets
):
    drafts = [
        tender_create(actor=transport_official, lead_department=transport, title=f"Draft {i}")
        for i in range(2)
    ]
    asset = transport_assets[0]
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def bundle(tender):
        try:
            barrier.wait(timeout=10)
            outcomes[tender.reference] = tender_assets_add(
                tender=tender, assets=Asset.objects.filter(pk=asset.pk), actor=transport_official
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

    winners = [ref for ref, result in outcomes.items() if result == 1]
    losers = [result for result in outcomes.values() if isinstance(result, AssetsInAnotherTender)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert losers[0].conflicts == [(asset.external_ref, winners[0])]
    assert f"{asset.external_ref} (in {winners[0]})" in str(losers[0])
    assert TenderAsset.objects.filter(asset=asset, active=True).count() == 1


def test_the_database_refuses_a_second_active_link_even_without_the_service(
    transport_official, transport, transport_assets
):
    from django.db import IntegrityError, transaction

    first, second = (
        tender_create(actor=transport_official, lead_department=transport, title=t) for t in ("A", "B")
    )
    TenderAsset.objects.create(tender=first, asset=transport_assets[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        TenderAsset.objects.create(tender=second, asset=transport_assets[0])
    TenderAsset.objects.filter(tender=first).update(active=False)
    TenderAsset.objects.create(tender=second, asset=transport_assets[0])  # free again once inactive


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_drafts_get_distinct_references(transport_official, transport):
    barrier = threading.Barrier(3)
    references: list[str] = []
    errors: list[Exception] = []

    def create(i):
        try:
            barrier.wait(timeout=10)
            references.append(
                tender_create(
                    actor=transport_official, lead_department=transport, title=f"Draft {i}"
                ).reference
            )
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert len(set(references)) == 3


def test_a_draft_the_user_may_not_see_is_not_named(
    transport_official, lighting_official, transport, lighting, lighting_assets
):
    # Luc's Street lighting draft is his department's work in progress: Tina may not see it, so the refusal
    # must not tell her its reference (nor that this reference exists).
    hidden = tender_create(actor=lighting_official, lead_department=lighting, title="Lamps, quietly")
    lamp = Asset.objects.filter(pk=lighting_assets[0].pk)
    tender_assets_add(tender=hidden, assets=lamp, actor=lighting_official)
    mine = tender_create(actor=transport_official, lead_department=transport, title="Bus stops")
    with pytest.raises(AssetsInAnotherTender) as refused:
        tender_assets_add(tender=mine, assets=lamp, actor=transport_official)
    message = str(refused.value)
    assert hidden.reference not in message
    assert f"{lighting_assets[0].external_ref} (already bundled in another tender)" in message
    assert refused.value.conflicts == [(lighting_assets[0].external_ref, "")]
    assert not TenderAsset.objects.filter(tender=mine).exists()


def test_a_tender_the_user_may_see_is_named(
    transport_official, lighting_official, transport, lighting, lighting_assets
):
    # Once Luc's tender bundles a Transport asset too, Transport takes part in it and Tina may see it.
    from tests.factories import AssetFactory

    visible = tender_create(actor=lighting_official, lead_department=lighting, title="Lamps and a stop")
    shelter = AssetFactory(department=transport, external_ref="SH-9")
    tender_assets_add(
        tender=visible,
        assets=Asset.objects.filter(pk__in=[lighting_assets[0].pk, shelter.pk]),
        actor=lighting_official,
    )
    mine = tender_create(actor=transport_official, lead_department=transport, title="Bus stops")
    with pytest.raises(AssetsInAnotherTender) as refused:
        tender_assets_add(
            tender=mine, assets=Asset.objects.filter(pk=lighting_assets[0].pk), actor=transport_official
        )
    assert f"{lighting_assets[0].external_ref} (in {visible.reference})" in str(refused.value)
